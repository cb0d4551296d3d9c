"""Checks for ex06: handle acks, naks with a delay or terminates; work_batch settles a batch.

The verdicts come from the server, not from what the learner's code returns: the
consumer's state (``consumer_info``), the advisories JetStream publishes when it sees a
nak or a term (``$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED`` / ``MSG_TERMINATED``), the
acknowledgements themselves as they cross the server (``$JS.ACK.<stream>.<consumer>.>``,
whose subject carries the delivery count and stream sequence), and when a nak'd
message really comes back.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, ConsumerInfo

from gym.checker import CheckContext, Fail, criterion
from gym.delivery import wait_until_processed

STREAM = "PREDICTIONS"
CONSUMER = "explainer"
RETRY_DELAY = 0.4
"""The delay the check asks for; a redelivery sooner than MIN_WAIT means no delay was used."""
MIN_WAIT = 0.3
LONG_ACK_WAIT = 30.0
"""So long that within a check only a nak (never an ack timeout) brings a message back."""

NAK_HINT = "Call `await msg.nak(delay=retry_delay)`: a nak without a delay comes back at once."
TERM_HINT = "Catch PoisonError and call `await msg.term()`."


@dataclass
class Traffic:
    """What crossed the server for one consumer: ack replies and JetStream advisories."""

    sender: Client
    observer: Client
    acks: Subscription
    advisories: Subscription
    settled: list[tuple[int, int, bytes]] = field(default_factory=list)
    """(stream_seq, delivery number, payload) of every ack/nak/term/in-progress seen."""
    events: list[dict] = field(default_factory=list)

    async def until(self, done: Callable[[], bool], within: float = 1.0) -> None:
        """Collect what arrives until ``done()`` holds or ``within`` seconds pass.

        Settling the sender, then the observer, brings every ack sent so far (one flush
        is not enough: nats-py writes its PING ahead of buffered acks); the advisories
        the server publishes about them may take a moment longer.
        """
        deadline = time.monotonic() + within
        while True:
            await wait_until_processed(self.sender)
            await wait_until_processed(self.observer)
            for sub in (self.acks, self.advisories):
                while sub.pending_msgs:
                    msg = await sub.next_msg(timeout=1)
                    if sub is self.acks:
                        # $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>...
                        tokens = msg.subject.split(".")
                        self.settled.append((int(tokens[5]), int(tokens[4]), msg.data))
                    else:
                        self.events.append(json.loads(msg.data))
            if done() or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.02)

    def kinds(self, seq: int) -> list[str]:
        """The verdicts sent for stream sequence ``seq``, in order (``in_progress`` is none)."""
        verbs = [_verb(payload) for s, _, payload in self.settled if s == seq]
        return [verb for verb in verbs if verb != "in_progress"]

    def advised(self, kind: str) -> list[int]:
        """Stream sequences the server published a ``kind`` advisory for (nak, terminated)."""
        return [e["stream_seq"] for e in self.events if e.get("type", "").endswith(f".{kind}")]


def _verb(payload: bytes) -> str:
    """The name of an ack payload: an empty body is an ack, like ``+ACK``."""
    head = payload.split(b" ", 1)[0]
    names = {b"": "ack", b"+ACK": "ack", b"-NAK": "nak", b"+TERM": "term", b"+WPI": "in_progress"}
    return names.get(head, head.decode(errors="replace"))


def _nak_delay(payload: bytes) -> float | None:
    """The delay in seconds a ``-NAK {"delay": ns}`` asked for, or None for a plain nak."""
    parts = payload.split(b" ", 1)
    if len(parts) < 2:
        return None
    return json.loads(parts[1]).get("delay", 0) / 1e9


async def _setup(
    ctx: CheckContext, payloads: list[bytes], *, ack_wait: float = LONG_ACK_WAIT
) -> tuple[JetStreamContext.PullSubscription, Traffic]:
    """PREDICTIONS with ``payloads`` stored, the explainer consumer, and a traffic recorder."""
    await ctx.js.add_stream(name=STREAM, subjects=["predictions.normal.*"])
    await ctx.js.add_consumer(
        STREAM, ConsumerConfig(durable_name=CONSUMER, ack_wait=ack_wait, max_deliver=5)
    )
    observer = await ctx.connect()
    traffic = Traffic(
        sender=ctx.nc,
        observer=observer,
        acks=await observer.subscribe(f"$JS.ACK.{STREAM}.{CONSUMER}.>"),
        advisories=await observer.subscribe(f"$JS.EVENT.ADVISORY.CONSUMER.*.{STREAM}.{CONSUMER}"),
    )
    await observer.flush()
    for payload in payloads:
        ticker = json.loads(payload)["ticker"]
        await ctx.js.publish(f"predictions.normal.{ticker}", payload)
    return await ctx.js.pull_subscribe_bind(CONSUMER, STREAM), traffic


def _prediction(ticker: str, **extra: object) -> bytes:
    return json.dumps({"type": "prediction", "ticker": ticker, **extra}).encode()


class Recorder:
    """A ``process`` function that behaves per ticker and remembers when it ran.

    It raises the learner module's own ``TransientError`` / ``PoisonError``, looked up
    before any learner code runs (a lookup failing inside ``process`` would be caught
    by the learner's ``except Exception`` and never reported).
    """

    def __init__(self, learner_module: object, behaviour: Mapping[str, str]) -> None:
        self.transient = _exception_class(learner_module, "TransientError")
        self.poison = _exception_class(learner_module, "PoisonError")
        self.behaviour = behaviour  # ticker -> "ok" | "transient-once" | "poison" | "bug"
        self.calls: list[tuple[str, float]] = []
        self.misuse = ""

    def __call__(self, data: bytes) -> None:
        if not isinstance(data, bytes):
            self.misuse = f"process() was called with a {type(data).__name__}, expected bytes"
            raise TypeError(self.misuse)
        ticker = json.loads(data)["ticker"]
        earlier = len(self.times(ticker))
        self.calls.append((ticker, time.monotonic()))
        kind = self.behaviour[ticker]
        if kind == "poison":
            raise self.poison(f"{ticker}: the prediction has no predicted_price")
        if kind == "transient-once" and earlier == 0:
            raise self.transient(f"{ticker}: the LLM is rate-limited, try later")
        if kind == "bug":
            raise KeyError("predicted_price")

    def verify(self) -> None:
        """Fail if the learner passed ``process`` something other than the message data."""
        if self.misuse:
            raise Fail(self.misuse, hint="Pass the message's payload: `process(msg.data)`.")

    def times(self, ticker: str) -> list[float]:
        """When ``process`` ran for ``ticker`` (monotonic seconds), in order."""
        return [at for t, at in self.calls if t == ticker]


def _exception_class(module: object, name: str) -> type[Exception]:
    found = getattr(module, name, None)
    if not (isinstance(found, type) and issubclass(found, Exception)):
        raise Fail(
            f"the exercise file has no exception class {name}",
            hint="Keep the TransientError and PoisonError classes from the exercise file.",
        )
    return found


async def _consumer_settles(
    ctx: CheckContext, check: Callable[[ConsumerInfo], bool], within: float = 1.0
) -> ConsumerInfo:
    """Consumer info once ``check`` holds (or the last one seen after ``within`` s).

    A plain ``ack()`` is fire-and-forget, so the server may not have applied it yet when
    the learner's function returns; poll briefly instead of reading the state once.
    """
    deadline = time.monotonic() + within
    while True:
        info = await ctx.js.consumer_info(STREAM, CONSUMER)
        if check(info) or time.monotonic() > deadline:
            return info
        await asyncio.sleep(0.02)


async def _handle_one(
    ctx: CheckContext, behaviour: str, *, ack_wait: float = LONG_ACK_WAIT
) -> tuple[str, Msg, Recorder, Traffic, JetStreamContext.PullSubscription]:
    """Store one AAPL prediction, fetch it and pass it to the learner's ``handle``."""
    psub, traffic = await _setup(ctx, [_prediction("AAPL")], ack_wait=ack_wait)
    (msg,) = await psub.fetch(1, timeout=2)
    process = Recorder(ctx.learner, {"AAPL": behaviour})
    outcome = await ctx.call("handle", msg, process, retry_delay=RETRY_DELAY)
    process.verify()
    ctx.expect(
        len(process.calls) == 1,
        f"handle() called process {len(process.calls)} times for one message, expected once",
        hint="Call `process(msg.data)` once, inside a try block.",
    )
    await traffic.until(lambda: bool(traffic.kinds(1)))
    return outcome, msg, process, traffic, psub


def _expect_settled_once(traffic: Traffic, verb: str, hint: str) -> None:
    sent = traffic.kinds(1)
    if sent != [verb]:
        got = ", ".join(sent) if sent else "nothing"
        raise Fail(f"the server received {got} for the message, expected one {verb}", hint=hint)


@criterion("handle acks a prediction that processes cleanly and returns 'ack'")
async def acks_success(ctx: CheckContext) -> None:
    outcome, _, _, traffic, _ = await _handle_one(ctx, "ok")
    ctx.expect_equal(outcome, "ack", call="handle(msg, process) for a clean prediction")
    _expect_settled_once(traffic, "ack", "Call `await msg.ack()` after process() succeeds.")
    info = await _consumer_settles(ctx, lambda i: i.num_ack_pending == 0)
    ctx.expect(
        info.num_ack_pending == 0 and info.ack_floor.stream_seq == 1,
        f"the consumer still has {info.num_ack_pending} unacknowledged message(s)",
        hint="Call `await msg.ack()` after process() succeeds.",
    )


@criterion("handle naks a transient failure with the retry delay and returns 'nak'")
async def naks_transient_with_delay(ctx: CheckContext) -> None:
    outcome, _, process, traffic, psub = await _handle_one(ctx, "transient-once")
    failed_at = process.times("AAPL")[0]  # before the nak was sent: a true lower bound
    ctx.expect_equal(outcome, "nak", call="handle(msg, process) when process raises TransientError")
    _expect_settled_once(traffic, "nak", NAK_HINT)
    delay = _nak_delay(traffic.settled[0][2])
    asked = "no delay (a plain nak)" if delay is None else f"a delay of {delay:g} s"
    ctx.expect(
        delay is not None and abs(delay - RETRY_DELAY) < 0.01,
        f"the nak asked for {asked}, expected retry_delay={RETRY_DELAY} s",
        hint=NAK_HINT,
    )
    await traffic.until(lambda: bool(traffic.advised("nak")))
    ctx.expect(1 in traffic.advised("nak"), "the server published no nak advisory for it")
    (again,) = await psub.fetch(1, timeout=2)
    waited = time.monotonic() - failed_at
    ctx.expect(
        again.metadata.num_delivered == 2 and waited >= MIN_WAIT,
        f"the message came back after {waited:.2f} s (delivery "
        f"{again.metadata.num_delivered}), expected about {RETRY_DELAY} s later as delivery 2",
        hint=NAK_HINT,
    )


@criterion("handle naks an unexpected error the same way (retry later) and returns 'nak'")
async def naks_unexpected(ctx: CheckContext) -> None:
    outcome, _, _, traffic, _ = await _handle_one(ctx, "bug")
    ctx.expect_equal(outcome, "nak", call="handle(msg, process) when process raises KeyError")
    _expect_settled_once(
        traffic, "nak", "Catch `Exception` after PoisonError: anything else is retried later."
    )
    ctx.expect(
        _nak_delay(traffic.settled[0][2]) is not None,
        "the nak for an unexpected error had no delay",
        hint=NAK_HINT,
    )


@criterion("handle terminates a poison message, which never comes back, and returns 'term'")
async def terms_poison(ctx: CheckContext) -> None:
    outcome, _, _, traffic, psub = await _handle_one(ctx, "poison", ack_wait=0.5)
    ctx.expect_equal(outcome, "term", call="handle(msg, process) when process raises PoisonError")
    _expect_settled_once(traffic, "term", TERM_HINT)
    info = await _consumer_settles(ctx, lambda i: i.num_ack_pending == 0)
    await traffic.until(lambda: bool(traffic.advised("terminated")))
    ctx.expect(
        traffic.advised("terminated") == [1],
        "the server published no 'terminated' advisory for the message",
        hint=TERM_HINT,
    )
    try:
        again = await psub.fetch(1, timeout=1.0)  # twice the consumer's ack_wait
    except TimeoutError:
        again = []
    ctx.expect(
        not again and info.num_redelivered == 0,
        "the poison message was delivered again although it was terminated",
        hint=TERM_HINT,
    )


@criterion("work_batch returns {} when no message is waiting (no exception)")
async def empty_batch(ctx: CheckContext) -> None:
    psub, _ = await _setup(ctx, [])
    process = Recorder(ctx.learner, {})
    outcome = await ctx.call("work_batch", psub, process, batch=5, timeout=0.3)
    ctx.expect_type(outcome, Mapping, call="work_batch(psub, process) on an empty stream")
    ctx.expect_equal(
        {k: v for k, v in outcome.items() if v},
        {},
        call="work_batch(psub, process) on an empty stream",
        hint="fetch raises nats.errors.TimeoutError when nothing is waiting: catch it.",
    )


MIX = {
    "AAPL": "ok",
    "GOOGL": "transient-once",
    "MSFT": "poison",
    "AMZN": "ok",
    "NVDA": "transient-once",
    "TSLA": "poison",
}
"""The batch the last criterion stores, in stream order (stream sequences 1..6)."""


@criterion(
    "work_batch settles a mixed batch: successes acked once, transient ones back after "
    "the delay, poison ones terminated",
    timeout=8.0,
)
async def settles_mixed_batch(ctx: CheckContext) -> None:
    psub, traffic = await _setup(ctx, [_prediction(t) for t in MIX])
    process = Recorder(ctx.learner, MIX)
    call = "work_batch(psub, process)"
    first = await ctx.call("work_batch", psub, process, batch=10, timeout=1.0, retry_delay=0.4)
    process.verify()
    ctx.expect_type(first, Mapping, call=call)
    ctx.expect_equal(
        {k: v for k, v in first.items() if v},
        {"ack": 2, "nak": 2, "term": 2},
        call=f"the first {call} on 2 clean, 2 rate-limited and 2 poison predictions",
        hint="Fetch up to `batch` messages, call handle() on each and count the outcomes.",
    )
    totals = dict(first)
    for _ in range(3):  # the two nak'd predictions come back after the delay
        if totals.get("ack", 0) >= 4:
            break
        more = await ctx.call("work_batch", psub, process, batch=10, timeout=1.5, retry_delay=0.4)
        for key, value in more.items():
            totals[key] = totals.get(key, 0) + value
    seqs = {ticker: seq for seq, ticker in enumerate(MIX, start=1)}
    for ticker in ("GOOGL", "NVDA"):
        times = process.times(ticker)
        ctx.expect(
            len(times) == 2,
            f"the rate-limited {ticker} prediction was processed {len(times)} times, expected "
            "twice (failed, then redelivered and processed again)",
            hint="Call work_batch again after the retry delay: it should fetch the redelivery.",
        )
        ctx.expect(
            times[1] - times[0] >= MIN_WAIT,
            f"{ticker} came back {times[1] - times[0]:.2f} s after failing, expected at least "
            f"{MIN_WAIT} s (retry_delay=0.4)",
            hint="handle() must nak with `delay=retry_delay`, and work_batch must pass its "
            "retry_delay on: `await handle(msg, process, retry_delay=retry_delay)`.",
        )
    info = await _consumer_settles(ctx, lambda i: i.num_ack_pending == 0)
    await traffic.until(lambda: len(traffic.advised("terminated")) >= 2)
    for ticker, seq in seqs.items():
        expected = {"ok": ["ack"], "transient-once": ["nak", "ack"], "poison": ["term"]}
        sent = traffic.kinds(seq)
        ctx.expect(
            sent == expected[MIX[ticker]],
            f"the server received {', '.join(sent) or 'nothing'} for {ticker} "
            f"(stream seq {seq}), expected {', '.join(expected[MIX[ticker]])}",
            hint="Each delivery must be settled exactly once, by handle().",
        )
    ctx.expect(
        sorted(traffic.advised("terminated")) == [seqs["MSFT"], seqs["TSLA"]],
        f"the server terminated stream seqs {sorted(traffic.advised('terminated'))}, "
        f"expected {[seqs['MSFT'], seqs['TSLA']]} (MSFT and TSLA)",
        hint=TERM_HINT,
    )
    ctx.expect(
        info.delivered.consumer_seq == 8
        and info.num_ack_pending == 0
        and info.ack_floor.stream_seq == 6,
        f"the consumer made {info.delivered.consumer_seq} deliveries with "
        f"{info.num_ack_pending} still unacknowledged, expected 8 deliveries "
        "(6 + 2 redeliveries) and none pending",
        hint="Each delivery must be settled exactly once, by handle().",
    )


CRITERIA = [
    acks_success,
    naks_transient_with_delay,
    naks_unexpected,
    terms_poison,
    empty_batch,
    settles_mixed_batch,
]
