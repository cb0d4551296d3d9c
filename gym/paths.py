"""Where the course lives on disk: notebooks, exercises, solutions and gym's own state.

A course folder is any folder holding both ``notebooks/`` and ``exercises/``: a clone of the
repository, or a folder made by ``gym init`` from the course the wheel carries. The course
root is ``GYM_COURSE_DIR`` if set, else the nearest course folder at or above the current one
(so ``gym`` works from the course and from inside ``notebooks/``), else the repository this
package was installed from in editable mode. A wheel installed from PyPI has no such
repository, and then the learner is told, in one sentence, to run ``gym init``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CourseNotFound",
    "course_root",
    "course_source",
    "is_course",
    "notebooks_dir",
    "exercises_dir",
    "solutions_dir",
    "state_dir",
]

PACKAGE = Path(__file__).resolve().parent
PACKAGE_PARENT = PACKAGE.parent
#: Where the wheel puts the course (pyproject's package-dir maps the folders here).
PACKAGED_COURSE = PACKAGE / "course"


class CourseNotFound(Exception):
    """No course folder here, and no repository to fall back on."""


def is_course(folder: Path) -> bool:
    """True for a folder a learner can work in: it holds notebooks/ and exercises/."""
    return (folder / "notebooks").is_dir() and (folder / "exercises").is_dir()


def course_root() -> Path:
    explicit = os.environ.get("GYM_COURSE_DIR")
    if explicit:
        return Path(explicit).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if is_course(folder):
            return folder
    if is_course(PACKAGE_PARENT):  # a clone, installed in editable mode
        return PACKAGE_PARENT
    raise CourseNotFound(
        f"no course folder at or above {here}: run `gym init` to copy the course into "
        "a folder of your own, then run gym from inside it."
    )


def course_source() -> Path:
    """The course `gym init` copies: the one the wheel carries, else the repository's."""
    for folder in (PACKAGED_COURSE, PACKAGE_PARENT):
        if is_course(folder):
            return folder
    raise CourseNotFound(f"this installation of gym carries no course (looked in {PACKAGE}).")


def notebooks_dir() -> Path:
    return course_root() / "notebooks"


def exercises_dir() -> Path:
    return course_root() / "exercises"


def solutions_dir() -> Path:
    return course_root() / "solutions"


def state_dir() -> Path:
    """gym's private folder in the course (git-ignored): hints shown, backups, lab settings."""
    return course_root() / ".gym"
