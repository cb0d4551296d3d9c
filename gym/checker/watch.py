"""``gym watch``: re-check the first unfinished exercise each time its file is saved.

Watching means noticing a save; a file's modification time is the one portable signal,
so it is read a few times a second (a cheap ``stat``), and the check runs only on change.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gym.checker.catalogue import EXERCISES, Exercise
from gym.checker.result import CheckResult
from gym.checker.runner import learner_path, run_check
from gym.sync_bridge import run_sync

__all__ = ["watch"]

POLL_SECONDS = 0.3


def _mtime(exercise: Exercise) -> float:
    try:
        return learner_path(exercise).stat().st_mtime
    except OSError:
        return 0.0


def watch(
    say: Callable[[str], None] = print,
    *,
    exercises: tuple[Exercise, ...] = EXERCISES,
    max_checks: int | None = None,
) -> int:
    """Check, wait for a save, check again; move on when an exercise passes.

    Returns 0 once every exercise passes. ``max_checks`` bounds the run (for tests).
    """
    checks = 0
    for exercise in exercises:
        while True:
            seen = _mtime(exercise)
            result: CheckResult = run_sync(run_check(exercise))
            checks += 1
            say(str(result))
            if result.passed:
                break
            if max_checks is not None and checks >= max_checks:
                return 1
            say(f"Watching {learner_path(exercise)}: save it to check again (Ctrl-C to stop).")
            while _mtime(exercise) == seen:
                time.sleep(POLL_SECONDS)
    say("Every exercise passes. Well done!")
    return 0
