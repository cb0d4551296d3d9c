"""Checks for exercise 13: per-ticker state updated with Nats-Expected-Last-Subject-Sequence.

A lost update needs a write by someone else between the learner's read and the learner's
publish. The check makes that happen on demand, without timing luck: ``change`` is the
check's own function, called by the learner's code between the two, and the first time it is
called it makes the competing write itself (on a connection of its own, in a short-lived
thread, because ``change`` is a plain function) and waits for the server's ack. Whatever the
learner publishes next is based on a stale read.

The check also listens to ``state.ticker.>`` with a core subscription: every publish the
learner makes reaches it with its headers, the refused ones included, so a message can say
which header the learner sent. Finally two writers run at once on two connections, and the
stored states are counted.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import Header
from nats.js.errors import APIError

from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import LearnerError
from gym.checker.explain import short
from gym.delivery import wait_until_processed
from gym.session import connect
from gym.sync_bridge import run_sync

STREAM = "TICKER_STATE"
SUBJECTS = "state.ticker.*"
TICKER = "AAPL"
SUBJECT = f"state.ticker.{TICKER}"
EXPECTED = Header.EXPECTED_LAST_SUBJECT_SEQUENCE.value
STREAM_WIDE = Header.EXPECTED_LAST_SEQUENCE.value
WRONG_LAST_SEQUENCE = 10071
WRITES_EACH = 20
"""Updates per writer when two run at once."""

HEADER_HINT = (
    f'Publish with headers={{"{EXPECTED}": str(seq)}}, seq being the sequence read_state '
    'returned ("0" when the ticker has no state yet): the server then refuses the write if '
    "someone else wrote the ticker since you read it."
)
RETRY_HINT = (
    "On an APIError with err_code 10071 (wrong last sequence), loop back: read the state "
    "again, call change(...) on the fresh state, and publish with the new sequence."
)
SUBJECT_WIDE_HINT = (
    f"Use {EXPECTED} (the last sequence of this ticker's subject), not {STREAM_WIDE} (the "
    "last sequence of the whole stream, which every other ticker's update moves on)."
)
READ_HINT = (
    "read_state: `msg = await js.get_last_msg(STREAM, SUBJECT.format(ticker=ticker))`, "
    "then `return json.loads(msg.data), msg.seq`; on NotFoundError `return None, 0`."
)


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def update(state: dict[str, Any] | None, by: str) -> dict[str, Any]:
    """The check's change: count one more update, say who made it."""
    count = 0 if state is None else int(state.get("updates", 0))
    return {"ticker": TICKER, "updates": count + 1, "by": by}


async def make_stream(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name=STREAM, subjects=[SUBJECTS])


async def write(js: JetStreamContext, ticker: str, state: dict[str, Any]) -> int:
    """A correct writer of the check's own: publish ``state`` as the ticker's next version."""
    subject = f"state.ticker.{ticker}"
    try:
        seq = (await js.get_last_msg(STREAM, subject)).seq
    except APIError:
        seq = 0
    ack = await js.publish(subject, json.dumps(state).encode(), headers={EXPECTED: str(seq)})
    return ack.seq


def write_from_another_client(url: str, ticker: str, state: dict[str, Any]) -> int:
    """``write``, made from a plain function on a connection of its own; returns its seq."""

    async def other_writer() -> int:
        nc = await connect(url)
        try:
            return await write(nc.jetstream(), ticker, state)
        finally:
            await nc.close()

    return run_sync(other_writer())


@dataclass
class Change:
    """The ``change`` handed to ``update_state``: records what it was given.

    ``interfere`` times, it first lets "the other writer" update the ticker, so the state
    the learner's code has just read is already stale when ``change`` returns.
    """

    url: str
    interfere: int = 0
    seen: list[dict[str, Any] | None] = field(default_factory=list)

    def __call__(self, state: dict[str, Any] | None) -> dict[str, Any]:
        self.seen.append(state)
        if len(self.seen) <= self.interfere:
            count = 0 if not isinstance(state, dict) else int(state.get("updates", 0))
            competing = {"ticker": TICKER, "updates": count + 1, "by": "the other writer"}
            write_from_another_client(self.url, TICKER, competing)
        return update(state, "update_state")


