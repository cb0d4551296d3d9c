"""`gym lab` in a clone: the repository is the course folder, its developer folders stay out of
the learner's file browser, and JupyterLab starts without prompts (the browser test shows it
on screen; this checks the server's side in a few seconds)."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import sys
import sysconfig
import time
import urllib.request
import warnings
from pathlib import Path

from gym.lab import DEVELOPER_NAMES, lab_command, lab_environment
from tests.lab_server import running_lab

REPOSITORY = Path(__file__).resolve().parent.parent


def test_a_clone_is_served_with_developer_folders_out_of_sight(tmp_path: Path) -> None:
    with running_lab([sys.executable, "-m", "gym.cli"], REPOSITORY, tmp_path / "runtime") as lab:
        assert lab.root_dir == REPOSITORY
        _, top = lab.api("api/contents/")
        listed = {item["name"] for item in top["content"]}
        assert {"notebooks", "exercises", "solutions"} <= listed
        assert not listed & {"gym", "tests", "benchmarks", "pyproject.toml"}, listed
        status, _ = lab.api("api/contents/gym/paths.py")
        assert status == 200, "hidden from listings, still reachable by its path"

        _, notification = lab.api("lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = notification["schema"]["properties"]
        assert defaults["fetchNews"]["default"] == "false"
        assert defaults["checkForUpdates"]["default"] is False
        request = urllib.request.Request(
            f"{lab.url}lab", headers={"Authorization": f"token {lab.token}"}
        )
        page = urllib.request.urlopen(request, timeout=30).read().decode()
        assert re.search(r'"buildCheck":\s*false', page) and re.search(
            r'"buildAvailable":\s*false', page
        )


def test_learner_options_come_last_and_gym_is_on_the_terminals_path(tmp_path: Path) -> None:
    command = lab_command(REPOSITORY, tmp_path, ["--port=9999"])
    assert command[-1] == "--port=9999"
    globs = next(arg for arg in command if arg.startswith("--ContentsManager.hide_globs="))
    assert all(repr(name) in globs for name in DEVELOPER_NAMES)
    assert "'-l'" not in next(a for a in command if a.startswith("--ServerApp.terminado_settings"))
    env = lab_environment(tmp_path, {"PATH": "/usr/bin", "JUPYTER_CONFIG_PATH": "/mine"})
    assert env["PATH"].split(os.pathsep)[0] == sysconfig.get_path("scripts")
    ours = str(tmp_path / "jupyter-config")
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == ["/mine", ours], "the learner's first"


def test_ctrl_c_lets_jupyterlab_ask_and_shut_down_itself(tmp_path: Path) -> None:
    """Ctrl-C reaches gym and JupyterLab alike; gym must not kill JupyterLab mid-question."""
    env = {k: v for k, v in os.environ.items() if k not in ("GYM_COURSE_DIR", "NATS_URL")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "gym.cli", "lab", "--no-browser", "--port=0"]
    # Threads here (gym's spawner, from earlier tests) make Python 3.12+ warn about forking;
    # the child only changes folder and execs, which is safe.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        pid, terminal = pty.fork()
    if pid == 0:  # the child: gym lab in a terminal of its own, as a learner runs it
        os.chdir(REPOSITORY)
        os.execve(sys.executable, command, env)
    seen = bytearray()

    def read_until(text: bytes, deadline: float = 90) -> bool:
        end = time.monotonic() + deadline
        while text not in seen and time.monotonic() < end:
            if select.select([terminal], [], [], 0.2)[0]:
                try:
                    seen.extend(os.read(terminal, 65536))
                except OSError:  # the terminal closed: gym has exited
                    break
        return text in seen

    def tail() -> str:
        return seen.decode(errors="replace")[-1500:]

    status = (0, 0)
    try:
        assert read_until(b"Use Control-C"), tail()
        os.write(terminal, b"\x03")
        assert read_until(b"(y/[n])"), f"JupyterLab did not ask: {tail()}"
        assert os.waitpid(pid, os.WNOHANG) == (0, 0), f"gym died of the Ctrl-C: {tail()}"
        os.write(terminal, b"y\n")
        assert read_until(b"Shutdown confirmed"), tail()
        end = time.monotonic() + 30
        while (status := os.waitpid(pid, os.WNOHANG)) == (0, 0) and time.monotonic() < end:
            read_until(b"\0", deadline=0.2)
        assert status[0] == pid and os.waitstatus_to_exitcode(status[1]) == 0, (status, tail())
    finally:
        if status == (0, 0):  # not reaped: stop gym (it passes SIGTERM on to JupyterLab)
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        os.close(terminal)
