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

``fetch_exactly`` is the JetStream counterpart: ``psub.fetch(n)`` returns *up to* ``n``
messages. With nats-py 2.16 it stops early when a status message from an earlier pull
request (a late "408 Request Timeout") arrives in the middle of the batch, or when its
timeout runs out on a loaded machine, and an empty fetch raises one of two timeouts or
returns ``[]``. Code that needs a known number of messages fetches again until it has
them, within one overall deadline.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext

__all__ = ["delivered", "fetch_exactly", "wait_until_processed"]

PAYLOAD = b"delivery probe"


async def wait_until_processed(nc: Client) -> None:
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
        await wait_until_processed(nc)
        received: dict[str, list[str]] = {}
        for pattern, sub in subscriptions.items():
            messages = [await sub.next_msg(timeout=1) for _ in range(sub.pending_msgs)]
            received[pattern] = [msg.subject for msg in messages]
        return received
    finally:
        for sub in subscriptions.values():
            await sub.unsubscribe()


async def fetch_exactly(
    psub: JetStreamContext.PullSubscription, count: int, *, timeout: float = 5.0
) -> list[Msg]:
    """Fetch until ``count`` messages have arrived, within ``timeout`` seconds in all.

    Each round asks only for the messages still missing. If fewer than ``count`` arrived
    by the deadline, raises ``asyncio.TimeoutError`` saying how many did (the messages
    fetched so far stay unacknowledged, so the server delivers them again later).
    """
    msgs: list[Msg] = []
    deadline = time.monotonic() + timeout
    while len(msgs) < count:
        left = deadline - time.monotonic()
        if left < 0.01:  # nats-py needs a positive expiry for the pull request
            raise TimeoutError(f"fetched {len(msgs)} of {count} messages in {timeout:g} s")
        try:
            msgs += await psub.fetch(count - len(msgs), timeout=left)
        except TimeoutError:  # nats' TimeoutError or asyncio's own: nothing this round
            continue
    return msgs
