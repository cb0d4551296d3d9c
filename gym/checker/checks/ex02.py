"""Checks for exercise 02: core publish/subscribe against a real server.

Each verdict rests on what the server did: the messages a separate connection received,
the subscriptions the server lists for the learner's connection, and how many of the
published messages each queue-group member was given. ``gym.delivery.wait_until_processed``
(two flushes) stands in for waiting: once it returns, the server has handled everything a
connection sent, and every message it routed to that connection is in its subscription's
queue.

``collect``'s timeout is for the whole call. Messages that all arrive at once cannot show
that: a fresh ``next_msg(timeout=timeout)`` per message returns just as early. So one
criterion publishes a message every ``TRICKLE_EVERY`` seconds, more often than the
timeout: a deadline taken once ends the call on time, a per-message timeout never runs out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from nats.aio.subscription import Subscription

from gym import subjects
from gym.checker import CheckContext, Fail, criterion, eventually
from gym.checker.context import error_matching, subscriptions_of
from gym.checker.explain import short
from gym.delivery import wait_until_processed

SUBJECT = "predictions.normal.AAPL"
PAYLOADS = [f'{{"ticker": "AAPL", "predicted_price": {155 + i}.5}}'.encode() for i in range(5)]
TRICKLE = [f'{{"ticker": "AAPL", "n": {i}}}'.encode() for i in range(40)]
TRICKLE_EVERY = 0.04
"""Seconds between the trickled messages: well under ``TRICKLE_TIMEOUT``."""
TRICKLE_TIMEOUT = 0.2
"""The whole-call timeout given to ``collect`` while messages trickle in."""
LATE_BY = 0.4
"""Seconds past its timeout a ``collect`` may return (a loaded machine), and no more."""
SHORT_TIMEOUT = 0.1
"""The timeout where ``collect`` must stop with fewer messages than it asked for."""
SUBSCRIBE_WITHIN = 2.0
"""Seconds the check waits for ``collect`` to subscribe before it publishes anything."""
QUEUE = "explainers"
WORKERS = 3
WORK = 60  # with 3 members, every one of them gets some: P(one gets none) < 1e-10

UNSUBSCRIBE_HINT = (
    "Unsubscribe in a `finally:` block (`await sub.unsubscribe()`), so it happens on "
    "every way out: enough messages, or the timeout."
)
SYNC_CALLBACK = error_matching("SyncCallback", lambda e: "must use coroutine" in str(e))
"""nats-py's refusal of a callback written with plain ``def``."""
SYNC_CALLBACK_HINT = (
    "nats-py calls the callback with `await`, so it must be written `async def handle(msg):`, "
    "not a plain `def`."
)
TIMEOUT_HINT = (
    "Fewer than `count` messages within the timeout is a normal outcome: catch "
    "nats.errors.TimeoutError around next_msg, stop, and return what you have."
)


async def listening_on(ctx: CheckContext, subject: str) -> list[str]:
    """The learner connection's subscriptions that receive ``subject``, as the server says."""
    return [
        pattern
        for pattern in await subscriptions_of(ctx)
        if not pattern.startswith("_INBOX.") and subjects.matches(pattern, subject)
    ]


async def collect_when_subscribed(
    ctx: CheckContext,
    count: int,
    timeout: float,
    payloads: list[bytes],
    *,
    every: float | None = None,
) -> tuple[Any, float]:
    """Start the learner's ``collect``; once the server lists its subscription, publish.

    ``payloads`` go out at once, or (with ``every``) one every ``every`` seconds until
    ``collect`` returns. Returns what ``collect`` returned and how long it took.
    """
    loop = asyncio.get_running_loop()
    with ctx.hints({TimeoutError: TIMEOUT_HINT}):
        started = loop.time()
        call = ctx.background("collect", ctx.nc, SUBJECT, count, timeout)
        subscribed = await eventually(
            lambda: listening_on(ctx, SUBJECT),
            within=SUBSCRIBE_WITHIN,
            until=lambda found: bool(found) or call.done(),
        )
        if not subscribed and not call.done():
            raise Fail(
                f"collect(nc, {SUBJECT!r}, ...) did not subscribe to {SUBJECT} within "
                f"{SUBSCRIBE_WITHIN:g} s",
                hint="Start with `sub = await nc.subscribe(subject)`.",
            )
        publisher = await ctx.connect()
        for payload in payloads:
            if call.done():
                break
            await publisher.publish(SUBJECT, payload)
            if every is not None:
                await publisher.flush()
                await asyncio.wait([call], timeout=every)  # paces the trickle; ends with collect
        await wait_until_processed(publisher)
        result = await call
    return result, loop.time() - started


