"""Checks for exercise 15: ``publish_all`` survives a crashed stream leader, losing nothing.

Five criteria run on the criterion's own single server (``ctx.server``), quickly and
deterministically: ids and order, an ack lost while the server is frozen (SIGSTOP), a
stream that appears only after a while (neither hammering nor giving up), giving up in
time and stopping when cancelled, and an error no retry can fix. The last criterion is
the real thing: it starts a three-node cluster of its own, and kills (SIGKILL) the node
that leads the stream a third of the way through the learner's run.

That criterion's cluster is started by ``failover_cluster`` below, in the worker: its
nodes die with the worker process (``gym.spawner``), so a worker the supervisor kills for
overrunning takes them with it, and ``stop()`` ends them otherwise.
The learner's connection lists the doomed node first (``dont_randomize``), so their
client also loses its server and reconnects — the worst case, and the usual one for a
client that happened to be connected there.

Its time limit is 30 s instead of 5: a cluster start (0.3–0.9 s; up to ~6 s when a first
election has to be retried, see ``gym.cluster``), then an election nats-server only calls
after a random 4–9 s without a heartbeat, then the rest of the run (about 0.2 s) and the
learner's last backoff, with room for a machine shared with other work. The criterion
usually takes 5–10 s; the five others about 1.6 s together.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import nats
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import Header, PubAck, StorageType, StreamConfig
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
from gym.checker.explain import describe_error, short
from gym.cluster import Cluster, Node, move_stream_leader, start_cluster
from gym.session import connect
from gym.streams import COURSE_STREAMS, ensure_course_streams

STREAM = "PREDICTIONS"
SUBJECT = "predictions.normal.AAPL"
PREFIX = "AAPL-2025-12-17"
PAYLOADS = [
    messages.encode(
        messages.envelope("prediction", "AAPL", {"predicted_price": 150 + n / 10, "n": n})
    )
    for n in range(60)
]
"""The crash run's payloads; the quick criteria use the first few."""
KILL_AFTER = 20
"""Acknowledgements the learner gets before the stream's leader is killed."""
MAX_BACKOFF = 0.25
"""The ceiling the crash run passes: the first attempt after the election comes by then."""
LATE_SLACK = 1.0
"""Seconds allowed beyond timeout + max_backoff for finishing after the new leader is in
place: the rest of the run (about 40 publishes) on a machine shared with other work."""

ID_HINT = (
    'Give payload i the header {"Nats-Msg-Id": f"{prefix}-{i}"} (Header.MSG_ID) on every '
    "attempt: the same id each time, so the stream drops a retry of something it stored."
)
KEEP_TRYING_HINT = (
    "Retry a payload until give_up_after seconds have passed since its first attempt, not a "
    "fixed number of times: an election takes 4 to 9 s. Keep `loop.time() + give_up_after` "
    "as its deadline and re-raise only once it has passed."
)
BACKOFF_HINT = (
    "Sleep between attempts (`await asyncio.sleep(wait)`), starting at backoff and doubling "
    "after each failure of the same payload, capped: `wait = min(wait * 2, max_backoff)`."
)
HINTS: dict[type[BaseException], str] = {
    NatsTimeoutError: KEEP_TRYING_HINT,
    NoStreamResponseError: KEEP_TRYING_HINT,
    TypeError: "js.publish takes (subject, payload, timeout=..., headers=...): the id goes in "
    "headers={Header.MSG_ID: ...}; nats-py has no msg_id= argument.",
}


def expect_acks(ctx: CheckContext, acks: Any, count: int, call: str) -> list[PubAck]:
    """Fail unless ``acks`` is a list of ``count`` PubAcks."""
    ctx.expect_type(acks, list, call=call)
    wanted = f"{count} PubAck{'s' if count > 1 else ''}"
    if not all(isinstance(ack, PubAck) for ack in acks):
        raise Fail(
            f"{call} returned {short(acks)}, expected a list of {wanted}, one per payload",
            hint="Append what each payload's successful `await js.publish(...)` returned.",
        )
    if len(acks) != count:
        short_by = count - len(acks)
        raise Fail(
            f"{call} returned {len(acks)} PubAck(s) for {count} payload(s): "
            + (f"{short_by} payload(s) got none" if short_by > 0 else "more than one per payload"),
            hint="Return one PubAck per payload, after its publish succeeded: a payload whose "
            "publish failed must be retried, not skipped.",
        )
    return acks


