"""Checks for exercise 08: ``safe_publish`` retries a bounded number of times, never twice stored.

Failures are injected on the criterion's own real server, never mocked: an ack is lost by
freezing the server (``server.paused()``, SIGSTOP) while the first attempt waits; a stream
appears only after the first attempt found none; a message is too big for its stream.

The learner's function gets a connection of its own, so the checker can count what it sent
(``stats["out_msgs"]``: one per publish attempt) and what came back (``stats["in_msgs"]``)
without asking the server, which cannot answer while it is frozen. The verdict on storing
rests on the stream's own message count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import Header, PubAck
from nats.js.errors import BadRequestError, NoStreamResponseError

from gym import messages
from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import LearnerError
from gym.streams import ensure_course_streams

SUBJECT = "predictions.normal.AAPL"
MSG_ID = "AAPL-2025-12-17-normal"
PAYLOAD = messages.encode(
    messages.envelope("prediction", "AAPL", {"predicted_price": 155.5, "confidence": 0.87})
)
POLL = 0.002
"""Seconds between looks at the learner's connection counters."""

ID_HINT = (
    'Send headers={"Nats-Msg-Id": msg_id} with every attempt (the same id each time): '
    "the stream then drops a retry of a message it already stored."
)
RETRY_HINT = (
    "Catch nats.errors.TimeoutError and nats.js.errors.NoStreamResponseError, wait "
    "backoff * 2 ** (n - 1) seconds and try again, up to `attempts` attempts in all."
)


def sent(nc: Client) -> int:
    """Publish attempts so far: each ``js.publish`` sends exactly one message."""
    return nc.stats["out_msgs"]


async def learner_js(ctx: CheckContext) -> tuple[Client, Any]:
    """A connection used only by the learner's function, so its counters are the learner's."""
    nc = await ctx.connect()
    return nc, nc.jetstream()


def start(ctx: CheckContext, *args: Any, **kwargs: Any) -> asyncio.Task[Any]:
    """Run ``safe_publish`` in the background, so the check can act between its attempts."""
    return asyncio.ensure_future(ctx.call("safe_publish", *args, **kwargs))


async def until(condition: Callable[[], bool], task: asyncio.Future[Any], limit: float) -> bool:
    """Poll ``condition`` until it holds (True), or the task ends or ``limit`` s pass (False)."""
    deadline = asyncio.get_running_loop().time() + limit
    while not condition():
        if task.done() or asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(POLL)
    return True


async def outcome(task: asyncio.Future[Any]) -> tuple[Any, BaseException | None]:
    """``(result, None)``, or ``(None, error)`` when the learner's function raised.

    "Not started yet" and the check's own failures pass through untouched.
    """
    try:
        return await task, None
    except LearnerError as error:
        return None, error.__cause__ or error


def caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    """True if ``error`` is a ``kind`` or was raised ``from`` one."""
    while error is not None:
        if isinstance(error, kind):
            return True
        error = error.__cause__
    return False


def describe(error: BaseException) -> str:
    """``TypeName: message``, the way a traceback's last line names an error."""
    return f"{type(error).__name__}: {error}"


async def stored(ctx: CheckContext, stream: str = "PREDICTIONS") -> int:
    """How many messages the stream holds: the server's word on duplicates."""
    return (await ctx.js.stream_info(stream)).state.messages


