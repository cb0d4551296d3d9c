"""run_sync works both with and without a running event loop."""

from __future__ import annotations

import asyncio

import pytest

from gym.sync_bridge import run_sync


async def answer() -> int:
    await asyncio.sleep(0)
    return 42


async def fail() -> None:
    raise ValueError("boom")


def test_without_a_loop() -> None:
    assert run_sync(answer()) == 42


def test_inside_a_running_loop_like_a_notebook() -> None:
    async def notebook_cell() -> int:
        return run_sync(answer())

    assert asyncio.run(notebook_cell()) == 42


def test_errors_reach_the_caller() -> None:
    async def notebook_cell() -> None:
        run_sync(fail())

    with pytest.raises(ValueError, match="boom"):
        asyncio.run(notebook_cell())
