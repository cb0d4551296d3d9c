# mistake: publishes the raw prediction as JSON instead of the course envelope
# expect: is not a course envelope
# expect: messages.encode(messages.envelope('prediction', ticker, data))

"""A learner's ex03."""

from __future__ import annotations

import json
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    stored = []
    for prediction in predictions:
        ack = await js.publish(
            f"predictions.normal.{prediction['ticker']}", json.dumps(prediction).encode()
        )
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
