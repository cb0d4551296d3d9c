"""Where the course lives on disk: notebooks, exercises, solutions and gym's own state.

The course root is ``GYM_COURSE_DIR`` if set, else the nearest folder at or above the
current one that holds both ``notebooks/`` and ``exercises/`` (so ``gym`` works from the
repo and from inside ``notebooks/``), else the folder this package was installed from.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["course_root", "notebooks_dir", "exercises_dir", "solutions_dir", "state_dir"]

PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def course_root() -> Path:
    explicit = os.environ.get("GYM_COURSE_DIR")
    if explicit:
        return Path(explicit).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "exercises").is_dir():
            return folder
    return PACKAGE_PARENT


def notebooks_dir() -> Path:
    return course_root() / "notebooks"


def exercises_dir() -> Path:
    return course_root() / "exercises"


def solutions_dir() -> Path:
    return course_root() / "solutions"


def state_dir() -> Path:
    """gym's private folder in the course (git-ignored): hints shown, backups, lab settings."""
    return course_root() / ".gym"
