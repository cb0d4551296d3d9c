"""What a criterion works with: the learner's module, a fresh server, and safe calls into it.

Learner code runs for real against a fresh server, in a worker process of its own (see
``gym.checker.worker``). Whatever it does — raise, hang, return the wrong thing — has to end
up as one readable sentence pointing at the learner's own line, so every call into the
learner's module goes through ``CheckContext.call``, and what a check finds wrong is raised
as ``Fail``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from gym.checker.explain import describe_error, hint_for, short
from gym.checker.locate import function_in_traceback, function_location, where_in_traceback
from gym.server import NatsServer, start_server
from gym.session import CONNECTION_TROUBLE, connect
from gym.waiting import eventually

__all__ = [
    "BlockingCall",
    "CheckContext",
    "Criterion",
    "Fail",
    "LearnerError",
    "NotRun",
    "NotStarted",
    "Problems",
    "criterion",
    "eventually",
]

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
"""Seconds one criterion may take, learner code included."""

CANCEL_GRACE = 0.5
"""Seconds a cancelled learner task gets to finish before it counts as ignoring cancellation."""


class Fail(Exception):
    """A criterion does not hold; ``message`` says what was expected and what came back."""

    def __init__(self, message: str, hint: str | None = None, *, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or ""
        self.where = where


class NotStarted(Exception):
    """The learner's function still raises ``NotImplementedError``."""


class NotRun(Exception):
    """A learner function hung in an earlier criterion, so this one does not call it again."""


