"""What the course remembers for a learner: hints already shown, and reset with a backup.

State lives in the course's ``.gym/`` folder (git-ignored), so it survives kernel
restarts and works without git. Nothing a learner wrote is ever thrown away: ``reset``
keeps the previous file under ``.gym/backups/``.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

from gym.checker.catalogue import Exercise
from gym.checker.stubs import make_stub
from gym.paths import exercises_dir, solutions_dir, state_dir

__all__ = ["next_hint", "reset"]


def _state_file() -> Path:
    return state_dir() / "state.json"


def _load_state() -> dict:
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def next_hint(exercise: Exercise) -> str:
    """The next hint for ``exercise`` (the last one again once all have been shown)."""
    state = _load_state()
    shown = state.setdefault("hints_shown", {}).get(exercise.id, 0)
    index = min(shown, len(exercise.hints) - 1)
    state["hints_shown"][exercise.id] = index + 1
    _state_file().parent.mkdir(parents=True, exist_ok=True)
    _state_file().write_text(json.dumps(state, indent=2))
    return f"Hint {index + 1}/{len(exercise.hints)} for {exercise.id}: {exercise.hints[index]}"


def reset(exercise: Exercise) -> tuple[Path, Path | None]:
    """Restore the exercise file to its original stub; return it and the backup made, if any."""
    target = exercises_dir() / exercise.file
    backup: Path | None = None
    if target.is_file():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = state_dir() / "backups" / f"{target.stem}.{stamp}.py"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(make_stub((solutions_dir() / exercise.file).read_text()))
    return target, backup
