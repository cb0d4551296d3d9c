# mistake: handle catches TransientError only, so an unexpected error from process escapes
#   unsettled
# expect: handle() raised KeyError
# expect: catch `Exception` after PoisonError and nak it with the delay

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext

RETRY_DELAY = 0.5
"""Seconds the server waits before redelivering a message that failed for a while."""


class TransientError(Exception):
    """Processing failed for now and may work later (rate limit, timeout): retry it."""


class PoisonError(Exception):
    """Processing can never succeed for this message (malformed, unknown ticker): drop it."""


async def handle(
    msg: Msg, process: Callable[[bytes], object], *, retry_delay: float = RETRY_DELAY
) -> str:
    """Process one message with ``process(msg.data)`` and settle it with the server.

    * ``process`` returns normally -> acknowledge the message; return ``"ack"``.
    * ``process`` raises ``PoisonError`` -> terminate the message (no redelivery, ever);
      return ``"term"``.
    * ``process`` raises ``TransientError`` or any other exception -> negatively
      acknowledge it so the server redelivers it after ``retry_delay`` seconds;
      return ``"nak"``. (An unexpected error is retried too: the consumer's
      ``max_deliver`` bounds how often.)

    Settle each message exactly once, and call ``process`` exactly once per call.
    """
    try:
        process(msg.data)
    except PoisonError:
        await msg.term()  # +TERM: the server gives up on it now and says so in an advisory
        return "term"
    except TransientError:
        await msg.nak(delay=retry_delay)  # -NAK {"delay": ns}: come back later, not now
        return "nak"
    await msg.ack()
    return "ack"


async def work_batch(
    psub: JetStreamContext.PullSubscription,
    process: Callable[[bytes], object],
    *,
    batch: int = 10,
    timeout: float = 1.0,
    retry_delay: float = RETRY_DELAY,
) -> dict[str, int]:
    """Fetch up to ``batch`` messages (waiting at most ``timeout`` s) and ``handle`` each.

    Return how often each outcome happened, e.g. ``{"ack": 2, "nak": 1, "term": 1}``
    (outcomes that did not happen may be left out). When no message is waiting, the
    fetch times out: return an empty dict instead of raising.
    """
    try:
        messages = await psub.fetch(batch, timeout=timeout)
    except TimeoutError:  # nats.errors.TimeoutError subclasses it: nothing waiting
        return {}
    outcomes = Counter([await handle(msg, process, retry_delay=retry_delay) for msg in messages])
    return dict(outcomes)
