"""Run a check in a worker process and keep the clock, so learner code can never hold us.

The caller — a terminal, ``gym watch``, a learner's notebook kernel — starts one worker
process (``gym.checker.worker``) and only reads what it says. Each criterion has a time
limit; when one overruns, the supervisor asks the worker where the learner's code is
(SIGUSR1), ends the worker's whole process group (SIGKILL: servers it started die with it),
and starts a fresh worker for the remaining criteria. A learner function that hung is not
called again by later criteria, which say so in one line instead of each waiting out its own
limit. The caller therefore waits at most the sum of the limits, and nothing of the check —
thread or process — outlives the call, even when the caller is interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gym.checker.result import CheckResult, CriterionResult, Status
from gym.spawner import spawn

__all__ = ["CheckerError", "check_file"]

GRACE = 0.5
"""Seconds beyond a criterion's own limit: its fresh server's start and stop."""
STARTUP_LIMIT = 20.0
"""Seconds for a worker to start Python and import the checks (a loaded CI machine is slow)."""
IMPORT_LIMIT = 5.0
"""Seconds the learner's file may take to import."""
BETWEEN_LIMIT = 10.0
"""Seconds between one criterion's end and the next one's start (the worker's own work)."""
WHERE_WAIT = 0.5
"""Seconds to wait for the worker to say where learner code is stuck, before ending it."""

SPIN_HINT = (
    "A loop that never ends: check that its condition changes on every path (an `i += 1` "
    "inside an `if` runs only sometimes) and that a `break` or `return` is reachable. "
    "In async code a loop that never awaits also stops everything else."
)
WAIT_HINT = (
    "Something waited forever: a fetch, next_msg or request without a timeout, a message "
    "expected that nobody sends, or a loop that catches every error — a bare `except:` or "
    "`except BaseException:` also catches the cancellation meant to stop it."
)
MODULE_LEVEL_HINT = (
    "Code at module level runs when the file is imported: put it inside a function "
    '(a script\'s `asyncio.run(main())` belongs under `if __name__ == "__main__":`).'
)


class CheckerError(RuntimeError):
    """The checker itself could not run (a bug, or a broken installation) — not the learner."""


@dataclass
class Worker:
    """One worker process and what it has said so far."""

    process: subprocess.Popen[bytes]
    events: int
    output: int
    pending: bytes = b""
    tail: bytes = b""
    """The last bytes the worker wrote to stdout/stderr outside the capture (diagnostics)."""
    ended: bool = False

    def read_events(self, timeout: float) -> list[dict[str, Any]]:
        """Events that arrive within ``timeout`` seconds (``[]`` if none); sets ``ended``."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.events, selectors.EVENT_READ, "events")
            if self.output >= 0:
                selector.register(self.output, selectors.EVENT_READ, "output")
            ready = selector.select(max(timeout, 0.0))
        for key, _ in ready:
            if key.data == "output":
                chunk = os.read(self.output, 65536)
                if chunk:
                    self.tail = (self.tail + chunk)[-4000:]
                else:
                    os.close(self.output)
                    self.output = -1
            else:
                chunk = os.read(self.events, 65536)
                if not chunk:
                    self.ended = True
                self.pending += chunk
        lines = self.pending.split(b"\n")
        self.pending = lines.pop()
        return [json.loads(line) for line in lines if line]

    def ask_where(self) -> dict[str, Any]:
        """SIGUSR1: the worker reports the learner's current line (``{}`` if it cannot)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGUSR1)
        deadline = time.monotonic() + WHERE_WAIT
        while not self.ended and time.monotonic() < deadline:
            for event in self.read_events(deadline - time.monotonic()):
                if event["event"] == "where":
                    return event
        return {}

    def end(self) -> None:
        """Kill the worker and everything in its process group; close our ends. Safe twice."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for fd in (self.events, self.output):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.events = self.output = -1


def _spawn(request: dict[str, Any]) -> Worker:
    events_read, events_write = os.pipe()
    output_read, output_write = os.pipe()
    try:
        process = spawn(
            [sys.executable, "-m", "gym.checker.worker", str(events_write)],
            stdin=subprocess.PIPE,
            stdout=output_write,
            stderr=output_write,
            pass_fds=(events_write,),
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the learner's code
        )
    except BaseException:
        for fd in (events_read, output_read):
            os.close(fd)
        raise
    finally:
        os.close(events_write)
        os.close(output_write)
    assert process.stdin is not None
    with process.stdin:
        process.stdin.write((json.dumps(request) + "\n").encode())
    return Worker(process, events_read, output_read)


@dataclass
class _Run:
    """The bookkeeping of one check across the workers it needs."""

    request: dict[str, Any]
    on_result: Callable[[int, CriterionResult], None] | None
    items: list[dict[str, Any]] | None = None
    results: dict[int, CriterionResult] = field(default_factory=dict)
    hung: set[str] = field(default_factory=set)
    load_output: str = ""
    finished: bool = False
    cannot_run: bool = False

    def record(self, index: int, result: CriterionResult) -> None:
        if index == 0 and self.load_output and not result.passed:
            joined = "\n".join(x for x in (self.load_output, result.output) if x)
            result = replace(result, output=joined)
        self.results[index] = result
        if self.on_result is not None:
            self.on_result(index, result)

    def fail_rest(self, first: int, status: Status, message: str, **details: str) -> None:
        assert self.items is not None
        for index in range(first, len(self.items)):
            self.record(index, _result(self.items[index], status, message, **details))
        self.finished = True

    @property
    def next_index(self) -> int:
        return max(self.results, default=-1) + 1


def _result(
    item: dict[str, Any], status: Status, message: str = "", **details: str
) -> CriterionResult:
    return CriterionResult(item["description"], status, message, **details)


def _follow(run: _Run, worker: Worker) -> None:
    """Read one worker's events until it is done, needs replacing, or must be stopped."""
    phase, deadline = "starting", time.monotonic() + STARTUP_LIMIT
    current: int | None = None
    calls: list[str] = []
    exiting: dict[str, Any] = {}
    while True:
        events = worker.read_events(deadline - time.monotonic())
        for event in events:
            kind = event["event"]
            if kind == "criteria":
                run.items = event["items"]
                phase, deadline = "loading", time.monotonic() + IMPORT_LIMIT
            elif kind == "load_failed":
                run.cannot_run = True
                run.fail_rest(
                    run.next_index, Status.ERROR, event["message"], output=event.get("output", "")
                )
                return
            elif kind == "loaded":
                run.load_output = run.load_output or event.get("output", "")
                phase, deadline = "between", time.monotonic() + BETWEEN_LIMIT
            elif kind == "start":
                assert run.items is not None
                current, calls = event["index"], []
                limit = float(run.items[current]["timeout"])
                phase, deadline = "criterion", time.monotonic() + limit + GRACE
            elif kind == "calling":
                calls.append(event["name"])
            elif kind == "returned" and event["name"] in calls:
                del calls[len(calls) - 1 - calls[::-1].index(event["name"])]
            elif kind == "result":
                assert run.items is not None
                index = event["index"]
                run.record(
                    index,
                    _result(
                        run.items[index],
                        Status(event["status"]),
                        event["message"],
                        hint=event["hint"],
                        where=event["where"],
                        output=event["output"],
                    ),
                )
                current = None
                phase, deadline = "between", time.monotonic() + BETWEEN_LIMIT
            elif kind == "exiting":
                exiting = event
            elif kind == "crashed":
                raise CheckerError(f"the checker itself failed:\n{event['traceback']}")
            elif kind == "restart":
                return
            elif kind == "done":
                run.finished = True
                return
        if worker.ended:
            _worker_ended(run, worker, phase, current, calls, exiting)
            return
        if time.monotonic() >= deadline:
            _overran(run, worker, phase, current, calls)
            return


