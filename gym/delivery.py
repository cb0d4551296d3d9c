"""Ask a real server which subjects each subscription pattern receives.

Used by notebook 01 and the ex01 check to put ``gym.subjects.matches`` (a prediction)
beside the truth, with no sleep. The server handles one connection's commands in order,
so the messages it routes for our publishes reach our socket before its ``PONG`` to a
``PING`` sent after those publishes; nats-py queues each message it reads before it
reads the next, so when that ``flush()`` returns, every delivery is waiting in its
subscription's queue.

One nats-py detail makes that take two flushes: ``flush()`` writes its ``PING``
straight to the socket, *ahead of* commands still waiting in nats-py's write buffer
(measured with nats-py 2.16: after publish + one flush, about 1 run in 20 had
deliveries still missing). The second ``PING`` leaves after the first ``PONG`` came
back, by which time nats-py has written the buffered publishes, so it follows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from nats.aio.client import Client
from nats.aio.subscription import Subscription

__all__ = ["delivered", "settle"]

PAYLOAD = b"delivery probe"


async def settle(nc: Client) -> None:
    """Return once the server has processed everything ``nc`` sent, and ``nc`` has read
    every message the server routed to it because of that (see the module docstring)."""
    await nc.flush()
    await nc.flush()


async def delivered(
    nc: Client, patterns: Sequence[str], subjects: Sequence[str]
) -> dict[str, list[str]]:
    """Subscribe to every pattern, publish once to every subject, and collect.

    Returns ``{pattern: [subjects it received, in publish order]}``. All subscriptions
    are removed again before returning, so the connection is left as it was.
    """
    subscriptions: dict[str, Subscription] = {}
    try:
        for pattern in dict.fromkeys(patterns):  # each distinct pattern once, in order
            subscriptions[pattern] = await nc.subscribe(pattern)
        for subject in subjects:  # subscriptions are sent first, so the server has them
            await nc.publish(subject, PAYLOAD)
        await settle(nc)
        received: dict[str, list[str]] = {}
        for pattern, sub in subscriptions.items():
            messages = [await sub.next_msg(timeout=1) for _ in range(sub.pending_msgs)]
            received[pattern] = [msg.subject for msg in messages]
        return received
    finally:
        for sub in subscriptions.values():
            await sub.unsubscribe()
