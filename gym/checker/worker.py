"""The process a check runs the learner's code in.

Learner code is untrusted: it may hang, swallow cancellation, spin the CPU, block the event
loop, call ``sys.exit`` or ``os._exit``, or print without end. Run here, in a process of its
own, none of that can block or kill the caller: the supervisor (``gym.checker.supervisor``)
keeps the clock and ends this process when a criterion overruns. This side runs the criteria
it is asked to, each against a fresh server, and says as it goes what it is doing — which
criterion started, which learner function was entered, where the learner's code is when
asked — so a verdict can be given even for a criterion that had to be killed.

Started as ``python -m gym.checker.worker FD``: one JSON request on stdin; JSON-line events
out on file descriptor FD. ``sys.stdout``/``sys.stderr`` belong to the learner's code and
are captured per criterion.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import inspect
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

from gym.checker.capture import OutputCapture
from gym.checker.context import (
    BlockingCall,
    CallObserver,
    CheckContext,
    Criterion,
    Fail,
    LearnerError,
    NotRun,
    NotStarted,
    Problems,
    cancel_and_wait,
)
from gym.checker.explain import describe_error
from gym.checker.locate import (
    innermost_learner_frame,
    stack_of,
    task_frames,
    where_in_traceback,
)

MEMORY_LIMIT = 2 << 30
"""Bytes of address space learner code may use before a MemoryError (soft limit)."""
STALL_REPORTED = 1.0
"""Seconds of a blocked event loop, inside learner coroutines, that fail a criterion."""
HEARTBEAT = 0.05
"""Seconds between the event loop's heartbeats, which the stall watchdog reads."""

_real_sleep = time.sleep
_real_exit = os._exit


