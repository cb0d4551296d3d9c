"""Checks for ex09: the learner's predictor stage, alone, killed, failing, and in the pipeline.

Every criterion creates the durable ``predictor`` itself (short ``ack_wait`` where a
redelivery is part of the story), runs the learner's ``run_predictor`` as a task, and judges
by what the server holds: consumer info (acknowledged, pending) and the predictions the
stream stored, read back one by one and validated, so a bad prediction is the learner's
failure in a sentence, never a ``KeyError`` in the check.

Two faults are injected deterministically, with no timing luck:

* **killed between publish and ack**: the learner is given a ``JetStreamContext`` whose
  ``publish`` cancels the calling task right after the stream acknowledged one bar's
  prediction — exactly what killing the process at that moment does. The bar is redelivered
  after ``ack_wait``, and a restarted predictor publishes it again.
* **a publish that fails**: PREDICTIONS captures three tickers only, so publishing the
  fourth raises ``NoStreamResponseError``; that bar must stay unacknowledged.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, ConsumerInfo, StreamConfig
from nats.js.errors import NoStreamResponseError, NotFoundError

from gym.checker import CheckContext, Fail, criterion, eventually
from gym.checker.context import LearnerError
from gym.checker.explain import short
from gym.delivery import wait_until_processed
from gym.messages import InvalidMessage, validate
from gym.pipeline import TICKERS, publish_market_data, run_explainer
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
FETCH_WAIT = 0.01
"""The ``wait=`` the check passes: a stopped predictor notices within one short fetch."""
STOP_WITHIN = 1.0
"""Seconds a predictor may take to return once ``stop`` is set."""
ACK_WAIT = 0.03
"""The durable's ack_wait where a redelivery is wanted: a killed predictor's bars come back."""
ACK_LANDS = 0.03
"""Seconds an ack the server has read may take to land in the consumer's state."""
CALL = "run_predictor(js, stop)"

BIND_HINT = (
    "The durable consumer 'predictor' already exists on MARKET_DATA: "
    "`psub = await js.pull_subscribe_bind('predictor', stream='MARKET_DATA')`."
)
EMPTY_FETCH_HINT = (
    "An empty fetch raises a timeout (nats.errors.TimeoutError, now and then asyncio's): "
    "`except asyncio.TimeoutError:` (it catches both) and go round the loop again."
)
STOP_HINT = (
    "Loop `while not stop.is_set():` and give each fetch a timeout (`wait`), so the loop "
    "looks at stop at least every `wait` seconds; then unsubscribe and return the count."
)
ACK_AFTER_HINT = (
    "Publish first and acknowledge after: `await js.publish(...)` returns only once the "
    "stream stored the prediction, then `await msg.ack()`. If the publish raises, the bar "
    "must stay unacknowledged, so that it is delivered again."
)
UNSENT_ACK_HINT = (
    "`msg.ack()` is a coroutine: without `await` it is never sent, and the bar comes back "
    "after ack_wait. Write `await msg.ack()` once the publish returned."
)
MSG_ID_HINT = (
    "Give each prediction a Nats-Msg-Id derived from its bar, the same on every delivery: "
    "`headers={'Nats-Msg-Id': f'predictor-{msg.metadata.sequence.stream}'}`. The stream "
    "then drops the second publish of a redelivered bar as a duplicate."
)
METADATA_HINT = "Carry the bar's metadata over: the explainer and the latency plot need it."
ENCODE_HINT = "Publish `gym.messages.encode(prediction)`: the envelope as JSON bytes."


def prediction_hint(problem: str) -> str:
    """The hint for what is wrong with a stored or returned prediction."""
    if "not JSON" in problem:
        return ENCODE_HINT
    if "metadata" in problem:
        return METADATA_HINT
    return "Keep the envelope's four fields: type 'prediction', ticker, data, metadata."


@dataclass(frozen=True)
class Stored:
    """One prediction as PREDICTIONS holds it."""

    seq: int
    subject: str
    bar: int
    msg_id: str | None


