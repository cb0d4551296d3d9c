"""Prints, per exercise, the wall time of checking its reference solution: in process
(``gym.checker.check`` from a warm Python, which still starts a worker process) and cold
(``gym check exNN --solution`` as a new process), plus ``gym progress`` for the course.

Goal (issue 8): medians at most 1.0 s in process and 1.5 s cold; progress at most 1 s.
Usage: python benchmarks/bench_checker.py [RUNS] [exNN ...]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from gym.checker import EXERCISES, check


def median_seconds(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def cold(*args: str) -> Callable[[], object]:
    command = [sys.executable, "-m", "gym.cli", *args]
    return lambda: subprocess.run(command, capture_output=True, check=False)


def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv and argv[0].isdigit() else 5
    wanted = [a for a in argv if a.startswith("ex")] or [e.id for e in EXERCISES]
    print(f"{'exercise':<9}{'criteria':>9}{'in process':>13}{'cold CLI':>11}   (median of {runs})")
    for exercise_id in wanted:
        criteria = len(check(exercise_id, solution=True).results)
        warm = median_seconds(lambda e=exercise_id: check(e, solution=True), runs)
        cold_run = median_seconds(cold("check", exercise_id, "--solution"), runs)
        print(f"{exercise_id:<9}{criteria:>9}{warm:>12.2f}s{cold_run:>10.2f}s")
    print(f"gym progress (cold, cached verdicts): {median_seconds(cold('progress'), runs):.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
