"""The prediction pipeline's course-owned parts: the market-data feed and the explainer.

The predictor in between is the learner's (exercise 09), and notebook 09 writes a stage
out in full, so nothing here runs a stage for you except the explainer. Like every stage
it is safe to stop and restart at any moment:

* its result is published with a message id derived from the input's stream sequence,
  so a redelivered input produces a duplicate the stream drops, never a second result
  (within the stream's ``duplicate_window``);
* the input is acknowledged only after the stream confirmed the result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from gym.messages import InvalidMessage, decode, encode, envelope, validate

__all__ = [
    "TICKERS",
    "Output",
    "publish_market_data",
    "explain",
    "run_explainer",
    "origin_ns",
]

TICKERS = ("AAPL", "GOOGL", "MSFT", "NVDA")
FIXED_TIME = datetime(2025, 12, 17, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Output:
    """What a stage publishes for one input: a subject and an envelope."""

    subject: str
    message: dict


def origin_ns(message: dict) -> int:
    """When the market data behind ``message`` entered the pipeline (``time.time_ns``)."""
    return int(message["metadata"]["origin_ns"])


async def publish_market_data(js: JetStreamContext, count: int, *, start: int = 0) -> int:
    """Publish ``count`` OHLCV bars round-robin over ``TICKERS`` to ``market.data.ohlcv.<T>``.

    Bar number ``start + n`` always has the same prices and message id, so publishing a
    range twice stores it once. ``origin_ns`` in the metadata lets the last stage
    measure end-to-end latency.
    """
    for number in range(start, start + count):
        ticker = TICKERS[number % len(TICKERS)]
        close = round(100 + number * 0.25, 2)
        bar = envelope(
            "market_data",
            ticker,
            {
                "open": close - 0.5,
                "high": close + 1,
                "low": close - 1,
                "close": close,
                "volume": 1_000_000 + number,
            },
            timestamp=FIXED_TIME,
            bar=number,
            origin_ns=time.time_ns(),
        )
        await js.publish(
            f"market.data.ohlcv.{ticker}", encode(bar), headers={"Nats-Msg-Id": f"bar-{number}"}
        )
    return count


def explain(prediction: dict) -> Output:
    """The explainer's logic: one sentence per prediction, published to explanations.<T>.

    Raises ``InvalidMessage`` for a prediction without its price or the bar's metadata.
    """
    validate(prediction)
    missing = [key for key in ("bar", "origin_ns") if key not in prediction["metadata"]]
    if missing:
        raise InvalidMessage(f"prediction metadata has no {missing[0]!r}")
    ticker = prediction["ticker"]
    price = prediction["data"].get("predicted_price")
    if not isinstance(price, int | float):
        raise InvalidMessage(f"prediction data 'predicted_price' is {price!r}, not a number")
    text = f"{ticker} is predicted to reach ${price:.2f} based on the latest bar."
    message = envelope(
        "explanation",
        ticker,
        {"text": text, "predicted_price": price},
        timestamp=FIXED_TIME,
        origin_ns=origin_ns(prediction),
        bar=prediction["metadata"]["bar"],
    )
    return Output(f"explanations.{ticker}", message)


async def run_explainer(
    js: JetStreamContext,
    stop: asyncio.Event,
    *,
    wait: float = 0.2,
    on_result: Callable[[Output], None] | None = None,
) -> int:
    """The explainer stage, PREDICTIONS (all of it) → EXPLANATIONS, until ``stop`` is set.

    Creates the durable ``explainer`` if it is missing, fetches batches (an empty fetch
    means "nothing yet"), publishes each explanation with msg id ``explainer-<seq>`` and
    acks the prediction after the publish ack; when ``stop`` is set it finishes the batch
    in hand and returns how many it handled. A prediction it cannot read raises
    ``InvalidMessage``, and stays unacknowledged.
    """
    await js.add_consumer(
        "PREDICTIONS",
        ConsumerConfig(durable_name="explainer", filter_subject="predictions.>", ack_wait=5),
    )
    psub = await js.pull_subscribe_bind("explainer", stream="PREDICTIONS")
    handled = 0
    try:
        while not stop.is_set():
            try:
                msgs = await psub.fetch(25, timeout=wait)
            except TimeoutError:  # nats-py's or asyncio's: "nothing yet"
                continue
            for msg in msgs:
                result = explain(decode(msg.data))
                await js.publish(
                    result.subject,
                    encode(result.message),
                    headers={"Nats-Msg-Id": f"explainer-{msg.metadata.sequence.stream}"},
                )
                await msg.ack_sync()
                handled += 1
                if on_result is not None:
                    on_result(result)
    finally:
        await psub.unsubscribe()  # the durable stays on the server; a restart resumes it
    return handled