class Spy:
    """Every message published on ``state.ticker.>``, refused ones included, with headers."""

    def __init__(self) -> None:
        self.published: list[Msg] = []

    async def start(self, nc: Client) -> Spy:
        async def keep(msg: Msg) -> None:
            self.published.append(msg)

        await nc.subscribe("state.ticker.>", cb=keep)
        await wait_until_processed(nc)
        return self

    def headers(self) -> list[dict[str, str]]:
        return [dict(msg.headers or {}) for msg in self.published]

    def mine(self) -> list[Msg]:
        """The publishes made by the learner's code (the check's own say who wrote them)."""
        return [msg for msg in self.published if b'"update_state"' in msg.data]

    def describe_last(self) -> str:
        mine = self.mine()
        if not mine:
            return "update_state published nothing"
        sent = {k: v for k, v in (mine[-1].headers or {}).items() if k.startswith("Nats-")}
        return f"the last publish carried headers {sent or 'none'}"


async def stored_states(ctx: CheckContext) -> list[tuple[int, Any, dict[str, str]]]:
    """``(seq, parsed data, headers)`` of every AAPL message the stream holds, in order."""
    rows = []
    for raw in await ctx.stored_messages(STREAM):
        if raw.subject != SUBJECT:
            continue
        try:
            data = json.loads(raw.data or b"")
        except ValueError:
            data = raw.data
        rows.append((raw.seq, data, dict(raw.headers or {})))
    return rows


async def call_update(ctx: CheckContext, js: JetStreamContext, change: Change, **kwargs: Any):
    """``update_state(js, "AAPL", change)``, its result validated as ``(dict, int)``."""
    with ctx.hints({AttributeError: "Header values must be strings: str(seq), not seq."}):
        result = await ctx.call("update_state", js, TICKER, change, **kwargs)
    call = f'update_state(js, "{TICKER}", change)'
    ctx.expect_type(result, tuple, call=call)
    ctx.expect(
        len(result) == 2 and isinstance(result[0], dict) and isinstance(result[1], int),
        f"{call} returned {result!r}, expected (new_state, seq): a dict and an int",
        hint="Return the state you published and the ack's seq: `return new_state, ack.seq`.",
    )
    return result


def refused(error: LearnerError) -> bool:
    """True if the learner's code raised the server's "wrong last sequence" refusal."""
    cause = error.raised
    return isinstance(cause, APIError) and cause.err_code == WRONG_LAST_SEQUENCE


@criterion("read_state gives (None, 0) for a new ticker, then the latest state and its seq")
async def reads_the_latest(ctx: CheckContext) -> None:
    await make_stream(ctx)
    call = f'read_state(js, "{TICKER}")'
    empty = await ctx.call("read_state", ctx.js, TICKER)
    ctx.expect_equal(empty, (None, 0), call=f"{call} on an empty stream", hint=READ_HINT)
    await write(ctx.js, TICKER, {"ticker": TICKER, "updates": 1})
    await write(ctx.js, "MSFT", {"ticker": "MSFT", "updates": 1})
    await write(ctx.js, TICKER, {"ticker": TICKER, "updates": 2})
    got = await ctx.call("read_state", ctx.js, TICKER)
    ctx.expect_equal(
        got,
        ({"ticker": TICKER, "updates": 2}, 3),
        call=f"{call} after AAPL (seq 1), MSFT (seq 2), AAPL (seq 3)",
        hint="The state is the LAST message on the ticker's own subject, and the seq is that "
        "message's: `js.get_last_msg(STREAM, subject)`, not stream_info's last_seq.",
    )
    msft = await ctx.call("read_state", ctx.js, "MSFT")
    ctx.expect_equal(
        msft,
        ({"ticker": "MSFT", "updates": 1}, 2),
        call='read_state(js, "MSFT")',
        hint=READ_HINT,
    )


