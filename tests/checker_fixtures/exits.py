"""sys.exit inside learner code."""

import sys


async def run(nc) -> int:
    sys.exit(3)
