# mistake: publishes to predictions.<TICKER>, a subject no stream captures
# expect: publish_predictions() raised NoStreamResponseError
# expect: publish each one to f"predictions.normal.{ticker}"


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
