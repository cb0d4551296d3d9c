"""Checks for ex06: handle acks, naks with a delay or terminates; work_batch settles a batch.

The verdicts come from the server, not from what the learner's code returns: the answers
themselves as they cross the server (``gym.acks.watch``: which answer, for which delivery,
with which nak delay), the advisories JetStream publishes when it applies a nak or a term,
the consumer's state, and when a nak'd message really comes back.

The check passes ``retry_delay=0.1``, not the exercise's default 0.5 s: short enough to
watch a real redelivery quickly, and different from the default, so a ``work_batch`` that
does not pass its ``retry_delay`` on to ``handle`` shows up in the nak it sends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, ConsumerInfo

from gym import acks
from gym.acks import AckWatch, Kind
from gym.checker import CheckContext, Fail, criterion, eventually
from gym.checker.context import LearnerError
from gym.checker.explain import short

STREAM = "PREDICTIONS"
CONSUMER = "explainer"
RETRY_DELAY = 0.1
"""The retry_delay the check passes; the server cannot redeliver a nak'd message sooner."""
MIN_WAIT = 0.9 * RETRY_DELAY
"""A redelivery measured sooner than this (from before the nak) used no delay."""
ACK_WAIT = 30.0
"""So long that within a check only a nak (never an ack timeout) brings a message back."""

NAK_HINT = "Call `await msg.nak(delay=retry_delay)`: a nak without a delay comes back at once."
TERM_HINT = "Catch PoisonError and call `await msg.term()`: the server never delivers it again."
ACK_HINT = "Call `await msg.ack()` after process() returns."
ONCE_HINT = "Answer each delivery exactly once — ack, nak or term — and `await` the answer."
PASS_ON_HINT = (
    "Pass it on: `await handle(msg, process, retry_delay=retry_delay)`; without it, handle "
    "uses its default."
)

WRONG_ANSWER = {
    (Kind.TERM, Kind.NAK): "handle nak'd the poison message: the server delivers it again and "
    "it fails again, on every delivery (until max_deliver runs out)",
    (Kind.NAK, Kind.TERM): "handle terminated a message that failed only for now: the server "
    "never delivers it again, so the retry never happens",
    (Kind.NAK, Kind.ACK): "handle acked a message whose processing failed: it is gone and "
    "never retried",
    (Kind.ACK, Kind.NAK): "handle nak'd a message that was processed cleanly: it comes back "
    "and is processed again",
    (Kind.ACK, Kind.TERM): "handle terminated a message that was processed cleanly",
    (Kind.TERM, Kind.ACK): "handle acked the poison message as if it had been processed",
}
"""(expected, sent) -> what that mistake does, in the learner's terms."""


async def _setup(
    ctx: CheckContext, payloads: list[bytes]
) -> tuple[JetStreamContext.PullSubscription, AckWatch]:
    """PREDICTIONS with ``payloads`` stored, the explainer consumer, and a watch on its acks."""
    await ctx.js.add_stream(name=STREAM, subjects=["predictions.normal.*"])
    await ctx.js.add_consumer(
        STREAM, ConsumerConfig(durable_name=CONSUMER, ack_wait=ACK_WAIT, max_deliver=5)
    )
    watch = await acks.watch(ctx.nc, STREAM, CONSUMER)  # answers go out on ctx.nc too
    for payload in payloads:
        ticker = json.loads(payload)["ticker"]
        await ctx.js.publish(f"predictions.normal.{ticker}", payload)
    return await ctx.js.pull_subscribe_bind(CONSUMER, STREAM), watch


def _prediction(ticker: str) -> bytes:
    return json.dumps({"type": "prediction", "ticker": ticker}).encode()


