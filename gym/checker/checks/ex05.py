"""Checks for ex05: a pull worker that drains a durable consumer's backlog and stops cleanly.

Each criterion loads a backlog into PREDICTIONS on a fresh server, creates the durable
pull consumer the worker must use, runs the learner's ``drain_backlog`` and then asks the
server: consumer info says whether every message was delivered and acknowledged, a fetch
of the check's own says whether a message whose ``handle`` failed comes back, and the
monitoring endpoint says whether the worker's subscription is gone. ``handle`` is the
check's own coroutine, so it sees exactly what the worker passed on.

Speed: a correct worker ends with one empty fetch, which waits its ``wait`` seconds. The
check passes ``wait=0.1`` (the exercise's default is 0.5 s, a sensible value for a real
worker): the backlog is in the stream before the call, and the server answers a pull on a
non-empty stream in a few milliseconds (at most 27 ms in 3,000 fetches measured on a loaded
2-core machine), so a tenth of a second cannot end a correct worker early. On an empty
stream it passes ``wait=0.05`` and expects the call back within 0.4 s: a worker that ignores
``wait`` (``fetch``'s own default is 5 s, the exercise's constant 0.5 s) is caught there.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo
from nats.js.errors import NotFoundError

from gym.checker import CheckContext, Fail, criterion, eventually
from gym.checker.context import letting_through, subscriptions_of
from gym.checker.explain import short
from gym.delivery import wait_until_processed
from gym.streams import ensure_course_streams

STREAM = "PREDICTIONS"
DURABLE = "explainer"
BACKLOG = 25
"""More than two default batches: one fetch cannot drain it."""
TICKERS = ("AAPL", "GOOGL", "MSFT")
WAIT = 0.1
"""The ``wait`` the check passes when a backlog is waiting (see the module docstring)."""
EMPTY_WAIT = 0.05
"""The ``wait`` the check passes on an empty stream, where nothing can arrive anyway."""
EMPTY_WITHIN = 0.4
"""Seconds an empty-stream call may take: ``EMPTY_WAIT`` plus room for a loaded machine."""
DRAIN_LIMIT = 2.0
"""Seconds the check waits for ``drain_backlog`` to return before it says it never stops."""
ACK_WAIT = 0.05
"""The durable's ack_wait where a message must be redelivered: the check waits that long."""
FAILING_SEQ = 2
"""The stream sequence whose ``handle`` raises in the failure criteria."""
SETTLE_WITHIN = 1.0
"""Seconds the check gives plain ``msg.ack()`` calls (fire-and-forget) to reach the consumer."""

CALL = f'drain_backlog(js, "{STREAM}", "{DURABLE}", handle, wait={WAIT})'
ACK_HINT = (
    "Acknowledge each message after handling it: `await handle(msg)` then `await msg.ack()` "
    "(or `await msg.ack_sync()`, which also waits for the server to confirm)."
)
DRAIN_HINT = (
    "Keep fetching until a fetch comes back empty: one `fetch(batch)` returns at most `batch` "
    "messages, and the backlog is bigger than that."
)
TIMEOUT_HINT = (
    "An empty fetch raises nats.errors.TimeoutError, now and then asyncio's own TimeoutError "
    "(and sometimes returns []): wrap `fetch` in `try: ... except TimeoutError:` "
    "(on Python 3.11+ it catches both), stop the loop on an empty batch, then return the count."
)
BIND_HINT = (
    "no stream captures that subject, or the durable does not exist: bind with "
    "`pull_subscribe_bind` — `psub = await js.pull_subscribe_bind(durable, stream=stream)` "
    "uses the consumer that is already there."
)
WAIT_HINT = (
    "Pass `wait` on to every fetch: `await psub.fetch(batch, timeout=wait)` (fetch's own "
    "default timeout is 5 s), and leave the loop at the first empty fetch."
)
UNSUBSCRIBE_HINT = (
    "Call `await psub.unsubscribe()` in a `finally:` block around the loop, so it happens "
    "however the loop ends: drained, or handle raised."
)