async def stored_ids(js: JetStreamContext) -> list[str | None]:
    """The ``Nats-Msg-Id`` of every message the stream holds, in order (None: no id)."""
    try:
        info = await js.stream_info(STREAM)
    except NotFoundError:
        return []
    ids: list[str | None] = []
    if not info.state.messages:  # first_seq is 0 until a first message
        return ids
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        with contextlib.suppress(NotFoundError):
            ids.append(((await js.get_msg(STREAM, seq)).headers or {}).get(Header.MSG_ID))
    return ids


def expected_ids(count: int) -> list[str]:
    return [f"{PREFIX}-{n}" for n in range(count)]


def copies(ids: list[str | None], count: int, call: str) -> Fail | None:
    """A failure naming what was stored more than once, if the stream holds more messages
    than there were payloads."""
    if len(ids) <= count:
        return None
    said = f"after {call} the stream holds {len(ids)} messages for {count} payload(s)"
    if any(i is None for i in ids):
        return Fail(
            f"{said}, some without a Nats-Msg-Id: a retry of a payload whose ack was lost was "
            "stored again, because the stream could not tell it from a new message",
            hint=ID_HINT,
        )
    repeated = [i for i in dict.fromkeys(ids) if ids.count(i) > 1]
    if repeated:
        return Fail(f"{said}: {short(repeated)} stored twice", hint=ID_HINT)
    # more messages than payloads, no id twice: some retry carried an id of its own
    return Fail(
        f"{said}, with the Nats-Msg-Ids {short(ids)}: a retry carried another id than its "
        "first attempt, so the stream took it for a new message",
        hint=ID_HINT,
    )


def publishing_one(ctx: CheckContext, js: JetStreamContext, **options: Any) -> Any:
    """The learner's ``publish_all`` of the first payload alone, started in the background."""
    return ctx.background("publish_all", js, SUBJECT, PAYLOADS[:1], prefix=PREFIX, **options)


@criterion("publishes each payload once, in order, with the Nats-Msg-Id prefix-i; returns the acks")
async def ids_and_order(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, [STREAM])
    nc, js = await learner_connection(ctx)
    call = f"publish_all(js, {SUBJECT!r}, 5 payloads, prefix={PREFIX!r})"
    with ctx.hints(HINTS):
        acks = await ctx.call("publish_all", js, SUBJECT, PAYLOADS[:5], prefix=PREFIX)
    expect_acks(ctx, acks, 5, call)
    ids = await stored_ids(ctx.js)
    ctx.expect(
        len(ids) == 5 and messages_sent(nc) == 5,
        f"{call} made {messages_sent(nc)} publishes on a healthy server and left {len(ids)} "
        "messages in the stream; expected 5 and 5",
        hint="Publish each payload once; retry only after an error.",
    )
    if ids != expected_ids(5):
        said = "no Nats-Msg-Id header" if ids[0] is None else f"the ids {short(ids)}"
        raise Fail(
            f"after {call} the stored messages carry {said}; expected {short(expected_ids(5))}",
            hint=ID_HINT,
        )
    data = [m.data for m in await ctx.stored_messages(STREAM)]
    ctx.expect(
        data == PAYLOADS[:5] and [a.seq for a in acks] == [1, 2, 3, 4, 5],
        f"{call}: the stream holds the payloads in another order, or the acks do not match "
        f"them (seqs {[a.seq for a in acks]})",
        hint="Publish the payloads one after the other, in the order given.",
    )


@criterion("an ack lost while the server stalls: retried with the same id, stored once")
async def lost_ack_stored_once(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, [STREAM])
    nc, js = await learner_connection(ctx)
    call = "publish_all(js, ..., 1 payload, timeout=0.1, backoff=0.02)"
    with ctx.hints(HINTS):
        task = publishing_one(ctx, js, timeout=0.1, backoff=0.02)
        # Frozen, the server reads nothing: the first attempt waits in the socket until it
        # times out. Thawed once the retry is on its way, the server stores the first
        # attempt (its ack goes to a caller who gave up on it) and then sees the retry.
        with ctx.server.paused():
            retried = await while_running(lambda: messages_sent(nc) >= 2, task, within=1.5)
        if not retried and not task.done():
            raise Fail(
                f"{call}: the first attempt was still waiting for its ack after 1.5 s",
                hint="Pass timeout=timeout to js.publish, so that an attempt gives up in time.",
            )
        acks, error = await outcome(task)
    if error is not None:
        raise failed_after_attempts(error, nc)
    expect_acks(ctx, acks, 1, call)
    ids = await stored_ids(ctx.js)
    problem = copies(ids, 1, call)
    if problem:
        raise problem
    ctx.expect(
        ids == expected_ids(1) and acks[0].seq == 1,
        f"after {call} the stream holds {short(ids)} (ids), the ack says seq {acks[0].seq}; "
        f"expected one message, {expected_ids(1)[0]!r}, at seq 1",
        hint=ID_HINT,
    )


