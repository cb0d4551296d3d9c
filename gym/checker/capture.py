"""Keep what learner code prints, briefly, per criterion.

A learner's ``print`` belongs under the criterion it came from, and a loop printing without
end must cost neither memory nor a screenful of the same line. ``sys.stdout`` and
``sys.stderr`` of the worker process write into the current bucket, which keeps the first
few thousand characters and counts the rest; ``take()`` shortens it for display.
"""

from __future__ import annotations

import io
import itertools

__all__ = ["OutputCapture", "shorten"]

KEEP_CHARS = 8000
"""Characters stored per bucket; the rest is only counted."""
SHOW_LINES = 8
"""Lines shown under a criterion."""


def shorten(text: str, *, dropped: int = 0, lines: int = SHOW_LINES) -> str:
    """At most ``lines`` lines, runs of identical lines said once with a count."""
    said: list[str] = []
    for line, run in itertools.groupby(text.rstrip("\n").splitlines()):
        times = len(list(run))
        said.append(line if times == 1 else f"{line}   (×{times})")
    if not said:
        return ""
    more = len(said) - lines
    if more > 0:
        said = said[:lines] + [f"... {more} more lines"]
    if dropped:
        said.append(f"... and {dropped} more characters")
    return "\n".join(line[:200] for line in said)


class _Stream(io.TextIOBase):
    """A text stream that writes into an ``OutputCapture``."""

    def __init__(self, capture: OutputCapture, fd: int) -> None:
        self._capture = capture
        self._fd = fd

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._capture.add(text)
        return len(text)

    def fileno(self) -> int:  # for code that asks; bytes written there reach the supervisor
        return self._fd

    @property
    def encoding(self) -> str:
        return "utf-8"


class OutputCapture:
    """The current bucket of learner output; ``take()`` empties it."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._kept = 0
        self._dropped = 0

    def stream(self, fd: int) -> io.TextIOBase:
        return _Stream(self, fd)

    def add(self, text: str) -> None:
        room = KEEP_CHARS - self._kept
        if room > 0:
            self._parts.append(text[:room])
            self._kept += min(room, len(text))
        self._dropped += max(0, len(text) - max(room, 0))

    def peek(self) -> str:
        """The bucket, shortened, without emptying it."""
        return shorten("".join(self._parts), dropped=self._dropped)

    def take(self) -> str:
        """The bucket, shortened; the next output starts a new one."""
        text = self.peek()
        self._parts, self._kept, self._dropped = [], 0, 0
        return text
