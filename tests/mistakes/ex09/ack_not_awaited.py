# mistake: msg.ack() without await: the coroutine is never run, so no bar is ever acknowledged
#   and every bar comes back after ack_wait
# expect: the server received no ack for any bar
# expect: without `await` it is never sent

"""Exercise 09 · The predictor stage of the pipeline, written end to end.

The pipeline is: market data (stream MARKET_DATA, subjects ``market.data.ohlcv.<TICKER>``)
→ **predictor** → predictions (stream PREDICTIONS, ``predictions.normal.<TICKER>``)
→ explainer → explanations. You write the predictor, the whole of it:

* ``make_prediction`` turns one market-data envelope into one prediction envelope (pure
  Python, no NATS);
* ``run_predictor`` is the service: it reads bars from the durable pull consumer
  ``predictor``, publishes one prediction per bar, and can be stopped — or killed — at any
  moment without losing a bar or storing a prediction twice.

Notebook 09 writes a stage out in full; write yours without a helper that does the loop
for you. The check runs your predictor alone, kills it between a publish and an ack and
restarts it, makes one publish fail, and finally puts it between the course's market feed
and explainer. Check your work: ``gym.check("ex09")`` in the notebook, or
``gym check ex09`` in a terminal.
"""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext

from gym.messages import decode, encode, validate

STREAM = "MARKET_DATA"
DURABLE = "predictor"
"""The durable pull consumer on MARKET_DATA that remembers how far the predictor got."""

BATCH = 25
"""How many bars one fetch asks for."""

WAIT = 0.5
"""Seconds one fetch waits for a bar before it comes back empty."""


def make_prediction(bar: dict) -> dict:
    """Return the prediction envelope for one market-data envelope ``bar``.

    type ``"prediction"``, the same ticker, ``data`` = ``{"predicted_price":
    round(close * 1.01, 2), "confidence": 0.87}``, and the bar's own metadata
    (``timestamp``, ``bar``, ``origin_ns``) carried over so later stages can trace it.
    """
    prediction = {
        "type": "prediction",
        "ticker": bar["ticker"],
        "data": {"predicted_price": round(bar["data"]["close"] * 1.01, 2), "confidence": 0.87},
        # keep the bar's timestamp, number and origin so later stages can trace it
        "metadata": {**bar["metadata"], "model_version": "v1.0"},
    }
    validate(prediction)  # fail here, loudly, rather than in the explainer
    return prediction


async def run_predictor(
    js: JetStreamContext, stop: asyncio.Event, *, batch: int = BATCH, wait: float = WAIT
) -> int:
    """Run the predictor until ``stop`` is set; return how many bars it handled.

    * The durable pull consumer ``DURABLE`` exists on ``STREAM``: bind to it
      (``js.pull_subscribe_bind``), so a restarted predictor continues where the last
      one stopped.
    * Loop until ``stop`` is set: fetch up to ``batch`` bars, waiting at most ``wait``
      seconds. An empty fetch (nats-py raises a timeout, or returns ``[]``) means
      "nothing yet": look at ``stop`` and fetch again.
    * For each bar (``gym.messages.decode(msg.data)``): ``make_prediction``, then publish
      it with ``js.publish`` to ``predictions.normal.<TICKER>`` (``gym.messages.encode``)
      with a ``Nats-Msg-Id`` header derived from the bar, so that publishing the same bar
      again (after a redelivery) is recognised by the stream as a duplicate.
    * Acknowledge the bar only after the publish returned (the stream stored the
      prediction). If the publish raises, do not acknowledge: let the error propagate,
      and the bar is delivered again to the next predictor.
    * When ``stop`` is set, finish the bars in hand, unsubscribe, and return the count.
    """
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