def prediction_problem(prediction: Any) -> str:
    """What is wrong with a prediction envelope, in words, or ``""``."""
    try:
        validate(prediction)
    except InvalidMessage as error:
        return str(error)
    if prediction["type"] != "prediction":
        return f"its type is {prediction['type']!r}, not 'prediction'"
    metadata = prediction["metadata"]
    missing = [key for key in ("bar", "origin_ns", "timestamp") if key not in metadata]
    if missing:
        return f"its metadata has no {missing[0]!r} (the bar's metadata was not carried over)"
    if not isinstance(metadata["bar"], int):
        return f"its metadata 'bar' is {short(metadata['bar'])}, not the bar's number"
    return ""


async def stored_predictions(ctx: CheckContext) -> list[Stored]:
    """Every prediction PREDICTIONS holds, validated: a bad one fails with a sentence."""
    stored = []
    for raw in await ctx.stored_messages("PREDICTIONS"):
        shown = f"<message subject={raw.subject!r} data={short(raw.data, limit=120)}>"
        try:
            prediction = json.loads(raw.data or b"")
        except ValueError:
            raise Fail(f"PREDICTIONS stored {shown}, which is not JSON", ENCODE_HINT) from None
        problem = prediction_problem(prediction)
        if problem:
            raise Fail(
                f"PREDICTIONS stored {shown}, which the explainer cannot use: {problem}",
                hint=prediction_hint(problem),
            )
        headers = raw.headers or {}
        stored.append(
            Stored(raw.seq, raw.subject, prediction["metadata"]["bar"], headers.get("Nats-Msg-Id"))
        )
    return stored


async def setup(
    ctx: CheckContext, bars: int, *, ack_wait: float = 5, predictions: list[str] | None = None
) -> None:
    """MARKET_DATA with ``bars`` bars, PREDICTIONS, and the durable ``predictor``."""
    await ensure_course_streams(ctx.js, ["MARKET_DATA"])
    if predictions is None:
        await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    else:
        await ctx.js.add_stream(StreamConfig(name="PREDICTIONS", subjects=predictions))
    await ctx.js.add_consumer(
        "MARKET_DATA",
        ConsumerConfig(
            durable_name="predictor", filter_subject="market.data.ohlcv.>", ack_wait=ack_wait
        ),
    )
    await publish_market_data(ctx.js, bars)


def start(ctx: CheckContext, stop: asyncio.Event, js: JetStreamContext | None = None) -> Any:
    """The learner's predictor, running as a task."""
    return ctx.background("run_predictor", js or ctx.js, stop, wait=FETCH_WAIT)


async def learner_result(task: Any) -> Any:
    """What the learner's task returned, with fitting hints for the usual errors."""
    try:
        return await task
    except LearnerError as error:
        cause = error.raised
        if isinstance(cause, TimeoutError) and "fetch" in error.where:
            error.hint = EMPTY_FETCH_HINT
        elif isinstance(cause, NotFoundError):
            error.hint = BIND_HINT
        raise


