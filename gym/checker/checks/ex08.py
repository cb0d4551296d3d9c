"""Checks for exercise 08: ``safe_publish`` retries a bounded number of times, never twice stored.

Failures are injected on the criterion's own real server, never mocked: an ack is lost by
freezing the server (``server.paused()``, SIGSTOP) while the first attempt waits; a stream
appears only after the first attempt found none; a message is too big for its stream; an
attempt waits on a subject a plain subscriber holds (no stream answers) while the caller
cancels it.

The learner's function gets a connection of its own, so the checker can count what it sent
(``stats["out_msgs"]``: one per publish attempt) and what came back (``stats["in_msgs"]``)
without asking the server, which cannot answer while it is frozen. The verdict on storing
rests on the stream's own messages, read back with their headers.

The check passes short timeouts and backoffs (tenths of a second): ``safe_publish`` takes
them as arguments, and they keep every claim — lost ack, backoff, giving up — real.
"""

from __future__ import annotations

import asyncio

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import Header, PubAck
from nats.js.errors import BadRequestError, NoStreamResponseError, NotFoundError

from gym import messages
from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import (
    expect_to_stop_mid_attempt,
    failed_after_attempts,
    learner_connection,
    messages_sent,
    outcome,
    while_running,
)
from gym.checker.explain import short
from gym.streams import ensure_course_streams

SUBJECT = "predictions.normal.AAPL"
MSG_ID = "AAPL-2025-12-17-normal"
PAYLOAD = messages.encode(
    messages.envelope("prediction", "AAPL", {"predicted_price": 155.5, "confidence": 0.87})
)

ID_HINT = (
    'Send headers={"Nats-Msg-Id": msg_id} with every attempt (the same id each time): '
    "the stream then drops a retry of a message it already stored."
)
RETRY_HINT = (
    "Catch nats.errors.TimeoutError and nats.js.errors.NoStreamResponseError, wait "
    "backoff * 2 ** (n - 1) seconds and try again, up to `attempts` attempts in all."
)
HINTS: dict[type[BaseException], str] = {
    NatsTimeoutError: RETRY_HINT,
    NoStreamResponseError: RETRY_HINT,
    TypeError: "js.publish takes (subject, payload, timeout=..., headers=...): nats-py has no "
    "msg_id= argument, the id goes in headers={'Nats-Msg-Id': msg_id}.",
}
"""Hints for what ``safe_publish`` may let out where a criterion does not expect it."""


async def stored(ctx: CheckContext) -> list[str | None]:
    """The Nats-Msg-Id of every message PREDICTIONS holds (None: sent without one)."""
    try:
        found = await ctx.stored_messages("PREDICTIONS")
    except NotFoundError:  # no stream at all: nothing stored
        return []
    return [(m.headers or {}).get(Header.MSG_ID) for m in found]


def copies(ids: list[str | None], call: str) -> Fail:
    """Why a retry was stored again, from the ids the copies carry."""
    said = f"after {call} the stream holds {len(ids)} copies of the prediction"
    if all(i is None for i in ids):
        return Fail(
            f"{said}: the attempts carried no Nats-Msg-Id header, so the stream could not tell "
            "the retry from a new message (the first attempt was stored; only its ack was lost)",
            hint=ID_HINT,
        )
    shown = ", ".join(repr(i) for i in ids)
    return Fail(
        f"{said}, with the Nats-Msg-Ids {shown}: a retry must carry the same id as the first "
        "attempt, or the stream takes it for a new message",
        hint=ID_HINT,
    )