class LearnerError(Exception):
    """The learner's code raised; ``where`` is the learner's own line."""

    def __init__(self, message: str, *, hint: str = "", where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    @property
    def raised(self) -> BaseException:
        """The exception the learner's code raised (this one wraps it)."""
        return self.__cause__ or self


class BlockingCall(BaseException):
    """Raised into learner code that blocks the event loop (``time.sleep`` in async code).

    A ``BaseException``, so that an ``except Exception:`` around the sleep cannot hide it.
    """


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


@dataclass
class Problems:
    """What learner code did wrong on the side while a criterion ran.

    Exceptions inside subscription callbacks (nats-py hands them to ``error_cb``), tasks
    that failed with nobody awaiting them, and calls that blocked the event loop: none of
    them reaches the criterion's own code, so they are collected here and reported once
    each, with a count and the learner's line.
    """

    learner_file: Path
    side_errors: Counter[str] = field(default_factory=Counter)
    blocking: list[str] = field(default_factory=list)

    def add_side_error(self, what: str) -> None:
        self.side_errors[what] += 1

    async def nats_error_cb(self, error: Exception) -> None:
        """nats-py's ``error_cb``: where an exception in a learner's callback ends up."""
        if isinstance(error, CONNECTION_TROUBLE):
            return  # servers stop at the end of every criterion; that is not news
        where = where_in_traceback(error, self.learner_file)
        self.add_side_error(
            f"a subscription callback raised {describe_error(error)}"
            + (f" ({where})" if where else "")
        )

    def summary(self) -> str:
        """One sentence per kind of problem, or ``""``."""
        lines = list(dict.fromkeys(self.blocking))
        for what, count in self.side_errors.items():
            lines.append(f"{what}{f' ({count} times)' if count > 1 else ''}")
        return "; ".join(lines)


@dataclass
class CallObserver:
    """Told when learner code is entered and left, so a hang can be attributed."""

    calling: Callable[[str], None] = lambda name: None
    returned: Callable[[str], None] = lambda name: None


@dataclass
class CheckContext:
    """A fresh server and connection for one criterion, plus the learner's module."""

    learner: ModuleType
    learner_file: Path
    server: NatsServer
    nc: Client
    js: JetStreamContext
    problems: Problems
    hung: frozenset[str] = frozenset()
    """Learner functions that hung in an earlier criterion: calling them again is skipped."""
    observer: CallObserver = field(default_factory=CallObserver)
    last_called: Callable[..., Any] | None = None
    _connections: list[Client] = field(default_factory=list, repr=False)
    _background: list[asyncio.Task[Any]] = field(default_factory=list, repr=False)
    _servers: list[NatsServer] = field(default_factory=list, repr=False)
    _hints: list[Mapping[type[BaseException], str]] = field(default_factory=list, repr=False)

    async def connect(self, server: NatsServer | None = None) -> Client:
        """Another connection to this criterion's server (or ``server``), closed at its end."""
        extra = await connect((server or self.server).url, error_cb=self.problems.nats_error_cb)
        self._connections.append(extra)
        return extra

    def another_server(self, **options: Any) -> NatsServer:
        """A second fresh server (``start_server`` options), stopped when the criterion ends."""
        server = start_server(**options)
        self._servers.append(server)
        return server

    async def close(self) -> bool:
        """End background learner calls, close connections and stop extra servers; False if a
        learner call would not end."""
        stubborn = await cancel_and_wait(self._background)
        for connection in (*self._connections, self.nc):
            if not connection.is_closed:
                # the server goes away next anyway; a close that fails changes nothing
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), 2)
        for server in self._servers:
            server.stop()
        return not stubborn

    def function(self, name: str) -> Callable[..., Any]:
        """The learner's function ``name``, or a failure that says it is missing."""
        found = getattr(self.learner, name, None)
        if not callable(found):
            raise Fail(
                f"{self.learner_file.name} has no function {name}()",
                hint="Keep the function names and signatures from the exercise file.",
            )
        return found

    @contextlib.contextmanager
    def hints(self, by_error: Mapping[type[BaseException], str]) -> Iterator[None]:
        """Inside the block, a learner call that raises one of these errors gets this hint."""
        self._hints.append(by_error)
        try:
            yield
        finally:
            self._hints.pop()

    async def call(self, target: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a learner function (by name or object), sync or async, and return its result.

        Raises ``NotStarted`` for a ``NotImplementedError``, ``NotRun`` for a function that
        hung earlier, and ``LearnerError`` (with the learner's line and a fitting hint) for
        anything else it raises — ``sys.exit`` included.
        """
        function = self.function(target) if isinstance(target, str) else target
        name = getattr(function, "__name__", str(target))
        if name in self.hung:
            raise NotRun(f"{name}() was not called again: it hung in an earlier criterion")
        self.last_called = function
        self.observer.calling(name)
        try:
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result) or asyncio.isfuture(result):
                result = await result
        except NotImplementedError as error:
            unwritten = function_in_traceback(error, self.learner_file) or name
            raise NotStarted(f"{unwritten}() is not written yet") from None
        except (Fail, NotStarted, NotRun, LearnerError, BlockingCall, asyncio.CancelledError):
            raise
        except (Exception, SystemExit, KeyboardInterrupt) as error:
            raise LearnerError(
                f"{name}() raised {describe_error(error)}",
                hint=self._hint_for(error),
                where=where_in_traceback(error, self.learner_file),
            ) from error
        finally:
            self.observer.returned(name)
        return result

    def background(self, target: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Start a learner call as a task; it is cancelled (if still running) when the
        criterion ends. Await the task to get its result or its ``LearnerError``."""
        task = asyncio.ensure_future(self.call(target, *args, **kwargs))
        self._background.append(task)
        return task

    def _hint_for(self, error: BaseException) -> str:
        for by_error in reversed(self._hints):
            for kind, hint in by_error.items():
                if isinstance(error, kind):
                    return hint
        return hint_for(error)

    def where_defined(self) -> str:
        """Where the learner function called last is defined: a wrong result's address."""
        if self.last_called is None:
            return ""
        return function_location(self.last_called, self.learner_file)

    def expect(self, condition: bool, message: str, hint: str | None = None) -> None:
        """Fail with ``message`` unless ``condition`` holds."""
        if not condition:
            raise Fail(message, hint)

    def expect_equal(self, got: Any, expected: Any, *, call: str, hint: str | None = None) -> None:
        """Fail with "CALL returned GOT, expected EXPECTED" unless they are equal."""
        if got != expected:
            raise Fail(f"{call} returned {short(got)}, expected {short(expected)}", hint)

    def expect_type(self, value: Any, kind: type | tuple[type, ...], *, call: str) -> None:
        """Fail with a readable sentence unless ``value`` is an instance of ``kind``."""
        if not isinstance(value, kind):
            names = " or ".join(
                f"{'an' if k.__name__[0] in 'aeiou' else 'a'} {k.__name__}"
                for k in (kind if isinstance(kind, tuple) else (kind,))
            )
            raise Fail(
                f"{call} returned {type(value).__name__} {short(value)}, expected {names}",
                hint="Check the return statement (a missing `return` gives None; "
                "a missing `await` gives a coroutine).",
            )

    def expect_keys(self, value: Any, keys: tuple[str, ...], *, call: str) -> None:
        """Fail, naming what is missing, unless ``value`` is a dict with every one of ``keys``."""
        self.expect_type(value, dict, call=call)
        missing = [key for key in keys if key not in value]
        if missing:
            raise Fail(
                f"{call} returned a dict without {', '.join(map(repr, missing))} "
                f"(it has {', '.join(map(repr, value)) or 'no keys'})",
                hint=f"Return every key: {', '.join(map(repr, keys))}.",
            )

    async def stored_messages(self, stream: str) -> list[RawStreamMsg]:
        """Every message ``stream`` holds now, in stream order (read back with ``get_msg``)."""
        info = await self.js.stream_info(stream)
        stored: list[RawStreamMsg] = []
        if not info.state.messages:  # first_seq is 0 until a first message: not a sequence
            return stored
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            with contextlib.suppress(NotFoundError):  # deleted from the middle of the stream
                stored.append(await self.js.get_msg(stream, seq))
        return stored


async def cancel_and_wait(tasks: list[asyncio.Task[Any]]) -> list[asyncio.Task[Any]]:
    """Cancel unfinished ``tasks``; the ones still running after ``CANCEL_GRACE`` seconds."""
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=CANCEL_GRACE)
    for task in tasks:  # a background call's failure is the criterion's to report, or nobody's
        if task.done() and not task.cancelled():
            task.exception()
    return [task for task in pending if not task.done()]


# -- Helpers shared by several checks (added with ex02-ex05; usable by every check) --


async def letting_through(
    kind: type[BaseException] | tuple[type[BaseException], ...], call: Awaitable[T]
) -> tuple[T | None, BaseException | None]:
    """Await a learner call (``ctx.call(...)``) that must let an error of ``kind`` through.

    ``(result, None)`` if it returned (it swallowed the error, or never met it);
    ``(None, error)`` if an error of ``kind`` came out of it — raised as it was, or wrapped
    in another exception (``raise ... from error``). Anything else the learner's code raised
    stays a ``LearnerError``, as with ``ctx.call``.
    """
    try:
        return await call, None
    except LearnerError as error:
        cause, seen = error.__cause__, set()
        while cause is not None and id(cause) not in seen:
            if isinstance(cause, kind):
                return None, cause
            seen.add(id(cause))
            cause = cause.__cause__ or cause.__context__
        raise


async def subscriptions_of(ctx: CheckContext, client: Client | None = None) -> list[str]:
    """The subjects the server holds subscriptions on for ``client`` (default ``ctx.nc``).

    What the server says, once it has processed everything ``client`` sent (two flushes:
    a SUB or UNSUB still in nats-py's write buffer has reached it).
    """
    from gym import monitor  # here: the monitor module is not needed by every check
    from gym.delivery import wait_until_processed

    client = client or ctx.nc
    if not client.is_closed:  # a closed connection has no subscriptions left to list
        await wait_until_processed(client)
    reply = await monitor.connz(ctx.server.monitor_url, cid=client.client_id, subs=1)
    connections = reply.get("connections") or [{}]
    return list(connections[0].get("subscriptions_list") or [])


class _ErrorMatching(type):
    """The metaclass of ``error_matching``'s types: ``isinstance`` asks their test."""

    def __instancecheck__(cls, instance: Any) -> bool:
        try:
            return bool(cls.__dict__["test"](instance))
        except Exception:  # noqa: BLE001 - a test that cannot tell means "not this one"
            return False


def error_matching(name: str, test: Callable[[BaseException], bool]) -> type[BaseException]:
    """A key for ``ctx.hints`` finer than an exception type: errors for which ``test`` holds.

    ``ctx.hints({error_matching("MaxAgeTooBig", lambda e: getattr(e, "err_code", 0) == 10025
    and "max_age" in (e.description or "")): "..."})`` gives the hint to that one JetStream
    error only (``APIError`` subclasses differ by ``err_code``, not by type).
    """
    return _ErrorMatching(name, (Exception,), {"test": staticmethod(test)})


async def learner_connection(ctx: CheckContext) -> tuple[Client, JetStreamContext]:
    """A connection (and its JetStream context) for the learner's function alone, so that
    its counters and pending acks are the learner's: ``messages_sent`` reads them."""
    nc = await ctx.connect()
    return nc, nc.jetstream()


def messages_sent(nc: Client) -> int:
    """Messages ``nc`` has sent: one per publish attempt (``js.publish`` sends exactly one)."""
    return nc.stats["out_msgs"]


def failed_after_attempts(error: LearnerError, nc: Client) -> Fail:
    """A learner error no criterion wanted, with how many attempts ``nc`` made before it."""
    return Fail(
        f"{error.message} after {messages_sent(nc)} attempt(s)", error.hint, where=error.where
    )


async def outcome(task: asyncio.Future[Any]) -> tuple[Any, LearnerError | None]:
    """``(result, None)``, or ``(None, error)`` when the learner's call in ``task`` raised."""
    try:
        return await task, None
    except LearnerError as error:
        return None, error


async def while_running(
    condition: Callable[[], bool], task: asyncio.Future[Any], *, within: float
) -> bool:
    """Look at a local ``condition`` (a counter of this process) every couple of
    milliseconds until it holds (True), or ``task`` ends or ``within`` seconds pass (False)."""

    async def look() -> bool:
        return condition()

    held = await eventually(
        look, within=within, until=lambda held: held or task.done(), every=0.002
    )
    return held or condition()


async def expect_to_stop_mid_attempt(
    ctx: CheckContext,
    function: str,
    subject: str,
    *args: Any,
    call: str,
    hint: str | None = None,
    **kwargs: Any,
) -> None:
    """Cancel the learner's publishing ``function(js, subject, *args, **kwargs)`` while an
    attempt waits: it must end at once, cancelled.

    A plain subscriber on ``subject`` and no stream: the publish is delivered, nobody
    acknowledges it, and the attempt waits for its timeout — until the caller cancels it.
    ``hint`` goes with a function that returns without publishing at all.
    """
    await ctx.nc.subscribe(subject)
    await ctx.nc.flush()
    nc, js = await learner_connection(ctx)
    task = ctx.background(function, js, subject, *args, **kwargs)
    if not await while_running(lambda: messages_sent(nc) >= 1, task, within=1.0):
        result, error = await outcome(task)
        if error is not None:
            raise failed_after_attempts(error, nc)
        raise Fail(f"{call} returned {short(result)} without publishing anything", hint=hint)
    await expect_to_stop_when_cancelled(task, call=call, attempts=messages_sent(nc))


async def expect_to_stop_when_cancelled(
    task: asyncio.Future[Any], *, call: str, attempts: int
) -> None:
    """Cancel a learner call that is retrying; fail if it swallows the cancellation."""
    task.cancel()
    await asyncio.wait([task], timeout=0.5)
    if task.cancelled():
        return
    ending = "was still running"
    if task.done():
        _, error = await outcome(task)
        ending = "went on and " + (
            f"raised {describe_error(error.raised)}" if error else "returned"
        )
    raise Fail(
        f"{call} {ending} after it was cancelled ({attempts} attempt(s)): it swallowed the "
        "cancellation, so whoever cancelled it (a shutdown, a timeout) cannot stop it",
        hint="A bare `except:` (or `except BaseException:`) also catches "
        "asyncio.CancelledError: catch only the errors you retry.",
    )
