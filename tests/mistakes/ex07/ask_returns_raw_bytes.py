# mistake: ask returns the reply's payload bytes as they came, without decoding the envelope
# expect: is the reply's raw payload (bytes
# expect: expected the envelope decoded into a dict
# expect: messages.decode(reply.data)

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

    async def explain(msg: Msg) -> None:
        try:
            ticker = msg.data.decode()
            text = f"{ticker}: momentum and earnings expectations drive the prediction"
            # envelope() checks the ticker (letters and digits): it raises InvalidMessage.
            answer = messages.envelope("explanation", ticker, {"text": text}, answered_by=name)
        except (UnicodeDecodeError, messages.InvalidMessage) as error:
            # Silence would cost the requester its whole timeout: say what is wrong, now.
            failure = {ERROR_HEADER: f"not a ticker: {error}", ERROR_CODE_HEADER: "400"}
            await nc.publish(msg.reply, b"", headers=failure)
            return
        await msg.respond(messages.encode(answer))

    subscription = await nc.subscribe(subject, queue=QUEUE_GROUP, cb=explain)
    await nc.flush()  # lets nats-py's writer send the queued SUB...
    await nc.flush()  # ...and this PING follows it: the PONG proves the server has it
    return subscription


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
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except nats.errors.NoRespondersError:  # the server said so at once
        return NO_RESPONDERS, None
    except nats.errors.TimeoutError:  # someone listens, but was too slow
        return TIMEOUT, None
    return ANSWERED, reply.data
