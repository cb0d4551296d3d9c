"""Prints median and p95 of embedded-server start-to-ready, of gym.start() end to end, and
of what starting a child through gym's spawner thread costs against a plain ``Popen``.

Every child gym starts is forked by one long-lived thread (``gym.spawner``), so that Linux's
parent-death signal ties it to the process rather than to whichever thread asked. The
"child" lines start a child that does nothing (``true``) both ways: their difference is
the hand-over to that thread plus the child's own setup between fork and exec (asking for
the signal), which gym paid before the spawner thread too. The last line starts servers
from threads that end at once, which only works because of that thread.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable

import gym
from gym.server import start_server
from gym.spawner import spawn
from gym.sync_bridge import run_sync

RUNS = 20


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<28} median {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"
        f"   (n={len(ms)})"
    )


def time_server_start() -> float:
    started = time.perf_counter()
    server = start_server()
    elapsed = time.perf_counter() - started
    server.stop()
    return elapsed


async def time_gym_start() -> float:
    started = time.perf_counter()
    session = await gym.start(quiet=True)
    elapsed = time.perf_counter() - started
    await session.close()
    return elapsed


def time_child(start: Callable[[list[str]], subprocess.Popen[bytes]]) -> float:
    """Seconds until a ``true`` child is started (not until it ends)."""
    true = [shutil.which("true") or "/bin/true"]
    started = time.perf_counter()
    child = start(true)
    elapsed = time.perf_counter() - started
    child.wait()
    return elapsed


def popen_in_caller(command: list[str]) -> subprocess.Popen[bytes]:
    """A fork in the caller's thread, with a (no-op) hook between fork and exec as gym's."""
    return subprocess.Popen(command, preexec_fn=lambda: None)


def main() -> None:
    os.environ.pop("NATS_URL", None)
    report("server start-to-ready", [time_server_start() for _ in range(RUNS)])
    report("gym.start() end to end", [run_sync(time_gym_start()) for _ in range(RUNS)])
    in_caller: list[float] = []
    through_spawner: list[float] = []
    for _ in range(RUNS * 10):  # alternated, so that load hits both alike
        in_caller.append(time_child(popen_in_caller))
        through_spawner.append(time_child(spawn))
    report("child: Popen in caller", in_caller)
    report("child: gym.spawner", through_spawner)
    in_thread: list[float] = []
    for _ in range(RUNS):
        starter = threading.Thread(target=lambda: in_thread.append(time_server_start()))
        starter.start()
        starter.join()
    report("server start from a thread", in_thread)


if __name__ == "__main__":
    main()
