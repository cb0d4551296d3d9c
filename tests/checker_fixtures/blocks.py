"""A blocking time.sleep inside async code."""

import time


async def run(nc) -> int:
    time.sleep(0.2)
    return 42
