# mistake: publishes to predictions.<TICKER>, a subject no stream captures
# expect: publish_predictions() raised NoStreamResponseError
# expect: publish each one to f"predictions.normal.{ticker}"

"""A learner's ex03."""

from __future__ import annotations

from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError

from gym import messages


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    stored = []
    for prediction in predictions:
        ticker = prediction["ticker"]
        data = {key: value for key, value in prediction.items() if key != "ticker"}
        envelope = messages.envelope("prediction", ticker, data)
        ack = await js.publish(f"predictions.{ticker}", messages.encode(envelope))
        stored.append((ack.stream, ack.seq))
    return stored


async def where_stored(
    js: JetStreamContext, subject: str, payload: bytes
) -> tuple[str, int] | None:
    try:
        ack = await js.publish(subject, payload)
    except NoStreamResponseError:
        return None
    return ack.stream, ack.seq
