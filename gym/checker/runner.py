"""Run an exercise's criteria against a learner's file, each on a fresh real server.

A fresh server per criterion (about 20 ms) keeps criteria independent and makes a check
repeatable: nothing a learner left on their own server, or an earlier criterion left
behind, can change the verdict.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from gym.checker.catalogue import Exercise
from gym.checker.context import (
    CheckContext,
    Criterion,
    Fail,
    LearnerError,
    NotStarted,
    run_in_daemon_thread,
    where_in_learner_file,
)
from gym.checker.result import CheckResult, CriterionResult, Status
from gym.paths import course_root, exercises_dir, solutions_dir
from gym.server import start_server
from gym.session import connect

__all__ = ["criteria_for", "run_check", "run_criteria", "learner_path", "load_learner_module"]

IMPORT_TIMEOUT = 5.0
HANG_HINT = (
    "Something waited forever: a fetch, next_msg or request without a timeout, a loop "
    "with no way out, or a message expected on a subject nobody publishes to."
)
_module_numbers = itertools.count(1)


class CannotLoad(Exception):
    """The learner's file could not be imported; the message says why, in one sentence."""


def learner_path(exercise: Exercise, *, solution: bool = False) -> Path:
    """The file a check reads: the learner's exercise, or the reference solution."""
    return (solutions_dir() if solution else exercises_dir()) / exercise.file


def criteria_for(exercise: Exercise) -> Sequence[Criterion]:
    """The ``CRITERIA`` list of ``gym.checker.checks.<exercise id>``."""
    return importlib.import_module(f"gym.checker.checks.{exercise.id}").CRITERIA


async def load_learner_module(path: Path) -> ModuleType:
    """Import ``path`` afresh (never a cached copy), time-limited, errors made readable."""
    if not path.is_file():
        raise CannotLoad(f"{path} does not exist; `gym reset` can restore the exercise file")
    name = f"gym_learner_{path.stem}_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look modules up by name
    try:
        await asyncio.wait_for(
            run_in_daemon_thread(spec.loader.exec_module, module), IMPORT_TIMEOUT
        )
    except SyntaxError as error:
        raise CannotLoad(
            f"{path.name} has a syntax error on line {error.lineno}: {error.msg}"
        ) from None
    except TimeoutError:
        raise CannotLoad(
            f"importing {path.name} did not finish within {IMPORT_TIMEOUT:g} s: "
            "is there code at module level that waits or loops? Put it inside a function."
        ) from None
    except Exception as error:
        place = where_in_learner_file(error, path)
        raise CannotLoad(
            f"importing {path.name} raised {type(error).__name__}: {error}"
            + (f" ({place})" if place else "")
        ) from None
    finally:
        sys.modules.pop(name, None)
    return module


async def _run_one(item: Criterion, module: ModuleType, path: Path) -> CriterionResult:
    server = start_server()
    context: CheckContext | None = None
    try:
        nc = await connect(server.url)
        context = CheckContext(module, path, server, nc, nc.jetstream())
        task = asyncio.ensure_future(item.run(context))
        done, _ = await asyncio.wait({task}, timeout=item.timeout)
        if not done:
            task.cancel()
            await asyncio.wait({task}, timeout=1)  # learner code may ignore cancellation
            doing = f" while running {context.current_call}" if context.current_call else ""
            return CriterionResult(
                item.description,
                Status.TIMED_OUT,
                f"did not finish within {item.timeout:g} s{doing}",
                HANG_HINT,
            )
        task.result()
    except Fail as failure:
        return CriterionResult(item.description, Status.FAILED, failure.message, failure.hint)
    except NotStarted as not_started:
        return CriterionResult(
            item.description,
            Status.NOT_STARTED,
            str(not_started),
            "Replace the `raise NotImplementedError` with your code.",
        )
    except LearnerError as error:
        return CriterionResult(item.description, Status.ERROR, str(error))
    except Exception as error:  # a bug in the check itself must not hide the others
        return CriterionResult(
            item.description,
            Status.ERROR,
            f"the checker itself failed ({type(error).__name__}: {error}); please report it",
        )
    finally:
        if context is not None:
            await context.close()
        server.stop()
    return CriterionResult(item.description, Status.PASSED)


async def run_criteria(
    path: Path, criteria: Sequence[Criterion], *, exercise_id: str, title: str
) -> CheckResult:
    """Load ``path`` and run each criterion; a file that cannot load fails every criterion."""
    shown = _shown_path(path)
    try:
        module = await load_learner_module(path)
    except CannotLoad as error:
        results = tuple(CriterionResult(c.description, Status.ERROR, str(error)) for c in criteria)
        return CheckResult(exercise_id, title, shown, results)
    results = [await _run_one(item, module, path) for item in criteria]
    return CheckResult(exercise_id, title, shown, tuple(results))


def _shown_path(path: Path) -> str:
    """The path as the learner knows it: relative to the course, when it is inside it."""
    try:
        return str(path.resolve().relative_to(course_root()))
    except ValueError:
        return str(path)


async def run_check(
    exercise: Exercise, *, solution: bool = False, path: Path | None = None
) -> CheckResult:
    """Check the learner's file for ``exercise`` (or the reference solution, or ``path``)."""
    return await run_criteria(
        path or learner_path(exercise, solution=solution),
        criteria_for(exercise),
        exercise_id=exercise.id,
        title=exercise.title,
    )
