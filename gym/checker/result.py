"""What a check found: one line per criterion, details only where something went wrong.

The same result reads as plain text in a terminal and as compact HTML in a notebook. An
untouched exercise is one line ("not started"), a file that cannot load is one line, the
same failure under several criteria is explained once, and a pass ends with what comes next.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from enum import StrEnum

__all__ = ["CheckResult", "CriterionResult", "Status"]


class Status(StrEnum):
    """How one criterion ended."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    NOT_STARTED = "not started"
    TIMED_OUT = "timed out"
    NOT_RUN = "not run"


_MARK = {
    Status.PASSED: "✔",
    Status.FAILED: "✘",
    Status.ERROR: "✘",
    Status.NOT_STARTED: "·",
    Status.TIMED_OUT: "⏱",
    Status.NOT_RUN: "–",
}
_COLOUR = {"✔": "#1a7f37", "✘": "#cf222e", "⏱": "#9a6700", "·": "#57606a", "–": "#57606a"}


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome: what was checked and, if it did not pass, why and what to try."""

    description: str
    status: Status
    message: str = ""
    hint: str = ""
    where: str = ""
    """The learner's file and line this is about (``ex05_pull_worker.py, line 12: code``)."""
    output: str = ""
    """What the learner's code printed meanwhile, shortened."""

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def _details(self) -> tuple[str, str, str, str]:
        return (self.message, self.where, self.hint, self.output)


@dataclass(frozen=True, repr=False)
class CheckResult:
    """All criteria of one exercise, run against the learner's (or the reference) file."""

    exercise_id: str
    title: str
    file: str
    results: tuple[CriterionResult, ...] = field(default_factory=tuple)
    next_step: tuple[str, str] | None = None
    """After a pass: the next ``(notebook, exercise id)``, or None at the end of the course."""
    cannot_run: bool = False
    """The file could not be loaded, so no criterion ran (each result says why)."""

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

    def with_next_step(self, notebook: str, exercise_id: str) -> CheckResult:
        return replace(self, next_step=(notebook, exercise_id))

    def next_line(self, *, link: bool = False) -> str:
        """After a pass, one line: where the course goes next (the notebook a link in HTML:
        checks run from notebooks/, so its bare name resolves there)."""
        if self.next_step is None:
            return "That was the last exercise of the course. Well done!"
        notebook, exercise_id = self.next_step
        shown = f"<a href='{notebook}'>{notebook}</a>" if link else notebook
        return f"Next: notebook {shown}, then exercise {exercise_id}."

    def summary(self) -> str:
        """The headline: ``ex03 Title: all 5 criteria pass`` or ``… 2/5 criteria pass``."""
        total = len(self.results)
        done = sum(r.passed for r in self.results)
        if self.passed:
            verdict = f"all {total} criteria pass"
        elif self.state == "not started":
            verdict = "not started"
        elif self.cannot_run:
            verdict = "cannot run"
        else:
            verdict = f"{done}/{total} criteria pass"
        return f"{self.exercise_id} {self.title}: {verdict}"

    def _short_form(self) -> list[tuple[str, str]] | None:
        """The whole result as a sentence (plus where and hint), when that says everything."""
        if self.state == "not started":
            unwritten = dict.fromkeys(
                r.message.removesuffix(" is not written yet") for r in self.results
            )
            return [
                (
                    "",
                    f"write {' and '.join(unwritten)} (replace each `raise NotImplementedError`)"
                    f", then check again: {len(self.results)} criteria are waiting.",
                )
            ]
        if self.cannot_run and self.results:
            first = self.results[0]
            said = [("", f"{first.message} (none of the {len(self.results)} criteria ran).")]
            return (
                said
                + [
                    (label, value)
                    for label, value in (("at", first.where), ("hint", first.hint))
                    if value
                ]
                + ([("your output", first.output)] if first.output else [])
            )
        return None

    def lines(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """Per criterion: mark, text, and details as (label, text) pairs — empty when passing
        or when the criterion above already said the same."""
        rows = []
        said: tuple[str, str, str, str] | None = None
        for result in self.results:
            text = result.description
            details: list[tuple[str, str]] = []
            if result.status in (Status.NOT_STARTED, Status.NOT_RUN):
                text += f" — {result.status.value}: {result.message}"
            elif not result.passed:
                if result._details() == said:
                    text += " — same as above"
                else:
                    details = [
                        (label, value)
                        for label, value in (
                            ("", result.message),
                            ("at", result.where),
                            ("hint", result.hint),
                            ("your output", result.output),
                        )
                        if value
                    ]
                    said = result._details()
            rows.append((_MARK[result.status], text, details))
        return rows

    def __str__(self) -> str:
        out = [f"{self.summary()}   ({self.file})"]
        short_form = self._short_form()
        if short_form is not None:
            return "\n".join(out + _text_details(short_form, indent="  "))
        for mark, text, details in self.lines():
            out.append(f"  {mark} {text}")
            out += _text_details(details, indent="      ")
        if self.passed:
            out.append(f"  {self.next_line()}")
        return "\n".join(out)

    __repr__ = __str__  # a notebook's plain-text view reads like the terminal's

    def _repr_html_(self) -> str:
        head = (
            "<div style='font-family:var(--jp-ui-font-family,sans-serif)'>"
            f"<b>{html.escape(self.summary())}</b> "
            f"<code style='font-size:85%'>{html.escape(self.file)}</code>"
        )
        short_form = self._short_form()
        if short_form is not None:
            return head + _html_details(short_form, indent="0") + "</div>"
        rows = []
        for mark, text, details in self.lines():
            rows.append(
                f"<div><span style='color:{_COLOUR[mark]}'>{mark}</span> {html.escape(text)}</div>"
                + _html_details(details, indent="2em")
            )
        if self.passed:
            rows.append(f"<div><b>{self.next_line(link=True)}</b></div>")
        return head + "".join(rows) + "</div>"


def _text_details(details: list[tuple[str, str]], *, indent: str) -> list[str]:
    out = []
    for label, value in details:
        if label == "your output":
            out.append(f"{indent}your output:")
            out += [f"{indent}  | {line}" for line in value.splitlines()]
        else:
            prefix = {"": "", "at": "at "}.get(label, f"{label}: ")
            out.append(f"{indent}{prefix}{value}")
    return out


def _html_details(details: list[tuple[str, str]], *, indent: str) -> str:
    out = []
    for label, value in details:
        text = html.escape(value)
        if label == "your output":
            out.append(f"<pre style='margin:2px 0 2px {indent}'>{text}</pre>")
        elif label == "at":
            out.append(f"<div style='margin-left:{indent}'>at <code>{text}</code></div>")
        elif label == "hint":
            out.append(f"<div style='margin-left:{indent}'><i>hint: {text}</i></div>")
        else:
            out.append(f"<div style='margin-left:{indent}'>{text}</div>")
    return "".join(out)
