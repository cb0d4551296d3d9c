"""Checks for ex10: the health report must match what the real server's monitoring says."""

from __future__ import annotations

from nats.js.api import ConsumerConfig

from gym.checker import CheckContext, criterion
from gym.delivery import fetch_exactly

SUMMARY_HINT = "Read /healthz for the status and /varz for version and connections."


@criterion("server_summary reports a healthy server with JetStream")
async def summary_of_a_healthy_server(ctx: CheckContext) -> None:
    await ctx.connect()  # a second client, so the count is not a lucky 1
    call = "server_summary(monitor_url)"
    got = await ctx.call("server_summary", ctx.server.monitor_url)
    ctx.expect_type(got, dict, call=call)
    version = ctx.nc.connected_server_version
    expected = {
        "healthy": True,
        "version": f"{version.major}.{version.minor}.{version.patch}",
        "connections": 2,
        "jetstream": True,
    }
    ctx.expect_equal(got, expected, call=call, hint=SUMMARY_HINT)


async def _load(ctx: CheckContext) -> None:
    """PREDICTIONS with 30 messages; three consumers in known states."""
    await ctx.js.add_stream(name="PREDICTIONS", subjects=["predictions.>"])
    for n in range(30):
        await ctx.js.publish(f"predictions.normal.T{n % 3}", b"{}")
    stuck = await ctx.js.pull_subscribe(
        "predictions.>",
        "auditor",
        config=ConsumerConfig(max_ack_pending=5),
    )
    await fetch_exactly(stuck, 5)  # taken, never acknowledged
    steady = await ctx.js.pull_subscribe("predictions.>", "dashboard")
    for msg in await fetch_exactly(steady, 30):  # one fetch may return fewer under load
        await msg.ack_sync()
    slow = await ctx.js.pull_subscribe("predictions.>", "explainer")
    for msg in await fetch_exactly(slow, 4):
        await msg.ack_sync()


EXPECTED_BACKLOG = {
    "PREDICTIONS/auditor": {"pending": 25, "ack_pending": 5, "max_ack_pending": 5},
    "PREDICTIONS/dashboard": {"pending": 0, "ack_pending": 0, "max_ack_pending": 1000},
    "PREDICTIONS/explainer": {"pending": 26, "ack_pending": 0, "max_ack_pending": 1000},
}


@criterion("consumer_backlog reads every consumer's numbers from /jsz")
async def backlog_of_three_consumers(ctx: CheckContext) -> None:
    await _load(ctx)
    call = "consumer_backlog(monitor_url)"
    got = await ctx.call("consumer_backlog", ctx.server.monitor_url)
    ctx.expect_type(got, dict, call=call)
    ctx.expect_equal(
        got,
        EXPECTED_BACKLOG,
        call=call,
        hint="Ask /jsz with consumers=1&config=1 and walk account_details → stream_detail → "
        "consumer_detail; key each entry 'STREAM/consumer'.",
    )


@criterion("consumer_backlog is empty on a server with no consumers")
async def backlog_without_consumers(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name="EMPTY", subjects=["empty.>"])
    got = await ctx.call("consumer_backlog", ctx.server.monitor_url)
    ctx.expect_equal(
        got,
        {},
        call="consumer_backlog(monitor_url) with one stream and no consumers",
        hint="A stream without consumers has no consumer_detail key: use .get(..., []).",
    )


@criterion("problems finds the stuck and the lagging consumer, and nothing else")
async def problems_are_classified(ctx: CheckContext) -> None:
    call = "problems(backlog, max_pending=10)"
    got = await ctx.call("problems", EXPECTED_BACKLOG, 10)
    ctx.expect_type(got, dict, call=call)
    ctx.expect_equal(
        got,
        {"PREDICTIONS/auditor": "stuck", "PREDICTIONS/explainer": "lagging"},
        call=call,
        hint="Stuck first: ack_pending has reached max_ack_pending. Then lagging: "
        "pending above max_pending. Leave healthy consumers out.",
    )
    relaxed = await ctx.call("problems", EXPECTED_BACKLOG, 100)
    ctx.expect_equal(
        relaxed,
        {"PREDICTIONS/auditor": "stuck"},
        call="problems(backlog, max_pending=100)",
        hint="With a high max_pending only the stuck consumer is a problem.",
    )


CRITERIA = [
    summary_of_a_healthy_server,
    backlog_of_three_consumers,
    backlog_without_consumers,
    problems_are_classified,
]
