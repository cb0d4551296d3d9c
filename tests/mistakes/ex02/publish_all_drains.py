# mistake: publish_all closes the caller's connection to be sure everything went out
# expect: publish_all closed (or drained) the connection it was given
# expect: do not close or drain it

"""A learner's ex02."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeoutError


async def publish_all(nc: Client, subject: str, payloads: Iterable[bytes]) -> int:
    count = 0
    for payload in payloads:
        await nc.publish(subject, payload)
        count += 1
    await nc.drain()  # sends everything, then closes
    return count


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    deadline = asyncio.get_running_loop().time() + timeout
    payloads: list[bytes] = []
    try:
        while len(payloads) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            try:
                msg = await sub.next_msg(timeout=remaining)
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
