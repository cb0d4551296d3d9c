"""``gym watch [exNN]``: check an exercise, then re-check whichever exercise file is saved.

Watching means noticing a save; a file's modification time is the one portable signal, so
every exercise file is ``stat``-ed a few times a second and only a changed one is checked.
Only that exercise's result is printed: a learner working on ex05 sees ex05.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gym.checker import EXERCISES, Exercise, check, learner_path
from gym.checker.progress import remembered

__all__ = ["first_unfinished", "watch"]

POLL_SECONDS = 0.3


def _mtimes() -> dict[str, float]:
    times = {}
    for exercise in EXERCISES:
        try:
            times[exercise.id] = learner_path(exercise).stat().st_mtime
        except OSError:
            times[exercise.id] = 0.0
    return times


def first_unfinished() -> Exercise | None:
    """The first exercise not known to be done (remembered verdicts; nothing is run)."""
    for exercise in EXERCISES:
        verdict = remembered(exercise, learner_path(exercise))
        if verdict is None or verdict.state != "done":
            return exercise
    return None


def watch(
    start: Exercise | None = None,
    say: Callable[[str], None] = print,
    *,
    max_checks: int | None = None,
) -> int:
    """Check ``start`` (default: the first unfinished), then each exercise saved.

    Returns 0 once every exercise passes, 130 on Ctrl-C. ``max_checks`` bounds the run
    (for tests).
    """
    current = start or first_unfinished()
    checks = 0
    try:
        while current is not None:
            seen = _mtimes()
            result = check(current.id)
            checks += 1
            say(str(result))
            if result.passed and first_unfinished() is None:
                break
            if max_checks is not None and checks >= max_checks:
                return 1
            say(f"Watching exercises/ for saves ({current.id} first); Ctrl-C to stop.")
            while (changed := _first_changed(seen)) is None:
                time.sleep(POLL_SECONDS)  # polling the files' mtimes: the thing watched
            current = changed
    except KeyboardInterrupt:
        say("Stopped watching.")
        return 130
    say("Every exercise passes. Well done!")
    return 0


def _first_changed(seen: dict[str, float]) -> Exercise | None:
    now = _mtimes()
    for exercise in EXERCISES:
        if now[exercise.id] != seen[exercise.id]:
            return exercise
    return None