class Recorder:
    """A ``process`` function that behaves per ticker and remembers when it ran.

    It raises the learner module's own ``TransientError`` / ``PoisonError``, looked up
    before any learner code runs (a lookup failing inside ``process`` would be caught by
    the learner's ``except Exception`` and never reported). What it is given is checked
    against the payloads it knows, and ``published()`` — how many messages the learner's
    connection had published since the fetch — is noted at the first call, so the answers
    sent before processing can be picked out of the wire afterwards.
    """

    def __init__(
        self,
        learner_module: object,
        behaviour: Mapping[str, str],
        published: Callable[[], int] = lambda: 0,
    ) -> None:
        self.transient = _exception_class(learner_module, "TransientError")
        self.poison = _exception_class(learner_module, "PoisonError")
        self.behaviour = behaviour  # ticker -> "ok" | "transient-once" | "poison" | "bug"
        self.payloads = {_prediction(ticker): ticker for ticker in behaviour}
        self.published = published
        self.published_first: int | None = None
        self.calls: list[tuple[str, float]] = []
        self.misuse = ""

    def __call__(self, data: object) -> None:
        if self.published_first is None:
            self.published_first = self.published()
        ticker = self.payloads.get(data) if isinstance(data, bytes) else None
        if ticker is None:
            self.misuse = _misuse(data)
            raise TypeError(self.misuse)
        earlier = len(self.times(ticker))
        self.calls.append((ticker, time.monotonic()))
        kind = self.behaviour[ticker]
        if kind == "poison":
            raise self.poison(f"{ticker}: the prediction has no predicted_price")
        if kind == "transient-once" and earlier == 0:
            raise self.transient(f"{ticker}: the LLM is rate-limited, try later")
        if kind == "bug":
            raise KeyError("predicted_price")

    def verify(self, watch: AckWatch | None = None) -> None:
        """Fail if process got the wrong thing, or ran after the message was settled.

        With ``watch``: the answers sent before process ran are the first ones on the wire
        (each answer is one publish); a +WPI there is fine, an ack, nak or term is not.
        """
        if self.misuse:
            raise Fail(self.misuse, hint="Pass the message's payload: `process(msg.data)`.")
        early = watch.answers[: self.published_first or 0] if watch else []
        if any(answer.kind is not Kind.IN_PROGRESS for answer in early):
            raise Fail(
                "handle() answered the message before process() ran (ack before processing): "
                "if processing then fails, the message is already settled and is never retried",
                hint="Call `process(msg.data)` first, then answer: ack if it returned, term or "
                "nak if it raised.",
            )

    def times(self, ticker: str) -> list[float]:
        """When ``process`` ran for ``ticker`` (monotonic seconds), in order."""
        return [at for t, at in self.calls if t == ticker]

    def hints(self) -> dict[type[BaseException], str]:
        """Hints for the errors ``process`` raises, should the learner's code let them out."""
        return {
            self.poison: TERM_HINT,
            self.transient: "Catch TransientError (or `Exception`) and call "
            "`await msg.nak(delay=retry_delay)`: the server redelivers it after the delay.",
            KeyError: "process() raised an unexpected error: catch `Exception` after "
            "PoisonError and nak it with the delay, so it is retried later.",
        }


def _misuse(data: object) -> str:
    if isinstance(data, Msg):
        return f"process() was called with the whole message {short(data)}, expected its data"
    if isinstance(data, str):
        return f"process() was called with the str {short(data)}, expected the message's bytes"
    return f"process() was called with {short(data)}, which is not the data of any message"


def _exception_class(module: object, name: str) -> type[Exception]:
    found = getattr(module, name, None)
    if not (isinstance(found, type) and issubclass(found, Exception)):
        raise Fail(
            f"the exercise file has no exception class {name}",
            hint="Keep the TransientError and PoisonError classes from the exercise file.",
        )
    return found


async def _consumer(ctx: CheckContext, until: Callable[[ConsumerInfo], bool]) -> ConsumerInfo:
    """The consumer's state once ``until`` holds (the last one seen after 1 s).

    A plain ``ack()`` is a publish the server applies a moment after it arrives.
    """
    return await eventually(lambda: ctx.js.consumer_info(STREAM, CONSUMER), within=1.0, until=until)