@criterion('the first write of a ticker is create-only: the header says "0"')
async def creates_with_zero(ctx: CheckContext) -> None:
    await make_stream(ctx)
    spy = await Spy().start(ctx.nc)
    change = Change(ctx.server.url)
    new_state, seq = await call_update(ctx, ctx.js, change)
    ctx.expect(
        change.seen == [None],
        f"change was called with {change.seen!r}, expected once, with None (no state yet)",
        hint=READ_HINT,
    )
    stored = await stored_states(ctx)
    ctx.expect(
        len(stored) == 1 and stored[0][1] == new_state and seq == stored[0][0],
        f"the stream holds {[data for _, data, _ in stored]!r} (seqs "
        f"{[s for s, _, _ in stored]}), and update_state returned ({new_state!r}, {seq}); "
        "expected the one state change returned, at the seq returned",
        hint="Publish json.dumps(new_state).encode() and return (new_state, ack.seq).",
    )
    headers = stored[0][2]
    if STREAM_WIDE in headers and EXPECTED not in headers:
        raise Fail(
            f"the first write carried {STREAM_WIDE}: {headers[STREAM_WIDE]!r}, the stream-wide "
            f"header; expected {EXPECTED}: '0'",
            hint=SUBJECT_WIDE_HINT,
        )
    ctx.expect(
        headers.get(EXPECTED) == "0",
        f"the first write of AAPL was stored with {EXPECTED}: {headers.get(EXPECTED)!r} "
        f"({spy.describe_last()}), expected '0': create-only, so that two writers creating the "
        "same ticker cannot both succeed",
        hint=HEADER_HINT,
    )


@criterion("a write that lost a race is refused (10071), re-read and retried: no update lost")
async def retries_on_the_fresh_state(ctx: CheckContext) -> None:
    await make_stream(ctx)
    await write(ctx.js, TICKER, {"ticker": TICKER, "updates": 1, "by": "the check"})
    learner = await ctx.connect()
    spy = await Spy().start(ctx.nc)
    change = Change(ctx.server.url, interfere=1)
    call = f'update_state(js, "{TICKER}", change)'
    try:
        with ctx.hints({AttributeError: "Header values must be strings: str(seq), not seq."}):
            result = await ctx.call("update_state", learner.jetstream(), TICKER, change, attempts=5)
    except LearnerError as error:
        if refused(error) and len(change.seen) == 1:
            raise Fail(
                f"{call} raised the server's refusal (10071, wrong last sequence) after "
                f"{len(spy.mine())} publishes, but change was called only once: the retries "
                "never read the state again, so each carried the same stale sequence",
                hint=RETRY_HINT,
            ) from None
        if refused(error):
            raise Fail(error.message, hint=RETRY_HINT, where=error.where) from None
        raise
    await wait_until_processed(ctx.nc)
    stored = await stored_states(ctx)
    counts = [data.get("updates") if isinstance(data, dict) else data for _, data, _ in stored]
    other = {"ticker": TICKER, "updates": 2, "by": "the other writer"}
    if len(stored) >= 3 and stored[-1][1] == update({"updates": 1}, "update_state"):
        raise Fail(
            "another writer stored updates=2 between your read and your publish, and your "
            "write (computed from updates=1) was stored after it anyway: the other writer's "
            f"update was lost (stored counts: {counts}; {spy.describe_last()})",
            hint=HEADER_HINT,
        )
    if len(change.seen) == 1 and stored and stored[-1][1] == other:
        raise Fail(
            f"{call} returned {result!r} but its write was never stored: the server refused "
            "it (10071, wrong last sequence) and the refusal was not retried; the stream's "
            f"last AAPL state is the other writer's ({spy.describe_last()})",
            hint=RETRY_HINT,
        )
    ctx.expect(
        len(change.seen) == 2 and change.seen[1] == other,
        f"change was called with {change.seen!r}; expected twice: with the state you read "
        "first, then with the other writer's state (updates=2) after the refusal",
        hint=RETRY_HINT,
    )
    want = update(other, "update_state")
    ctx.expect(
        counts == [1, 2, 3] and stored[-1][1] == want,
        f"the stream holds AAPL states with counts {counts}; expected [1, 2, 3], the last "
        f"one {want!r}",
        hint=RETRY_HINT,
    )
    ctx.expect_equal(result, (want, 3), call=call, hint="Return (new_state, ack.seq).")


