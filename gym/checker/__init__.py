"""Exercise checking: criteria run against the learner's code on a fresh real server.

For check authors: ``criterion``, ``Fail`` and ``CheckContext``. For learners:
``gym.check("ex03")`` in a notebook, ``gym check ex03`` in a terminal.
"""

from __future__ import annotations

from pathlib import Path

from gym.checker.catalogue import EXERCISES, Exercise, get
from gym.checker.context import CheckContext, Criterion, Fail, criterion
from gym.checker.result import CheckResult, CriterionResult, Status
from gym.checker.runner import run_check
from gym.sync_bridge import run_sync

__all__ = [
    "EXERCISES",
    "CheckContext",
    "CheckResult",
    "Criterion",
    "CriterionResult",
    "Exercise",
    "Fail",
    "Status",
    "check",
    "criterion",
    "get",
    "run_check",
]


def check(exercise_id: str, *, solution: bool = False, path: Path | None = None) -> CheckResult:
    """Check an exercise now; in a notebook the result shows as a table.

    ``path`` checks another file against the exercise's criteria (tests use it for
    mistake fixtures); ``solution=True`` checks the reference solution.
    """
    return run_sync(run_check(get(exercise_id), solution=solution, path=path))
