# mistake: while True with a bare `except: continue` around fetch: it also swallows the
#   cancellation meant to end it, so nothing can stop the loop
# expect: did not finish within
# expect: a bare `except:`


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    psub = await js.pull_subscribe_bind(DURABLE, stream=STREAM)
    handled = 0
    try:
        while True:
            try:
                msgs = await psub.fetch(batch, timeout=wait)
            except:  # noqa: E722 - the mistake
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
