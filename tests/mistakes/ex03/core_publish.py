# mistake: publishes with core nc.publish and numbers the messages itself
# expect: not one acknowledgement came back: they were core publishes (nc.publish)
# expect: core NATS sends no acknowledgement


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
