"""Prints median and p95 of embedded-server start-to-ready and of gym.start() end to end."""

from __future__ import annotations

import os
import statistics
import time

import gym
from gym.server import start_server
from gym.sync_bridge import run_sync

RUNS = 20


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<28} median {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"
        f"   (n={len(ms)})"
    )


def time_server_start() -> float:
    started = time.perf_counter()
    server = start_server()
    elapsed = time.perf_counter() - started
    server.stop()
    return elapsed


async def time_gym_start() -> float:
    started = time.perf_counter()
    session = await gym.start(quiet=True)
    elapsed = time.perf_counter() - started
    await session.close()
    return elapsed


def main() -> None:
    os.environ.pop("NATS_URL", None)
    report("server start-to-ready", [time_server_start() for _ in range(RUNS)])
    report("gym.start() end to end", [run_sync(time_gym_start()) for _ in range(RUNS)])


if __name__ == "__main__":
    main()
