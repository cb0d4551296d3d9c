# mistake: publishes the raw prediction as JSON instead of the course envelope
# expect: is not a course envelope
# expect: messages.encode(messages.envelope('prediction', ticker, data))

import json


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
