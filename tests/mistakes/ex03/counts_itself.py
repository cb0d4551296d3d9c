# mistake: uses js.publish but writes the stream name and counts the sequence itself
# expect: Do not write the stream name yourself: read it from ack.stream.


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    stored = []
    for number, prediction in enumerate(predictions, start=1):
        ticker = prediction["ticker"]
        data = {key: value for key, value in prediction.items() if key != "ticker"}
        envelope = messages.envelope("prediction", ticker, data)
        await js.publish(f"predictions.normal.{ticker}", messages.encode(envelope))
        stored.append(("PREDICTIONS", number))
    return stored
