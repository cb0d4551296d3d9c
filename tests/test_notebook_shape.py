"""Every notebook has the course's shape: an honest time estimate, a core path a learner
reads in minutes, skippable deep dives (collapsed in JupyterLab), key takeaways, and a
"Your turn" that links to its exercise.

The core path is the Markdown a learner must read: every Markdown cell outside the
sections whose heading starts with "Deep dive". A Deep-dive section runs from its
heading to the next heading of the same or a higher level. Fenced blocks (Mermaid
diagrams) are pictures, not reading, so their source is not counted. Words are counted
by spaces and by runs of letters and digits, whichever gives more.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gym.checker import EXERCISES

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CORE_PATH_LIMIT = 1200
COLLAPSED = "jp-MarkdownHeadingCollapsed"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
WORD = re.compile(r"\w+")
"""Words are counted both ways, by spaces and by runs of letters and digits (so that
`js.publish` counts as two), and the larger count is held to the limit."""
ESTIMATE = re.compile(r"Estimated time: about (\d+) minutes")


def markdown_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "markdown"]


def split_words(path: Path) -> tuple[int, int]:
    """(core-path words, deep-dive words) of one notebook."""
    core = deep = 0
    deep_level: int | None = None  # inside a Deep-dive section of this heading level
    for cell in markdown_cells(path):
        for block in re.split(r"(?=^#{1,6}\s)", FENCE.sub("", "".join(cell["source"])), flags=re.M):
            heading = HEADING.match(block.split("\n", 1)[0])
            if heading:
                level = len(heading.group(1))
                if deep_level is not None and level <= deep_level:
                    deep_level = None
                if heading.group(2).startswith("Deep dive"):
                    deep_level = level
            words = max(len(block.split()), len(WORD.findall(block)))
            if deep_level is None:
                core += words
            else:
                deep += words
    return core, deep


def estimate(path: Path) -> int:
    """The minutes the notebook's first cell promises."""
    found = ESTIMATE.search("".join(markdown_cells(path)[0]["source"]))
    assert found, f"{path.name}: the first cell says 'Estimated time: about N minutes'"
    return int(found.group(1))


by_notebook = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


@by_notebook
def test_the_core_path_is_short(path: Path) -> None:
    core, _ = split_words(path)
    assert core <= CORE_PATH_LIMIT, f"{path.name}: {core} core-path words (limit {CORE_PATH_LIMIT})"


@by_notebook
def test_deep_dives_start_collapsed_in_their_own_cell(path: Path) -> None:
    for cell in markdown_cells(path):
        lines = "".join(cell["source"]).splitlines()
        for number, line in enumerate(lines):
            heading = HEADING.match(line)
            if heading and heading.group(2).startswith("Deep dive"):
                assert number == 0, f"{path.name}: {line!r} must open its own cell"
                assert cell["metadata"].get(COLLAPSED) is True, f"{path.name}: {line!r}"


@by_notebook
def test_it_states_its_time_and_ends_with_takeaways(path: Path) -> None:
    assert 5 <= estimate(path) <= 90
    text = "\n".join("".join(c["source"]) for c in markdown_cells(path))
    section = re.search(r"^## Key takeaways\n(.*?)(?=^#|\Z)", text, flags=re.M | re.S)
    assert section, f"{path.name} has a '## Key takeaways' section"
    bullets = re.findall(r"^[*-] ", section.group(1), flags=re.M)
    assert 3 <= len(bullets) <= 5, f"{path.name}: {len(bullets)} takeaways, want 3 to 5"


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_your_turn_links_the_exercise_and_says_how_to_check(exercise) -> None:
    path = ROOT / "notebooks" / exercise.notebook
    text = "\n".join("".join(c["source"]) for c in markdown_cells(path))
    link = f"](../exercises/{exercise.file})"
    assert link in text, f"{path.name} links its exercise with a Markdown link ...{link}"
    assert f'gym.check("{exercise.id}")' in text
    assert f"gym check {exercise.id}" in text, "says how to check it in JupyterLab's terminal"


def test_the_readme_promise_is_the_sum_of_the_estimates() -> None:
    total = sum(estimate(path) for path in NOTEBOOKS)
    readme = (ROOT / "README.md").read_text()
    assert f"about {total} minutes" in readme, f"the README states the total: about {total} minutes"
