"""A learner whose code never returns."""

import asyncio
import time


def double(n: int) -> int:
    """Twice n."""
    while True:
        time.sleep(0.05)


async def echo(nc, subject: str, data: bytes) -> None:
    """Publish data and flush."""
    await asyncio.Event().wait()
