"""Key-Value reads that nats-py 2.16 can get wrong under load, asked again.

``KeyValue.history`` and ``KeyValue.keys`` watch the bucket with an ordered push consumer and
stop at the watcher's "nothing more" marker. nats-py sends that marker at once when the
consumer's info says nothing is pending *and* nothing has been received yet — but the
server's answer to that info request can overtake the deliveries themselves. The call then
ends before the first entry arrives and raises ``NoKeysError`` although the key has
revisions (seen once in 300 calls on a loaded 2-core machine; never short, only empty).
A genuine "no keys" says so every time; a false one is gone on the next ask.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from nats.js.errors import NoKeysError
from nats.js.kv import KeyValue

__all__ = ["history", "keys"]

T = TypeVar("T")

ASKS = 3
"""How many times "no keys" must be said before it is believed."""


async def _believed(ask: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(ASKS):
        try:
            return await ask()
        except NoKeysError:
            if attempt == ASKS - 1:
                raise
    raise AssertionError("unreachable")


async def history(kv: KeyValue, key: str) -> list[KeyValue.Entry]:
    """``kv.history(key)``, asked again if nats-py says "no keys" too early."""
    return await _believed(lambda: kv.history(key))


async def keys(kv: KeyValue) -> list[str]:
    """``kv.keys()``, asked again if nats-py says "no keys" too early."""
    return await _believed(kv.keys)