@criterion("a write to AAPL is not refused because MSFT was written since")
async def other_tickers_do_not_conflict(ctx: CheckContext) -> None:
    await make_stream(ctx)
    await write(ctx.js, TICKER, {"ticker": TICKER, "updates": 1})
    await write(ctx.js, "MSFT", {"ticker": "MSFT", "updates": 1})
    spy = await Spy().start(ctx.nc)
    change = Change(ctx.server.url)
    call = f'update_state(js, "{TICKER}", change) after a write to MSFT'
    try:
        await call_update(ctx, ctx.js, change, attempts=3)
    except LearnerError as error:
        await wait_until_processed(ctx.nc)
        if refused(error) and any(STREAM_WIDE in h for h in spy.headers()):
            raise Fail(
                f"{call} was refused (10071) although nobody else wrote AAPL: "
                f"{spy.describe_last()}",
                hint=SUBJECT_WIDE_HINT,
            ) from None
        raise
    await wait_until_processed(ctx.nc)
    stored = await stored_states(ctx)
    headers = stored[-1][2] if stored else {}
    if STREAM_WIDE in headers:
        raise Fail(
            f"the write was stored with {STREAM_WIDE}: {headers[STREAM_WIDE]!r}, the stream-wide "
            "header: every update of any ticker would make it fail",
            hint=SUBJECT_WIDE_HINT,
        )
    ctx.expect(
        len(change.seen) == 1 and headers.get(EXPECTED) == "1",
        f"{call}: change was called {times(len(change.seen))} and the write carried "
        f"{EXPECTED}: {headers.get(EXPECTED)!r}; expected once and '1' (AAPL's last seq)",
        hint=HEADER_HINT if EXPECTED not in headers else SUBJECT_WIDE_HINT,
    )


@criterion(f"two writers at once, {WRITES_EACH} updates each: all {2 * WRITES_EACH} counted")
async def concurrent_writers_lose_nothing(ctx: CheckContext) -> None:
    await make_stream(ctx)
    writers = [(await ctx.connect()).jetstream() for _ in range(2)]

    async def writer(js: JetStreamContext, name: str) -> None:
        for _ in range(WRITES_EACH):
            # Every refusal means the other writer stored an update: WRITES_EACH + 1 attempts
            # are always enough.
            await ctx.call("update_state", js, TICKER, lambda s: update(s, name), attempts=25)

    try:
        await asyncio.gather(writer(writers[0], "writer 1"), writer(writers[1], "writer 2"))
    except LearnerError as error:
        if refused(error):
            raise Fail(
                f"with two writers at once, update_state raised the refusal: {error.message}",
                hint=RETRY_HINT,
                where=error.where,
            ) from None
        raise
    stored = await stored_states(ctx)
    counts = [data.get("updates") if isinstance(data, dict) else data for _, data, _ in stored]
    total = 2 * WRITES_EACH
    final = counts[-1] if counts else None
    if final != total:
        guarded = all(EXPECTED in headers for _, _, headers in stored)
        raise Fail(
            f"two writers each made {WRITES_EACH} updates, but AAPL's final state counts "
            f"{final}: {total - final if isinstance(final, int) else 'some'} updates were lost "
            f"({len(stored)} writes stored; counts in stream order begin {counts[:8]})",
            hint=RETRY_HINT if guarded else HEADER_HINT,
        )
    ctx.expect(
        counts == list(range(1, total + 1)),
        f"the stored AAPL states count {counts[:10]}...; expected 1, 2, ... {total}, each "
        "written on top of the one before",
        hint=HEADER_HINT,
    )