async def until(
    ctx: CheckContext, task: Any, done: Any, *, within: float, what: str
) -> ConsumerInfo:
    """Ask for the durable's info until ``done(info)`` holds; fail if the task ends first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if task.done():
            returned = await learner_result(task)
            raise Fail(
                f"{CALL} returned {short(returned)} before stop was set, while {what}",
                hint=STOP_HINT,
            )
        info = await ctx.js.consumer_info("MARKET_DATA", "predictor")
        if done(info):
            return info
        if loop.time() > deadline:
            if not info.num_pending and info.num_ack_pending and not info.ack_floor.stream_seq:
                stored = (await ctx.js.stream_info("PREDICTIONS")).state.messages
                if stored:
                    raise Fail(
                        f"after {within:g} s, {what}: every bar was delivered and PREDICTIONS "
                        f"holds {stored} predictions, but the server received no ack for any "
                        "bar (an ack that is not awaited is never sent)",
                        hint=UNSENT_ACK_HINT,
                    )
            raise Fail(
                f"after {within:g} s, {what}: the durable 'predictor' still has "
                f"{info.num_pending} bars never delivered and {info.num_ack_pending} "
                "delivered but not acknowledged",
                hint=BIND_HINT if info.num_pending else ACK_AFTER_HINT,
            )
        await asyncio.sleep(0.01)  # polling the consumer's state on the server


def drained(bars: int) -> Any:
    return lambda info: info.ack_floor.stream_seq >= bars and info.num_ack_pending == 0


async def stop_and_wait(task: Any, stop: asyncio.Event) -> Any:
    """Set ``stop``; the learner's result, or a failure if it does not return in time.

    A task that ignores stop is cancelled by ``wait_for``; one that also swallows the
    cancellation (a bare ``except:``) never ends, and the check's time limit says so.
    """
    stop.set()
    try:
        return await asyncio.wait_for(learner_result(task), STOP_WITHIN)
    except TimeoutError:
        raise Fail(
            f"{CALL} did not return within {STOP_WITHIN:g} s after stop was set",
            hint=STOP_HINT,
        ) from None


def counted(stored: list[Stored]) -> Counter[int]:
    return Counter(item.bar for item in stored)


@criterion("make_prediction builds a valid prediction envelope from a bar")
async def prediction_envelope(ctx: CheckContext) -> None:
    call = "make_prediction(AAPL bar with close 155.5)"
    got = await ctx.call("make_prediction", json.loads(json.dumps(SAMPLE_BAR)))
    ctx.expect_type(got, dict, call=call)
    problem = prediction_problem(got)
    if problem:
        raise Fail(
            f"{call} returned an envelope the explainer cannot use: {problem}",
            hint=prediction_hint(problem),
        )
    ctx.expect_equal(got["ticker"], "AAPL", call=f"{call}['ticker']")
    ctx.expect_equal(
        got["data"],
        {"predicted_price": 157.06, "confidence": 0.87},
        call=f"{call}['data']",
        hint="predicted_price is round(close * 1.01, 2).",
    )
    for key in ("bar", "origin_ns", "timestamp"):
        ctx.expect_equal(
            got["metadata"][key],
            SAMPLE_BAR["metadata"][key],
            call=f"{call}['metadata'][{key!r}]",
            hint=METADATA_HINT,
        )


@criterion("run_predictor publishes one prediction per bar, acks it, and returns when stopped")
async def predicts_every_bar(ctx: CheckContext) -> None:
    bars = 8
    await setup(ctx, bars)
    stop = asyncio.Event()
    task = start(ctx, stop)
    await until(ctx, task, drained(bars), within=2.0, what=f"{bars} bars waited for a prediction")
    handled = await stop_and_wait(task, stop)
    ctx.expect_type(handled, int, call=CALL)
    ctx.expect_equal(handled, bars, call=f"{CALL} after {bars} bars", hint=STOP_HINT)
    stored = await stored_predictions(ctx)
    for item in stored:
        ticker = TICKERS[item.bar % len(TICKERS)]
        ctx.expect_equal(
            item.subject,
            f"predictions.normal.{ticker}",
            call=f"the subject of bar {item.bar}'s prediction",
            hint="Publish to f'predictions.normal.{ticker}'.",
        )
    missing = sorted(set(range(bars)) - set(counted(stored)))
    ids = [item.msg_id for item in stored]
    if missing and None not in ids:
        raise Fail(
            f"the predictor handled and acknowledged all {bars} bars, but PREDICTIONS holds "
            f"only {len(stored)} predictions (bars {missing} are missing): the stream dropped "
            f"them as repeats of an earlier Nats-Msg-Id (ids stored: {short(ids)})",
            hint="The id names one bar, so that only a redelivery of the SAME bar repeats it: "
            "derive it from the bar's own stream sequence (msg.metadata.sequence.stream), not "
            "from something many bars share, like the ticker.",
        )
    ctx.expect_equal(
        sorted(counted(stored).elements()),
        list(range(bars)),
        call="the bar numbers of the predictions stored in PREDICTIONS",
        hint="Publish exactly one prediction per bar.",
    )


class DiesAfterPublish(JetStreamContext):
    """A ``js`` whose ``publish`` kills the calling task right after the stream stored the
    ``victim``-th prediction: the moment between publish and ack."""

    def __init__(self, nc: Any, victim: int) -> None:
        super().__init__(nc)
        self.victim = victim
        self.published = 0

    @property
    def killed(self) -> bool:
        return self.published >= self.victim

    async def publish(self, subject: str, payload: bytes = b"", *args: Any, **kwargs: Any) -> Any:
        ack = await super().publish(subject, payload, *args, **kwargs)
        self.published += 1
        if self.published == self.victim:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # as if the process were killed here: stored, not yet acknowledged
            await asyncio.sleep(0)
        return ack


@criterion(
    "killed between publish and ack, then restarted: no bar lost, none stored twice",
    timeout=4.0,
)
async def survives_a_kill(ctx: CheckContext) -> None:
    bars = 4
    await setup(ctx, bars, ack_wait=ACK_WAIT)
    stop = asyncio.Event()
    dying = DiesAfterPublish(ctx.nc, victim=2)  # dies after the second prediction is stored
    first = start(ctx, stop, dying)
    done, _ = await asyncio.wait({first}, timeout=2.0)
    if not dying.killed:
        if first in done:
            await learner_result(first)
        raise Fail(
            f"{CALL} published {dying.published} predictions (with js.publish) for {bars} "
            "bars within 2 s",
            hint=BIND_HINT,
        )
    if not done:
        raise Fail(
            f"{CALL} kept running after it was cancelled (killed) while publishing its "
            "second prediction: something caught the CancelledError",
            hint="Catch only what you expect (`except asyncio.TimeoutError:` around fetch); "
            "a bare `except:` or `except BaseException:` also swallows a cancellation.",
        )
    if not first.cancelled():
        await learner_result(first)  # it ended another way: that error says why
    second = start(ctx, stop)
    await until(
        ctx,
        second,
        drained(bars),
        within=1.5,
        what="the restarted predictor handled the bars the killed one left unacknowledged",
    )
    ctx.expect_type(await stop_and_wait(second, stop), int, call=CALL)
    stored = await stored_predictions(ctx)
    times = counted(stored)
    lost = [bar for bar in range(bars) if not times[bar]]
    if lost:
        raise Fail(
            f"no prediction was stored for bar(s) {lost}, but the durable has every bar "
            "acknowledged: they were acknowledged before their prediction was stored",
            hint=ACK_AFTER_HINT,
        )
    twice = [bar for bar in range(bars) if times[bar] > 1]
    if twice:
        bar = twice[0]
        ids = [item.msg_id for item in stored if item.bar == bar]
        how = (
            "each publish without a Nats-Msg-Id header"
            if not any(ids)
            else f"with Nats-Msg-Id {' and '.join(map(repr, ids))}"
        )
        raise Fail(
            "the check killed your predictor right after the stream stored a prediction, "
            "before its bar was acknowledged; the restarted predictor got those bars again "
            f"and PREDICTIONS now holds bar {bar}'s prediction {times[bar]} times ({how}): "
            "the stream can only drop a repeat that carries the same message id",
            hint=MSG_ID_HINT,
        )


@criterion("a bar whose prediction the stream did not store is not acknowledged")
async def no_ack_without_publish(ctx: CheckContext) -> None:
    captured = [f"predictions.normal.{ticker}" for ticker in TICKERS[:-1]]
    bars, failing = len(TICKERS), len(TICKERS) - 1  # bar 3, NVDA: no stream captures it
    await setup(ctx, bars, predictions=captured)
    stop = asyncio.Event()
    task = start(ctx, stop)

    def reached_the_failing_bar(info: ConsumerInfo) -> bool:
        return info.delivered.stream_seq >= bars and info.ack_floor.stream_seq >= failing

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 2.0
    while not task.done() and loop.time() < deadline:
        info = await ctx.js.consumer_info("MARKET_DATA", "predictor")
        if reached_the_failing_bar(info):
            break
        await asyncio.sleep(0.01)  # polling the consumer's state on the server
    try:
        await stop_and_wait(task, stop)
    except LearnerError as error:
        if not isinstance(error.raised, NoStreamResponseError):
            raise  # the expected failure is the publish's; anything else is news
    await wait_until_processed(ctx.nc)  # every ack the learner sent has reached the server
    info = await eventually(  # and landed in the consumer, a moment later
        lambda: ctx.js.consumer_info("MARKET_DATA", "predictor"),
        within=ACK_LANDS,
        until=lambda info: info.ack_floor.stream_seq > failing,
    )
    if info.ack_floor.stream_seq > failing:
        raise Fail(
            f"bar {failing} ({TICKERS[failing]}) was acknowledged, but its prediction was never "
            f"stored: publishing it to predictions.normal.{TICKERS[failing]} raised "
            "NoStreamResponseError (this check's PREDICTIONS captures only "
            f"{', '.join(TICKERS[:-1])}). An acknowledged bar is never delivered again: it is lost",
            hint=ACK_AFTER_HINT,
        )
    if info.delivered.stream_seq == 0:
        raise Fail("the durable 'predictor' never delivered a bar", hint=BIND_HINT)
    if info.ack_floor.stream_seq < failing:
        stored = (await ctx.js.stream_info("PREDICTIONS")).state.messages
        raise Fail(
            f"{info.ack_floor.stream_seq} of bars 0 to {failing - 1}, whose subjects PREDICTIONS "
            f"captures, were acknowledged, and PREDICTIONS holds {stored} predictions: expected "
            f"{failing} of each (only bar {failing}, {TICKERS[failing]}, has no stream to go to)",
            hint=ACK_AFTER_HINT,
        )


@criterion("the whole pipeline with your predictor explains every bar exactly once", timeout=8.0)
async def whole_pipeline(ctx: CheckContext) -> None:
    bars = 8
    await ensure_course_streams(ctx.js, ["MARKET_DATA", "PREDICTIONS", "EXPLANATIONS"])
    await ctx.js.add_consumer(
        "MARKET_DATA",
        ConsumerConfig(durable_name="predictor", filter_subject="market.data.ohlcv.>"),
    )
    stop_predictor, stop_explainer = asyncio.Event(), asyncio.Event()
    predictor = start(ctx, stop_predictor)
    explainer = asyncio.ensure_future(run_explainer(ctx.js, stop_explainer, wait=FETCH_WAIT))
    try:
        await publish_market_data(ctx.js, bars)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 4.0
        while (await ctx.js.stream_info("EXPLANATIONS")).state.messages < bars:
            if predictor.done():
                returned = await learner_result(predictor)
                raise Fail(f"{CALL} returned {short(returned)} before stop was set", STOP_HINT)
            if explainer.done():
                explainer.result()  # an unreadable prediction raises InvalidMessage here
            if loop.time() > deadline:
                raise Fail(f"after 4 s, fewer than {bars} bars were explained", STOP_HINT)
            await asyncio.sleep(0.01)  # polling the last stream's count: the thing waited on
        await stop_and_wait(predictor, stop_predictor)
        stop_explainer.set()
        await explainer
    except InvalidMessage as error:
        raise Fail(
            f"the course's explainer could not read a prediction your predictor stored: {error}",
            hint=prediction_hint(str(error)),
        ) from None
    finally:
        explainer.cancel()
        await asyncio.gather(explainer, return_exceptions=True)
    explained = [
        json.loads(raw.data)["metadata"]["bar"] for raw in await ctx.stored_messages("EXPLANATIONS")
    ]
    ctx.expect_equal(
        sorted(explained),
        list(range(bars)),
        call=f"the bar numbers in EXPLANATIONS after {bars} bars",
    )


CRITERIA = [
    prediction_envelope,
    predicts_every_bar,
    survives_a_kill,
    no_ack_without_publish,
    whole_pipeline,
]
