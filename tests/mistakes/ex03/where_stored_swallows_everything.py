# mistake: where_stored turns every error into None, not only 'no stream'
# expect: not with 'no stream', and returning None hid it
# expect: Catch only the one error that means 'no stream'

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
    try:
        ack = await js.publish(subject, payload)
    except Exception:
        return None
    return ack.stream, ack.seq