class HandleFailed(Exception):
    """Raised by the check's ``handle`` on purpose: the worker must let it through."""


class HandleMisused(Exception):
    """The worker called ``handle`` with something other than a fetched message."""


class Recorder:
    """The ``handle`` given to the learner: remembers each message's stream sequence.

    With ``fail_on``, it raises ``HandleFailed`` the first time it is given that stream
    sequence, as a real handler does when its work fails.
    """

    def __init__(self, fail_on: int | None = None) -> None:
        self.seen: list[int] = []
        self.fail_on = fail_on

    async def __call__(self, *args: Any, **kwargs: Any) -> None:
        given = [*args, *kwargs.values()]
        if len(given) != 1 or not isinstance(given[0], Msg):
            shown = ", ".join(short(a, limit=60) for a in given)
            raise HandleMisused(
                f"handle was called as handle({shown}); it takes one argument, the message "
                "fetch returned"
            )
        msg = given[0]
        try:
            seq = msg.metadata.sequence.stream
        except Exception:  # noqa: BLE001 - a message that did not come from a consumer
            raise HandleMisused(
                f"handle was given {short(msg)}, which did not come from the durable consumer"
            ) from None
        failing = seq == self.fail_on and seq not in self.seen
        self.seen.append(seq)
        if failing:
            raise HandleFailed(f"the check's handle failed on purpose on stream seq {seq}")


async def load_backlog(ctx: CheckContext, count: int = BACKLOG, **consumer: Any) -> None:
    """PREDICTIONS with ``count`` predictions and the durable pull consumer, untouched."""
    await ensure_course_streams(ctx.js, [STREAM])
    acks = [  # one connection, in order: the stream numbers them 1..count
        await ctx.js.publish_async(
            f"predictions.normal.{TICKERS[n % len(TICKERS)]}", f'{{"n": {n}}}'.encode()
        )
        for n in range(count)
    ]
    await asyncio.gather(*acks)
    await ctx.js.add_consumer(
        STREAM, ConsumerConfig(durable_name=DURABLE, ack_policy=AckPolicy.EXPLICIT, **consumer)
    )


async def drain(ctx: CheckContext, handle: Recorder, *, wait: float = WAIT) -> Any:
    """Call the learner's worker, with hints for the errors workers meet, and a deadline."""
    hints = {
        TimeoutError: TIMEOUT_HINT,
        NotFoundError: BIND_HINT,
        HandleMisused: "Call `await handle(msg)` once for each message a fetch returned.",
    }
    with ctx.hints(hints):
        task = ctx.background("drain_backlog", ctx.js, STREAM, DURABLE, handle, wait=wait)
        await asyncio.wait([task], timeout=DRAIN_LIMIT)
        if task.done():
            return await task
    # Still running: say why from what handle saw and what the server holds. (The task is
    # cancelled when the criterion ends; one that will not stop costs only a fresh worker.)
    again = Counter(handle.seen).most_common(1)
    if again and again[0][1] > 2:
        seq, times = again[0]
        raise Fail(
            f"drain_backlog had not returned {DRAIN_LIMIT:g} s after it was called, and handle "
            f"was given stream sequence {seq} {times} times: the messages are not "
            "acknowledged (a nak, or no ack), so the server delivers them again at once and "
            "the fetches never come back empty",
            hint=ACK_HINT,
        )
    try:
        info = await ctx.js.consumer_info(STREAM, DURABLE)
    except NotFoundError:
        raise Fail(
            f"drain_backlog had not returned {DRAIN_LIMIT:g} s after it was called, "
            f"and the durable {DURABLE!r} is gone",
            hint=WAIT_HINT,
        ) from None
    raise Fail(
        f"drain_backlog(..., wait={wait}) had not returned {DRAIN_LIMIT:g} s after "
        "it was called"
        + (
            ", although every message had been delivered to it"
            if info.num_pending == 0
            else f" ({info.num_pending} messages still undelivered)"
        )
        + ": a fetch that waits longer than `wait`, or a loop that does not stop at "
        "an empty fetch",
        hint=WAIT_HINT,
    )


