# mistake: collect gives every next_msg a fresh timeout instead of one deadline for the call
# expect: the timeout is for the whole call, not for each message
# expect: Compute a deadline once

"""A learner's ex02."""

from __future__ import annotations

from collections.abc import Iterable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeoutError


async def publish_all(nc: Client, subject: str, payloads: Iterable[bytes]) -> int:
    published = 0
    for payload in payloads:
        await nc.publish(subject, payload)
        published += 1
    await nc.flush()
    return published


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    payloads: list[bytes] = []
    try:
        while len(payloads) < count:
            try:
                msg = await sub.next_msg(timeout=timeout)
            except NatsTimeoutError:
                break
            payloads.append(msg.data)
    finally:
        await sub.unsubscribe()
    return payloads


async def queue_worker(nc: Client, subject: str, queue: str, handled: list[bytes]) -> Subscription:
    async def handle(msg: Msg) -> None:
        handled.append(msg.data)

    return await nc.subscribe(subject, queue=queue, cb=handle)
