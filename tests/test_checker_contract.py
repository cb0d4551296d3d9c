"""The exercise contract: catalogue, files, notebooks and checks agree both ways; solutions
pass; untouched stubs fail every criterion cleanly ("not started", never a checker crash).

Stubs are checked as ``make_stub`` makes them, in a temporary folder, so a contributor's own
work in ``exercises/`` can never break (or fake) these tests.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import gym.checker
from gym.checker import EXERCISES, Exercise, Status, check
from gym.checker.stubs import make_stub
from gym.paths import exercises_dir, notebooks_dir, solutions_dir

by_id = pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
CHECKS = Path(gym.checker.__file__).parent / "checks"


def test_catalogue_is_ordered_and_unique() -> None:
    ids = [e.id for e in EXERCISES]
    assert ids == sorted(set(ids))
    for exercise in EXERCISES:
        assert re.fullmatch(r"ex\d\d", exercise.id)
        assert exercise.file.startswith(exercise.id + "_") and exercise.file.endswith(".py")
        assert exercise.notebook.startswith(exercise.id[2:] + "_")


def test_nothing_exists_outside_the_catalogue() -> None:
    """No orphan check module, solution, exercise file or mistake folder."""
    ids = {e.id for e in EXERCISES}
    files = {e.file for e in EXERCISES}
    assert {p.stem for p in CHECKS.glob("ex*.py")} == ids
    assert {p.name for p in solutions_dir().glob("ex*.py")} == files
    assert {p.name for p in exercises_dir().glob("ex*.py")} == files
    mistakes = Path(__file__).parent / "mistakes"
    assert {p.name for p in mistakes.glob("ex*") if p.is_dir()} <= ids


@by_id
def test_hints_go_from_nudge_to_answer(exercise: Exercise) -> None:
    assert len(exercise.hints) >= 2
    assert all(h.strip() and not h.startswith("TODO") for h in exercise.hints)


@by_id
def test_stub_is_made_from_the_solution(exercise: Exercise) -> None:
    solution = (solutions_dir() / exercise.file).read_text()
    stub = (exercises_dir() / exercise.file).read_text()
    assert stub == make_stub(solution), f"run `gym reset {exercise.id}` after editing the solution"
    assert "# TODO" in stub and "raise NotImplementedError" in stub
    tree = ast.parse(solution)
    assert ast.get_docstring(tree), "the module docstring states the task"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert ast.get_docstring(node), f"{node.name} needs a docstring: it is the task"
            assert not node.name.startswith("_"), "private helpers would be stubbed too"


@by_id
def test_notebook_points_to_the_exercise(exercise: Exercise) -> None:
    notebook = json.loads((notebooks_dir() / exercise.notebook).read_text())
    text = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    assert exercise.file in text
    assert f'gym.check("{exercise.id}")' in text


@by_id
def test_the_solution_passes_every_criterion(exercise: Exercise) -> None:
    result = check(exercise.id, solution=True)
    assert result.passed, str(result)
    assert len(result.results) >= 2
    assert result.next_line().startswith(("Next: notebook ", "That was the last"))


@by_id
def test_an_untouched_stub_fails_every_criterion_cleanly(
    exercise: Exercise, tmp_path: Path
) -> None:
    stub = tmp_path / exercise.file
    stub.write_text(make_stub((solutions_dir() / exercise.file).read_text()))
    result = check(exercise.id, path=stub)
    assert [r.status for r in result.results] == [Status.NOT_STARTED] * len(result.results), str(
        result
    )
    assert result.state == "not started"
    assert len(str(result).splitlines()) == 2, "a stub's verdict is one line under the title"
