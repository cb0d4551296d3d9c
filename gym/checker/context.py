"""What a criterion gets to work with, and how learner code is called safely.

Learner code runs for real against a fresh server. Whatever it does — raise, hang, return
the wrong thing — has to end up as one readable sentence, so every call into the
learner's module goes through ``CheckContext.call``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from nats.aio.client import Client
from nats.js import JetStreamContext

from gym.server import NatsServer
from gym.session import connect

__all__ = ["CheckContext", "Criterion", "Fail", "NotStarted", "LearnerError", "criterion"]

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
"""Seconds one criterion may take, learner code included."""


class Fail(Exception):
    """A criterion does not hold; ``message`` says what was expected and what came back."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or ""


class NotStarted(Exception):
    """The learner's function still raises ``NotImplementedError``."""


class LearnerError(Exception):
    """The learner's code raised; the message points at the learner's own line."""


@dataclass(frozen=True)
class Criterion:
    """One named, time-limited check of an exercise."""

    description: str
    run: Callable[[CheckContext], Awaitable[None]]
    timeout: float = DEFAULT_TIMEOUT


def criterion(
    description: str, *, timeout: float = DEFAULT_TIMEOUT
) -> Callable[[Callable[[CheckContext], Awaitable[None]]], Criterion]:
    """Turn ``async def check(ctx)`` into a ``Criterion`` with a description and a time limit."""

    def wrap(function: Callable[[CheckContext], Awaitable[None]]) -> Criterion:
        return Criterion(description, function, timeout)

    return wrap


def where_in_learner_file(error: BaseException, learner_file: Path) -> str:
    """``line N: code`` of the deepest frame in the learner's file, or ``""``."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() == learner_file.resolve()
    ]
    if not frames:
        return ""
    frame = frames[-1]
    return f"{learner_file.name}, line {frame.lineno}: {(frame.line or '').strip()}"


async def run_in_daemon_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking learner code in a thread the check can walk away from if it hangs."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def work() -> None:
        try:
            value = function(*args, **kwargs)
        except BaseException as error:  # handed back to the event loop
            loop.call_soon_threadsafe(settle, lambda e=error: future.set_exception(e))
        else:
            loop.call_soon_threadsafe(settle, lambda: future.set_result(value))

    threading.Thread(target=work, daemon=True, name="gym-learner-code").start()
    return await future


@dataclass
class CheckContext:
    """A fresh server and connection for one criterion, plus the learner's module."""

    learner: ModuleType
    learner_file: Path
    server: NatsServer
    nc: Client
    js: JetStreamContext
    current_call: str = ""
    _connections: list[Client] = field(default_factory=list, repr=False)

    async def connect(self) -> Client:
        """Another connection to this criterion's server, closed when the criterion ends."""
        extra = await connect(self.server.url)
        self._connections.append(extra)
        return extra

    async def close(self) -> None:
        for connection in (*self._connections, self.nc):
            if not connection.is_closed:
                # the server goes away next anyway; a close that fails changes nothing
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), 2)

    def function(self, name: str) -> Callable[..., Any]:
        """The learner's function ``name``, or a failure that says it is missing."""
        found = getattr(self.learner, name, None)
        if not callable(found):
            raise Fail(
                f"{self.learner_file.name} has no function {name}()",
                hint="Keep the function names and signatures from the exercise file.",
            )
        return found

    async def call(self, target: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a learner function (by name or object), sync or async, and return its result."""
        function = self.function(target) if isinstance(target, str) else target
        name = getattr(function, "__name__", str(target))
        self.current_call = f"{name}()"
        try:
            if inspect.iscoroutinefunction(function):
                result = await function(*args, **kwargs)
            else:
                result = await run_in_daemon_thread(function, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
        except NotImplementedError:
            raise NotStarted(f"{name}() is not written yet") from None
        except (Fail, asyncio.CancelledError):
            raise
        except Exception as error:
            place = where_in_learner_file(error, self.learner_file)
            detail = f"{name}() raised {type(error).__name__}: {error}"
            raise LearnerError(f"{detail} ({place})" if place else detail) from error
        self.current_call = ""
        return result

    def expect(self, condition: bool, message: str, hint: str | None = None) -> None:
        """Fail with ``message`` unless ``condition`` holds."""
        if not condition:
            raise Fail(message, hint)

    def expect_equal(self, got: Any, expected: Any, *, call: str, hint: str | None = None) -> None:
        """Fail with "CALL returned GOT, expected EXPECTED" unless they are equal."""
        if got != expected:
            raise Fail(f"{call} returned {_short(got)}, expected {_short(expected)}", hint)

    def expect_type(self, value: Any, kind: type | tuple[type, ...], *, call: str) -> None:
        """Fail with a readable sentence unless ``value`` is an instance of ``kind``."""
        if not isinstance(value, kind):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise Fail(
                f"{call} returned {type(value).__name__} {_short(value)}, expected a {names}",
                hint="Check the return statement (a missing `return` gives None; "
                "a missing `await` gives a coroutine).",
            )


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
