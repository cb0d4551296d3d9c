"""The course as files a learner owns: what `gym init` copies, and what `--update` adds.

In the wheel, this package holds ``notebooks/``, ``exercises/`` and ``solutions/``
(pyproject's ``package-dir`` maps the repository's folders here), so ``pip install nats-gym``
brings the whole course. In a clone the same folders sit beside ``gym/`` and are used
directly (``gym.paths.course_source``).

A course folder belongs to the learner: nothing here ever overwrites a file in it. ``init``
refuses a folder that already holds a course; ``update`` adds only the files it lacks (the
notebooks and exercises of a newer nats-gym, with their solutions, which ``gym reset`` and
``gym check --solution`` need).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from gym.paths import course_source, is_course

__all__ = ["COURSE_FOLDERS", "CourseExists", "NoCourseToUpdate", "course_files", "init", "update"]

COURSE_FOLDERS = ("notebooks", "exercises", "solutions")
SKIPPED = ("__pycache__", ".ipynb_checkpoints")


class CourseExists(Exception):
    """The target folder already holds a course: `gym init` never writes into one."""


class NoCourseToUpdate(Exception):
    """`--update` was asked for a folder that holds no course."""


def course_files(source: Path) -> list[Path]:
    """Every file of the course under ``source``, relative to it, in a stable order."""
    found: list[Path] = []
    for folder in COURSE_FOLDERS:
        for path in sorted((source / folder).rglob("*")):
            relative = path.relative_to(source)
            hidden = any(part.startswith(".") or part in SKIPPED for part in relative.parts)
            if path.is_file() and not hidden and path.suffix != ".pyc":
                found.append(relative)
    return found


def _copy_missing(source: Path, target: Path) -> list[Path]:
    added = []
    for relative in course_files(source):
        destination = target / relative
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, destination)  # the learner's umask, not site's modes
        added.append(relative)
    return added


def init(target: Path, source: Path | None = None) -> list[Path]:
    """Copy the course into ``target`` (made if needed); return the files written."""
    if any((target / folder).exists() for folder in COURSE_FOLDERS):
        raise CourseExists(
            f"{target} already holds a course, and gym init never overwrites your work; "
            f"to add what a newer nats-gym brings, run `gym init --update {target}`."
        )
    return _copy_missing(source or course_source(), target)


def update(target: Path, source: Path | None = None) -> list[Path]:
    """Add to the course in ``target`` only the files it does not have; return them."""
    if not is_course(target):
        raise NoCourseToUpdate(
            f"{target} holds no course to update (no notebooks/ and exercises/); "
            f"make one with `gym init {target}`."
        )
    return _copy_missing(source or course_source(), target)
