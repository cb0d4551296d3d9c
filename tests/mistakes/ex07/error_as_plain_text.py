# mistake: the explainer answers errors, but as a plain-text payload, not in the headers
# expect: expected an error reply with the headers Nats-Service-Error

"""A learner's ex07."""

from __future__ import annotations

from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from gym import messages

QUEUE_GROUP = "explainers"

ERROR_HEADER = "Nats-Service-Error"
ERROR_CODE_HEADER = "Nats-Service-Error-Code"

ANSWERED = "answered"
NO_RESPONDERS = "no responders"
TIMEOUT = "timeout"


async def start_explainer(nc: Client, subject: str, name: str) -> Subscription:

    async def explain(msg: Msg) -> None:
        try:
            ticker = msg.data.decode()
            text = f"{ticker}: momentum and earnings expectations drive the prediction"
            answer = messages.envelope("explanation", ticker, {"text": text}, answered_by=name)
        except (UnicodeDecodeError, messages.InvalidMessage) as error:
            await msg.respond(f"error: {error}".encode())
            return
        await msg.respond(messages.encode(answer))

    subscription = await nc.subscribe(subject, queue=QUEUE_GROUP, cb=explain)
    await nc.flush()  # lets nats-py's writer send the queued SUB...
    await nc.flush()  # ...and this PING follows it: the PONG proves the server has it
    return subscription


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except nats.errors.NoRespondersError:  # the server said so at once
        return NO_RESPONDERS, None
    except nats.errors.TimeoutError:  # someone listens, but was too slow
        return TIMEOUT, None
    return ANSWERED, messages.decode(reply.data)
