# mistake: msg.ack() without await: the coroutine is never run, so no bar is ever acknowledged
#   and every bar comes back after ack_wait
# expect: the server received no ack for any bar
# expect: without `await` it is never sent


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
                    headers={"Nats-Msg-Id": f"{DURABLE}-{msg.metadata.sequence.stream}"},
                )
                # Only now, with the prediction stored, may the bar be forgotten.
                msg.ack()
                handled += 1
    finally:
        await psub.unsubscribe()  # the durable stays on the server for the next predictor
    return handled
