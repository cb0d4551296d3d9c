"""The learner's loop from a terminal: check, hint, reset, progress, watch.

Each test works on a copy of the course in a temporary folder (``GYM_COURSE_DIR``), so
the repository's exercise files are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gym.checker import get

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def course(tmp_path: Path) -> Path:
    for folder in ("exercises", "solutions"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "notebooks").mkdir()
    return tmp_path


def gym_env(course: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
    env["GYM_COURSE_DIR"] = str(course)
    return env


def gym_cli(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gym.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=gym_env(course),
    )


def solve(course: Path, exercise_id: str) -> Path:
    file = get(exercise_id).file
    shutil.copy(course / "solutions" / file, course / "exercises" / file)
    return course / "exercises" / file


def test_check_fails_a_stub_and_passes_a_solved_file(course: Path) -> None:
    untouched = gym_cli(course, "check", "ex10")
    assert untouched.returncode == 1
    assert "0/4 criteria pass" in untouched.stdout and "not started" in untouched.stdout
    solve(course, "ex10")
    solved = gym_cli(course, "check", "ex10")
    assert solved.returncode == 0, solved.stdout
    assert "4/4 criteria pass" in solved.stdout


def test_check_needs_an_exercise_or_all(course: Path) -> None:
    result = gym_cli(course, "check")
    assert result.returncode == 2 and "--all" in result.stdout


def test_unknown_exercise_lists_the_real_ones(course: Path) -> None:
    result = gym_cli(course, "hint", "ex99")
    assert result.returncode == 1 and "the exercises are ex01" in result.stdout


def test_hints_come_one_at_a_time_and_are_remembered(course: Path) -> None:
    total = len(get("ex10").hints)
    first = gym_cli(course, "hint", "ex10").stdout
    second = gym_cli(course, "hint", "ex10").stdout
    assert first.startswith(f"Hint 1/{total} for ex10:")
    assert second.startswith(f"Hint 2/{total} for ex10:")
    assert (course / ".gym" / "state.json").is_file()


def test_reset_restores_the_stub_and_keeps_the_learners_work(course: Path) -> None:
    exercise_file = course / "exercises" / get("ex10").file
    original = exercise_file.read_text()
    exercise_file.write_text("# my attempt\n")
    result = gym_cli(course, "reset", "ex10")
    assert result.returncode == 0
    assert exercise_file.read_text() == original
    backups = list((course / ".gym" / "backups").glob("ex10_*.py"))
    assert [b.read_text() for b in backups] == ["# my attempt\n"]


def test_progress_shows_each_exercise_state(course: Path) -> None:
    solve(course, "ex10")
    broken = course / "exercises" / get("ex09").file
    broken.write_text(broken.read_text().replace("raise NotImplementedError", "return 1", 1))
    lines = gym_cli(course, "progress").stdout.splitlines()
    states = {line.split()[0]: line for line in lines}
    assert " done " in states["ex10"]
    assert " failing " in states["ex09"]
    assert " not started " in states["ex01"]


def test_watch_rechecks_on_save_and_moves_on(course: Path) -> None:
    env = gym_env(course)
    watcher = subprocess.Popen(
        [sys.executable, "-u", "-m", "gym.cli", "watch"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    seen: list[str] = []
    try:
        for line in watcher.stdout:
            seen.append(line)
            if line.startswith("Watching") and "ex01" in line:
                break
        solve(course, "ex01")  # the learner saves a working file
        for line in watcher.stdout:
            seen.append(line)
            if line.startswith("Watching") and "ex02" in line:
                break
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    text = "".join(seen)
    assert "ex01" in text and "criteria pass" in text
    assert "All done. On to the next one!" in text
    assert text.rstrip().splitlines()[-1].startswith("Watching")
