# mistake: a fresh random Nats-Msg-Id on every publish: the redelivered bar gets a new id,
#   so the stream stores its prediction again
# expect: can only drop a repeat that carries the same message id
# expect: times (with Nats-Msg-Id '

import uuid


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
                await js.publish(
                    f"predictions.normal.{prediction['ticker']}",
                    encode(prediction),
                    headers={"Nats-Msg-Id": str(uuid.uuid4())},
                )
                await msg.ack()
                handled += 1
    finally:
        await psub.unsubscribe()
    return handled
