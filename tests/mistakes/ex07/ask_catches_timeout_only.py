# mistake: ask catches TimeoutError only, so 'no responders' escapes as an exception
# expect: ask() raised NoRespondersError
# expect: catch nats.errors.NoRespondersError (it is not a TimeoutError)

"""A learner's ex07."""

from __future__ import annotations

from typing import Any

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
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except TimeoutError:
        return TIMEOUT, None
    return ANSWERED, messages.decode(reply.data)
