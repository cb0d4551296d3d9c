"""Criteria for the fixture exercise: ``double(n)`` and ``async echo(nc, subject, data)``."""

from __future__ import annotations

from nats.errors import TimeoutError as NatsTimeoutError

from gym.checker import CheckContext, Fail, criterion


@criterion("double(2) returns 4")
async def doubles(ctx: CheckContext) -> None:
    got = await ctx.call("double", 2)
    ctx.expect_type(got, int, call="double(2)")
    ctx.expect_equal(got, 4, call="double(2)", hint="Multiply by two.")


@criterion("echo sends data back through the real server", timeout=1.0)
async def echoes(ctx: CheckContext) -> None:
    sub = await ctx.nc.subscribe("fixture.echo")
    await ctx.call("echo", ctx.nc, "fixture.echo", b"hi")
    try:
        msg = await sub.next_msg(timeout=0.5)
    except NatsTimeoutError:
        raise Fail(
            "echo(nc, 'fixture.echo', b'hi') returned, but nothing arrived on fixture.echo",
            hint="Publish to the subject you were given, then flush.",
        ) from None
    ctx.expect(msg.data == b"hi", f"received {msg.data!r}, expected b'hi'")


CRITERIA = [doubles, echoes]
