"""sys.exit inside a subscription callback: it escapes the event loop, not the function."""

import sys


async def run(nc) -> int:
    async def cb(msg):
        sys.exit(2)

    sub = await nc.subscribe("q", cb=cb)
    await nc.publish("q", b"")
    await nc.flush()
    await sub.drain()
    return 42
