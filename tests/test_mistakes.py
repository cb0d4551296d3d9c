"""Wrong answers real learners write: each must fail, and fail with its own message.

A fixture is a complete learner file in ``tests/mistakes/<exercise id>/``. Its first
lines say what is wrong with it and what the learner must be told::

    # mistake: ack before handle, so a failing handle loses its message
    # expect: acknowledged before handle

The check must not pass, some failing criterion's message or hint must contain every
``# expect:`` text (case-insensitive), and no criterion may blame the checker itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gym.checker import check

MISTAKES = Path(__file__).parent / "mistakes"
FIXTURES = sorted(MISTAKES.glob("ex*/*.py"))


def expectations(path: Path) -> list[str]:
    """The ``# expect:`` lines at the top of a fixture."""
    header = path.read_text().split("\n\n", 1)[0]
    return re.findall(r"^# expect: (.+)$", header, flags=re.MULTILINE)


def test_every_fixture_says_what_it_expects() -> None:
    for path in FIXTURES:
        assert expectations(path), f"{path} has no '# expect:' line in its header"
        assert re.search(r"^# mistake: .+", path.read_text(), flags=re.MULTILINE), path


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}-{p.stem}" for p in FIXTURES])
def test_a_mistake_fails_with_its_own_message(path: Path) -> None:
    result = check(path.parent.name, path=path)
    assert not result.passed, f"{path.name} passed, but it is wrong:\n{result}"
    failing = [r for r in result.results if not r.passed]
    said = "\n".join(f"{r.message}\n{r.hint}" for r in failing).lower()
    for expected in expectations(path):
        assert expected.lower() in said, f"{path.name}: {expected!r} not said in:\n{result}"
    assert "checker itself" not in said, f"{path.name} made the checker blame itself:\n{result}"