async def settled_state(ctx: CheckContext) -> ConsumerInfo:
    """The durable's info once acks in flight have landed (or ``SETTLE_WITHIN`` passed)."""
    await wait_until_processed(ctx.nc)  # every ack the worker sent reached the server
    return await eventually(
        lambda: ctx.js.consumer_info(STREAM, DURABLE),
        within=SETTLE_WITHIN,
        until=lambda info: info.num_ack_pending == 0,
    )


async def redelivered(ctx: CheckContext, seq: int, *, within: float) -> bool:
    """Whether the durable gives stream sequence ``seq`` out again within ``within`` seconds.

    The check's own pull subscription fetches one message at a time (a fetch of one
    returns as soon as it arrives) and acknowledges nothing, so the learner's verdict on
    each message is what decides.
    """
    psub = await ctx.js.pull_subscribe_bind(DURABLE, stream=STREAM)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    try:
        while (left := deadline - loop.time()) > 0:
            try:
                [msg] = await psub.fetch(1, timeout=left)
            except (TimeoutError, ValueError):  # nothing in time (or [] back)
                continue
            if msg.metadata.sequence.stream == seq:
                return True
        return False
    finally:
        await psub.unsubscribe()


@criterion(
    f"drain_backlog handles and acknowledges each of {BACKLOG} messages once "
    f"(several batches) and returns {BACKLOG}"
)
async def drains_the_backlog(ctx: CheckContext) -> None:
    await load_backlog(ctx)
    handle = Recorder()
    count = await drain(ctx, handle)
    consumers = sorted(info.name for info in await ctx.js.consumers_info(STREAM))
    ctx.expect(
        consumers == [DURABLE],
        f"after {CALL} the stream has consumers {consumers}, expected only {[DURABLE]!r}",
        hint=f"Bind to the existing durable: `js.pull_subscribe_bind({DURABLE!r}, stream=...)` "
        "(pass the durable name you were given; do not create a consumer of your own).",
    )
    seen = handle.seen
    if not seen:
        raise Fail(
            f"{CALL} never called handle (or never awaited it)",
            hint="handle is a coroutine function: call it as `await handle(msg)` for each message.",
        )
    repeated = sorted({seq for seq in seen if seen.count(seq) > 1})
    ctx.expect(
        not repeated,
        f"handle saw {len(repeated)} messages more than once (stream sequences "
        f"{', '.join(map(str, repeated[:5]))}{', ...' if len(repeated) > 5 else ''})",
        hint="Call handle once per fetched message (and acknowledge it, so it is not redelivered).",
    )
    missing = sorted(set(range(1, BACKLOG + 1)) - set(seen))
    if missing:
        raise Fail(
            f"handle never saw {len(missing)} of the {BACKLOG} messages "
            f"(stream sequences {missing[0]}..{missing[-1]}): the worker stopped early",
            hint=DRAIN_HINT,
        )
    info = await settled_state(ctx)
    unacked = info.num_ack_pending
    if unacked == BACKLOG and info.ack_floor.stream_seq == 0:
        raise Fail(
            f"after {CALL} all {BACKLOG} messages were handled but none was acknowledged "
            f"(num_ack_pending={unacked}, ack_floor=0): the server will redeliver every one "
            "of them once ack_wait runs out",
            hint=ACK_HINT + " An ack that is not awaited (`msg.ack()` alone) is never sent.",
        )
    ctx.expect(
        unacked == 0,
        f"after {CALL}, {unacked} handled messages still wait for an ack "
        f"(num_ack_pending={unacked}, ack floor at seq {info.ack_floor.stream_seq})",
        hint=ACK_HINT,
    )
    ctx.expect_type(count, int, call=CALL)
    ctx.expect_equal(
        count,
        BACKLOG,
        call=f"{CALL} with a backlog of {BACKLOG}",
        hint="Count each message once, after handling and acknowledging it.",
    )


