"""Wait on the thing itself: ask the server again until its answer says what we wait for.

Much of what NATS does lands a moment after it answers: an ack reaches the consumer just
after the ack was sent, a stream elects a leader, `/healthz` recovers after a deletion. A
sleep would guess how long that takes; asking again, within a deadline, does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["eventually"]

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    within: float,
    until: Callable[[T], bool] = bool,
    every: float = 0.02,
) -> T:
    """Ask ``probe`` until ``until(answer)`` holds or ``within`` seconds pass; the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        answer = await probe()
        if until(answer) or loop.time() >= deadline:
            return answer
        await asyncio.sleep(every)  # between two answers of the thing waited on