@criterion("gives up after `attempts` refusals and raises the server's error")
async def gives_up(ctx: CheckContext) -> None:
    await make_stream(ctx)
    await write(ctx.js, TICKER, {"ticker": TICKER, "updates": 1})
    change = Change(ctx.server.url, interfere=8)  # another writer wins every race, 8 times
    call = f'update_state(js, "{TICKER}", change, attempts=3) while another writer always wins'
    try:
        result = await ctx.call("update_state", ctx.js, TICKER, change, attempts=3)
    except LearnerError as error:
        ctx.expect(
            refused(error),
            f"{call} raised {error.message}, expected the last refusal (APIError, err_code 10071)",
            hint="Re-raise the last error once the attempts are used up (a bare `raise`).",
        )
        ctx.expect(
            len(change.seen) == 3,
            f"{call} called change {times(len(change.seen))} before raising, expected 3 times: "
            "once per attempt",
            hint="Make exactly `attempts` attempts: `for attempt in range(1, attempts + 1)`.",
        )
        return
    raise Fail(
        f"{call} returned {result!r}, having called change {times(len(change.seen))}; "
        "expected it to raise the refusal after 3 attempts",
        hint="Stop after `attempts` attempts and raise the last error: a bounded for loop.",
    )


MAX_STATE_BYTES = 256
"""The max_msg_size of the stream in the check that provokes another refusal than 10071."""


@criterion("another refusal (a state too big for the stream) is raised at once, not retried")
async def other_refusals_are_raised(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name=STREAM, subjects=[SUBJECTS], max_msg_size=MAX_STATE_BYTES)
    seen: list[Any] = []

    def too_big(state: dict[str, Any] | None) -> dict[str, Any]:
        seen.append(state)
        return {"ticker": TICKER, "notes": "x" * 4 * MAX_STATE_BYTES, "by": "update_state"}

    call = (
        f'update_state(js, "{TICKER}", change, attempts=5) with a state bigger than the '
        f"stream's max_msg_size ({MAX_STATE_BYTES} bytes)"
    )
    try:
        result = await ctx.call("update_state", ctx.js, TICKER, too_big, attempts=5)
    except LearnerError as error:
        cause = error.raised
        ctx.expect(
            isinstance(cause, APIError) and cause.err_code != WRONG_LAST_SEQUENCE,
            f"{call} raised {error.message}, expected the server's refusal of the too big "
            "state (an APIError)",
            hint="Re-raise any error other than 10071 as it is: a bare `raise`.",
        )
        ctx.expect(
            len(seen) == 1,
            f"{call} called change {times(len(seen))} before raising the server's refusal "
            f"(err_code {cause.err_code}, not {WRONG_LAST_SEQUENCE}): expected once. Only "
            "a wrong last sequence is worth another attempt; a state too big is refused "
            "every time",
            hint="Retry only when `error.err_code == WRONG_LAST_SEQUENCE`; raise any other "
            "APIError at once.",
        )
        return
    raise Fail(
        f"{call} returned {short(result)}, but the stream refused that state: expected the "
        "server's error to be raised",
        hint="Raise any APIError that is not 10071 at once: a bare `raise`.",
    )


CRITERIA = [
    reads_the_latest,
    creates_with_zero,
    retries_on_the_fresh_state,
    other_tickers_do_not_conflict,
    concurrent_writers_lose_nothing,
    gives_up,
    other_refusals_are_raised,
]
