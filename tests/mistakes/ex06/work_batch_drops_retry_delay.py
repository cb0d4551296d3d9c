# mistake: work_batch calls handle without its retry_delay, so handle naks with its default
# expect: a delay of 0.5 s, expected retry_delay=0.1 s
# expect: pass it on

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext

RETRY_DELAY = 0.5


class TransientError(Exception):
    """Processing failed for now and may work later: retry it."""


class PoisonError(Exception):
    """Processing can never succeed for this message: drop it."""


async def handle(
    msg: Msg, process: Callable[[bytes], object], *, retry_delay: float = RETRY_DELAY
) -> str:
    try:
        process(msg.data)
    except PoisonError:
        await msg.term()
        return "term"
    except Exception:
        await msg.nak(delay=retry_delay)
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
    try:
        messages = await psub.fetch(batch, timeout=timeout)
    except TimeoutError:
        return {}
    outcomes = Counter()
    for msg in messages:
        outcomes[await handle(msg, process)] += 1
    return dict(outcomes)
