"""Checks for ex09: the learner's predictor, alone and in the middle of the real pipeline."""

from __future__ import annotations

import asyncio
import json

from gym.checker import CheckContext, Fail, criterion
from gym.messages import InvalidMessage, validate
from gym.pipeline import publish_market_data, run_explainer
from gym.streams import ensure_course_streams

SAMPLE_BAR = {
    "type": "market_data",
    "ticker": "AAPL",
    "data": {"open": 154.2, "high": 156.1, "low": 153.9, "close": 155.5, "volume": 50_000_000},
    "metadata": {
        "model_version": "v1.0",
        "timestamp": "2025-12-17T10:00:00Z",
        "bar": 7,
        "origin_ns": 123,
    },
}
STAGE_HINT = (
    "Call gym.pipeline.run_stage with stream='MARKET_DATA', durable='predictor', "
    "filter_subject='market.data.ohlcv.>' and a handle that returns "
    "Output(f'predictions.normal.{ticker}', make_prediction(bar))."
)


@criterion("make_prediction builds a valid prediction envelope from a bar")
async def prediction_envelope(ctx: CheckContext) -> None:
    call = "make_prediction(AAPL bar with close 155.5)"
    got = await ctx.call("make_prediction", json.loads(json.dumps(SAMPLE_BAR)))
    ctx.expect_type(got, dict, call=call)
    try:
        validate(got)
    except InvalidMessage as error:
        raise Fail(
            f"{call} returned an invalid envelope: {error}",
            hint="Keep the four fields: type, ticker, data, metadata.",
        ) from None
    ctx.expect_equal(got["type"], "prediction", call=f"{call}['type']")
    ctx.expect_equal(got["ticker"], "AAPL", call=f"{call}['ticker']")
    ctx.expect_equal(
        got["data"],
        {"predicted_price": 157.06, "confidence": 0.87},
        call=f"{call}['data']",
        hint="predicted_price is round(close * 1.01, 2).",
    )
    for key in ("bar", "origin_ns", "timestamp"):
        ctx.expect_equal(
            got["metadata"].get(key),
            SAMPLE_BAR["metadata"][key],
            call=f"{call}['metadata'][{key!r}]",
            hint="Carry the bar's metadata over: the explainer and the latency plot need it.",
        )


async def _stored_bars(ctx: CheckContext, stream: str) -> list[int]:
    """Bar numbers of every message in ``stream``, in stream order."""
    info = await ctx.js.stream_info(stream)
    numbers = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        stored = await ctx.js.get_msg(stream, seq)
        numbers.append(json.loads(stored.data)["metadata"]["bar"])
    return numbers


async def _run_predictor_until_idle(ctx: CheckContext) -> int:
    stop = asyncio.Event()
    stop.set()  # run until the backlog is drained
    handled = await ctx.call("run_predictor", ctx.js, stop)
    ctx.expect_type(handled, int, call="run_predictor(js, stop)")
    return handled


@criterion("run_predictor drains MARKET_DATA into PREDICTIONS, one prediction per bar")
async def predictor_drains_backlog(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["MARKET_DATA", "PREDICTIONS"])
    await publish_market_data(ctx.js, 12)
    handled = await _run_predictor_until_idle(ctx)
    ctx.expect_equal(handled, 12, call="run_predictor(js, stop) after 12 bars", hint=STAGE_HINT)
    ctx.expect_equal(
        sorted(await _stored_bars(ctx, "PREDICTIONS")),
        list(range(12)),
        call="the bar numbers stored in PREDICTIONS",
        hint=STAGE_HINT,
    )
    consumer = await ctx.js.consumer_info("MARKET_DATA", "predictor")
    ctx.expect(
        consumer.num_pending == 0 and consumer.num_ack_pending == 0,
        f"consumer 'predictor' still has {consumer.num_pending} pending and "
        f"{consumer.num_ack_pending} unacknowledged messages",
        hint="Acknowledge each bar after its prediction is published.",
    )


@criterion("a restarted predictor resumes where it stopped: no bar lost, none twice")
async def predictor_resumes(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["MARKET_DATA", "PREDICTIONS"])
    await publish_market_data(ctx.js, 8)
    first = await _run_predictor_until_idle(ctx)
    await publish_market_data(ctx.js, 8, start=8)
    second = await _run_predictor_until_idle(ctx)
    ctx.expect_equal(
        (first, second),
        (8, 8),
        call="run_predictor twice, with 8 new bars before each run",
        hint="Use the durable name 'predictor' so the second run continues the first.",
    )
    ctx.expect_equal(
        sorted(await _stored_bars(ctx, "PREDICTIONS")),
        list(range(16)),
        call="the bar numbers stored in PREDICTIONS after the restart",
    )


@criterion("the whole pipeline with your predictor explains every bar exactly once", timeout=8.0)
async def whole_pipeline(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["MARKET_DATA", "PREDICTIONS", "EXPLANATIONS"])
    stop = asyncio.Event()
    predictor = asyncio.ensure_future(ctx.call("run_predictor", ctx.js, stop))
    explainer = asyncio.ensure_future(run_explainer(ctx.js, stop))
    try:
        await publish_market_data(ctx.js, 40)
        while (await ctx.js.stream_info("EXPLANATIONS")).state.messages < 40:
            done = [task for task in (predictor, explainer) if task.done()]
            if done:  # a stage ended early: its exception (if any) tells the learner why
                done[0].result()
                raise Fail(
                    "a pipeline stage returned before the work was done",
                    hint="Loop until stop is set AND a fetch comes back empty.",
                )
            await asyncio.sleep(0.05)  # polling the stream's count: the thing waited on
        stop.set()
        await asyncio.gather(predictor, explainer)
    finally:
        for task in (predictor, explainer):
            task.cancel()
        await asyncio.gather(predictor, explainer, return_exceptions=True)
    ctx.expect_equal(
        sorted(await _stored_bars(ctx, "EXPLANATIONS")),
        list(range(40)),
        call="the bar numbers in EXPLANATIONS after 40 bars",
    )


CRITERIA = [prediction_envelope, predictor_drains_backlog, predictor_resumes, whole_pipeline]