async def _handle_one(ctx: CheckContext, behaviour: str) -> tuple[Any, Recorder, AckWatch, Any]:
    """Store one AAPL prediction, fetch it, pass it to ``handle``, and collect its answer."""
    psub, watch = await _setup(ctx, [_prediction("AAPL")])
    (msg,) = await psub.fetch(1, timeout=2)
    before = ctx.nc.stats["out_msgs"]  # each answer is one publish on this connection
    process = Recorder(
        ctx.learner, {"AAPL": behaviour}, published=lambda: ctx.nc.stats["out_msgs"] - before
    )

    def answered(watch: AckWatch) -> bool:  # every publish since the fetch was an answer
        return len(watch.answers) >= ctx.nc.stats["out_msgs"] - before

    with ctx.hints(process.hints()):
        try:
            outcome = await ctx.call("handle", msg, process, retry_delay=RETRY_DELAY)
        except LearnerError:
            await watch.collect(answered, within=0.5)
            process.verify(watch)  # an answer before processing explains the error better
            raise
    await watch.collect(answered, within=0.5)
    process.verify(watch)
    ctx.expect(
        len(process.calls) == 1,
        f"handle() called process {len(process.calls)} times for one message, expected once",
        hint="Call `process(msg.data)` once, inside a try block.",
    )
    return outcome, process, watch, psub


def _expect_answered(watch: AckWatch, seq: int, want: Kind, hint: str, what: str = "") -> None:
    """Fail unless the message at ``seq`` got exactly one answer, and the one wanted."""
    sent = [a for a in watch.answers_for(seq) if a.kind is not Kind.IN_PROGRESS]
    if len(sent) == 1 and sent[0].kind is want:
        return
    what = what or "the message"
    if not sent:
        raise Fail(
            f"the server received no answer for {what}, expected one {want}",
            hint=f"{hint} An answer that is not awaited is never sent.",
        )
    if len(sent) == 1 and (want, sent[0].kind) in WRONG_ANSWER:
        raise Fail(WRONG_ANSWER[want, sent[0].kind], hint=hint)
    said = ", then ".join(a.describe() for a in sent)
    raise Fail(f"the server received {said} for {what}, expected one {want}", hint=ONCE_HINT)


def _settling(watch: AckWatch, seq: int) -> acks.Answer:
    """The one answer (not +WPI) ``_expect_answered`` found for ``seq``."""
    return [a for a in watch.answers_for(seq) if a.kind is not Kind.IN_PROGRESS][0]


def _expect_delay(answer: acks.Answer, call: str, hint: str) -> None:
    """Fail unless a nak asked for ``RETRY_DELAY`` seconds."""
    if answer.delay is not None and abs(answer.delay - RETRY_DELAY) < 0.001:
        return
    asked = "no delay (a plain nak)" if answer.delay is None else f"a delay of {answer.delay:g} s"
    raise Fail(f"{call} sent a nak asking for {asked}, expected retry_delay={RETRY_DELAY} s", hint)


@criterion("handle acks a prediction that processes cleanly and returns 'ack'")
async def acks_success(ctx: CheckContext) -> None:
    outcome, _, watch, _ = await _handle_one(ctx, "ok")
    _expect_answered(watch, 1, Kind.ACK, ACK_HINT)
    ctx.expect_equal(outcome, "ack", call="handle(msg, process) for a clean prediction")
    info = await _consumer(ctx, lambda i: i.num_ack_pending == 0)
    ctx.expect(
        info.num_ack_pending == 0 and info.ack_floor.stream_seq == 1,
        f"the consumer still has {info.num_ack_pending} unacknowledged message(s)",
        hint=ACK_HINT,
    )


@criterion("handle naks a transient failure with the retry delay and returns 'nak'")
async def naks_transient_with_delay(ctx: CheckContext) -> None:
    outcome, process, watch, psub = await _handle_one(ctx, "transient-once")
    failed_at = process.times("AAPL")[0]  # before the nak was sent: a true lower bound
    _expect_answered(watch, 1, Kind.NAK, NAK_HINT)
    _expect_delay(_settling(watch, 1), f"handle(msg, process, retry_delay={RETRY_DELAY})", NAK_HINT)
    ctx.expect_equal(outcome, "nak", call="handle(msg, process) when process raises TransientError")
    await watch.collect(lambda w: bool(w.advised("nak")))
    ctx.expect(1 in watch.advised("nak"), "the server published no nak advisory for the message")
    try:
        (again,) = await psub.fetch(1, timeout=2)
    except TimeoutError:
        raise Fail("the nak'd message did not come back within 2 s", hint=NAK_HINT) from None
    waited = time.monotonic() - failed_at
    ctx.expect(
        again.metadata.num_delivered == 2 and waited >= MIN_WAIT,
        f"the message came back after {waited:.2f} s (delivery "
        f"{again.metadata.num_delivered}), expected {RETRY_DELAY} s later as delivery 2",
        hint=NAK_HINT,
    )


