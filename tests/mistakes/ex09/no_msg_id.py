# mistake: a hand-rolled loop that publishes without a Nats-Msg-Id header, so a bar
#   redelivered after a crash is predicted (and stored) twice
# expect: prediction 2 times (each publish without a Nats-Msg-Id header)
# expect: Nats-Msg-Id


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
                prediction = make_prediction(decode(msg.data))
                await js.publish(f"predictions.normal.{prediction['ticker']}", encode(prediction))
                await msg.ack()
                handled += 1
    finally:
        await psub.unsubscribe()
    return handled
