# mistake: waits between attempts with time.sleep: the whole event loop stops, acks included
# expect: blocks the event loop
# expect: await asyncio.sleep(seconds)

"""Exercise 15: a failover-safe publisher — every message acknowledged, none stored twice.

When the node that leads a replicated stream crashes, the others elect a new leader. That
takes seconds (nats-server waits a random 4 to 9 s for a heartbeat before it calls an
election). Meanwhile every publish to the stream fails at once with
``NoStreamResponseError`` ("no response from stream", a 503), and one that was on its way to
the crashed node gets no acknowledgement at all (``TimeoutError``). ex08's three attempts
would be spent in a quarter of a second.

Write ``publish_all`` so that a crash in the middle of a run loses nothing and duplicates
nothing:

* every message keeps one ``Nats-Msg-Id`` on all its attempts (the stream drops a retry of
  something it already stored),
* a message is retried, with a growing backoff that has a ceiling, for as long as it
  takes — up to ``give_up_after`` seconds, not a fixed number of attempts,
* every other error, the last one, and a cancellation reach the caller.

Check it with ``gym check ex15`` (or ``gym.check("ex15")`` in notebook 15). The check starts
a three-node cluster and kills the stream's leader (SIGKILL) in the middle of your run.
"""

from __future__ import annotations

import asyncio
import time

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import Header, PubAck
from nats.js.errors import NoStreamResponseError

RETRYABLE = (NatsTimeoutError, NoStreamResponseError)
"""No acknowledgement came: the stream is electing a leader, or the ack was lost."""


async def publish_all(
    js: JetStreamContext,
    subject: str,
    payloads: list[bytes],
    *,
    prefix: str,
    timeout: float = 0.5,
    backoff: float = 0.05,
    max_backoff: float = 0.5,
    give_up_after: float = 30.0,
) -> list[PubAck]:
    """Publish the payloads on ``subject``, one after the other; return their ``PubAck``s.

    * Payload number ``i`` (from 0) carries the header ``Nats-Msg-Id: f"{prefix}-{i}"``
      (``Header.MSG_ID``), the same on every attempt.
    * Each attempt waits at most ``timeout`` seconds for its acknowledgement.
    * After an error in ``RETRYABLE``, wait and publish the same payload again: ``backoff``
      seconds after its first failure, twice as long after each further one, but never more
      than ``max_backoff`` seconds.
    * Once ``give_up_after`` seconds have passed since a payload's first attempt, raise the
      error its last attempt got. Raise any other error at once.

    Return one ``PubAck`` per payload, in order (a retry whose first attempt was stored
    after all comes back with that attempt's ``seq`` and ``duplicate=True``).
    """
    loop = asyncio.get_running_loop()
    acks: list[PubAck] = []
    for index, payload in enumerate(payloads):
        headers = {Header.MSG_ID: f"{prefix}-{index}"}  # one id per message, every attempt
        give_up_at = loop.time() + give_up_after
        wait = backoff
        while True:
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if loop.time() >= give_up_at:
                    raise  # out of time: the caller sees what went wrong last
            # Growing, so a long election is not hammered ~100 times a second; capped, so
            # the first attempt after the election comes at most max_backoff late.
            time.sleep(min(wait, max(0.0, give_up_at - loop.time())))
            wait = min(wait * 2, max_backoff)
    return acks
