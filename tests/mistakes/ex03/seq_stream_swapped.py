# mistake: publish_predictions returns (ack.seq, ack.stream), the pair the wrong way round
# expect: each pair is (seq, stream), expected (stream, seq)
# expect: (ack.stream, ack.seq)


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    """Publish each prediction to JetStream; return ``(ack.stream, ack.seq)`` for each, in order.

    A prediction looks like ``{"ticker": "AAPL", "predicted_price": 155.5, "confidence": 0.87}``.
    For each one:

    * build the envelope with ``messages.envelope("prediction", ticker, data)``, where
      ``data`` is the prediction without its ``"ticker"`` key;
    * publish ``messages.encode(envelope)`` with ``js.publish`` (not ``nc.publish``) to the
      subject ``predictions.normal.<TICKER>``, e.g. ``predictions.normal.AAPL``;
    * keep the stream name and sequence number the ``PubAck`` reports.
    """
    stored = []
    for prediction in predictions:
        ticker = prediction["ticker"]
        data = {key: value for key, value in prediction.items() if key != "ticker"}
        envelope = messages.envelope("prediction", ticker, data)
        # js.publish waits for the stream's answer: it returns only once the message is stored.
        ack = await js.publish(f"predictions.normal.{ticker}", messages.encode(envelope))
        stored.append((ack.seq, ack.stream))
    return stored
