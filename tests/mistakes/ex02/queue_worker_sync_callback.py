# mistake: queue_worker's callback is a plain def, but nats-py awaits its callbacks
# expect: must use coroutine for subscriptions
# expect: it must be written `async def handle(msg):`

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeoutError


async def publish_all(nc: Client, subject: str, payloads: Iterable[bytes]) -> int:
    """Publish every payload to ``subject``, in order; flush; return how many were published.

    ``nc.publish`` only puts a message in nats-py's outgoing buffer. Before returning,
    ``await nc.flush()`` so the buffer is written out and the server has answered.
    """
    published = 0
    for payload in payloads:
        await nc.publish(subject, payload)
        published += 1
    # flush() writes nats-py's buffer to the socket and waits for the server's PONG.
    # (Its PING may overtake the buffer, so to know the server has *handled* every
    # message, flush twice: gym.delivery.wait_until_processed. Notebook 02 shows the difference.)
    await nc.flush()
    return published


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    """Subscribe to ``subject`` and return the payloads of the first ``count`` messages.

    Wait at most ``timeout`` seconds in total: if fewer than ``count`` messages arrive in
    that time, return the ones that did (do not raise). Return them in arrival order.
    Unsubscribe before returning, whatever happened, so the server stops sending.
    """
    sub = await nc.subscribe(subject)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    payloads: list[bytes] = []
    try:
        while len(payloads) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                # Wait for the message itself, but never past the overall deadline.
                msg = await sub.next_msg(timeout=remaining)
            except NatsTimeoutError:
                break
            payloads.append(msg.data)
    finally:
        # Without this the server keeps routing messages to a subscription nobody reads.
        await sub.unsubscribe()
    return payloads


async def queue_worker(nc: Client, subject: str, queue: str, handled: list[bytes]) -> Subscription:
    """Join queue group ``queue`` on ``subject``; append each message's payload to ``handled``.

    Subscribe with a callback (``cb=``) that appends ``msg.data`` to ``handled``, and
    return the subscription. Several workers that call this with the same ``queue``
    share the messages: the server gives each message to one member of the group.
    """

    def handle(msg: Msg) -> None:
        handled.append(msg.data)

    # queue= makes this subscription a member of the group instead of one more listener.
    return await nc.subscribe(subject, queue=queue, cb=handle)