@criterion(
    "a handle that raises: the error reaches the caller, and its message is not acknowledged "
    "(the server redelivers it)"
)
async def failed_message_comes_back(ctx: CheckContext) -> None:
    await load_backlog(ctx, count=3, ack_wait=ACK_WAIT)
    call = f"{CALL} with a handle that raises on stream seq {FAILING_SEQ}"
    returned, error = await letting_through(HandleFailed, drain(ctx, Recorder(FAILING_SEQ)))
    problems, hints = [], []
    if error is None:
        problems.append(
            f"{call} returned {short(returned)}: the error never reached the caller, who "
            "cannot tell that a message failed"
        )
        hints.append(
            "Let the exception leave drain_backlog: no `except Exception` around handle "
            "(a `finally:` can still unsubscribe on the way out)."
        )
    if not await redelivered(ctx, FAILING_SEQ, within=ACK_WAIT + 1.0):
        floor = (await ctx.js.consumer_info(STREAM, DURABLE)).ack_floor.stream_seq
        problems.append(
            f"the message handle failed on (stream seq {FAILING_SEQ}) was never redelivered: "
            + (
                f"it was acknowledged (ack floor at seq {floor}) although handle failed, "
                "so it is lost"
                if floor >= FAILING_SEQ
                else "it was terminated (term), or nak'd with a long delay"
            )
        )
        hints.append(
            "Acknowledge only after `await handle(msg)` returned: an ack sent before handle "
            "(or in a `finally:`) tells the server the work is done even when it failed."
        )
    if problems:
        raise Fail("; and ".join(problems), hint=" ".join(hints))


@criterion(f"on an empty stream drain_backlog returns 0 within its wait ({EMPTY_WAIT} s)")
async def empty_stream(ctx: CheckContext) -> None:
    await load_backlog(ctx, count=0)
    handle = Recorder()
    loop = asyncio.get_running_loop()
    started = loop.time()
    count = await drain(ctx, handle, wait=EMPTY_WAIT)
    took = loop.time() - started
    call = f'drain_backlog(js, "{STREAM}", "{DURABLE}", handle, wait={EMPTY_WAIT})'
    ctx.expect_equal(
        count,
        0,
        call=f"{call} on an empty stream",
        hint="Start the count at 0 and return it once the first fetch comes back empty.",
    )
    ctx.expect(not handle.seen, "handle was called although the stream is empty")
    ctx.expect(
        took <= EMPTY_WITHIN,
        f"{call} on an empty stream took {took:.2f} s: its empty fetch should give up after "
        f"`wait` = {EMPTY_WAIT} s",
        hint=WAIT_HINT,
    )


@criterion("drain_backlog leaves no subscription behind: when handle raises, and after returning")
async def leaves_no_subscription(ctx: CheckContext) -> None:
    # The failing call first, while its message is in the stream; then, with that message
    # delivered and unacknowledged, the stream has nothing to give: a plain empty drain.
    await load_backlog(ctx, count=1)
    before = len(await subscriptions_of(ctx))
    await letting_through(HandleFailed, drain(ctx, Recorder(fail_on=1), wait=EMPTY_WAIT))
    left_on_error = len(await subscriptions_of(ctx)) - before
    await drain(ctx, Recorder(), wait=EMPTY_WAIT)
    left_on_return = len(await subscriptions_of(ctx)) - before - left_on_error
    ctx.expect(
        left_on_return <= 0,
        "after drain_backlog returned, the server still holds its pull subscription for "
        f"this connection ({left_on_return} more than before the call): its inbox stays open, "
        "and every call adds one more",
        hint=UNSUBSCRIBE_HINT,
    )
    ctx.expect(
        left_on_error <= 0,
        "when handle raised, drain_backlog let the error through (good) but left its pull "
        f"subscription open ({left_on_error} more than before the call)",
        hint=UNSUBSCRIBE_HINT,
    )


CRITERIA = [
    drains_the_backlog,
    failed_message_comes_back,
    empty_stream,
    leaves_no_subscription,
]
