"""Checks for ex05: a pull worker that drains a durable consumer's backlog and stops cleanly.

Each criterion loads a backlog into PREDICTIONS on a fresh server, creates the durable
pull consumer the worker must use, runs the learner's ``drain_backlog`` and then asks the
server: consumer info says whether every message was delivered and acknowledged, the
monitoring endpoint says whether the worker's subscription is gone. ``handle`` is the
check's own coroutine, so it sees exactly what the worker passed on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo

from gym import monitor
from gym.checker import CheckContext, Fail, criterion
from gym.delivery import wait_until_processed
from gym.streams import ensure_course_streams

STREAM = "PREDICTIONS"
DURABLE = "explainer"
BACKLOG = 25
"""More than two default batches: one fetch cannot drain it."""
TICKERS = ("AAPL", "GOOGL", "MSFT")
SETTLE_WITHIN = 1.0
"""Seconds the check gives plain ``msg.ack()`` calls (fire-and-forget) to reach the consumer."""

CALL = f'drain_backlog(js, "{STREAM}", "{DURABLE}", handle)'
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
    "(and sometimes returns []): wrap `fetch` in `try: ... except asyncio.TimeoutError:` "
    "(it catches both), stop the loop on an empty batch, then return the count."
)


class Recorder:
    """The ``handle`` given to the learner: remembers each message's stream sequence."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    async def __call__(self, msg: Msg) -> None:
        self.seen.append(msg.metadata.sequence.stream)


async def load_backlog(ctx: CheckContext, count: int = BACKLOG) -> None:
    """PREDICTIONS with ``count`` predictions and the durable pull consumer, untouched."""
    await ensure_course_streams(ctx.js, [STREAM])
    for n in range(count):
        ticker = TICKERS[n % len(TICKERS)]
        await ctx.js.publish(f"predictions.normal.{ticker}", f'{{"n": {n}}}'.encode())
    await ctx.js.add_consumer(
        STREAM, ConsumerConfig(durable_name=DURABLE, ack_policy=AckPolicy.EXPLICIT)
    )


async def drain(ctx: CheckContext, handle: Recorder) -> Any:
    """Call the learner's worker; an escaped empty-fetch timeout gets its own hint."""
    with ctx.hints({TimeoutError: TIMEOUT_HINT}):
        return await ctx.call("drain_backlog", ctx.js, STREAM, DURABLE, handle)


async def settled_state(ctx: CheckContext) -> ConsumerInfo:
    """The durable's info once acks in flight have landed (or ``SETTLE_WITHIN`` passed)."""
    deadline = time.monotonic() + SETTLE_WITHIN
    while True:
        # every ack the worker sent on this connection reached the server
        await wait_until_processed(ctx.nc)
        info = await ctx.js.consumer_info(STREAM, DURABLE)
        if info.num_ack_pending == 0 or time.monotonic() > deadline:
            return info
        await asyncio.sleep(0.02)  # the consumer applies acks asynchronously, just after


async def subscription_count(ctx: CheckContext) -> int:
    """How many subscriptions the server holds for the check's (and worker's) connection."""
    # an UNSUB still in nats-py's write buffer has reached the server
    await wait_until_processed(ctx.nc)
    connz = await monitor.connz(ctx.server.monitor_url, cid=ctx.nc.client_id, subs=1)
    return len(connz["connections"][0].get("subscriptions_list") or [])


@criterion(f"drain_backlog returns how many messages it processed ({BACKLOG}, several batches)")
async def returns_the_count(ctx: CheckContext) -> None:
    await load_backlog(ctx)
    count = await drain(ctx, Recorder())
    ctx.expect_type(count, int, call=CALL)
    if count < BACKLOG:
        hint = DRAIN_HINT
    else:
        hint = "Count each message once, after handling and acknowledging it."
    ctx.expect_equal(count, BACKLOG, call=f"{CALL} with a backlog of {BACKLOG}", hint=hint)


@criterion("every message is acknowledged: nothing pending, nothing awaiting an ack")
async def all_acknowledged(ctx: CheckContext) -> None:
    await load_backlog(ctx)
    await drain(ctx, Recorder())
    consumers = sorted(info.name for info in await ctx.js.consumers_info(STREAM))
    ctx.expect(
        consumers == [DURABLE],
        f"after {CALL} the stream has consumers {consumers}, expected only {[DURABLE]!r}",
        hint=f"Bind to the existing durable: `js.pull_subscribe_bind({DURABLE!r}, stream=...)` "
        "(pass the durable name you were given; do not create a consumer of your own).",
    )
    info = await settled_state(ctx)
    unacked, waiting = info.num_ack_pending, info.num_pending
    if unacked == BACKLOG and info.ack_floor.stream_seq == 0:
        raise Fail(
            f"after {CALL} all {BACKLOG} messages were delivered but none was acknowledged "
            f"(num_ack_pending={unacked}, ack_floor=0): the server will redeliver every one "
            "of them once ack_wait runs out",
            hint=ACK_HINT,
        )
    ctx.expect(
        unacked == 0,
        f"after {CALL}, {unacked} delivered messages still wait for an ack "
        f"(num_ack_pending={unacked}, ack floor at seq {info.ack_floor.stream_seq})",
        hint=ACK_HINT,
    )
    ctx.expect(
        waiting == 0,
        f"after {CALL}, {waiting} of {BACKLOG} messages were never even delivered "
        f"(num_pending={waiting}): the worker stopped before the backlog was drained",
        hint=DRAIN_HINT,
    )


@criterion("handle sees every message exactly once")
async def handles_each_once(ctx: CheckContext) -> None:
    await load_backlog(ctx)
    handle = Recorder()
    await drain(ctx, handle)
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
            f"(stream sequences {missing[0]}..{missing[-1]})",
            hint=DRAIN_HINT,
        )


@criterion("on an empty stream drain_backlog returns 0 without raising")
async def empty_stream(ctx: CheckContext) -> None:
    await load_backlog(ctx, count=0)
    handle = Recorder()
    count = await drain(ctx, handle)
    ctx.expect_equal(
        count,
        0,
        call=f"{CALL} on an empty stream",
        hint="Start the count at 0 and return it once the first fetch comes back empty.",
    )
    ctx.expect(not handle.seen, "handle was called although the stream is empty")


@criterion("drain_backlog unsubscribes before it returns (no subscription left behind)")
async def leaves_no_subscription(ctx: CheckContext) -> None:
    await load_backlog(ctx)
    before = await subscription_count(ctx)
    await drain(ctx, Recorder())
    left = await subscription_count(ctx) - before
    ctx.expect(
        left <= 0,
        f"after {CALL} the server still holds {left} more subscription(s) for this connection "
        "than before the call: the pull subscription's inbox is still open",
        hint="Call `await psub.unsubscribe()` when the loop ends (a `finally:` block makes sure "
        "it also happens when handle raises).",
    )


CRITERIA = [
    returns_the_count,
    all_acknowledged,
    handles_each_once,
    empty_stream,
    leaves_no_subscription,
]
