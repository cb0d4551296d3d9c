# mistake: while True with a bare `except: continue` around fetch: it also swallows the
#   cancellation meant to end it, so nothing can stop the loop
# expect: did not finish within
# expect: a bare `except:`

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext

from gym.messages import decode, encode, validate

STREAM = "MARKET_DATA"
DURABLE = "predictor"
BATCH = 25
WAIT = 0.5


def make_prediction(bar: dict) -> dict:
    prediction = {
        "type": "prediction",
        "ticker": bar["ticker"],
        "data": {"predicted_price": round(bar["data"]["close"] * 1.01, 2), "confidence": 0.87},
        "metadata": {**bar["metadata"], "model_version": "v1.0"},
    }
    validate(prediction)
    return prediction


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
