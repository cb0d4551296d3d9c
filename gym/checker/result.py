"""What a check found, criterion by criterion: plain text for a terminal, HTML for a notebook."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Status", "CriterionResult", "CheckResult"]


class Status(StrEnum):
    """How one criterion ended."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    NOT_STARTED = "not started"
    TIMED_OUT = "timed out"


_MARK = {
    Status.PASSED: "✔",
    Status.FAILED: "✘",
    Status.ERROR: "✘",
    Status.NOT_STARTED: "·",
    Status.TIMED_OUT: "⏱",
}


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome: what was checked, and if it did not pass, why and what to try."""

    description: str
    status: Status
    message: str = ""
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass(frozen=True, repr=False)
class CheckResult:
    """All criteria of one exercise, run against the learner's (or the reference) file."""

    exercise_id: str
    title: str
    file: str
    results: tuple[CriterionResult, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results)

    @property
    def state(self) -> str:
        """``done``, ``not started`` (nothing written yet) or ``failing``."""
        if self.passed:
            return "done"
        if all(r.status is Status.NOT_STARTED for r in self.results):
            return "not started"
        return "failing"

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def summary(self) -> str:
        done = sum(r.passed for r in self.results)
        return f"{self.exercise_id} {self.title}: {done}/{len(self.results)} criteria pass"

    def __str__(self) -> str:
        lines = [self.summary(), f"  file: {self.file}"]
        for result in self.results:
            lines.append(f"  {_MARK[result.status]} {result.description}")
            if result.message:
                lines.append(f"      {result.status.value}: {result.message}")
            if result.hint:
                lines.append(f"      hint: {result.hint}")
        if self.passed:
            lines.append("  All done. On to the next one!")
        return "\n".join(lines)

    __repr__ = __str__  # a notebook's plain-text view reads like the terminal's

    def _repr_html_(self) -> str:
        rows = []
        for result in self.results:
            detail = html.escape(result.message)
            if result.hint:
                detail += f"<br><i>hint: {html.escape(result.hint)}</i>"
            rows.append(
                f"<tr><td>{_MARK[result.status]}</td>"
                f"<td style='text-align:left'>{html.escape(result.description)}</td>"
                f"<td>{html.escape(result.status.value)}</td>"
                f"<td style='text-align:left'>{detail}</td></tr>"
            )
        return (
            f"<p><b>{html.escape(self.summary())}</b> <code>{html.escape(self.file)}</code></p>"
            "<table><tr><th></th><th>criterion</th><th>status</th><th>details</th></tr>"
            + "".join(rows)
            + "</table>"
        )
