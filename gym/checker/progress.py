"""What the course remembers for a learner: hints seen, each file's last verdict, backups.

State lives in the course's ``.gym/`` folder (git-ignored), so it survives kernel restarts
and works without git. Nothing a learner wrote is ever thrown away: ``reset`` keeps the
previous file under ``.gym/backups/`` (unless it was the untouched exercise anyway).

A verdict is remembered by the SHA-256 of the exercise file and of its check module, so
``gym progress`` re-checks only files that changed since their last check — and an
untouched exercise is known to be "not started" without running anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gym.checker.catalogue import Exercise
from gym.checker.result import CheckResult
from gym.checker.stubs import make_stub
from gym.paths import exercises_dir, solutions_dir, state_dir

CHECKS_DIR = Path(__file__).parent / "checks"

__all__ = ["Verdict", "hints_seen", "next_hint", "remember", "remembered", "reset", "stub_for"]


def _state_file() -> Path:
    return state_dir() / "state.json"


def _load_state() -> dict[str, Any]:
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def _save_state(state: dict[str, Any]) -> None:
    """Write atomically: a notebook and `gym watch` may both save at the same moment."""
    _state_file().parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=_state_file().parent, suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(state, out, indent=2)
    os.replace(temporary, _state_file())


def next_hint(exercise: Exercise) -> str | None:
    """The next hint not seen yet (and remember it was seen), or None when all were."""
    state = _load_state()
    seen = state.setdefault("hints_shown", {}).get(exercise.id, 0)
    if seen >= len(exercise.hints):
        return None
    state["hints_shown"][exercise.id] = seen + 1
    _save_state(state)
    return _numbered(exercise, seen)


def hints_seen(exercise: Exercise) -> list[str]:
    """Every hint shown so far, numbered, to read again."""
    seen = _load_state().get("hints_shown", {}).get(exercise.id, 0)
    return [_numbered(exercise, index) for index in range(min(seen, len(exercise.hints)))]


def _numbered(exercise: Exercise, index: int) -> str:
    return f"Hint {index + 1}/{len(exercise.hints)} for {exercise.id}: {exercise.hints[index]}"


def stub_for(exercise: Exercise) -> str:
    """The untouched exercise file, made from the solution."""
    return make_stub((solutions_dir() / exercise.file).read_text())


def reset(exercise: Exercise) -> tuple[Path, Path | None]:
    """Restore the exercise file to its stub and forget its hints; return it and the backup.

    An untouched file needs no backup: there is nothing of the learner's in it.
    """
    target = exercises_dir() / exercise.file
    stub = stub_for(exercise)
    backup: Path | None = None
    if target.is_file() and target.read_text() != stub:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = state_dir() / "backups" / f"{target.stem}.{stamp}.py"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(stub)
    state = _load_state()
    if state.get("hints_shown", {}).pop(exercise.id, None) is not None or backup is not None:
        _save_state(state)
    return target, backup


@dataclass(frozen=True)
class Verdict:
    """A remembered check: its state, and how many criteria passed."""

    state: str
    passed: int
    total: int


def _fingerprint(exercise: Exercise, file: Path) -> str | None:
    """Hash of the learner's file and of the check that judged it; None if no file."""
    try:
        learner = file.read_bytes()
    except OSError:
        return None
    checks = (CHECKS_DIR / f"{exercise.id}.py").read_bytes()
    return hashlib.sha256(learner + b"\0" + checks).hexdigest()


def remember(exercise: Exercise, file: Path, result: CheckResult) -> None:
    """Keep ``result`` as the verdict on ``file``'s current content."""
    fingerprint = _fingerprint(exercise, file)
    if fingerprint is None:
        return
    state = _load_state()
    state.setdefault("verdicts", {})[exercise.id] = {
        "fingerprint": fingerprint,
        "state": result.state,
        "passed": sum(r.passed for r in result.results),
        "total": len(result.results),
    }
    _save_state(state)


def remembered(exercise: Exercise, file: Path) -> Verdict | None:
    """The verdict on ``file`` as it is now, without running anything, if one is known."""
    try:
        if file.read_text() == stub_for(exercise):
            return Verdict("not started", 0, 0)
    except OSError:
        return None
    saved = _load_state().get("verdicts", {}).get(exercise.id)
    if saved and saved.get("fingerprint") == _fingerprint(exercise, file):
        return Verdict(saved["state"], saved["passed"], saved["total"])
    return None
