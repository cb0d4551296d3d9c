"""Exercise checking: criteria run against the learner's code on a fresh real server.

For check authors: ``criterion``, ``Fail`` and ``CheckContext``. For learners:
``gym.check("ex03")`` in a notebook, ``gym check ex03`` in a terminal. The learner's code
runs in a worker process of its own (``gym.checker.supervisor``), so nothing it does can
hold or break the notebook or terminal that asked for the check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gym.checker.catalogue import EXERCISES, Exercise, get
from gym.checker.context import CheckContext, Criterion, Fail, criterion, eventually
from gym.checker.progress import hints_seen, next_hint, remember
from gym.checker.result import CheckResult, CriterionResult, Status
from gym.checker.supervisor import CheckerError, check_file
from gym.paths import course_root, exercises_dir, solutions_dir

__all__ = [
    "EXERCISES",
    "CheckContext",
    "CheckResult",
    "CheckerError",
    "Criterion",
    "CriterionResult",
    "Exercise",
    "Fail",
    "Status",
    "check",
    "check_module",
    "criterion",
    "eventually",
    "get",
    "hint",
    "learner_path",
]


def learner_path(exercise: Exercise, *, solution: bool = False) -> Path:
    """The file a check reads: the learner's exercise, or the reference solution."""
    return (solutions_dir() if solution else exercises_dir()) / exercise.file


def check_module(exercise: Exercise) -> str:
    """The module whose ``CRITERIA`` check ``exercise``."""
    return f"gym.checker.checks.{exercise.id}"


def shown_path(path: Path) -> str:
    """The path as the learner knows it: relative to the course, when it is inside it."""
    try:
        return str(path.resolve().relative_to(course_root()))
    except ValueError:
        return str(path)


def check(
    exercise_id: str,
    *,
    solution: bool = False,
    path: Path | None = None,
    on_result: Callable[[int, CriterionResult], None] | None = None,
) -> CheckResult:
    """Check an exercise now and return what each criterion found.

    ``path`` checks another file against the exercise's criteria (tests use it for mistake
    fixtures); ``solution=True`` checks the reference solution. ``on_result(i, result)`` is
    called as each criterion ends. In a notebook the result shows itself compactly.
    """
    exercise = get(exercise_id)
    file = path or learner_path(exercise, solution=solution)
    result = check_file(
        file,
        check_module(exercise),
        exercise_id=exercise.id,
        title=exercise.title,
        shown_file=shown_path(file),
        on_result=on_result,
    )
    if path is None and not solution:
        remember(exercise, file, result)
    later = EXERCISES[EXERCISES.index(exercise) + 1 :]
    if result.passed and later:
        return result.with_next_step(later[0].notebook, later[0].id)
    return result


def hint(exercise_id: str, *, seen: bool = False) -> None:
    """Print the next hint for an exercise (``seen=True``: every hint shown so far again)."""
    exercise = get(exercise_id)
    if seen:
        print("\n".join(hints_seen(exercise)) or f"No hint seen yet for {exercise.id}.")
        return
    text = next_hint(exercise)
    print(
        text
        or f"All {len(exercise.hints)} hints for {exercise.id} have been shown: "
        f'gym.hint("{exercise.id}", seen=True) shows them again.'
    )
