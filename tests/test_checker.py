"""The checker on a fixture exercise: every way a learner's file can go wrong reads clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from gym.checker import CheckResult, Status
from gym.checker.runner import run_criteria
from gym.checker.stubs import TODO_LINE, make_stub
from gym.sync_bridge import run_sync
from tests.checker_fixtures.criteria import CRITERIA

FIXTURES = Path(__file__).parent / "checker_fixtures"


def check_fixture(name: str) -> CheckResult:
    return run_sync(run_criteria(FIXTURES / name, CRITERIA, exercise_id="fx", title="Fixture"))


def test_a_correct_file_passes_every_criterion() -> None:
    result = check_fixture("good.py")
    assert result.passed and result.exit_code == 0 and result.state == "done"
    assert "2/2 criteria pass" in str(result)


def test_an_untouched_stub_reads_not_started() -> None:
    result = check_fixture("untouched.py")
    assert [r.status for r in result.results] == [Status.NOT_STARTED] * 2
    assert result.state == "not started" and result.exit_code == 1
    assert "not started: double() is not written yet" in str(result)


def test_a_syntax_error_names_the_line() -> None:
    result = check_fixture("syntax_error.py")
    assert all(r.status is Status.ERROR for r in result.results)
    assert "syntax_error.py has a syntax error on line 2" in result.results[0].message


def test_an_exception_points_at_the_learners_own_line() -> None:
    result = check_fixture("raises.py")
    first, second = result.results
    assert first.status is Status.ERROR
    assert first.message.startswith("double() raised KeyError: 'm' (raises.py, line 6:")
    assert "echo() raised" in second.message and "raises.py, line 11" in second.message


def test_hanging_code_is_stopped_with_a_sentence() -> None:
    result = check_fixture("hangs.py")
    assert [r.status for r in result.results] == [Status.TIMED_OUT] * 2
    assert result.results[0].message == "did not finish within 5 s while running double()"
    assert "waited forever" in result.results[1].hint


def test_hanging_at_import_is_explained() -> None:
    result = check_fixture("hangs_on_import.py")
    assert "did not finish within 5 s" in result.results[0].message
    assert "module level" in result.results[0].message


def test_a_wrong_return_type_says_what_came_back() -> None:
    result = check_fixture("wrong_type.py")
    first, second = result.results
    assert first.status is Status.FAILED
    assert first.message == "double(2) returned NoneType None, expected a int"
    assert "missing `return`" in first.hint
    assert second.status is Status.ERROR or second.status is Status.FAILED


def test_a_missing_file_says_how_to_restore_it() -> None:
    result = check_fixture("nope.py")
    assert "does not exist" in result.results[0].message and "gym reset" in str(result)


def test_results_render_as_text_and_html() -> None:
    result = check_fixture("wrong_type.py")
    assert "<table>" in result._repr_html_() and "✘" in str(result)


@pytest.mark.parametrize(
    ("solution", "stub"),
    [
        (
            'def f(x: int) -> int:\n    """Doc."""\n    # secret\n    return x\n',
            f'def f(x: int) -> int:\n    """Doc."""\n    {TODO_LINE}\n'
            "    raise NotImplementedError\n",
        ),
        (
            'import os\n\nasync def g(\n    a,\n) -> None:\n    """Doc\n    more."""\n    await a\n'
            "\n\nLIMIT = 3\n",
            'import os\n\nasync def g(\n    a,\n) -> None:\n    """Doc\n    more."""\n'
            f"    {TODO_LINE}\n    raise NotImplementedError\n\n\nLIMIT = 3\n",
        ),
    ],
)
def test_make_stub_keeps_signature_and_docstring(solution: str, stub: str) -> None:
    assert make_stub(solution) == stub
