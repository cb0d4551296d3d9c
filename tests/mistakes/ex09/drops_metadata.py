# mistake: make_prediction builds a new dict and forgets the bar's metadata (and never
#   validates it), so nothing downstream can tell which bar a prediction is for
# expect: envelope has no 'metadata' field
# expect: carry the bar's metadata over

import json


def make_prediction(bar: dict) -> dict:
    return {
        "type": "prediction",
        "ticker": bar["ticker"],
        "data": {"predicted_price": round(bar["data"]["close"] * 1.01, 2), "confidence": 0.87},
    }


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
                    json.dumps(prediction).encode(),
                    headers={"Nats-Msg-Id": f"predictor-{msg.metadata.sequence.stream}"},
                )
                await msg.ack_sync()
                handled += 1
    finally:
        await psub.unsubscribe()
    return handled