@criterion("publishes once with the Nats-Msg-Id header; the same id again is a duplicate")
async def publishes_with_an_id(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    nc, js = await learner_connection(ctx)
    call = f"safe_publish(js, {SUBJECT!r}, payload, {MSG_ID!r})"
    with ctx.hints(HINTS):
        ack = await ctx.call("safe_publish", js, SUBJECT, PAYLOAD, MSG_ID)
    ctx.expect_type(ack, PubAck, call=call)
    ctx.expect_equal((ack.stream, ack.seq), ("PREDICTIONS", 1), call=f"{call} -> (stream, seq)")
    ctx.expect(
        messages_sent(nc) == 1,
        f"{call} published {messages_sent(nc)} times on a healthy server, expected once",
        hint="Return the PubAck of the first attempt that succeeds.",
    )
    ids = await stored(ctx)
    ctx.expect(
        len(ids) == 1,
        f"after {call} the stream holds {len(ids)} messages, expected the one published",
        hint="Publish with `await js.publish(subject, data, ...)` and return its PubAck.",
    )
    msg_id = ids[0]
    ctx.expect(
        msg_id == MSG_ID,
        "the stored message has no Nats-Msg-Id header"
        if msg_id is None
        else f"the stored message has Nats-Msg-Id {msg_id!r}, expected {MSG_ID!r}",
        hint=ID_HINT,
    )
    with ctx.hints(HINTS):
        again = await ctx.call("safe_publish", js, SUBJECT, PAYLOAD, MSG_ID)
    ctx.expect_type(again, PubAck, call=f"{call} a second time")
    count = len(await stored(ctx))
    ctx.expect(
        again.duplicate is True and again.seq == 1 and count == 1,
        f"the same id a second time gave seq={again.seq}, duplicate={again.duplicate} and "
        f"{count} stored message(s), expected seq=1, duplicate=True and still one message",
        hint=ID_HINT,
    )


@criterion("an ack lost while the server stalls: retried, and the prediction stored once")
async def lost_ack_is_not_a_duplicate(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    nc, js = await learner_connection(ctx)
    call = f"safe_publish(js, ..., {MSG_ID!r}, attempts=4, timeout=0.1, backoff=0.02)"
    with ctx.hints(HINTS):
        task = ctx.background(
            "safe_publish", js, SUBJECT, PAYLOAD, MSG_ID, attempts=4, timeout=0.1, backoff=0.02
        )
        # Frozen, the server reads nothing: the first attempt waits in the socket until it
        # times out. Thawed once the retry is on its way, the server stores the first
        # attempt (its ack goes to a caller who gave up) and then sees the retry.
        with ctx.server.paused():
            retried = await while_running(lambda: messages_sent(nc) >= 2, task, within=1.2)
        if not retried and not task.done():
            raise Fail(
                f"{call}: the first attempt was still waiting for its ack after 1.2 s",
                hint="Pass timeout=timeout to js.publish, so that an attempt gives up in time.",
            )
        ack, error = await outcome(task)
    if error is not None:
        raise failed_after_attempts(error, nc)
    ctx.expect_type(ack, PubAck, call=call)
    ids = await stored(ctx)
    if len(ids) != 1:
        raise copies(ids, call)
    ctx.expect(
        ack.seq == 1 and ack.duplicate is True,
        f"{call} returned seq={ack.seq}, duplicate={ack.duplicate}; expected the retry's ack "
        "(seq=1, duplicate=True)",
        hint="Return the PubAck of the attempt that succeeded.",
    )


@criterion("no stream at first: waits its backoff, retries, stored once the stream exists")
async def retries_until_the_stream_exists(ctx: CheckContext) -> None:
    nc, js = await learner_connection(ctx)
    backoff = 0.1
    call = f"safe_publish(js, ..., attempts=4, timeout=0.5, backoff={backoff})"
    loop = asyncio.get_running_loop()
    with ctx.hints(HINTS):
        task = ctx.background(
            "safe_publish", js, SUBJECT, PAYLOAD, MSG_ID, attempts=4, timeout=0.5, backoff=backoff
        )
        # in_msgs counts the "no responders" status that answers the first attempt.
        failed = await while_running(lambda: nc.stats["in_msgs"] >= 1, task, within=2.0)
        failed_at = loop.time()
        if failed:
            # Usually ready before the retry; if not, a later retry finds it: any number
            # of attempts up to `attempts` is right, as long as each waited its backoff.
            await ensure_course_streams(ctx.js, ["PREDICTIONS"])
            await while_running(lambda: messages_sent(nc) >= 2, task, within=2.0)
        gap = loop.time() - failed_at
        ack, error = await outcome(task)
    if messages_sent(nc) >= 2 and gap < backoff / 2:
        raise Fail(
            f"{call} retried {gap * 1000:.0f} ms after the first attempt failed, "
            f"expected to wait backoff ({backoff} s) first",
            hint="await asyncio.sleep(backoff * 2 ** (n - 1)) before retry number n.",
        )
    if error is not None:
        raise failed_after_attempts(error, nc)
    ctx.expect_type(ack, PubAck, call=call)
    count = len(await stored(ctx))
    ctx.expect(
        messages_sent(nc) >= 2 and ack.seq == 1 and count == 1,
        f"{call} made {messages_sent(nc)} attempt(s), returned seq={ack.seq} and left {count} "
        "message(s) stored; expected a retry after the first found no stream, and the "
        "prediction stored once, at seq 1",
        hint=RETRY_HINT,
    )


@criterion(
    "bounded: gives up after `attempts` attempts with the last error, and stops at once "
    "when cancelled"
)
async def gives_up_in_time(ctx: CheckContext) -> None:
    nc, js = await learner_connection(ctx)  # no stream at all: every attempt fails the same way
    call = "safe_publish(js, ..., attempts=4, timeout=0.3, backoff=0.01)"
    give_up_hint = "After the last attempt, re-raise the error (a bare `raise` in the except)."
    with ctx.hints(HINTS):
        task = ctx.background(
            "safe_publish", js, SUBJECT, PAYLOAD, MSG_ID, attempts=4, timeout=0.3, backoff=0.01
        )
        done = await while_running(lambda: task.done() or messages_sent(nc) > 4, task, within=1.0)
    if not done or messages_sent(nc) > 4:
        raise Fail(
            f"{call} was still trying after {messages_sent(nc)} attempts; it should stop after 4 "
            "(with these arguments, within a quarter of a second)",
            hint="Stop after `attempts` attempts — a bounded `for attempt in range(1, attempts "
            "+ 1)` loop, not `while True` — and wait backoff * 2 ** (n - 1), not a fixed second.",
        )
    result, error = await outcome(task)
    if error is not None and messages_sent(nc) == 0:
        raise failed_after_attempts(error, nc)
    ctx.expect(
        messages_sent(nc) == 4,
        f"{call} published {messages_sent(nc)} times with no stream to answer, expected 4",
        hint="Make exactly `attempts` attempts: the first plus attempts - 1 retries.",
    )
    if error is None and result is None:
        raise Fail(
            f"{call} returned None after all 4 attempts failed: the loop ran out without "
            "re-raising the last attempt's error",
            hint=give_up_hint + " If that `raise` sits under a condition such as "
            "`if attempt == attempts:`, make sure the last attempt meets it: "
            "`range(attempts)` counts 0 to attempts - 1.",
        )
    if error is None:
        raise Fail(
            f"{call} returned {short(result)} when every attempt failed, expected it to raise",
            hint=give_up_hint,
        )
    ctx.expect(
        isinstance(error.raised, NoStreamResponseError),
        f"{error.message}; expected the last attempt's NoStreamResponseError",
        hint=give_up_hint,
    )
    with ctx.hints(HINTS):
        await expect_to_stop_mid_attempt(
            ctx,
            "safe_publish",
            SUBJECT,
            PAYLOAD,
            MSG_ID,
            attempts=2,
            timeout=2.0,
            backoff=0.05,
            call="safe_publish(js, ..., attempts=2, timeout=2.0, backoff=0.05)",
            hint=RETRY_HINT,
        )


@criterion("does not retry an error a retry cannot fix (message too large)")
async def no_retry_for_bad_requests(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name="PREDICTIONS", subjects=["predictions.normal.*"], max_msg_size=64)
    nc, js = await learner_connection(ctx)
    call = "safe_publish(js, ..., a message over the stream's max_msg_size)"
    with ctx.hints(HINTS):
        task = ctx.background(
            "safe_publish", js, SUBJECT, PAYLOAD, MSG_ID, attempts=3, timeout=0.5, backoff=0.05
        )
        result, error = await outcome(task)
    if error is not None and messages_sent(nc) == 0:
        raise failed_after_attempts(error, nc)
    if error is None:
        raise Fail(
            f"{call} returned {short(result)}, expected the BadRequestError to reach the caller",
            hint="Catch only the errors worth retrying; let every other one propagate.",
        )
    ctx.expect(
        messages_sent(nc) == 1,
        f"{call} published {messages_sent(nc)} times, though the server refuses this message every "
        "time (BadRequestError: message size exceeds maximum allowed)",
        hint="Retry only nats.errors.TimeoutError and NoStreamResponseError, not `Exception`.",
    )
    ctx.expect(
        isinstance(error.raised, BadRequestError),
        f"{error.message}; expected the server's BadRequestError (10054), unchanged",
        hint="Let errors you do not retry propagate unchanged.",
    )


CRITERIA = [
    publishes_with_an_id,
    lost_ack_is_not_a_duplicate,
    retries_until_the_stream_exists,
    gives_up_in_time,
    no_retry_for_bad_requests,
]
