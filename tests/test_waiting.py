"""gym.waiting: ask again until the answer says so, within a deadline — async and sync alike."""

from __future__ import annotations

import asyncio
import time
from itertools import count

from gym.waiting import eventually, polled


def test_polled_returns_the_first_answer_that_holds() -> None:
    answers = count(1)
    assert polled(lambda: next(answers), within=5, until=lambda n: n >= 4) == 4


def test_polled_gives_the_last_answer_when_time_runs_out() -> None:
    asked = []
    started = time.monotonic()
    answer = polled(lambda: asked.append(1) or len(asked), within=0.1, until=lambda n: n < 0)
    took = time.monotonic() - started
    assert answer == len(asked) and took >= 0.1
    assert len(asked) < 20, "the pauses should grow, not hammer the probe"


def test_eventually_returns_the_first_answer_that_holds() -> None:
    answers = count(1)

    async def probe() -> int:
        return next(answers)

    assert asyncio.run(eventually(probe, within=5, until=lambda n: n >= 3, every=0.001)) == 3
