"""A task started and never awaited fails: asyncio would only log it, much later."""

import asyncio


async def run(nc) -> int:
    async def boom():
        raise ValueError("bad price")

    asyncio.ensure_future(boom())
    await asyncio.sleep(0.05)
    return 42