@criterion(
    "no stream for 0.7 s: retries with a growing, capped backoff — no tight loop, no giving up"
)
async def waits_out_a_gap(ctx: CheckContext) -> None:
    nc, js = await learner_connection(ctx)
    # Doubling from 0.01 s without the 0.05 s ceiling, the attempts come at 0.63 s and
    # 1.27 s: the stream, there from 0.7 s, is found over half a second late.
    backoff, max_backoff, gap = 0.01, 0.05, 0.7
    call = f"publish_all(js, ..., backoff={backoff}, max_backoff={max_backoff}, give_up_after=5)"
    loop = asyncio.get_running_loop()
    with ctx.hints(HINTS):
        started = loop.time()
        task = publishing_one(
            ctx, js, timeout=0.5, backoff=backoff, max_backoff=max_backoff, give_up_after=5.0
        )
        # Waiting for time to pass is the point: the stream appears only after `gap` s.
        await while_running(lambda: False, task, within=gap)
        attempts, waited = messages_sent(nc), loop.time() - started
        if task.done():
            acks, error = await outcome(task)
            if error is not None and isinstance(error.raised, NoStreamResponseError):
                raise Fail(
                    f"{call} gave up after {waited:.2f} s and {attempts} attempt(s), with "
                    "give_up_after=5: a stream that is electing a leader answers like this "
                    "for 4 to 9 s, and every payload still unpublished is lost",
                    hint=KEEP_TRYING_HINT,
                    where=error.where,
                )
            if error is not None:
                raise Fail(error.message, error.hint, where=error.where)
            raise Fail(
                f"{call} returned {short(acks)} after {attempts} attempt(s) although no stream "
                "existed yet, so nothing was stored",
                hint="Return only acks from publishes that succeeded; retry the others.",
            )
        if attempts > 40:
            raise Fail(
                f"{call} made {attempts} attempts in {gap} s while no stream answered: "
                f"about {attempts / gap:.0f} a second, hammering the servers while they elect; "
                "with this backoff, about 17 are enough",
                hint=BACKOFF_HINT,
            )
        await ensure_course_streams(ctx.js, [STREAM])
        created = loop.time()
        acks, error = await outcome(task)
        late = loop.time() - created
    if error is not None:
        raise failed_after_attempts(error, nc)
    expect_acks(ctx, acks, 1, call)
    allowed = max_backoff + 0.25
    ctx.expect(
        late <= allowed,
        f"{call} stored the payload {late:.2f} s after the stream appeared; with "
        f"max_backoff={max_backoff} the next attempt should come within {max_backoff} s "
        "(the wait between attempts grew past its ceiling)",
        hint=BACKOFF_HINT,
    )
    ids = await stored_ids(ctx.js)
    ctx.expect(
        ids == expected_ids(1),
        f"after {call} the stream holds {short(ids)}, expected one message, {expected_ids(1)[0]!r}",
        hint=ID_HINT,
    )


@criterion("gives up after give_up_after seconds with the last error; stops when cancelled")
async def gives_up_in_time(ctx: CheckContext) -> None:
    nc, js = await learner_connection(ctx)  # no stream at all: every attempt fails the same way
    call = "publish_all(js, ..., backoff=0.02, max_backoff=0.05, give_up_after=0.3)"
    loop = asyncio.get_running_loop()
    with ctx.hints(HINTS):
        started = loop.time()
        task = publishing_one(
            ctx, js, timeout=0.5, backoff=0.02, max_backoff=0.05, give_up_after=0.3
        )
        await asyncio.wait([task], timeout=1.5)
    if not task.done():
        raise Fail(
            f"{call} was still trying after 1.5 s ({messages_sent(nc)} attempts); it should "
            "give up about 0.3 s after the payload's first attempt",
            hint=KEEP_TRYING_HINT,
        )
    took = loop.time() - started
    result, error = await outcome(task)
    if error is None:
        raise Fail(
            f"{call} returned {short(result)} when every attempt failed, expected it to raise",
            hint="After the deadline, re-raise the last error (a bare `raise` in the except).",
        )
    if not isinstance(error.raised, NoStreamResponseError):
        raise Fail(
            f"{error.message}; expected the last attempt's NoStreamResponseError",
            hint="Let the last error reach the caller unchanged (a bare `raise`).",
            where=error.where,
        )
    ctx.expect(
        took >= 0.2,
        f"{call} gave up after {took:.2f} s ({messages_sent(nc)} attempts), before give_up_after",
        hint=KEEP_TRYING_HINT,
    )
    with ctx.hints(HINTS):
        await expect_to_stop_mid_attempt(
            ctx,
            "publish_all",
            SUBJECT,
            PAYLOADS[:1],
            prefix=PREFIX,
            timeout=2.0,
            call="publish_all(js, ..., timeout=2.0)",
        )


