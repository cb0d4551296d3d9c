"""Criteria for the isolation fixtures: ``async run(nc)`` must return 42, twice.

Each fixture misbehaves in its own way (hangs, spins, exits, floods…); the second
criterion shows that a function that hung is not called — and waited for — again.
"""

from __future__ import annotations

from gym.checker import CheckContext, criterion

LIMIT = 1.0


@criterion("run(nc) returns 42", timeout=LIMIT)
async def returns_42(ctx: CheckContext) -> None:
    ctx.expect_equal(await ctx.call("run", ctx.nc), 42, call="run(nc)")


@criterion("run(nc) returns 42 again", timeout=LIMIT)
async def returns_42_again(ctx: CheckContext) -> None:
    ctx.expect_equal(await ctx.call("run", ctx.nc), 42, call="run(nc) the second time")


CRITERIA = [returns_42, returns_42_again]
