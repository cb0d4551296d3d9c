# mistake: publishes with core nc.publish and numbers the messages itself
# expect: not one acknowledgement came back: they were core publishes (nc.publish)
# expect: core NATS sends no acknowledgement

"""A learner's ex03."""

from __future__ import annotations

from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError

from gym import messages


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    nc = js._nc  # the connection under the JetStream context
    stored = []
    for number, prediction in enumerate(predictions, start=1):
        ticker = prediction["ticker"]
        data = {key: value for key, value in prediction.items() if key != "ticker"}
        envelope = messages.envelope("prediction", ticker, data)
        await nc.publish(f"predictions.normal.{ticker}", messages.encode(envelope))
        stored.append(("PREDICTIONS", number))
    await nc.flush()
    return stored


async def where_stored(
    js: JetStreamContext, subject: str, payload: bytes
) -> tuple[str, int] | None:
    try:
        ack = await js.publish(subject, payload)
    except NoStreamResponseError:
        return None
    return ack.stream, ack.seq
