"""The checker on a fixture exercise: every way a learner's file can go wrong reads clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from gym.checker import CheckResult, Status
from gym.checker.stubs import TODO_LINE, make_stub
from gym.checker.supervisor import check_file

FIXTURES = Path(__file__).parent / "checker_fixtures"


def check_fixture(name: str) -> CheckResult:
    return check_file(
        FIXTURES / name,
        "tests.checker_fixtures.criteria",
        exercise_id="fx",
        title="Fixture",
        shown_file=name,
    )


def test_a_correct_file_passes_every_criterion() -> None:
    result = check_fixture("good.py")
    assert result.passed and result.exit_code == 0 and result.state == "done"
    assert "all 2 criteria pass" in str(result)


def test_an_untouched_stub_reads_not_started_in_one_line() -> None:
    result = check_fixture("untouched.py")
    assert [r.status for r in result.results] == [Status.NOT_STARTED] * 2
    assert result.state == "not started" and result.exit_code == 1
    assert str(result).splitlines()[1:] == [
        "  write double() and echo() (replace each `raise NotImplementedError`), "
        "then check again: 2 criteria are waiting."
    ]


def test_a_syntax_error_names_the_line_once() -> None:
    result = check_fixture("syntax_error.py")
    assert result.cannot_run and all(r.status is Status.ERROR for r in result.results)
    assert "syntax_error.py has a syntax error on line 2" in result.results[0].message
    assert str(result).count("syntax error") == 1


def test_an_exception_points_at_the_learners_own_line() -> None:
    first, second = check_fixture("raises.py").results
    assert first.status is Status.ERROR
    assert first.message == "double() raised KeyError: no key 'm' in that dict"
    assert first.where.startswith("raises.py, line 6:") and "dict lacks a key" in first.hint
    assert "echo() raised TypeError" in second.message and second.where.startswith(
        "raises.py, line 11"
    )


def test_hanging_code_is_stopped_with_a_sentence_and_its_line() -> None:
    result = check_fixture("hangs.py")
    assert [r.status for r in result.results] == [Status.TIMED_OUT] * 2
    first, second = result.results
    assert first.message == "did not finish within 5 s: double() was still running"
    assert first.where == "hangs.py, line 10: time.sleep(0.05)" and "never ends" in first.hint
    assert second.where == "hangs.py, line 15: await asyncio.Event().wait()"
    assert "waited forever" in second.hint


def test_hanging_at_import_is_explained() -> None:
    result = check_fixture("hangs_on_import.py")
    assert result.cannot_run
    assert result.results[0].message == "importing hangs_on_import.py did not finish within 5 s"
    assert result.results[0].where.startswith("hangs_on_import.py, line")
    assert "module level" in result.results[0].hint


def test_a_wrong_return_type_says_what_came_back_and_where() -> None:
    first, second = check_fixture("wrong_type.py").results
    assert first.status is Status.FAILED
    assert first.message == "double(2) returned NoneType None, expected an int"
    assert first.where == "wrong_type.py, line 4 (double)" and "missing `return`" in first.hint
    assert second.status is Status.FAILED and "nothing arrived" in second.message


def test_a_missing_file_says_how_to_restore_it() -> None:
    result = check_fixture("nope.py")
    assert result.cannot_run and "does not exist" in result.results[0].message
    assert "gym reset" in str(result)


def test_results_render_as_text_and_html() -> None:
    result = check_fixture("wrong_type.py")
    html = result._repr_html_()
    assert "<table" not in html and "expected an int" in html and "✘" in str(result)


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
