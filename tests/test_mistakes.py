"""Wrong answers real learners write: each must fail, and fail with its own message.

A fixture in ``tests/mistakes/<exercise id>/`` holds only what the mistake changes: the
learner's version of one or more top-level functions, classes or constants, and any import
they need. The learner file checked is the solution with those put in place of the
solution's own of the same name (``learner_file``), so a fixture shows the mistake and
nothing else, and follows the solution when it changes. Its first lines say what is wrong
and what the learner must be told::

    # mistake: ack before handle, so a failing handle loses its message
    # expect: acknowledged before handle

The check must not pass, some failing criterion's message or hint must contain every
``# expect:`` text (case-insensitive), and no criterion may blame the checker itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gym.checker import check, get

SOLUTIONS = Path(__file__).parents[1] / "solutions"

MISTAKES = Path(__file__).parent / "mistakes"
FIXTURES = sorted(MISTAKES.glob("ex*/*.py"))


def expectations(path: Path) -> list[str]:
    """The ``# expect:`` lines at the top of a fixture."""
    header = path.read_text().split("\n\n", 1)[0]
    return re.findall(r"^# expect: (.+)$", header, flags=re.MULTILINE)


def named(node: ast.stmt) -> str | None:
    """The name a top-level definition or constant binds; None for anything else."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def statements(source: str) -> list[tuple[ast.stmt, int, int]]:
    """Top-level statements with their lines (0-based, end exclusive; decorators included).
    A constant's docstring belongs to the constant; the module's docstring is left out."""
    found: list[tuple[ast.stmt, int, int]] = []
    for node in ast.parse(source).body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = node.end_lineno or node.lineno
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        docstring = docstring and isinstance(node.value.value, str)
        if not docstring:
            found.append((node, first - 1, end))
        elif found and isinstance(found[-1][0], ast.Assign | ast.AnnAssign):
            found[-1] = (found[-1][0], found[-1][1], end)
    return found


def learner_file(fixture: Path, folder: Path) -> Path:
    """The solution with the fixture's definitions in place of its own of the same name
    (new ones added at the end) and the fixture's imports added after its imports."""
    exercise = get(fixture.parent.name)
    solution = (SOLUTIONS / exercise.file).read_text()
    lines = solution.splitlines()
    spans = statements(solution)
    where = {name: (start, end) for node, start, end in spans if (name := named(node))}
    part = fixture.read_text()
    part_lines = part.splitlines()
    replaced: list[tuple[int, int, list[str]]] = []
    imports: list[str] = []
    added: list[str] = []
    for node, start, end in statements(part):
        text = part_lines[start:end]
        name = named(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports += [] if "\n".join(text) in solution else text
        elif name in where:
            replaced.append((*where[name], text))
        else:
            assert name, f"{fixture}:{node.lineno}: only imports and definitions belong here"
            added += ["", "", *text]
    for start, end, text in sorted(replaced, reverse=True):
        lines[start:end] = text
    after_imports = max(
        end for node, _, end in spans if isinstance(node, ast.Import | ast.ImportFrom)
    )
    lines[after_imports:after_imports] = imports
    path = folder / exercise.file
    path.write_text("\n".join([*lines, *added]) + "\n")
    return path


def test_every_fixture_says_what_it_expects() -> None:
    for path in FIXTURES:
        assert expectations(path), f"{path} has no '# expect:' line in its header"
        assert re.search(r"^# mistake: .+", path.read_text(), flags=re.MULTILINE), path


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}-{p.stem}" for p in FIXTURES])
def test_a_mistake_fails_with_its_own_message(path: Path, tmp_path: Path) -> None:
    result = check(path.parent.name, path=learner_file(path, tmp_path))
    assert not result.passed, f"{path.name} passed, but it is wrong:\n{result}"
    failing = [r for r in result.results if not r.passed]
    said = "\n".join(f"{r.message}\n{r.hint}" for r in failing).lower()
    for expected in expectations(path):
        assert expected.lower() in said, f"{path.name}: {expected!r} not said in:\n{result}"
    assert "checker itself" not in said, f"{path.name} made the checker blame itself:\n{result}"
