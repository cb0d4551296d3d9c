"""Shared fixtures: real embedded servers, never mocks."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from gym.server import NatsServer, start_server


@pytest.fixture
def server() -> Iterator[NatsServer]:
    """A fresh embedded server for one test, stopped (and its store removed) afterwards."""
    running = start_server()
    yield running
    running.stop()


@pytest.fixture
def no_nats_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make gym start its own server even if the developer exported NATS_URL."""
    monkeypatch.delenv("NATS_URL", raising=False)
    monkeypatch.delenv("NATS_MONITOR_URL", raising=False)


def wait_until_gone(pid: int, timeout: float = 5.0) -> bool:
    """True once no process has ``pid`` (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    return True
        except FileNotFoundError:
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def wait_until_thread_gone(native_id: int, timeout: float = 5.0) -> None:
    """Until the kernel has released a thread of this process, and so sent the parent-death
    signal to any child it forked (``threading.Thread.join`` returns a moment earlier)."""
    deadline = time.monotonic() + timeout
    while os.path.exists(f"/proc/self/task/{native_id}"):
        assert time.monotonic() < deadline, f"thread {native_id} did not end"
        time.sleep(0.005)


@contextlib.contextmanager
def killed_afterwards(script: str) -> Iterator[str]:
    """Run ``script`` in a fresh Python and yield the first line it prints; then SIGKILL it
    (no atexit, no finalisers: what ``kill -9`` of a kernel does) and reap it. The script
    keeps running until then, e.g. by reading its standard input."""
    owner = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        yield owner.stdout.readline()
    finally:
        owner.kill()
        owner.wait()