def _worker_ended(
    run: _Run, worker: Worker, phase: str, current: int | None, calls: list[str], exiting: dict
) -> None:
    """The worker's process ended without being asked to: learner code, or a checker bug."""
    worker.process.wait()
    if phase == "starting" or run.items is None:
        raise CheckerError(
            "the checker's worker process failed to start: "
            + worker.tail.decode(errors="replace").strip()[-1500:]
        )
    if exiting:
        how = f"called os._exit({exiting['code']})"
    else:
        code = worker.process.returncode
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    doing = f" while running {calls[-1]}()" if calls else ""
    message = f"the process running your code {how}{doing}, so the check could not go on"
    details = {"where": exiting.get("where", ""), "output": exiting.get("output", "")}
    hint = "Return from your function instead of ending the program."
    if phase == "loading":
        run.fail_rest(
            run.next_index, Status.ERROR, f"importing the file: {message}", hint=hint, **details
        )
    elif current is not None:
        run.record(
            current, _result(run.items[current], Status.ERROR, message, hint=hint, **details)
        )


def _overran(run: _Run, worker: Worker, phase: str, current: int | None, calls: list[str]) -> None:
    """A time limit passed: find out where, end the worker, and record the verdict."""
    where = worker.ask_where()
    worker.end()
    if phase == "starting" or run.items is None:
        raise CheckerError(f"the checker's worker did not start within {STARTUP_LIMIT:g} s")
    details = {"where": where.get("where", ""), "output": where.get("output", "")}
    if phase == "loading":
        run.cannot_run = True
        path = Path(run.request["path"]).name
        run.fail_rest(
            run.next_index,
            Status.ERROR,
            f"importing {path} did not finish within {IMPORT_LIMIT:g} s",
            hint=MODULE_LEVEL_HINT,
            **details,
        )
    elif phase == "criterion" and current is not None:
        limit = float(run.items[current]["timeout"])
        doing = f": {calls[-1]}() was still running" if calls else ""
        if calls:
            run.hung.add(calls[-1])
        hint = SPIN_HINT if where.get("spinning") else WAIT_HINT
        run.record(
            current,
            _result(
                run.items[current],
                Status.TIMED_OUT,
                f"did not finish within {limit:g} s{doing}",
                hint=hint,
                **details,
            ),
        )
    else:
        raise CheckerError("the checker's worker stopped answering between criteria")


def check_file(
    path: Path,
    criteria_module: str,
    *,
    exercise_id: str,
    title: str,
    shown_file: str,
    on_result: Callable[[int, CriterionResult], None] | None = None,
) -> CheckResult:
    """Check ``path`` against ``criteria_module``'s ``CRITERIA``, in worker processes.

    ``on_result(index, result)`` is called as each criterion ends. Raises ``CheckerError``
    only when the checker itself cannot run; everything learner code does is a verdict.
    """
    request = {
        "path": str(path.resolve()),
        "criteria": criteria_module,
        "sys_path": [p for p in sys.path if p],
    }
    run = _Run(request, on_result)
    while not run.finished:
        if run.items is not None and run.next_index >= len(run.items):
            break
        worker = _spawn({**request, "first": run.next_index, "hung": sorted(run.hung)})
        try:
            _follow(run, worker)
        finally:
            worker.end()
    assert run.items is not None
    results = tuple(run.results[i] for i in range(len(run.items)))
    return CheckResult(exercise_id, title, shown_file, results, cannot_run=run.cannot_run)
