"""Exercise 07: an explanation responder, and a client that knows why it got no answer.

Write two functions (notebook 07 shows every piece):

* ``start_explainer`` answers explanation requests. Several copies share the work in the
  queue group ``QUEUE_GROUP``, so each request is answered exactly once.
* ``ask`` sends one request and tells its caller what happened: an answer, nobody
  listening (known at once), or a responder too slow for the timeout.

The protocol: a request's payload is a ticker in UTF-8, e.g. ``b"AAPL"``. The reply is an
explanation envelope from ``gym.messages``, encoded with ``messages.encode``: type
``"explanation"``, the same ticker, ``data={"text": <a non-empty sentence>}``, and the
explainer's name in ``metadata["answered_by"]``. A request that is not a ticker gets an
error reply at once, in the headers ``nats.micro`` uses (``Nats-Service-Error`` and
``Nats-Service-Error-Code``), so its requester is not left waiting for a timeout.
"""

from __future__ import annotations

from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from gym import messages

QUEUE_GROUP = "explainers"
"""The queue group every explainer joins: the server hands each request to one member."""

ERROR_HEADER = "Nats-Service-Error"
"""The header of an error reply that says, in words, what was wrong with the request."""
ERROR_CODE_HEADER = "Nats-Service-Error-Code"
"""The header of an error reply with its code: ``"400"`` for a request that is not a ticker."""

ANSWERED = "answered"
NO_RESPONDERS = "no responders"
TIMEOUT = "timeout"


async def start_explainer(nc: Client, subject: str, name: str) -> Subscription:
    """Answer every request on ``subject`` with an explanation envelope; return the subscription.

    Subscribe in the queue group ``QUEUE_GROUP``. For a request whose payload is a ticker
    (``b"AAPL"``), reply with ``messages.encode(...)`` of an envelope of type
    ``"explanation"`` for that ticker, ``data={"text": "..."}`` (any non-empty sentence)
    and ``answered_by=name`` in its metadata. Return once the server knows about the
    subscription, so a request sent right after from another connection is not met with
    "no responders" (notebook 07: why nats-py 2.16 needs two flushes for that).

    A request it cannot explain — a payload that is not UTF-8, or not a ticker (a ticker is
    letters and digits only: ``b"AAPL please"`` is not one) — gets an error reply at once,
    never silence: an empty payload with the headers ``ERROR_HEADER`` (what is wrong, in
    words) and ``ERROR_CODE_HEADER`` set to ``"400"``. ``msg.respond`` cannot add headers:
    publish the reply to ``msg.reply`` yourself (notebook 07 shows one).
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    """Request an explanation of ``ticker`` on ``subject``; say what happened.

    Return one of:

    * ``(ANSWERED, envelope)`` — the decoded explanation envelope (``messages.decode``);
    * ``(NO_RESPONDERS, None)`` — nobody listens on ``subject``: return at once, do not
      wait for the timeout;
    * ``(TIMEOUT, None)`` — someone got the request but did not answer within ``timeout``
      seconds.

    Neither of the last two cases may raise.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError
