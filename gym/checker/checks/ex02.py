"""Checks for exercise 02: core publish/subscribe against a real server.

Each verdict rests on what the server did: the messages a separate connection received,
the subscriptions the server's ``/subsz`` lists, and how many of the published messages
each queue-group member was given. ``gym.delivery.wait_until_processed`` (two flushes) stands in for
waiting: once it returns, the server has handled everything a connection sent, and every
message it routed to that connection is in its subscription's queue.
"""

from __future__ import annotations

import asyncio
from typing import Any

from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeoutError

from gym import monitor
from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import LearnerError
from gym.delivery import wait_until_processed

SUBJECT = "predictions.normal.AAPL"
PAYLOADS = [f'{{"ticker": "AAPL", "predicted_price": {155 + i}.5}}'.encode() for i in range(5)]
QUEUE = "explainers"
WORKERS = 3
WORK = 60  # with 3 members, every one of them gets some: P(one gets none) < 1e-10

UNSUBSCRIBE_HINT = (
    "Unsubscribe in a `finally:` block (`await sub.unsubscribe()`), so it happens on "
    "every way out: enough messages, or the timeout."
)


async def subscriptions_of(ctx: CheckContext, subject: str) -> list[dict[str, Any]]:
    """The server's subscriptions of the criterion's connection that receive ``subject``."""
    reply = await monitor.subsz(ctx.server.monitor_url, subs=1, test=subject)
    return [s for s in reply.get("subscriptions_list", []) if s.get("cid") == ctx.nc.client_id]


async def collect_when_subscribed(
    ctx: CheckContext, count: int, timeout: float, published: list[bytes]
) -> Any:
    """Start the learner's ``collect``; once the server lists its subscription, publish."""
    call = asyncio.ensure_future(ctx.call("collect", ctx.nc, SUBJECT, count, timeout))
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 2
    while not call.done() and not await subscriptions_of(ctx, SUBJECT):
        if loop.time() > give_up:
            call.cancel()
            raise Fail(
                f"collect(nc, {SUBJECT!r}, ...) did not subscribe to {SUBJECT} within 2 s",
                hint="Start with `sub = await nc.subscribe(subject)`.",
            )
        await asyncio.sleep(0.01)  # polling the server's own list of subscriptions
    if not call.done():
        publisher = await ctx.connect()
        for payload in published:
            await publisher.publish(SUBJECT, payload)
        await wait_until_processed(publisher)
    try:
        return await call
    except LearnerError as error:
        if isinstance(error.__cause__, NatsTimeoutError):
            raise Fail(
                f"{error}: fewer than `count` messages came within the timeout",
                hint="Catch nats.errors.TimeoutError around next_msg and return what you have.",
            ) from None
        raise


def expect_payloads(ctx: CheckContext, got: Any, expected: list[bytes], *, call: str) -> None:
    """``got`` is a list of the ``expected`` payloads, with readable failures."""
    ctx.expect_type(got, list, call=call)
    if got and not isinstance(got[0], bytes | bytearray):
        raise Fail(
            f"{call} returned a list of {type(got[0]).__name__}, expected payloads (bytes)",
            hint="Append msg.data, the payload, not the message object.",
        )
    ctx.expect_equal(
        got,
        expected,
        call=call,
        hint="Stop after `count` messages and keep them in the order they arrived.",
    )


def _describe(received: list[bytes]) -> str:
    """What a subscriber got, in a few words: nothing, the right ones shuffled, or N."""
    if not received:
        return "nothing"
    if sorted(received) == sorted(PAYLOADS):
        return "them in another order"
    return f"{len(received)} messages {received[:2]!r}..."


@criterion("publish_all publishes every payload in order and returns how many")
async def publishes_everything(ctx: CheckContext) -> None:
    listener = await ctx.connect()
    sub = await listener.subscribe(SUBJECT)
    # the server has the subscription before anything is published
    await wait_until_processed(listener)
    call = f"publish_all(nc, {SUBJECT!r}, 5 payloads)"
    count = await ctx.call("publish_all", ctx.nc, SUBJECT, list(PAYLOADS))
    received = []
    for _ in PAYLOADS:
        try:
            received.append((await sub.next_msg(timeout=1)).data)
        except NatsTimeoutError:
            break
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
        hint="The connection belongs to the caller: flush it, do not close it.",
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
    got = await collect_when_subscribed(ctx, 3, 1.0, PAYLOADS)
    expect_payloads(ctx, got, PAYLOADS[:3], call=f"collect(nc, {SUBJECT!r}, count=3, timeout=1)")


@criterion("collect stops at the timeout and returns what arrived")
async def stops_at_timeout(ctx: CheckContext) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    got = await collect_when_subscribed(ctx, 5, 0.5, PAYLOADS[:2])
    took = loop.time() - started
    call = f"collect(nc, {SUBJECT!r}, count=5, timeout=0.5) with 2 messages published"
    expect_payloads(ctx, got, PAYLOADS[:2], call=call)
    ctx.expect(
        took < 1.2,
        f"{call} took {took:.1f} s; the timeout is for the whole call, not for each message",
        hint="Compute a deadline once (loop.time() + timeout) and give each next_msg "
        "only what is left of it.",
    )


@criterion("collect unsubscribes before returning, with enough messages and on timeout")
async def unsubscribes(ctx: CheckContext) -> None:
    for count, timeout, why in ((1, 1.0, "after its 1 message"), (2, 0.3, "after its timeout")):
        await collect_when_subscribed(ctx, count, timeout, PAYLOADS[:1])
        await wait_until_processed(ctx.nc)  # the server has handled an UNSUBSCRIBE, if one was sent
        left = await subscriptions_of(ctx, SUBJECT)
        ctx.expect(
            not left,
            f"collect(nc, {SUBJECT!r}, count={count}, timeout={timeout}) returned {why}, "
            f"but the server still lists its subscription to {left[0]['subject'] if left else ''}"
            ": it keeps sending messages there that nobody reads",
            hint=UNSUBSCRIBE_HINT,
        )


@criterion("three queue_workers share the messages: each one handled exactly once")
async def queue_workers_share(ctx: CheckContext) -> None:
    workers = [await ctx.connect() for _ in range(WORKERS)]
    handled: list[list[bytes]] = [[] for _ in workers]
    subs = []
    for worker, own in zip(workers, handled, strict=True):
        subs.append(await ctx.call("queue_worker", worker, "predictions.normal.*", QUEUE, own))
    call = f'queue_worker(nc, "predictions.normal.*", {QUEUE!r}, handled)'
    ctx.expect_type(subs[0], Subscription, call=call)
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
