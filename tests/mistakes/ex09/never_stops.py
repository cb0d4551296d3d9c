# mistake: the loop never looks at stop, so the service cannot be stopped
# expect: did not return within 1 s after stop was set
# expect: while not stop.is_set()


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)
    handled = 0
    try:
        while True:
            try:
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:
                continue
            for msg in msgs:
                prediction = make_prediction(decode(msg.data))
                await js.publish(
                    f"predictions.normal.{prediction['ticker']}",
                    encode(prediction),
                    headers={"Nats-Msg-Id": f"predictor-{msg.metadata.sequence.stream}"},
                )
                await msg.ack_sync()
                handled += 1
    finally:
        await psub.unsubscribe()
    return handled
