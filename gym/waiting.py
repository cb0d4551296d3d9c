"""Wait on the thing itself: ask the server again until its answer says what we wait for.

Much of what NATS does lands a moment after it answers: an ack reaches the consumer just
after the ack was sent, a stream elects a leader, `/healthz` recovers after a deletion. A
sleep would guess how long that takes; asking again, within a deadline, does not.

``eventually`` is for coroutines; ``polled`` is its synchronous twin for the code that starts
processes (``gym.server``, ``gym.cluster``), which runs before any event loop does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["eventually", "polled"]

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    within: float,
    until: Callable[[T], bool] = bool,
    every: float = 0.02,
) -> T:
    """Ask ``probe`` until ``until(answer)`` holds or ``within`` seconds pass; the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        answer = await probe()
        if until(answer) or loop.time() >= deadline:
            return answer
        await asyncio.sleep(every)  # between two answers of the thing waited on


def polled(
    probe: Callable[[], T],
    *,
    within: float,
    until: Callable[[T], bool] = bool,
    first_pause: float = 0.002,
    longest_pause: float = 0.05,
) -> T:
    """Ask ``probe`` until ``until(answer)`` holds or ``within`` seconds pass; the last answer.

    The pauses double from ``first_pause`` up to ``longest_pause``: a server is ready within
    milliseconds, so the first answers come quickly, and a cluster that needs a second is
    not asked a thousand times.
    """
    deadline = time.monotonic() + within
    pause = first_pause
    while True:
        answer = probe()
        if until(answer) or time.monotonic() >= deadline:
            return answer
        time.sleep(pause)  # between two answers of the thing waited on
        pause = min(pause * 2, longest_pause)