@criterion("an error a retry cannot fix (message too large) reaches the caller at once")
async def no_retry_for_bad_requests(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name=STREAM, subjects=["predictions.normal.*"], max_msg_size=64)
    nc, js = await learner_connection(ctx)
    call = "publish_all(js, ..., a payload over the stream's max_msg_size)"
    with ctx.hints(HINTS):
        task = publishing_one(ctx, js, give_up_after=2.0)
        await asyncio.wait([task], timeout=3.0)
    if not task.done():
        raise Fail(
            f"{call} was still retrying after 3 s ({messages_sent(nc)} attempts), though the "
            "server refuses this message every time (BadRequestError: message size exceeds maximum "
            "allowed)",
            hint="Retry only nats.errors.TimeoutError and NoStreamResponseError, not Exception.",
        )
    result, error = await outcome(task)
    if error is None:
        raise Fail(
            f"{call} returned {short(result)}, expected the BadRequestError to reach the caller",
            hint="Catch only the errors worth retrying; let every other one propagate.",
        )
    ctx.expect(
        messages_sent(nc) == 1 and isinstance(error.raised, BadRequestError),
        f"{call} published {messages_sent(nc)} times and then {error.message}; expected one "
        "attempt and the server's BadRequestError (err_code 10054), unchanged",
        hint="Retry only nats.errors.TimeoutError and NoStreamResponseError, not Exception.",
    )


@dataclass
class Failover:
    """A cluster whose stream is led by ``victim``, which the learner's client uses."""

    cluster: Cluster
    victim: Node
    js: JetStreamContext
    """The check's own: connected to the meta leader, which is never killed."""
    learner: Client


@contextlib.asynccontextmanager
async def failover_cluster(ctx: CheckContext) -> AsyncIterator[Failover]:
    """Three nodes, an R3 stream led by a node other than the meta leader, and a learner
    connection that lists that node first. Everything ends with the block (or the worker).
    """
    cluster = start_cluster(3)
    clients: list[Client] = []
    try:
        meta = cluster.node(cluster.meta_leader() or "n1")
        own = await connect(meta.url, error_cb=ctx.problems.nats_error_cb)
        clients.append(own)
        config = COURSE_STREAMS[STREAM]
        await own.jetstream().add_stream(
            StreamConfig(
                name=STREAM,
                subjects=config.subjects,
                num_replicas=3,
                storage=StorageType.FILE,
            )
        )
        victim = next(node for node in cluster.nodes if node is not meta)
        await move_stream_leader(own, STREAM, victim.name)
        others = [node.url for node in cluster.nodes if node is not victim]
        learner = await nats.connect(
            servers=[victim.url, *others],
            dont_randomize=True,
            error_cb=ctx.problems.nats_error_cb,
        )
        clients.append(learner)
        # short waits: an answer that does not come (a leaderless moment) is asked again
        yield Failover(cluster, victim, own.jetstream(timeout=1.0), learner)
    finally:
        for client in clients:
            with contextlib.suppress(Exception):  # the nodes go away next anyway
                await asyncio.wait_for(client.close(), 2)
        cluster.stop()


async def elected_after(failover: Failover, killed_wall: float) -> float:
    """Seconds from the kill to the new leader's election, from the leader's own record."""
    deadline = asyncio.get_running_loop().time() + 15
    while asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(Exception):  # no answer, or a 503, while it elects
            info = await failover.js.stream_info(STREAM)
            leader = info.cluster.leader if info.cluster else None
            if leader and leader != failover.victim.name and info.cluster.leader_since:
                return info.cluster.leader_since.timestamp() - killed_wall
        await asyncio.sleep(0.05)
    raise Fail("the cluster elected no new leader within 15 s of the kill; please report it")


