"""The prediction pipeline's moving parts: a market-data feed, a stage runner, the explainer.

Every stage is the same loop — fetch from a durable pull consumer, handle, publish the
result, acknowledge — so it lives here once. Two details make it safe to stop and
restart a stage at any moment:

* the result is published with a message id derived from the input's stream sequence,
  so a redelivered input produces a duplicate the stream drops, never a second result;
* the input is acknowledged only after the stream confirmed the result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from gym.messages import decode, encode, envelope

__all__ = [
    "TICKERS",
    "Output",
    "publish_market_data",
    "run_stage",
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


async def _fetch(psub: JetStreamContext.PullSubscription, batch: int, wait: float) -> list[Msg]:
    try:
        return await psub.fetch(batch, timeout=wait)
    except TimeoutError:  # nats-py raises this (or its subclass) for "nothing yet"
        return []


async def run_stage(
    js: JetStreamContext,
    *,
    stream: str,
    durable: str,
    filter_subject: str,
    handle: Callable[[dict], Output | Awaitable[Output]],
    stop: asyncio.Event,
    batch: int = 25,
    wait: float = 0.2,
    on_result: Callable[[Output], None] | None = None,
) -> int:
    """Run one stage until ``stop`` is set and its consumer has nothing left; return its count.

    ``handle`` turns an input envelope into an ``Output``. The result is published with
    msg id ``<durable>-<input stream seq>`` and the input acked after the publish ack.
    """
    psub = await js.pull_subscribe(
        filter_subject, durable, stream=stream, config=ConsumerConfig(ack_wait=5)
    )
    handled = 0
    try:
        while True:
            msgs = await _fetch(psub, batch, wait)
            # An empty fetch on a busy machine does not prove the backlog is gone: ask.
            if not msgs and stop.is_set() and (await psub.consumer_info()).num_pending == 0:
                return handled
            for msg in msgs:
                result = handle(decode(msg.data))
                if asyncio.iscoroutine(result):
                    result = await result
                await js.publish(
                    result.subject,
                    encode(result.message),
                    headers={"Nats-Msg-Id": f"{durable}-{msg.metadata.sequence.stream}"},
                )
                await msg.ack_sync()
                handled += 1
                if on_result is not None:
                    on_result(result)
    finally:
        await psub.unsubscribe()  # the durable stays on the server; a restart resumes it


def explain(prediction: dict) -> Output:
    """The explainer's logic: one sentence per prediction, published to explanations.<T>."""
    ticker = prediction["ticker"]
    price = prediction["data"]["predicted_price"]
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
    on_result: Callable[[Output], None] | None = None,
) -> int:
    """The explainer stage: PREDICTIONS (all of it) → EXPLANATIONS."""
    return await run_stage(
        js,
        stream="PREDICTIONS",
        durable="explainer",
        filter_subject="predictions.>",
        handle=explain,
        stop=stop,
        on_result=on_result,
    )
