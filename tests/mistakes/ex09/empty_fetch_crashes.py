# mistake: no handling of an empty fetch: the first quiet moment raises a timeout and the
#   service dies
# expect: TimeoutError
# expect: an empty fetch raises a timeout


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)
    handled = 0
    try:
        while not stop.is_set():
            msgs = await psub.fetch(batch, timeout=wait)
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
