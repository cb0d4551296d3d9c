"""Learner code runs in a worker process: whatever it does, the caller gets a verdict in time.

Each misbehaving fixture (``tests/checker_fixtures``) must end in a clear verdict at its
time limit, leave no process or thread behind, and leave the caller — a terminal, a
notebook kernel — usable at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from gym.checker import CheckResult, Status
from gym.checker.supervisor import GRACE, WHERE_WAIT, check_file
from tests.checker_fixtures.isolation_criteria import LIMIT
from tests.test_kernel import run_cell

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "checker_fixtures"
WORST_CASE = 2 * (LIMIT + GRACE + WHERE_WAIT) + 3.0
"""Two criteria at their limit, the worker's questions, and Python starting twice on a busy
machine: the most a misbehaving fixture may cost."""


def processes_mentioning(text: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def run_cell_after_an_error(client, code: str) -> str:  # noqa: ANN001 - no public types
    """``run_cell``, once the kernel has stopped aborting: right after a cell fails,
    ipykernel aborts requests that arrive for a moment (stop_on_error), without running them."""
    for _ in range(50):
        reply = client.execute_interactive("pass", timeout=30)
        if reply["content"]["status"] == "ok":
            break
    return run_cell(client, code)


def children_running_checks(parent: int) -> list[int]:
    """The check workers ``parent`` started that are still alive."""
    found = []
    for pid in processes_mentioning("gym.checker.worker"):
        try:
            if f"PPid:\t{parent}\n" in Path(f"/proc/{pid}/status").read_text():
                found.append(pid)
        except OSError:
            continue
    return found


def nothing_left(tmp_path: Path) -> bool:
    """No server in ``tmp_path``'s store and no worker of ours, within a few seconds."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not processes_mentioning(str(tmp_path)) and not children_running_checks(os.getpid()):
            return True
        time.sleep(0.05)
    return False


def check_isolated(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckResult:
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the worker's servers keep their stores here
    threads = threading.active_count()
    started = time.monotonic()
    result = check_file(
        FIXTURES / f"{name}.py",
        "tests.checker_fixtures.isolation_criteria",
        exercise_id="fx",
        title="Isolation",
        shown_file=name,
    )
    assert time.monotonic() - started < WORST_CASE, f"{name} held the caller too long"
    assert threading.active_count() == threads, "the check left a thread running"
    assert nothing_left(tmp_path), "a worker or server outlived the check"
    return result


@pytest.mark.parametrize(
    ("name", "line", "hint"),
    [
        ("swallows_cancellation", "line 9: await asyncio.sleep(0.01)", "bare `except:`"),
        ("spins", "line 6: while i < 10:", "`i += 1` inside an `if`"),
        ("floods", 'line 6: print("tick")', "never ends"),
    ],
)
def test_a_hang_ends_at_its_limit_and_is_not_waited_for_twice(
    name: str, line: str, hint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = check_isolated(name, tmp_path, monkeypatch).results
    assert first.status is Status.TIMED_OUT
    assert first.message == f"did not finish within {LIMIT:g} s: run() was still running"
    assert first.where == f"{name}.py, {line}" and hint in first.hint
    assert second.status is Status.NOT_RUN and "hung in an earlier criterion" in second.message


def test_a_flood_of_output_is_shown_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = check_isolated("floods", tmp_path, monkeypatch).results
    shown = first.output.splitlines()
    assert shown[0].startswith("tick   (×") and "more characters" in shown[-1]
    assert len(shown) <= 3


@pytest.mark.parametrize(
    ("name", "message", "where"),
    [
        ("blocks", "time.sleep(0.2) blocks the event loop", "blocks.py, line 7: time.sleep(0.2)"),
        ("exits", "run() raised SystemExit: your code called sys.exit(3)", "exits.py, line 7"),
        ("hard_exits", "called os._exit(4) while running run()", "hard_exits.py, line 7"),
        ("hogs_memory", "run() raised MemoryError", "hogs_memory.py, line 5"),
        ("reads_input", "run() raised EOFError", "reads_input.py, line 5"),
        ("callback_raises", "a subscription callback raised KeyError", "callback_raises.py"),
        (
            "exits_in_callback",
            "SystemExit: your code called sys.exit(2) inside a callback",
            "line 8",
        ),
        ("task_fails_unawaited", "a task nobody awaited raised ValueError: bad price", "line 8"),
    ],
)
def test_misbehaviour_is_a_verdict_with_the_learners_line(
    name: str, message: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_isolated(name, tmp_path, monkeypatch)
    first = result.results[0]
    assert first.status in (Status.FAILED, Status.ERROR) and message in first.message, str(result)
    assert where in first.where + first.message
    assert "checker itself" not in str(result)


def test_a_callback_error_is_said_once_with_a_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = check_isolated("callback_raises", tmp_path, monkeypatch).results
    assert first.message.endswith("(5 times)")
    assert first.message.count("a subscription callback raised") == 1
    assert "same as above" in str(check_isolated("callback_raises", tmp_path, monkeypatch))
    assert second.status is Status.FAILED


@pytest.mark.usefixtures("no_nats_url")
def test_a_kernel_that_ran_a_hanging_check_answers_at_once_and_can_interrupt_one() -> None:
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(REPO))
    try:
        run_cell(client, "from gym.checker.supervisor import check_file\nfrom pathlib import Path")
        verdict = run_cell(
            client,
            "r = check_file(Path('tests/checker_fixtures/spins.py'), "
            "'tests.checker_fixtures.isolation_criteria', exercise_id='fx', title='t', "
            "shown_file='spins.py')\nprint(r.results[0].status)",
        )
        assert verdict.strip() == "timed out"
        started = time.monotonic()
        assert run_cell(client, "print(1 + 1)").strip() == "2"
        assert time.monotonic() - started < 1.0

        client.execute(
            "check_file(Path('tests/checker_fixtures/swallows_cancellation.py'), "
            "'tests.checker_fixtures.slow_criteria', exercise_id='fx', title='t', "
            "shown_file='x')"
        )
        kernel_pid = manager.provisioner.process.pid
        deadline = time.monotonic() + 20
        while not children_running_checks(kernel_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # let the worker get into the learner's loop: what is interrupted
        interrupted = time.monotonic()
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=10)
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - interrupted < 2.0
        assert run_cell_after_an_error(client, "print('still here')").strip() == "still here"
        assert not children_running_checks(kernel_pid)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


HANGING_WORKER = """import asyncio


async def drain_backlog(js, stream, durable, handle, *, batch=10, wait=0.5):
    while True:
        try:
            await asyncio.sleep(0.01)
        except:  # noqa: E722 - swallows the cancellation: only the supervisor can stop it
            continue
"""


def test_ctrl_c_stops_a_terminal_check_at_once_with_one_line(tmp_path: Path) -> None:
    for folder in ("exercises", "solutions", "notebooks"):
        (tmp_path / folder).mkdir()
    shutil.copy(REPO / "solutions" / "ex05_pull_worker.py", tmp_path / "solutions")
    (tmp_path / "exercises" / "ex05_pull_worker.py").write_text(HANGING_WORKER)
    env = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
    env["GYM_COURSE_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "gym.cli", "check", "ex05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 20
    while not children_running_checks(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # let the worker get into the learner's loop: what is interrupted
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - interrupted < 1.5
    assert process.returncode == 130
    assert out.strip().splitlines()[-1] == "gym: stopped." and "Traceback" not in out + err
