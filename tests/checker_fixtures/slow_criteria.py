"""One criterion with a long limit, to interrupt a check while it waits on learner code."""

from __future__ import annotations

from gym.checker import CheckContext, criterion


@criterion("run(nc) returns 42 (with all the time in the world)", timeout=60.0)
async def returns_42(ctx: CheckContext) -> None:
    ctx.expect_equal(await ctx.call("run", ctx.nc), 42, call="run(nc)")


CRITERIA = [returns_42]
