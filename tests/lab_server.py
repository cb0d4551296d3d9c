"""Start `gym lab` as a learner does, find the server it runs, and stop it with nothing left.

Shared by the wheel test and the browser test. JupyterLab is asked for a free port
(``--port=0``) and writes what it chose, with its token and root, into
``jpserver-<pid>.json`` in ``JUPYTER_RUNTIME_DIR`` (a folder of the test's own); the page a
learner's browser would open is beside it (``jpserver-file-to-run-<pid>-open.html``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import wait_until_gone

START_DEADLINE = 90.0
"""Seconds JupyterLab may take to start on a busy machine (about 3 s when idle)."""


@dataclass
class RunningLab:
    process: subprocess.Popen[bytes]
    info: dict[str, Any]
    runtime: Path
    log: Path

    @property
    def url(self) -> str:
        return str(self.info["url"])

    @property
    def token(self) -> str:
        return str(self.info["token"])

    @property
    def root_dir(self) -> Path:
        return Path(self.info["root_dir"])

    @property
    def open_page(self) -> Path:
        """The page `gym lab` hands the learner's browser: it redirects to the welcome notebook."""
        return self.runtime / f"jpserver-file-to-run-{self.info['pid']}-open.html"

    def api(self, path: str) -> tuple[int, Any]:
        """GET a Jupyter REST path (``api/contents/notebooks``); returns (status, JSON body)."""
        request = urllib.request.Request(
            f"{self.url.rstrip('/')}/{path}", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def lab_env(runtime: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The learner's environment, minus anything that would point gym elsewhere."""
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if k not in ("GYM_COURSE_DIR", "NATS_URL", "NATS_MONITOR_URL", "JUPYTER_CONFIG_PATH")
    }
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    return env


@contextmanager
def running_lab(
    gym: Sequence[str], course: Path, runtime: Path, extra: Sequence[str] = ()
) -> Iterator[RunningLab]:
    """Run ``gym lab`` in ``course`` until the block ends; then stop it as SIGTERM would."""
    runtime.mkdir(parents=True, exist_ok=True)
    log = runtime / "gym-lab.log"
    token = secrets.token_hex(16)
    command = [*gym, "lab", "--no-browser", "--port=0", f"--IdentityProvider.token={token}"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, *extra],
            cwd=course,
            env=lab_env(runtime),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so a failed stop can still take the whole group down
        )
    lab = RunningLab(process, {}, runtime, log)
    try:
        lab.info = _wait_for_server_info(lab)
        yield lab
    finally:
        _stop(lab)


def _wait_for_server_info(lab: RunningLab) -> dict[str, Any]:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        for path in lab.runtime.glob("jpserver-*.json"):
            try:
                info = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue  # being written
            try:  # the file is written a moment before the server listens
                status, _ = RunningLab(lab.process, info, lab.runtime, lab.log).api("api/status")
            except OSError:
                continue
            if status == 200:
                return info
        if lab.process.poll() is not None:
            raise AssertionError(f"gym lab exited with {lab.process.returncode}:\n{lab.log_tail()}")
        time.sleep(0.1)
    raise AssertionError(f"gym lab did not serve within {START_DEADLINE} s:\n{lab.log_tail()}")


def _stop(lab: RunningLab) -> None:
    """SIGTERM to gym, which passes it on; JupyterLab then shuts its kernels down."""
    if lab.process.poll() is None:
        lab.process.send_signal(signal.SIGTERM)
        try:
            lab.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait(timeout=10)
            raise AssertionError(f"gym lab ignored SIGTERM:\n{lab.log_tail()}") from None
    server_pid = lab.info.get("pid")
    if server_pid is not None:
        assert wait_until_gone(int(server_pid), timeout=30), "JupyterLab outlived gym lab"
