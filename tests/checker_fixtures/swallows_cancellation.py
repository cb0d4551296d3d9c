"""A retry loop whose bare except also swallows the cancellation meant to stop it."""

import asyncio


async def run(nc) -> int:
    while True:
        try:
            await asyncio.sleep(0.01)
        except:  # noqa: E722 - the mistake under test
            continue