@criterion("handle naks an unexpected error the same way (retry later) and returns 'nak'")
async def naks_unexpected(ctx: CheckContext) -> None:
    outcome, _, watch, _ = await _handle_one(ctx, "bug")
    hint = "Catch `Exception` after PoisonError: anything unexpected is retried later."
    _expect_answered(watch, 1, Kind.NAK, hint)
    _expect_delay(_settling(watch, 1), "handle() for an unexpected error", NAK_HINT)
    ctx.expect_equal(outcome, "nak", call="handle(msg, process) when process raises KeyError")


@criterion("handle terminates a poison message, which never comes back, and returns 'term'")
async def terms_poison(ctx: CheckContext) -> None:
    outcome, _, watch, _ = await _handle_one(ctx, "poison")
    _expect_answered(watch, 1, Kind.TERM, TERM_HINT)
    ctx.expect_equal(outcome, "term", call="handle(msg, process) when process raises PoisonError")
    await watch.collect(lambda w: bool(w.advised("terminated")))
    ctx.expect(
        watch.advised("terminated") == [1],
        "the server published no 'terminated' advisory for the message",
        hint=TERM_HINT,
    )
    # A redelivery can only come from the consumer's pending list: once the message has
    # left it, with nothing undelivered either, the consumer has nothing to send again.
    info = await _consumer(ctx, lambda i: i.num_ack_pending == 0)
    ctx.expect(
        info.num_ack_pending == 0 and info.num_pending == 0 and info.ack_floor.stream_seq == 1,
        f"after the term the consumer still holds {info.num_ack_pending} message(s) to redeliver",
        hint=TERM_HINT,
    )


def _counts(ctx: CheckContext, got: object, call: str) -> dict[str, int]:
    """``got`` as outcome counts, or a failure saying what is wrong with it."""
    ctx.expect_type(got, Mapping, call=call)
    got = cast(Mapping[Any, Any], got)
    bad = {k: v for k, v in got.items() if not (isinstance(v, int) and not isinstance(v, bool))}
    if bad:
        kinds = ", ".join(sorted({type(v).__name__ for v in bad.values()}))
        raise Fail(
            f"{call} returned {short(dict(got))}: the values must be counts (int), not {kinds}",
            hint='Return how often each outcome happened, e.g. {"ack": 2, "nak": 1}.',
        )
    return {k: v for k, v in got.items() if v}


FETCH_TIMEOUT_HINT = (
    "An empty fetch raises a timeout: catch `TimeoutError` (nats.errors.TimeoutError and "
    "asyncio.TimeoutError both are one) and return {}."
)


@criterion("work_batch returns {} when no message is waiting (no exception)")
async def empty_batch(ctx: CheckContext) -> None:
    psub, _ = await _setup(ctx, [])
    call = "work_batch(psub, process, timeout=0.1) on an empty stream"
    with ctx.hints({TimeoutError: FETCH_TIMEOUT_HINT}):
        got = await ctx.call("work_batch", psub, Recorder(ctx.learner, {}), batch=5, timeout=0.1)
    ctx.expect_equal(_counts(ctx, got, call), {}, call=call, hint=FETCH_TIMEOUT_HINT)


MIX = {
    "AAPL": "ok",
    "GOOGL": "transient-once",
    "MSFT": "poison",
    "AMZN": "ok",
    "NVDA": "transient-once",
    "TSLA": "poison",
}
"""The batch the last criterion stores, in stream order (stream sequences 1..6)."""
SEQS = {ticker: seq for seq, ticker in enumerate(MIX, start=1)}
EXPECTED = {"ok": [Kind.ACK], "transient-once": [Kind.NAK, Kind.ACK], "poison": [Kind.TERM]}


