"""Keep what learner code prints, briefly, per criterion.

A learner's ``print`` belongs under the criterion it came from, and a loop printing without
end must cost neither memory nor a screenful of the same line. ``sys.stdout`` and
``sys.stderr`` of the worker process write into the current bucket, which keeps the first
few thousand characters and counts the rest; ``take()`` shortens it for display.
"""

from __future__ import annotations

import io
from collections import Counter

__all__ = ["OutputCapture", "shorten"]

KEEP_CHARS = 8000
"""Characters stored per bucket; the rest is only counted."""
SHOW_LINES = 8
"""Lines shown under a criterion."""


def without_tracebacks(lines: list[str]) -> list[str]:
    """Each printed traceback (chained ones too) as one line: the exception it ended in.

    Library tracebacks (nats-py's default ``error_cb`` prints one per failed connect) are
    dozens of lines about someone else's code; the last line says what happened.
    """
    kept: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("Traceback (most recent call last):"):
            inside = True
        elif inside and line and not line[0].isspace():
            if line.startswith(("During handling", "The above exception")):
                continue
            inside = False
            kept.append(f"[traceback] {line}")
        elif not inside and line.strip():
            kept.append(line)
    return kept


def shorten(text: str, *, dropped: int = 0, lines: int = SHOW_LINES) -> str:
    """At most ``lines`` lines, tracebacks as their last line, each line once with a count
    (a loop's output repeats; saying it once is enough)."""
    counts = Counter(without_tracebacks(text.rstrip("\n").splitlines()))
    said = [line if times == 1 else f"{line}   (×{times})" for line, times in counts.items()]
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