@criterion(
    "the stream's leader is killed mid-run: all 60 acknowledged, none stored twice, finished "
    "soon after the new leader is elected",
    timeout=30.0,
)
async def survives_a_crash(ctx: CheckContext) -> None:
    # An unwritten function says so before a cluster is started for it.
    with ctx.hints(HINTS):
        await ctx.call("publish_all", ctx.js, SUBJECT, [], prefix=PREFIX)
    count = len(PAYLOADS)
    call = (
        f"publish_all(js, ..., {count} payloads, timeout=0.5, backoff=0.05, "
        f"max_backoff={MAX_BACKOFF}, give_up_after=20)"
    )
    loop = asyncio.get_running_loop()
    async with failover_cluster(ctx) as failover:
        with ctx.hints(HINTS):
            task = ctx.background(
                "publish_all",
                failover.learner.jetstream(),
                SUBJECT,
                PAYLOADS,
                prefix=PREFIX,
                timeout=0.5,
                backoff=0.05,
                max_backoff=MAX_BACKOFF,
                give_up_after=20.0,
            )
            # in_msgs counts the acks the learner's client received
            running = await while_running(
                lambda: failover.learner.stats["in_msgs"] >= KILL_AFTER, task, within=10.0
            )
            if not running:
                acks, error = await outcome(task)
                if error is not None:
                    raise Fail(error.message, error.hint, where=error.where)
                raise Fail(
                    f"{call} returned {short(acks)} before {KILL_AFTER} payloads were "
                    "acknowledged, on a healthy cluster",
                    hint="Publish every payload and return after the last one.",
                )
            killed_at, killed_wall = loop.time(), time.time()
            failover.victim.kill()
            acks, error = await outcome(task)
            finished = loop.time() - killed_at
        if error is not None:  # said at once: no need to wait for the election to end
            raised = error.raised
            if isinstance(raised, NoStreamResponseError | NatsTimeoutError):
                what = (
                    "NoStreamResponseError (no response from stream: it had no leader yet)"
                    if isinstance(raised, NoStreamResponseError)
                    else "TimeoutError (no ack in time: the publish went to the dead node)"
                )
                raise Fail(
                    f"{call} raised {what} {finished:.1f} s after the stream's leader was "
                    f"killed (after {KILL_AFTER} acks): the payloads after it were never "
                    "stored. Electing a new leader takes 4 to 9 s",
                    hint=KEEP_TRYING_HINT,
                    where=error.where,
                )
            raise Fail(
                f"{call} raised {describe_error(raised)} {finished:.1f} s after the stream's "
                f"leader was killed (after {KILL_AFTER} acks)",
                hint=error.hint,
                where=error.where,
            )
        election = await elected_after(failover, killed_wall)
        ids = await stored_ids(failover.js)
    missing = [i for i in expected_ids(count) if i not in ids]
    story = (
        f"the leader was killed after {KILL_AFTER} acks and a new one elected {election:.1f} s "
        "later"
    )
    expect_acks(ctx, acks, count, call)
    problem = copies(ids, count, call)
    if problem:
        raise Fail(f"{problem.message} ({story})", problem.hint)
    strangers = [i for i in ids if i not in expected_ids(count)]
    if strangers:
        raise Fail(
            f"after {call} the stream holds messages with the Nats-Msg-Ids {short(strangers)}; "
            f"expected {PREFIX}-0 to {PREFIX}-{count - 1} ({story})",
            hint=ID_HINT,
        )
    if missing:
        raise Fail(
            f"{call} returned {count} acks, but {short(missing)} are not in the stream ({story})",
            hint="Return an ack only for a payload whose publish succeeded; retry the others.",
        )
    allowed = 0.5 + MAX_BACKOFF + LATE_SLACK
    late = finished - election
    ctx.expect(
        late <= allowed,
        f"{call} finished {late:.1f} s after the new leader was elected ({story}); with "
        f"max_backoff={MAX_BACKOFF} a retry comes within {MAX_BACKOFF} s of it, so the run "
        f"should end within {allowed:.2f} s",
        hint=BACKOFF_HINT,
    )


CRITERIA = [
    ids_and_order,
    lost_ack_stored_once,
    waits_out_a_gap,
    gives_up_in_time,
    no_retry_for_bad_requests,
    survives_a_crash,
]
