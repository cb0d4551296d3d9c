"""Checks for ex10: the health report must match what the real server's monitoring says.

Every number is compared field by field, so a message names the one key that is missing,
of the wrong type, or read from the wrong place — never a whole-dict comparison. The
server is set up so that the tempting wrong fields give different numbers: a connection
opened and closed again makes ``total_connections`` differ from ``connections``; a second
server runs without JetStream, where ``/varz`` still has an (empty) ``jetstream`` key.
"""

from __future__ import annotations

import copy
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig

from gym import monitor
from gym.checker import CheckContext, Fail, criterion, eventually
from gym.checker.context import error_matching
from gym.checker.explain import short
from gym.delivery import fetch_exactly

SUMMARY_HINT = "Read /healthz for the status and /varz for version and connections."
SUMMARY_TYPES = {"healthy": bool, "version": str, "connections": int, "jetstream": bool}
WHERE_FROM = {
    "healthy": "/healthz answers status 'ok'",
    "version": "/varz 'version'",
    "connections": "/varz 'connections': the clients connected now",
    "jetstream": "/varz 'jetstream' has a 'config' only when JetStream is on",
    "pending": "the consumer's num_pending: messages it has not been given yet",
    "ack_pending": "the consumer's num_ack_pending: given, not yet acknowledged",
    "max_ack_pending": "the consumer's config.max_ack_pending",
}
BACKLOG_HINT = (
    "Ask /jsz with consumers=1&config=1 and walk account_details → stream_detail → "
    "consumer_detail; key each entry 'STREAM/consumer'."
)


def _expect_fields(
    ctx: CheckContext,
    got: Any,
    expected: dict[str, Any],
    *,
    call: str,
    hint: str,
    tempting: dict[str, tuple[Any, str]] | None = None,
) -> None:
    """Every key present, of the expected type, with the expected value — or say which not.

    ``tempting`` maps a key to a (value, where it comes from) that a learner reading the
    wrong field would return, so the message can say which field that was.
    """
    ctx.expect_keys(got, tuple(expected), call=call)
    for key, want in expected.items():
        value = got[key]
        kind = type(want)
        if type(value) is not kind:  # exact: True is an int, 1 is no bool
            raise Fail(
                f"{call}[{key!r}] is the {type(value).__name__} {short(value)}, "
                f"expected {'an' if kind.__name__[0] in 'aeiou' else 'a'} {kind.__name__}",
                hint=f"{key} comes from {WHERE_FROM.get(key, 'the monitoring data')}.",
            )
        if value != want:
            wrong, source = (tempting or {}).get(key, (None, ""))
            said = f": that is {source}" if source and value == wrong else ""
            raise Fail(
                f"{call}[{key!r}] is {short(value)}{said}, expected {short(want)} "
                f"({WHERE_FROM.get(key, 'see the docstring')})",
                hint=hint,
            )


@criterion("server_summary reports a healthy server, with JetStream and without")
async def summary_of_a_healthy_server(ctx: CheckContext) -> None:
    await ctx.connect()  # a second client, so the count is not a lucky 1
    gone = await ctx.connect()  # a third that leaves: total_connections is not connections
    await gone.close()
    varz = await eventually(
        lambda: monitor.varz(ctx.server.monitor_url),
        within=2.0,
        until=lambda varz: varz.get("connections") == 2,
    )
    total = (varz["total_connections"], "/varz 'total_connections', every client since the start")
    call = "server_summary(monitor_url)"
    got = await ctx.call("server_summary", ctx.server.monitor_url)
    version = ctx.nc.connected_server_version
    expected = {
        "healthy": True,
        "version": f"{version.major}.{version.minor}.{version.patch}",
        "connections": 2,
        "jetstream": True,
    }
    _expect_fields(
        ctx, got, expected, call=call, hint=SUMMARY_HINT, tempting={"connections": total}
    )

    plain = ctx.another_server(jetstream=False)
    call = "server_summary(monitor_url of a server without JetStream)"
    got = await ctx.call("server_summary", plain.monitor_url)
    _expect_fields(
        ctx,
        got,
        {**expected, "connections": 0, "jetstream": False},
        call=call,
        hint="/varz always has a 'jetstream' key; JetStream is on only when it holds a "
        "'config': `bool(varz.get('jetstream', {}).get('config'))`.",
    )


async def _load(ctx: CheckContext) -> None:
    """PREDICTIONS with 12 messages; four consumers in known states, one of them acknowledging
    nothing (its config has no max_ack_pending at all)."""
    await ctx.js.add_stream(name="PREDICTIONS", subjects=["predictions.>"])
    for n in range(12):
        await ctx.js.publish(f"predictions.normal.T{n % 3}", b"{}")
    stuck = await ctx.js.pull_subscribe(
        "predictions.>", "auditor", config=ConsumerConfig(max_ack_pending=5)
    )
    await fetch_exactly(stuck, 5)  # taken, never acknowledged
    await ctx.js.add_consumer(
        "PREDICTIONS", ConsumerConfig(durable_name="replay", ack_policy=AckPolicy.NONE)
    )
    for name, count in (("dashboard", 12), ("explainer", 4)):
        psub = await ctx.js.pull_subscribe("predictions.>", name)
        for msg in await fetch_exactly(psub, count):  # one fetch may return fewer under load
            await msg.ack()
        await eventually(
            lambda name=name: ctx.js.consumer_info("PREDICTIONS", name),
            within=2.0,
            until=lambda info: info.num_ack_pending == 0,
        )