def expect_payloads(ctx: CheckContext, got: Any, expected: list[bytes], *, call: str) -> None:
    """``got`` is a list of the ``expected`` payloads, with readable failures."""
    expect_list_of_payloads(ctx, got, call=call)
    ctx.expect_equal(
        got,
        expected,
        call=call,
        hint="Stop after `count` messages and keep them in the order they arrived.",
    )


def expect_list_of_payloads(ctx: CheckContext, got: Any, *, call: str) -> None:
    """``got`` is a list of bytes, or a failure saying what it holds instead."""
    ctx.expect_type(got, list, call=call)
    wrong = [item for item in got if not isinstance(item, bytes | bytearray)]
    if wrong:
        raise Fail(
            f"{call} returned a list holding {type(wrong[0]).__name__} {short(wrong[0])}, "
            "expected payloads (bytes)",
            hint="Append msg.data, the payload, not the message object.",
        )


def _describe(received: list[bytes]) -> str:
    """What a subscriber got, in a few words: nothing, the right ones shuffled, or N."""
    if not received:
        return "nothing"
    if sorted(received) == sorted(PAYLOADS):
        return "them in another order"
    return f"{len(received)} messages {short(received[:2])}..."


@criterion("publish_all publishes every payload in order and returns how many")
async def publishes_everything(ctx: CheckContext) -> None:
    listener = await ctx.connect()
    sub = await listener.subscribe(SUBJECT)
    await wait_until_processed(listener)  # the server has the subscription before publishing
    call = f"publish_all(nc, {SUBJECT!r}, 5 payloads)"
    count = await ctx.call("publish_all", ctx.nc, SUBJECT, list(PAYLOADS))
    if not ctx.nc.is_closed:  # whether it flushed is the next criterion's business
        await wait_until_processed(ctx.nc)
    await wait_until_processed(listener)  # every message routed to the listener is queued
    received = [(await sub.next_msg(timeout=1)).data for _ in range(sub.pending_msgs)]
    ctx.expect(
        received == PAYLOADS,
        f"after {call} a subscriber on {SUBJECT} received {_describe(received)}, "
        f"expected the {len(PAYLOADS)} payloads in the order given",
        hint="Publish each payload, unchanged, to the subject you were given, in order.",
    )
    ctx.expect_equal(count, len(PAYLOADS), call=call, hint="Return how many you published.")


@criterion("publish_all flushes before returning (nothing left in nats-py's buffer)")
async def flushes(ctx: CheckContext) -> None:
    await ctx.call("publish_all", ctx.nc, SUBJECT, list(PAYLOADS))
    ctx.expect(
        ctx.nc.is_connected,
        "publish_all closed (or drained) the connection it was given",
        hint="The connection belongs to the caller, who goes on using it: flush it, "
        "do not close or drain it.",
    )
    # ctx.call awaits the learner's coroutine directly, so nothing ran in between: bytes
    # still buffered here were never even handed to the socket by publish_all.
    left = ctx.nc.pending_data_size
    ctx.expect(
        left == 0,
        f"publish_all returned while {left} bytes were still waiting in nats-py's outgoing "
        "buffer: nc.publish only queues a message, and nothing had been sent yet",
        hint="End with `await nc.flush()`: it writes the buffer out and waits for the "
        "server's answer (PONG).",
    )


@criterion("collect returns the first `count` payloads published after it subscribed")
async def collects_count(ctx: CheckContext) -> None:
    got, _ = await collect_when_subscribed(ctx, 3, 1.0, PAYLOADS)
    expect_payloads(ctx, got, PAYLOADS[:3], call=f"collect(nc, {SUBJECT!r}, count=3, timeout=1)")


@criterion("collect's timeout is for the whole call, even while messages keep arriving")
async def stops_at_timeout(ctx: CheckContext) -> None:
    got, took = await collect_when_subscribed(
        ctx, 100, TRICKLE_TIMEOUT, TRICKLE, every=TRICKLE_EVERY
    )
    call = (
        f"collect(nc, {SUBJECT!r}, count=100, timeout={TRICKLE_TIMEOUT}) "
        f"with a message arriving every {TRICKLE_EVERY} s"
    )
    ctx.expect(
        took <= TRICKLE_TIMEOUT + LATE_BY,
        f"{call} took {took:.1f} s: the timeout is for the whole call, not for each "
        "message (a fresh timeout per message never runs out while messages keep coming)",
        hint="Compute a deadline once (loop.time() + timeout) and give each next_msg "
        "only what is left of it.",
    )
    expect_list_of_payloads(ctx, got, call=call)
    ctx.expect(
        got == TRICKLE[: len(got)],
        f"{call} returned {short(got)}, expected the payloads in the order they were "
        f"published: {short(TRICKLE[:3])[:-1]}, ...]",
        hint="Append each msg.data as it arrives; do not sort or skip.",
    )


