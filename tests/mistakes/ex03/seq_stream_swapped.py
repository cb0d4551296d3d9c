# mistake: publish_predictions returns (ack.seq, ack.stream), the pair the wrong way round
# expect: each pair is (seq, stream), expected (stream, seq)
# expect: (ack.stream, ack.seq)


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    stored = []
    for prediction in predictions:
        ticker = prediction["ticker"]
        data = {key: value for key, value in prediction.items() if key != "ticker"}
        envelope = messages.envelope("prediction", ticker, data)
        # js.publish waits for the stream's answer: it returns only once the message is stored.
        ack = await js.publish(f"predictions.normal.{ticker}", messages.encode(envelope))
        stored.append((ack.seq, ack.stream))
    return stored
