"""gym.spawner: children live exactly as long as the process, whichever thread started them.

Linux's parent-death signal fires when the *thread* that forked a child ends. These tests
start servers from threads that then end, wait until the kernel has really let each thread
go (its ``/proc/self/task`` entry is gone: only then has the signal been sent), and ask
the servers to answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nats
import pytest

from gym import server as gym_server
from gym import spawner
from gym.server import NatsServer, start_server
from gym.sync_bridge import run_sync
from tests.conftest import killed_afterwards, wait_until_gone, wait_until_thread_gone

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's"
)


def started_in_threads(count: int, workers: int) -> tuple[list[NatsServer], set[int]]:
    """``count`` servers started by a pool of ``workers`` threads, and those threads' ids."""
    threads: set[int] = set()

    def start(_: int) -> NatsServer:
        threads.add(threading.get_native_id())
        return start_server()

    with ThreadPoolExecutor(workers) as pool:
        servers = list(pool.map(start, range(count)))
    for native_id in threads:
        wait_until_thread_gone(native_id)
    return servers, threads


def answers(server: NatsServer) -> bool:
    """A real round trip: the server is alive, not merely not reaped yet."""

    async def round_trip() -> bool:
        nc = await nats.connect(server.url, allow_reconnect=False, connect_timeout=2)
        try:
            await nc.flush(timeout=2)
            return True
        finally:
            await nc.close()

    return run_sync(round_trip()) and server.running


@pytest.fixture
def owned() -> Iterator[list[NatsServer]]:
    """Servers a test started; stopped at its end whatever happened."""
    servers: list[NatsServer] = []
    yield servers
    for server in servers:
        server.stop()


def test_a_server_started_from_a_thread_that_ended_stays_up_and_answers(
    owned: list[NatsServer],
) -> None:
    servers, threads = started_in_threads(1, 1)
    owned.extend(servers)
    assert threading.get_native_id() not in threads
    assert answers(servers[0])


def test_servers_started_concurrently_from_a_pool_all_answer(owned: list[NatsServer]) -> None:
    servers, _ = started_in_threads(12, 4)
    owned.extend(servers)
    assert len({s.url for s in servers}) == 12
    assert [answers(s) for s in servers] == [True] * 12


def test_a_server_started_through_run_sync_in_a_running_loop_stays_up(
    owned: list[NatsServer],
) -> None:
    """In a notebook an event loop runs, so ``run_sync`` gives the coroutine a short-lived
    thread of its own: the server must outlive that thread."""

    async def start() -> tuple[NatsServer, int]:
        return start_server(), threading.get_native_id()

    async def in_a_kernel() -> tuple[NatsServer, int]:
        return run_sync(start())

    server, starter = asyncio.run(in_a_kernel())
    owned.append(server)
    assert starter != threading.get_native_id()
    wait_until_thread_gone(starter)
    assert answers(server)


def test_a_server_restarted_from_a_thread_that_ended_stays_up(server: NatsServer) -> None:
    restarter = threading.Thread(target=server.restart)
    restarter.start()
    restarter.join()
    wait_until_thread_gone(restarter.native_id)
    assert answers(server)


def test_a_server_started_from_a_thread_still_dies_with_its_owner() -> None:
    script = (
        "import os, sys, threading, gym.server as g\n"
        "box = {}\n"
        "t = threading.Thread(target=lambda: box.update(s=g.start_server()))\n"
        "t.start(); t.join()\n"
        "while os.path.exists(f'/proc/self/task/{t.native_id}'): pass\n"
        "print(box['s'].process.pid, box['s'].folder, flush=True); sys.stdin.read()"
    )
    with killed_afterwards(script) as line:
        pid_text, folder_text = line.split()
        server_pid, folder = int(pid_text), Path(folder_text)
        assert not wait_until_gone(server_pid, timeout=0.2), "the server died with its thread"
    assert wait_until_gone(server_pid), "nats-server outlived its owner"
    gym_server.sweep_orphaned_folders()
    assert not folder.exists()


def test_a_forked_copy_starts_servers_of_its_own() -> None:
    """After ``fork`` the copy has no spawner thread: it must start one, not wait for ever."""
    script = (
        "import json, os, sys, gym.server as g\n"
        "g.start_server().stop()\n"  # the parent's spawner thread exists now
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    s = g.start_server(); ok = s.running; s.stop(); os._exit(0 if ok else 3)\n"
        "print(json.dumps(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 0


class Interrupted(Exception):
    """Stands in for KeyboardInterrupt, which would also stop pytest."""


def children_running(command: list[str]) -> list[int]:
    """This process's children that run ``command`` (not zombies: those have ended)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")[:-1]
        except (OSError, IndexError):
            continue
        ours = int(fields[1]) == os.getpid() and fields[0] != "Z"
        if ours and [part.decode() for part in cmdline] == command:
            found.append(int(stat.parent.name))
    return found


def test_a_child_whose_caller_was_interrupted_is_killed() -> None:
    """Ctrl-C while the spawner is busy: the child it then starts has no owner, so it ends."""
    command = ["sleep", "3599.5"]
    jobs = spawner._the_spawner().jobs
    release = threading.Event()

    def interrupt_caller_then_wait() -> None:
        deadline = time.monotonic() + 5
        while jobs.qsize() == 0 and time.monotonic() < deadline:  # until spawn() queued
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGUSR1)
        release.wait(5)

    def interrupted(signum: int, frame: object) -> None:
        release.set()
        raise Interrupted

    previous = signal.signal(signal.SIGUSR1, interrupted)
    try:
        jobs.put((interrupt_caller_then_wait, spawner.Future()))
        with pytest.raises(Interrupted):
            spawner.spawn(command)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    after = spawner.Future()
    jobs.put((lambda: None, after))  # jobs run in order: the child has been started by now
    after.result(timeout=5)
    assert children_running(command) == [], "the unclaimed child kept running"
