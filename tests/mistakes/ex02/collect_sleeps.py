# mistake: collect waits with time.sleep(timeout), then takes what is queued
# expect: time.sleep(1.0) blocks the event loop
# expect: never time.sleep

"""A learner's ex02."""

from __future__ import annotations

import time
from collections.abc import Iterable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription


async def publish_all(nc: Client, subject: str, payloads: Iterable[bytes]) -> int:
    published = 0
    for payload in payloads:
        await nc.publish(subject, payload)
        published += 1
    await nc.flush()
    return published


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    time.sleep(timeout)  # give the messages time to arrive
    payloads: list[bytes] = []
    while len(payloads) < count and sub.pending_msgs:
        payloads.append((await sub.next_msg()).data)
    await sub.unsubscribe()
    return payloads


async def queue_worker(nc: Client, subject: str, queue: str, handled: list[bytes]) -> Subscription:
    async def handle(msg: Msg) -> None:
        handled.append(msg.data)

    return await nc.subscribe(subject, queue=queue, cb=handle)
