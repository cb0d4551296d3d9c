"""Exercise 08: a safe publish — bounded retries that can never store a prediction twice.

The tutorial's ``safe_publish`` retries on any exception, waits a full second each time
and sends no message id: a retry after a lost acknowledgement stores the prediction a
second time, and a message that is simply too big is sent three times in vain.

Write ``safe_publish`` so that it:

* gives every attempt the same ``Nats-Msg-Id`` header (the stream then recognises a
  retry of something it already stored, and acknowledges it again as a duplicate),
* retries only what a retry can fix, a bounded number of times, with a short backoff,
* lets every other error, and the last one, reach the caller.

Check it with ``gym check ex08`` (or ``gym.check("ex08")`` in notebook 08).
"""

from __future__ import annotations

import asyncio

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import Header, PubAck
from nats.js.errors import NoStreamResponseError

RETRYABLE = (NatsTimeoutError, NoStreamResponseError)
"""No acknowledgement came: the ack was lost or late, or no stream answered (yet)."""


async def safe_publish(
    js: JetStreamContext,
    subject: str,
    data: bytes,
    msg_id: str,
    *,
    attempts: int = 3,
    timeout: float = 0.5,
    backoff: float = 0.1,
) -> PubAck:
    """Publish ``data`` on ``subject`` with message id ``msg_id``; return the ``PubAck``.

    * Send the header ``Nats-Msg-Id: msg_id`` (``Header.MSG_ID``) with every attempt.
    * Make at most ``attempts`` attempts; each waits at most ``timeout`` seconds for its
      acknowledgement (pass ``timeout=`` to ``js.publish``).
    * Retry only on the errors in ``RETRYABLE``; raise any other error at once.
    * Before retry number n (1, 2, ...) wait ``backoff * 2 ** (n - 1)`` seconds.
    * When the last attempt fails too, raise its error.

    A retry whose first attempt was stored after all comes back as the first attempt's
    acknowledgement (same ``seq``) with ``duplicate=True``: return it like any other.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError
