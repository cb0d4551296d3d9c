"""Start child processes that live exactly as long as this process, and no longer.

Why it looks like this:

* gym's children (servers, cluster nodes, checker workers) must die with gym even when
  gym is killed with ``kill -9``, which no cleanup code survives. Linux offers one
  mechanism for that, the parent-death signal (``prctl(PR_SET_PDEATHSIG)``), set in the
  child between ``fork`` and ``exec``.
* That signal fires when the *thread* that forked the child ends, not the process
  (prctl(2)). gym is called from short-lived threads (``run_sync`` in a notebook,
  ``asyncio.to_thread``, a thread pool starting nodes in parallel), and a server started
  from one was SIGKILLed the moment its thread returned.
* So every child is forked by one thread of gym's own, ``gym-spawner``, which lives as long
  as the process: callers hand it the ``Popen`` and wait for the result. The thread is a
  daemon, so it never holds up the interpreter's exit, and it sits blocked in a queue,
  so it never ends before the process does. (Not a one-worker ``ThreadPoolExecutor``: its
  worker is ended at interpreter exit before ``atexit`` handlers run, and an idle worker
  living on is not something the library promises.) The hand-over costs about 60 µs per start,
  against ~2 ms for the fork and ~20 ms for a server to be ready
  (``benchmarks/bench_startup.py``).
* A forked copy of this process (``multiprocessing``) has no spawner thread: it starts its
  own on first use.
* Where there is no ``prctl`` (not Linux), children are started in the caller's thread:
  nothing would tie them to the process anyway.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

__all__ = ["spawn"]

PR_SET_PDEATHSIG = 1

_Job = tuple[Callable[[], Any], "Future[Any]"]


class _Spawner:
    """The one long-lived thread that forks gym's children, and its queue of jobs."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self.serve, name="gym-spawner", daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            call, future = self.jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as error:  # handed back to the waiting caller
                    future.set_exception(error)


_lock = threading.Lock()
_spawner: _Spawner | None = None


def _forget_spawner() -> None:
    """In a forked child: the spawner thread was not copied, and the lock may look held."""
    global _lock, _spawner
    _lock = threading.Lock()
    _spawner = None


os.register_at_fork(after_in_child=_forget_spawner)


def _the_spawner() -> _Spawner:
    global _spawner
    with _lock:
        if _spawner is None:
            _spawner = _Spawner()
        return _spawner


def spawn(command: Sequence[str], **popen_options: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(command, **popen_options)`` for a child that dies with this process.

    The child is forked on the spawner thread and, on Linux, asks for SIGKILL when this
    process ends. If the caller is interrupted while the child is being started (Ctrl-C),
    the child is killed as soon as it exists, so an interrupted start leaves nothing behind.
    """
    if not sys.platform.startswith("linux"):
        return subprocess.Popen(command, **popen_options)
    prepare = functools.partial(_prepare_child, os.getpid(), _prctl())

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, preexec_fn=prepare, **popen_options)

    spawner = _the_spawner()
    if threading.current_thread() is spawner.thread:
        return start()
    future: Future[subprocess.Popen[bytes]] = Future()
    try:
        spawner.jobs.put((start, future))
        return future.result()
    except BaseException:
        future.add_done_callback(_kill_unclaimed)
        raise


def _kill_unclaimed(future: Future[subprocess.Popen[bytes]]) -> None:
    """A child started for a caller who stopped waiting: nobody owns it, so end it."""
    if not future.cancelled() and future.exception() is None:
        child = future.result()
        child.kill()
        child.wait()


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up in the parent: loading a library after ``fork`` in a
    threaded process can deadlock on the loader's lock."""
    try:
        prctl: Callable[..., int] = ctypes.CDLL("libc.so.6", use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


def _prepare_child(
    parent: int, prctl: Callable[..., int] | None
) -> None:  # pragma: no cover - runs in the child before exec
    """Between fork and exec: be SIGKILLed when ``parent`` dies, and lift the soft
    address-space limit a checker worker sets on itself (for learner code, not servers).

    If the parent died before the signal was asked for, nothing would send it: the
    child has been adopted by then, so it exits at once instead.
    """
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    with contextlib.suppress(OSError, ValueError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
