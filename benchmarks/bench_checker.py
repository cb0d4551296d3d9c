"""Prints median and p95 wall time of one exercise check: in process, and as a cold `gym check`."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from gym.checker import EXERCISES, run_check
from gym.sync_bridge import run_sync

RUNS = 10


def report(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{name:<34} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})")


def timed(action) -> float:  # noqa: ANN001 - any zero-argument callable
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    for exercise in EXERCISES:
        criteria = len(run_sync(run_check(exercise, solution=True)).results)
        report(
            f"{exercise.id} in process ({criteria} criteria)",
            [timed(lambda e=exercise: run_sync(run_check(e, solution=True))) for _ in range(RUNS)],
        )
    first = EXERCISES[0].id
    command = [sys.executable, "-m", "gym.cli", "check", first, "--solution"]
    report(
        f"gym check {first} (cold CLI)",
        [
            timed(lambda: subprocess.run(command, capture_output=True, check=True))
            for _ in range(RUNS)
        ],
    )


if __name__ == "__main__":
    main()