@criterion(
    "work_batch settles a mixed batch: successes acked once, transient ones back after "
    "its retry_delay, poison ones terminated",
    timeout=8.0,
)
async def settles_mixed_batch(ctx: CheckContext) -> None:
    psub, watch = await _setup(ctx, [_prediction(t) for t in MIX])
    process = Recorder(ctx.learner, MIX)
    call = f"work_batch(psub, process, retry_delay={RETRY_DELAY})"
    with ctx.hints({TimeoutError: FETCH_TIMEOUT_HINT, **process.hints()}):
        first = await ctx.call(
            "work_batch", psub, process, batch=10, timeout=1.0, retry_delay=RETRY_DELAY
        )
        process.verify()
        ctx.expect_equal(
            _counts(ctx, first, call),
            {"ack": 2, "nak": 2, "term": 2},
            call=f"the first {call} on 2 clean, 2 rate-limited and 2 poison predictions",
            hint="Fetch up to `batch` messages, call handle() on each and count the outcomes.",
        )
        await watch.collect(lambda w: len(w.answers) >= 6)
        for ticker in ("GOOGL", "NVDA"):  # each failed for now: a nak with the delay given
            _expect_answered(watch, SEQS[ticker], Kind.NAK, NAK_HINT, what=ticker)
            nak = _settling(watch, SEQS[ticker])
            _expect_delay(
                nak, f"{call} for {ticker}", NAK_HINT if nak.delay is None else PASS_ON_HINT
            )
        totals = dict(first)
        for _ in range(3):  # the two nak'd predictions come back after the delay
            if totals.get("ack", 0) >= 4:
                break
            more = await ctx.call(
                "work_batch", psub, process, batch=10, timeout=1.0, retry_delay=RETRY_DELAY
            )
            for key, value in _counts(ctx, more, f"a later {call}").items():
                totals[key] = totals.get(key, 0) + value
    process.verify()
    for ticker in ("GOOGL", "NVDA"):
        times = process.times(ticker)
        ctx.expect(
            len(times) == 2,
            f"the rate-limited {ticker} prediction was processed {len(times)} times, expected "
            "twice (failed, then redelivered and processed again)",
            hint="Each call of work_batch fetches once; the redelivery comes in a later call.",
        )
        ctx.expect(
            times[1] - times[0] >= MIN_WAIT,
            f"{ticker} came back {times[1] - times[0]:.2f} s after failing, expected at least "
            f"{RETRY_DELAY} s (the retry_delay work_batch was given)",
            hint=PASS_ON_HINT,
        )
    await watch.collect(
        lambda w: (
            all(len(w.kinds(s)) >= len(EXPECTED[MIX[t]]) for t, s in SEQS.items())
            and len(w.advised("terminated")) >= 2
        )
    )
    for ticker, seq in SEQS.items():
        want = EXPECTED[MIX[ticker]]
        sent = [a for a in watch.answers_for(seq) if a.kind is not Kind.IN_PROGRESS]
        ctx.expect(
            [a.kind for a in sent] == want,
            f"the server received {', then '.join(a.describe() for a in sent) or 'nothing'} "
            f"for {ticker} (stream seq {seq}), expected {', then '.join(want)}",
            hint=ONCE_HINT,
        )
    terminated = sorted(watch.advised("terminated"))
    ctx.expect(
        terminated == [SEQS["MSFT"], SEQS["TSLA"]],
        f"the server terminated stream seqs {terminated}, expected "
        f"{[SEQS['MSFT'], SEQS['TSLA']]} (MSFT and TSLA)",
        hint=TERM_HINT,
    )
    info = await _consumer(ctx, lambda i: i.num_ack_pending == 0)
    ctx.expect(
        info.delivered.consumer_seq == 8
        and info.num_ack_pending == 0
        and info.ack_floor.stream_seq == 6,
        f"the consumer made {info.delivered.consumer_seq} deliveries with "
        f"{info.num_ack_pending} still unacknowledged, expected 8 deliveries "
        "(6 + 2 redeliveries) and none pending",
        hint=ONCE_HINT,
    )


CRITERIA = [
    acks_success,
    naks_transient_with_delay,
    naks_unexpected,
    terms_poison,
    empty_batch,
    settles_mixed_batch,
]