EXPECTED_BACKLOG = {
    "PREDICTIONS/auditor": {"pending": 7, "ack_pending": 5, "max_ack_pending": 5},
    "PREDICTIONS/dashboard": {"pending": 0, "ack_pending": 0, "max_ack_pending": 1000},
    "PREDICTIONS/explainer": {"pending": 8, "ack_pending": 0, "max_ack_pending": 1000},
    "PREDICTIONS/replay": {"pending": 12, "ack_pending": 0, "max_ack_pending": -1},
}
NO_MAX_ACK_PENDING = error_matching(
    "NoMaxAckPending", lambda e: isinstance(e, KeyError) and e.args == ("max_ack_pending",)
)
NO_LIMIT_HINT = (
    "A consumer that acknowledges nothing (ack_policy none: an ordered consumer, a Key-Value "
    "watcher) has no max_ack_pending in its config: "
    "`consumer['config'].get('max_ack_pending', -1)` (-1: no limit)."
)


@criterion("consumer_backlog reads every consumer's numbers from /jsz")
async def backlog_of_three_consumers(ctx: CheckContext) -> None:
    await _load(ctx)
    call = "consumer_backlog(monitor_url)"
    with ctx.hints({NO_MAX_ACK_PENDING: NO_LIMIT_HINT}):
        got = await ctx.call("consumer_backlog", ctx.server.monitor_url)
    ctx.expect_type(got, dict, call=call)
    if not got:
        raise Fail(
            f"{call} returned {{}}, but the server has four consumers",
            hint="/jsz lists consumers only when asked: jsz(monitor_url, consumers=1, "
            "config=1) (config=1 adds each consumer's config).",
        )
    missing = [name for name in EXPECTED_BACKLOG if name not in got]
    extra = [name for name in got if name not in EXPECTED_BACKLOG]
    if missing or extra:
        raise Fail(
            f"{call} has the keys {', '.join(map(short, got))}, expected "
            f"{', '.join(map(short, EXPECTED_BACKLOG))}",
            hint=BACKLOG_HINT,
        )
    for name, numbers in EXPECTED_BACKLOG.items():
        _expect_fields(ctx, got[name], numbers, call=f"{call}[{name!r}]", hint=BACKLOG_HINT)


@criterion("consumer_backlog is empty on a server with no consumers")
async def backlog_without_consumers(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name="EMPTY", subjects=["empty.>"])
    with ctx.hints(
        {KeyError: "A stream without consumers has no consumer_detail key: use .get(..., [])."}
    ):
        got = await ctx.call("consumer_backlog", ctx.server.monitor_url)
    ctx.expect_equal(
        got,
        {},
        call="consumer_backlog(monitor_url) with one stream and no consumers",
        hint="A stream without consumers has no consumer_detail key: use .get(..., []).",
    )


PROBLEM_BACKLOG = {
    "PREDICTIONS/auditor": {"pending": 25, "ack_pending": 5, "max_ack_pending": 5},
    "PREDICTIONS/dashboard": {"pending": 0, "ack_pending": 0, "max_ack_pending": 1000},
    "PREDICTIONS/explainer": {"pending": 26, "ack_pending": 0, "max_ack_pending": 1000},
}


@criterion("problems finds the stuck and the lagging consumer, and nothing else")
async def problems_are_classified(ctx: CheckContext) -> None:
    call = "problems(backlog, max_pending=10)"
    got = await ctx.call("problems", copy.deepcopy(PROBLEM_BACKLOG), 10)
    ctx.expect_type(got, dict, call=call)
    ctx.expect_equal(
        got,
        {"PREDICTIONS/auditor": "stuck", "PREDICTIONS/explainer": "lagging"},
        call=call,
        hint="Stuck first: ack_pending has reached max_ack_pending. Then lagging: "
        "pending above max_pending. Leave healthy consumers out.",
    )
    relaxed = await ctx.call("problems", copy.deepcopy(PROBLEM_BACKLOG), 100)
    ctx.expect_equal(
        relaxed,
        {"PREDICTIONS/auditor": "stuck"},
        call="problems(backlog, max_pending=100)",
        hint="With a high max_pending only the stuck consumer is a problem.",
    )
    at_the_limit = await ctx.call("problems", copy.deepcopy(PROBLEM_BACKLOG), 26)
    ctx.expect_equal(
        at_the_limit,
        {"PREDICTIONS/auditor": "stuck"},
        call="problems(backlog, max_pending=26), the explainer having exactly 26 pending",
        hint="Lagging means MORE than max_pending messages waiting: exactly max_pending is "
        "still within the limit (`>`, not `>=`).",
    )
    unlimited = {
        **copy.deepcopy(PROBLEM_BACKLOG),
        "PREDICTIONS/archiver": {"pending": 0, "ack_pending": 3, "max_ack_pending": -1},
    }
    got = await ctx.call("problems", unlimited, 100)
    if isinstance(got, dict) and got.get("PREDICTIONS/archiver") == "stuck":
        raise Fail(
            "problems(backlog, max_pending=100) calls PREDICTIONS/archiver stuck, but its "
            "max_ack_pending is -1, which means no limit: it can never reach it",
            hint="Only a positive max_ack_pending is a limit: "
            "`ack_pending >= max_ack_pending > 0`.",
        )
    ctx.expect_equal(
        got,
        {"PREDICTIONS/auditor": "stuck"},
        call="problems(backlog with an unlimited consumer, max_pending=100)",
        hint="A consumer with max_ack_pending -1 (no limit) is never stuck.",
    )


CRITERIA = [
    summary_of_a_healthy_server,
    backlog_of_three_consumers,
    backlog_without_consumers,
    problems_are_classified,
]
