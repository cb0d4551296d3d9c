# mistake: the message id names the ticker, so a later bar of the same ticker is dropped as a repeat
# expect: the stream dropped them as repeats of an earlier Nats-Msg-Id


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)
    handled = 0
    try:
        while not stop.is_set():
            try:
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:  # nats' TimeoutError or asyncio's: both the builtin on 3.11+
                continue  # nothing yet: look at stop, then fetch again
            for msg in msgs:
                prediction = make_prediction(decode(msg.data))
                await js.publish(
                    f"predictions.normal.{prediction['ticker']}",
                    encode(prediction),
                    # the bar's own sequence in MARKET_DATA: the same bar gives the same id
                    headers={"Nats-Msg-Id": f"{DURABLE}-{prediction['ticker']}"},
                )
                # Only now, with the prediction stored, may the bar be forgotten.
                await msg.ack_sync()
                handled += 1
    finally:
        await psub.unsubscribe()  # the durable stays on the server for the next predictor
    return handled
