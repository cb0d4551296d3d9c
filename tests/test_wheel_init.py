"""`pip install nats-gym`, then `gym init`: the wheel carries the course, and a learner's
folder made from it works — checks, refuses to be overwritten, updates, and is served.

The wheel is built from a clean copy of the working tree (a stale ``build/`` could leak
deleted files into it) and installed, not editable, with its dependencies, into a fresh
virtual environment without system site-packages: the learner's ``pip install``. That
install is most of this module's time (about 25 s here, from pip's local wheels; see the
printed times).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gym.course import course_files
from tests.lab_server import running_lab

REPOSITORY = Path(__file__).resolve().parent.parent
NOT_SOURCE = shutil.ignore_patterns(
    ".venv*",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".gym",
    ".*_cache",
    ".ipynb_checkpoints",
    "browser-failures",
)
TIMES: dict[str, float] = {}


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    started = time.monotonic()
    shutil.copytree(REPOSITORY, root / "source", ignore=NOT_SOURCE)
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", root / "dist",
                root / "source")  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    TIMES["pip wheel"] = time.monotonic() - started
    return next((root / "dist").glob("nats_gym-*.whl"))


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    venv = tmp_path_factory.mktemp("venv") / "venv"
    started = time.monotonic()
    made = run(sys.executable, "-m", "venv", venv)
    assert made.returncode == 0, made.stderr
    installed = run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", wheel)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    TIMES["fresh venv + pip install"] = time.monotonic() - started
    yield venv / "bin"
    print("\nwheel test times: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMES.items()))


def learner_env(venv_bin: Path) -> dict[str, str]:
    """An activated virtual environment, and nothing pointing gym at the repository."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GYM_COURSE_DIR", "NATS_URL", "NATS_MONITOR_URL", "PYTHONPATH")
    }
    env["PATH"] = os.pathsep.join([str(venv_bin), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv_bin.parent)
    return env


def test_the_wheel_carries_gym_and_the_course(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = {
        p.relative_to(REPOSITORY).as_posix()
        for p in (REPOSITORY / "gym").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    course = {f"gym/course/{p.as_posix()}" for p in course_files(REPOSITORY)}
    assert package <= names, f"missing from the wheel: {sorted(package - names)}"
    assert course <= names, f"missing from the wheel: {sorted(course - names)}"
    assert any(n.endswith(".ipynb") for n in course) and any("/solutions/" in n for n in course)
    strays = sorted(n for n in names if not n.startswith(("gym/", "nats_gym-")))
    assert strays == [], f"the wheel should carry only gym and its metadata: {strays}"
    print(f"\nwheel {wheel.name}: {wheel.stat().st_size / 1024:.0f} KiB, {len(names)} files")


def test_init_check_update_and_lab_from_the_installed_wheel(venv_bin: Path, tmp_path: Path) -> None:
    env = learner_env(venv_bin)
    where = run("python", "-c", "import gym; print(gym.__file__)", cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(venv_bin.parent)), where.stdout + where.stderr

    lost = run("gym", "check", "ex01", cwd=tmp_path, env=env)
    assert lost.returncode != 0 and "run `gym init`" in lost.stdout, lost.stdout + lost.stderr
    assert "Traceback" not in lost.stdout + lost.stderr

    made = run("gym", "init", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Next: cd nats-gym-course && gym lab" in made.stdout
    course = tmp_path / "nats-gym-course"
    assert course_files(course) == course_files(REPOSITORY)

    checked = run("gym", "check", "ex01", "--solution", cwd=course / "notebooks", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    again = run("gym", "init", "nats-gym-course", cwd=tmp_path, env=env)
    assert again.returncode == 1 and len(again.stdout.strip().splitlines()) == 1, again.stdout
    assert "gym init --update nats-gym-course" in again.stdout

    removed = [Path("notebooks/10_monitoring.ipynb"), Path("exercises/ex10_health_report.py")]
    for relative in removed:
        (course / relative).unlink()
    mine = course / "exercises" / "ex01_subjects.py"
    mine.write_text(mine.read_text() + "# the learner's own line\n")
    updated = run("gym", "init", "--update", "nats-gym-course", cwd=tmp_path, env=env)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert all(str(relative) in updated.stdout for relative in removed), updated.stdout
    assert "ex01" not in updated.stdout
    assert mine.read_text().endswith("# the learner's own line\n")
    assert all((course / r).read_bytes() == (REPOSITORY / r).read_bytes() for r in removed)

    started = time.monotonic()
    with running_lab([str(venv_bin / "gym")], course, tmp_path / "runtime") as lab:
        TIMES["gym lab start"] = time.monotonic() - started
        assert lab.root_dir == course
        _, top = lab.api("api/contents/")
        assert {"notebooks", "exercises", "solutions"} <= {i["name"] for i in top["content"]}
        _, notebooks = lab.api("api/contents/notebooks")
        _, exercises = lab.api("api/contents/exercises")
        assert "00_welcome.ipynb" in {i["name"] for i in notebooks["content"]}
        assert "ex03_jetstream_publish.py" in {i["name"] for i in exercises["content"]}
