# mistake: acknowledges the bar first and publishes its prediction after: when the publish
#   fails, the bar is already forgotten by the server
# expect: was acknowledged, but its prediction was never stored


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)
    handled = 0
    try:
        while not stop.is_set():
            try:
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:
                continue
            for msg in msgs:
                await msg.ack_sync()  # "got it" -- before the prediction exists anywhere
                prediction = make_prediction(decode(msg.data))
                await js.publish(
                    f"predictions.normal.{prediction['ticker']}",
                    encode(prediction),
                    headers={"Nats-Msg-Id": f"predictor-{msg.metadata.sequence.stream}"},
                )
                handled += 1
    finally:
        await psub.unsubscribe()
    return handled