@criterion("collect unsubscribes before returning, with enough messages and on timeout")
async def unsubscribes(ctx: CheckContext) -> None:
    for count, timeout, why in (
        (1, 1.0, "after its 1 message"),
        (2, SHORT_TIMEOUT, "at its timeout, with 1 of 2 messages"),
    ):
        await collect_when_subscribed(ctx, count, timeout, PAYLOADS[:1])
        call = f"collect(nc, {SUBJECT!r}, count={count}, timeout={timeout})"
        left = await listening_on(ctx, SUBJECT)
        ctx.expect(
            not left,
            f"{call} returned {why}, but the server still lists its subscription to "
            f"{left[0] if left else ''}: it keeps sending messages there that nobody reads",
            hint=UNSUBSCRIBE_HINT,
        )


@criterion("three queue_workers share the messages: each one handled exactly once")
async def queue_workers_share(ctx: CheckContext) -> None:
    workers = [await ctx.connect() for _ in range(WORKERS)]
    handled: list[list[bytes]] = [[] for _ in workers]
    call = f'queue_worker(nc, "predictions.normal.*", {QUEUE!r}, handled)'
    subs = []
    for worker, own in zip(workers, handled, strict=True):
        with ctx.hints({SYNC_CALLBACK: SYNC_CALLBACK_HINT}):
            sub = await ctx.call("queue_worker", worker, "predictions.normal.*", QUEUE, own)
        ctx.expect_type(sub, Subscription, call=call)
        subs.append(sub)
    for worker in workers:
        # the server has every member before the work is published
        await wait_until_processed(worker)
    work = [f"{i}".encode() for i in range(WORK)]
    for i, payload in enumerate(work):
        await ctx.nc.publish(f"predictions.normal.{('AAPL', 'GOOGL', 'MSFT')[i % 3]}", payload)
    await wait_until_processed(ctx.nc)
    for worker, sub in zip(workers, subs, strict=True):
        # every message routed to this worker is in its queue now
        await wait_until_processed(worker)
        try:
            await asyncio.wait_for(sub.drain(), 1)  # returns once the callback handled them
        except TimeoutError:
            raise Fail(
                f"the messages given to a worker were never handled: {call} must subscribe "
                "with a callback that handles each message",
                hint="`await nc.subscribe(subject, queue=queue, cb=handle)` where handle "
                "appends msg.data to handled.",
            ) from None
    wrong = [item for own in handled for item in own if not isinstance(item, bytes | bytearray)]
    if wrong:
        raise Fail(
            f"the workers appended {type(wrong[0]).__name__} {short(wrong[0])} to `handled`, "
            "expected payloads (bytes)",
            hint="Append msg.data, the payload, not the message object.",
        )
    total = sum(len(own) for own in handled)
    ctx.expect(
        total > 0,
        f"{WORK} messages were published and the {WORKERS} workers' lists stayed empty",
        hint="In the callback, append msg.data to the `handled` list you were given.",
    )
    ctx.expect(
        total != WORKERS * WORK,
        f"each of the {WORKERS} workers handled all {WORK} messages ({total} in total): "
        "they are separate subscribers, not members of one queue group",
        hint="Pass queue=queue to nc.subscribe: the group then gives each message to one member.",
    )
    everything = sorted(payload for own in handled for payload in own)
    ctx.expect(
        everything == sorted(work),
        f"the workers handled {total} messages ({len(set(everything))} distinct) for "
        f"{WORK} published: expected each exactly once",
        hint="Append msg.data once per message, in the callback, and nothing else.",
    )
    ctx.expect(
        all(handled),
        f"the work was not shared: messages per worker {[len(own) for own in handled]}",
        hint="Every worker subscribes with the same subject and the same queue name.",
    )


CRITERIA = [
    publishes_everything,
    flushes,
    collects_count,
    stops_at_timeout,
    unsubscribes,
    queue_workers_share,
]
