# mistake: where_stored lets 'no response from stream' escape instead of returning None
# expect: where_stored() raised NoStreamResponseError
# expect: Catch nats.js.errors.NoStreamResponseError and return None.

"""A learner's ex03."""

from __future__ import annotations

from typing import Any

from nats.js import JetStreamContext

from gym import messages


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    stored = []
    for prediction in predictions:
        ticker = prediction["ticker"]
        data = {key: value for key, value in prediction.items() if key != "ticker"}
        envelope = messages.envelope("prediction", ticker, data)
        ack = await js.publish(f"predictions.normal.{ticker}", messages.encode(envelope))
        stored.append((ack.stream, ack.seq))
    return stored


async def where_stored(
    js: JetStreamContext, subject: str, payload: bytes
) -> tuple[str, int] | None:
    ack = await js.publish(subject, payload)
    return ack.stream, ack.seq