class Channel:
    """JSON-line events to the supervisor, one ``os.write`` each so lines never interleave."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, event: str, **fields: Any) -> None:
        data = (json.dumps({"event": event, **fields}) + "\n").encode()
        with contextlib.suppress(OSError):  # the supervisor has gone: nobody to tell
            while data:
                data = data[os.write(self.fd, data) :]


@dataclass
class Worker:
    """Everything one worker process knows while it runs criteria."""

    channel: Channel
    learner_file: Path
    capture: OutputCapture = field(default_factory=OutputCapture)
    loop: asyncio.AbstractEventLoop | None = None
    problems: Problems | None = None
    heartbeat: float | None = None
    stalls: dict[str, float] = field(default_factory=dict)
    main_thread: int = field(default_factory=threading.get_ident)

    # -- where is the learner's code? -------------------------------------------------
    def where_now(self, frame: FrameType | None) -> str:
        """The learner line the main thread is running, or a stuck task is waiting on."""
        where = innermost_learner_frame(stack_of(frame), self.learner_file)
        if where or self.loop is None:
            return where
        with contextlib.suppress(RuntimeError):  # tasks changed under us: report what we have
            for frames in task_frames(self.loop):
                where = innermost_learner_frame(frames, self.learner_file)
                if where:
                    return where
        return ""

    def on_where_signal(self, _signum: int, frame: FrameType | None) -> None:
        """SIGUSR1 from the supervisor, just before it ends us: say where we are stuck."""
        stalled = self.heartbeat is not None and time.monotonic() - self.heartbeat > 0.3
        self.channel.send(
            "where", where=self.where_now(frame), spinning=stalled, output=self.capture.peek()
        )

    # -- guards against learner code ---------------------------------------------------
    def guarded_sleep(self, seconds: float) -> None:
        """``time.sleep``, except in a learner coroutine, where it blocks the event loop."""
        caller = sys._getframe(1)
        if self._running_loop() and _inside_learner_coroutine(caller, self.learner_file):
            where = innermost_learner_frame(stack_of(caller), self.learner_file)
            if self.problems is not None:
                self.problems.blocking.append(
                    f"time.sleep({seconds!r}) blocks the event loop ({where}): nothing else "
                    "runs meanwhile, not even nats-py reading the socket"
                )
            raise BlockingCall(f"time.sleep({seconds!r}) in async code")
        _real_sleep(seconds)

    def reported_exit(self, code: int) -> None:
        """``os._exit``: tell the supervisor who ended the process, then end it."""
        where = innermost_learner_frame(stack_of(sys._getframe(1)), self.learner_file)
        self.channel.send("exiting", code=code, where=where, output=self.capture.peek())
        _real_exit(code)

    def _running_loop(self) -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def watch_for_stalls(self) -> None:
        """A daemon thread: when the event loop misses its heartbeat, see whose code runs."""
        while True:
            _real_sleep(HEARTBEAT)
            beat = self.heartbeat
            if beat is None or time.monotonic() - beat < 0.3:
                continue
            frame = sys._current_frames().get(self.main_thread)
            frames = stack_of(frame)
            if any(
                _is_learner_coroutine(f, self.learner_file) for f in frames
            ):  # blocked inside learner async code, not in the checker's own work
                where = innermost_learner_frame(frames, self.learner_file)
                self.stalls[where] = max(self.stalls.get(where, 0.0), time.monotonic() - beat)

    def beat(self) -> None:
        self.heartbeat = time.monotonic()
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_later(HEARTBEAT, self.beat)

    def on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """An exception nobody awaited (a task the learner started): recorded, not printed."""
        error = context.get("exception")
        if self.problems is None or error is None:
            return
        where = where_in_traceback(error, self.learner_file)
        self.problems.add_side_error(
            f"a task nobody awaited raised {describe_error(error)}"
            + (f" ({where})" if where else "")
        )

    # -- running -----------------------------------------------------------------------
    def install_guards(self) -> None:
        time.sleep = self.guarded_sleep
        os._exit = self.reported_exit
        signal.signal(signal.SIGUSR1, self.on_where_signal)
        threading.Thread(target=self.watch_for_stalls, daemon=True, name="gym-stalls").start()

    def run_criterion(
        self, item: Criterion, module: ModuleType, hung: frozenset[str]
    ) -> tuple[dict[str, Any], bool]:
        """Run one criterion on a fresh event loop; its verdict, and whether all ended."""
        self.problems = Problems(self.learner_file)
        self.stalls = {}
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self.on_loop_exception)
        asyncio.set_event_loop(self.loop)
        self.beat()
        clean = True
        try:
            verdict, clean = self.loop.run_until_complete(self._criterion(item, module, hung))
        except (SystemExit, KeyboardInterrupt) as error:  # from a learner task or callback
            where = where_in_traceback(error, self.learner_file)
            verdict = _verdict(
                "error",
                f"{describe_error(error)} inside a callback or task: that ends the whole "
                "program, not just the function",
                hint="Return from the function instead; a check, like a service, keeps running.",
                where=where,
            )
            clean = False
        finally:
            self.heartbeat = None
        clean = clean and self._close_loop()
        self._add_problems(verdict)
        verdict["output"] = self.capture.take()
        return verdict, clean

    async def _criterion(
        self, item: Criterion, module: ModuleType, hung: frozenset[str]
    ) -> tuple[dict[str, Any], bool]:
        from gym.server import start_server
        from gym.session import connect

        assert self.problems is not None
        server = start_server()
        context: CheckContext | None = None
        clean = True
        try:
            nc = await connect(server.url, error_cb=self.problems.nats_error_cb)
            observer = CallObserver(
                calling=lambda name: self.channel.send("calling", name=name),
                returned=lambda name: self.channel.send("returned", name=name),
            )
            context = CheckContext(
                module, self.learner_file, server, nc, nc.jetstream(), self.problems, hung, observer
            )
            try:
                await item.run(context)
            except Fail as failure:
                return _verdict(
                    "failed",
                    failure.message,
                    failure.hint,
                    failure.where or context.where_defined(),
                ), await context.close()
            except NotStarted as not_started:
                return _verdict("not started", str(not_started)), await context.close()
            except NotRun as not_run:
                return _verdict("not run", str(not_run)), await context.close()
            except LearnerError as error:
                return _verdict("error", error.message, error.hint, error.where), (
                    await context.close()
                )
            except BlockingCall:
                return _verdict("failed", "blocked the event loop"), await context.close()
            clean = await context.close()
            context = None
            return _verdict("passed"), clean
        except Exception as error:  # a bug in the check itself; the learner is not to blame
            if context is not None:
                await context.close()
            return _verdict(
                "error",
                f"the checker itself failed ({type(error).__name__}: {error}); please report it",
            ), clean
        finally:
            server.stop()

    def _close_loop(self) -> bool:
        """Cancel what learner code left running; False if some of it refuses to end."""
        assert self.loop is not None
        leftovers = [task for task in asyncio.all_tasks(self.loop) if not task.done()]
        stubborn = self.loop.run_until_complete(cancel_and_wait(leftovers)) if leftovers else []
        if not stubborn:
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
        self.loop = None
        return not stubborn

    def _add_problems(self, verdict: dict[str, Any]) -> None:
        """Blocking calls fail a criterion outright; side errors fail it or add to its message."""
        assert self.problems is not None
        for where, seconds in self.stalls.items():
            if seconds >= STALL_REPORTED:
                self.problems.blocking.append(
                    f"your code blocked the event loop for {seconds:.1f} s ({where}): a loop "
                    "that never awaits, or a blocking call, stops everything else"
                )
        if self.problems.blocking:
            verdict.update(
                status="failed",
                message="; ".join(dict.fromkeys(self.problems.blocking)),
                hint="In async code wait with `await asyncio.sleep(seconds)` (or await the "
                "thing itself); never time.sleep or a loop that does not await.",
            )
            return
        side = self.problems.summary()
        if not side:
            return
        if verdict["status"] == "passed":
            verdict.update(
                status="failed",
                message=side,
                hint="Catch what can go wrong inside callbacks and tasks you start: their "
                "exceptions never reach your function, so the work they were doing is silently "
                "lost (and await the tasks you start).",
            )
        else:
            verdict["message"] += f"; meanwhile {side}"


def _verdict(status: str, message: str = "", hint: str = "", where: str = "") -> dict[str, Any]:
    return {"status": status, "message": message, "hint": hint, "where": where}


def _is_learner_coroutine(frame: FrameType, learner_file: Path) -> bool:
    return frame.f_code.co_filename == str(learner_file) and bool(
        frame.f_code.co_flags & inspect.CO_COROUTINE
    )


def _inside_learner_coroutine(frame: FrameType | None, learner_file: Path) -> bool:
    return any(_is_learner_coroutine(f, learner_file) for f in stack_of(frame))


def load_learner_module(path: Path) -> ModuleType:
    """Import ``path`` afresh under a private name; errors are the caller's to explain."""
    name = f"gym_learner_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look modules up by name
    spec.loader.exec_module(module)
    return module


def explain_load_failure(error: BaseException, path: Path) -> str:
    """One sentence for a file that cannot be imported."""
    if isinstance(error, SyntaxError):
        return f"{path.name} has a syntax error on line {error.lineno}: {error.msg}"
    where = where_in_traceback(error, path)
    return f"importing {path.name} raised {describe_error(error)}" + (
        f" ({where})" if where else ""
    )


def run(request: dict[str, Any], channel: Channel) -> None:
    """Load the learner's file and run the requested criteria, telling the supervisor all."""
    path = Path(request["path"])
    worker = Worker(channel, path)
    sys.stdout = worker.capture.stream(1)
    sys.stderr = worker.capture.stream(2)
    criteria: Sequence[Criterion] = importlib.import_module(request["criteria"]).CRITERIA
    channel.send(
        "criteria", items=[{"description": c.description, "timeout": c.timeout} for c in criteria]
    )
    worker.install_guards()
    if not path.is_file():
        channel.send(
            "load_failed",
            message=f"{path.name} does not exist; `gym reset` can restore the exercise file",
        )
        return
    try:
        module = load_learner_module(path)
    except BaseException as error:  # noqa: BLE001 - whatever the import did, say it in a sentence
        channel.send(
            "load_failed", message=explain_load_failure(error, path), output=worker.capture.take()
        )
        return
    channel.send("loaded", output=worker.capture.take())
    hung = frozenset(request.get("hung", ()))
    for index in range(request.get("first", 0), len(criteria)):
        channel.send("start", index=index)
        verdict, clean = worker.run_criterion(criteria[index], module, hung)
        channel.send("result", index=index, **verdict)
        if not clean:  # learner tasks that ignore cancellation: start afresh for the next
            channel.send("restart")
            return
    channel.send("done")


def main(argv: Sequence[str]) -> None:
    channel = Channel(int(argv[0]))
    request = json.loads(sys.stdin.readline())
    sys.path[:0] = [p for p in request.get("sys_path", ()) if p not in sys.path]
    with open(os.devnull, "rb") as nothing:  # input() in learner code gets EOF, not a hang
        os.dup2(nothing.fileno(), 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > MEMORY_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, hard))
    try:
        run(request, channel)
    except BaseException:  # noqa: BLE001 - a bug in the checker: say so, with the traceback
        channel.send("crashed", traceback=traceback.format_exc())
    finally:
        # Learner threads must not keep the process alive: leave now, whatever they do.
        _real_exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
