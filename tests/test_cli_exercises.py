"""The learner's loop from a terminal: check, hint, reset, progress, watch.

Each test works on a copy of the course in a temporary folder (``GYM_COURSE_DIR``), so
the repository's exercise files are never touched.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import gym
from gym.checker import EXERCISES, get

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
    assert "ex10 A health report from monitoring data: not started" in untouched.stdout
    assert len(untouched.stdout.strip().splitlines()) == 2, untouched.stdout
    solve(course, "ex10")
    solved = gym_cli(course, "check", "ex10")
    assert solved.returncode == 0, solved.stdout
    assert "all 4 criteria pass" in solved.stdout
    # the line after a pass names what comes next (the end of the course after the last one)
    assert (
        solved.stdout.strip().splitlines()[-1]
        == "  Next: notebook 11_key_value.ipynb, then exercise ex11."
    )


def test_check_all_prints_each_result_and_a_total(course: Path) -> None:
    solve(course, "ex01")
    result = gym_cli(course, "check", "--all")
    assert result.returncode == 1
    assert "ex01 Subjects and wildcards: all 5 criteria pass" in result.stdout
    assert "Next: notebook 02_core_pubsub.ipynb, then exercise ex02." in result.stdout
    assert result.stdout.strip().splitlines()[-1] == f"1 passed, {len(EXERCISES) - 1} failed"


def test_check_needs_an_exercise_or_all(course: Path) -> None:
    result = gym_cli(course, "check")
    assert result.returncode == 2 and "--all" in result.stdout


def test_unknown_exercise_lists_the_real_ones(course: Path) -> None:
    result = gym_cli(course, "hint", "ex99")
    assert result.returncode == 1 and "the exercises are ex01" in result.stdout


def test_hints_come_one_at_a_time_and_can_be_read_again(course: Path) -> None:
    hints = get("ex10").hints
    shown = [gym_cli(course, "hint", "ex10").stdout for _ in hints]
    assert [s.split(":")[0] for s in shown] == [
        f"Hint {n}/{len(hints)} for ex10" for n in range(1, len(hints) + 1)
    ]
    assert gym_cli(course, "hint", "ex10").stdout.startswith(f"All {len(hints)} hints for ex10")
    again = gym_cli(course, "hint", "ex10", "--seen").stdout
    assert again.strip() == "\n".join(s.strip() for s in shown)


def test_reset_restores_the_stub_keeps_the_learners_work_and_restarts_hints(course: Path) -> None:
    exercise_file = course / "exercises" / get("ex10").file
    original = exercise_file.read_text()
    gym_cli(course, "hint", "ex10")
    exercise_file.write_text("# my attempt\n")
    result = gym_cli(course, "reset", "ex10")
    assert result.returncode == 0
    assert exercise_file.read_text() == original
    backups = list((course / ".gym" / "backups").glob("ex10_*.py"))
    assert [b.read_text() for b in backups] == ["# my attempt\n"]
    assert gym_cli(course, "hint", "ex10").stdout.startswith("Hint 1/")


def test_reset_of_an_untouched_file_makes_no_backup(course: Path) -> None:
    result = gym_cli(course, "reset", "ex03")
    assert "previous version" not in result.stdout
    assert not list((course / ".gym" / "backups").glob("ex03_*.py"))


def test_progress_shows_each_exercise_state_and_remembers_verdicts(course: Path) -> None:
    solve(course, "ex10")
    broken = course / "exercises" / get("ex09").file
    broken.write_text(broken.read_text().replace("raise NotImplementedError", "return 1", 1))
    lines = gym_cli(course, "progress").stdout.splitlines()
    states = {line.split()[0]: line for line in lines}
    assert " done " in states["ex10"] and "4/4" in states["ex10"]
    assert " failing " in states["ex09"]
    assert " not started " in states["ex01"]
    verdicts = json.loads((course / ".gym" / "state.json").read_text())["verdicts"]
    assert set(verdicts) == {"ex09", "ex10"}, "untouched files need no check at all"
    again = subprocess.run(
        [sys.executable, "-c", "from gym.cli import main; main(['progress'])"],
        capture_output=True,
        text=True,
        env=gym_env(course),
        timeout=60,
    )
    assert again.stdout.splitlines() == lines


def test_watch_starts_where_asked_and_rechecks_the_file_saved(course: Path) -> None:
    watcher = subprocess.Popen(
        [sys.executable, "-u", "-m", "gym.cli", "watch", "ex03"],
        stdout=subprocess.PIPE,
        text=True,
        env=gym_env(course),
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout])
    reader.start()

    def read_until(prefix: str) -> list[str]:
        seen = []
        while not seen or not seen[-1].startswith(prefix):
            seen.append(lines.get(timeout=30))  # raises queue.Empty instead of hanging
        return seen

    try:
        first = read_until("Watching")
        solve(course, "ex05")  # the learner saves another exercise's file
        second = read_until("Watching")
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
        reader.join(timeout=10)
    assert first[0].startswith("ex03 ") and "not started" in first[0]
    assert second[0].startswith("ex05 ") and ": all " in second[0] and "criteria pass" in second[0]
    assert not any(line.startswith(("ex01", "ex02", "ex04")) for line in first + second)


def test_hints_in_a_notebook_share_the_terminals_memory(
    course: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GYM_COURSE_DIR", str(course))
    gym_cli(course, "hint", "ex02")
    gym.hint("ex02")
    assert capsys.readouterr().out.startswith("Hint 2/")
    gym.hint("ex02", seen=True)
    assert [line[:7] for line in capsys.readouterr().out.splitlines()] == ["Hint 1/", "Hint 2/"]