@criterion("publishes once with the Nats-Msg-Id header; the same id again is a duplicate")
async def publishes_with_an_id(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    nc, js = await learner_js(ctx)
    call = f"safe_publish(js, {SUBJECT!r}, payload, {MSG_ID!r})"
    ack = await ctx.call("safe_publish", js, SUBJECT, PAYLOAD, MSG_ID)
    ctx.expect_type(ack, PubAck, call=call)
    ctx.expect_equal((ack.stream, ack.seq), ("PREDICTIONS", 1), call=f"{call} -> (stream, seq)")
    ctx.expect(
        sent(nc) == 1,
        f"{call} published {sent(nc)} times on a healthy server, expected once",
        hint="Return the PubAck of the first attempt that succeeds.",
    )
    headers = (await ctx.js.get_msg("PREDICTIONS", 1)).headers or {}
    ctx.expect(
        headers.get(Header.MSG_ID) == MSG_ID,
        f"the stored message has Nats-Msg-Id {headers.get(Header.MSG_ID)!r}, expected {MSG_ID!r}",
        hint=ID_HINT,
    )
    again = await ctx.call("safe_publish", js, SUBJECT, PAYLOAD, MSG_ID)
    ctx.expect_type(again, PubAck, call=f"{call} a second time")
    ctx.expect(
        again.duplicate is True and again.seq == 1 and await stored(ctx) == 1,
        f"the same id a second time gave seq={again.seq}, duplicate={again.duplicate}, "
        f"expected seq=1, duplicate=True and still one message",
        hint=ID_HINT,
    )


@criterion("an ack lost while the server stalls: retried, and the prediction stored once")
async def lost_ack_is_not_a_duplicate(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    nc, js = await learner_js(ctx)
    call = f"safe_publish(js, ..., {MSG_ID!r}, attempts=3, timeout=0.3, backoff=0.05)"
    task = start(ctx, js, SUBJECT, PAYLOAD, MSG_ID, attempts=3, timeout=0.3, backoff=0.05)
    try:
        # Frozen, the server reads nothing: the first attempt waits in the socket until it
        # times out. Thawed once the retry is on its way, the server stores the first
        # attempt (its ack goes to a caller who gave up) and then sees the retry.
        with ctx.server.paused():
            retried = await until(lambda: sent(nc) >= 2, task, limit=2.0)
        if not retried and not task.done():
            raise Fail(
                f"{call}: the first attempt was still waiting for its ack after 2 s",
                hint="Pass timeout=timeout to js.publish, so that an attempt gives up in time.",
            )
        ack, error = await outcome(task)
    finally:
        task.cancel()
    if error is not None:
        hint = RETRY_HINT if caused_by(error, NatsTimeoutError) else None
        raise Fail(f"{call} raised {describe(error)} after {sent(nc)} attempt(s)", hint=hint)
    ctx.expect_type(ack, PubAck, call=call)
    count = await stored(ctx)
    ctx.expect(
        count == 1,
        f"after {call} the stream holds {count} copies of the prediction, expected 1: "
        "the first attempt was stored even though its ack never arrived",
        hint=ID_HINT,
    )
    ctx.expect(
        ack.seq == 1 and ack.duplicate is True,
        f"{call} returned seq={ack.seq}, duplicate={ack.duplicate}; expected the retry's ack "
        "(seq=1, duplicate=True)",
        hint="Return the PubAck of the attempt that succeeded.",
    )


@criterion("no stream at first: waits its backoff, retries, stored once the stream exists")
async def retries_until_the_stream_exists(ctx: CheckContext) -> None:
    nc, js = await learner_js(ctx)
    backoff = 0.5  # time enough to create the stream before the retry, even under load
    call = f"safe_publish(js, ..., attempts=3, timeout=0.5, backoff={backoff})"
    task = start(ctx, js, SUBJECT, PAYLOAD, MSG_ID, attempts=3, timeout=0.5, backoff=backoff)
    loop = asyncio.get_running_loop()
    try:
        # in_msgs counts the "no responders" status that answers the first attempt.
        failed = await until(lambda: nc.stats["in_msgs"] >= 1, task, limit=2.0)
        failed_at = loop.time()
        if failed:
            await ensure_course_streams(ctx.js, ["PREDICTIONS"])
            await until(lambda: sent(nc) >= 2, task, limit=2.0)
        gap = loop.time() - failed_at
        ack, error = await outcome(task)
    finally:
        task.cancel()
    if sent(nc) >= 2 and gap < backoff / 2:
        raise Fail(
            f"{call} retried {gap * 1000:.0f} ms after the first attempt failed, "
            f"expected to wait backoff ({backoff} s) first",
            hint="await asyncio.sleep(backoff * 2 ** (n - 1)) before retry number n.",
        )
    if error is not None:
        hint = RETRY_HINT if caused_by(error, NoStreamResponseError) else None
        raise Fail(f"{call} raised {describe(error)} after {sent(nc)} attempt(s)", hint=hint)
    ctx.expect_type(ack, PubAck, call=call)
    ctx.expect(
        sent(nc) == 2 and ack.seq == 1 and await stored(ctx) == 1,
        f"{call} made {sent(nc)} attempts and returned seq={ack.seq}; expected 2 attempts "
        "(the first found no stream) and the prediction stored once, at seq 1",
        hint=RETRY_HINT,
    )


@criterion("gives up after `attempts` attempts and raises the last error")
async def gives_up_in_time(ctx: CheckContext) -> None:
    nc, js = await learner_js(ctx)  # no stream at all: every attempt fails the same way
    call = "safe_publish(js, ..., attempts=4, timeout=0.3, backoff=0.02)"
    task = start(ctx, js, SUBJECT, PAYLOAD, MSG_ID, attempts=4, timeout=0.3, backoff=0.02)
    try:
        done = await until(task.done, task, limit=2.0)
        if not done:
            raise Fail(
                f"{call} was still trying after 2 s and {sent(nc)} attempts; with these "
                "arguments four attempts take well under a second",
                hint="Wait backoff * 2 ** (n - 1) seconds (not a fixed second) and stop after "
                "`attempts` attempts: a bounded for loop, not while True.",
            )
        result, error = await outcome(task)
    finally:
        task.cancel()
    ctx.expect(
        sent(nc) == 4,
        f"{call} published {sent(nc)} times with no stream to answer, expected 4",
        hint="Make exactly `attempts` attempts: the first plus attempts - 1 retries.",
    )
    if error is None:
        raise Fail(
            f"{call} returned {result!r} when every attempt failed, expected it to raise",
            hint="After the last attempt, re-raise the error (a bare `raise` in the except).",
        )
    ctx.expect(
        caused_by(error, NoStreamResponseError),
        f"{call} raised {describe(error)}, expected the last attempt's NoStreamResponseError",
        hint="After the last attempt, re-raise the error (a bare `raise` in the except).",
    )


@criterion("does not retry an error a retry cannot fix (message too large)")
async def no_retry_for_bad_requests(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name="PREDICTIONS", subjects=["predictions.normal.*"], max_msg_size=64)
    nc, js = await learner_js(ctx)
    call = "safe_publish(js, ..., a message over the stream's max_msg_size)"
    task = start(ctx, js, SUBJECT, PAYLOAD, MSG_ID, attempts=3, timeout=0.5, backoff=0.05)
    try:
        result, error = await outcome(task)
    finally:
        task.cancel()
    if error is None:
        raise Fail(
            f"{call} returned {result!r}, expected the BadRequestError to reach the caller",
            hint="Catch only the errors worth retrying; let every other one propagate.",
        )
    ctx.expect(
        caused_by(error, BadRequestError),
        f"{call} raised {describe(error)}, expected the server's BadRequestError (10054)",
        hint="Let errors you do not retry propagate unchanged.",
    )
    ctx.expect(
        sent(nc) == 1,
        f"{call} published {sent(nc)} times; the server refuses this message every time",
        hint="Retry only nats.errors.TimeoutError and NoStreamResponseError, not `Exception`.",
    )


CRITERIA = [
    publishes_with_an_id,
    lost_ack_is_not_a_duplicate,
    retries_until_the_stream_exists,
    gives_up_in_time,
    no_retry_for_bad_requests,
]
