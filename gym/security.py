"""Security from Python: server configurations as dicts, and permission violations made visible.

Why these exist:

* ``nats-server`` reads JSON as its own configuration format, so a configuration can be an
  ordinary dict, built and checked in Python, and written with ``config_text``. A typo in
  it is still refused by the server itself, in its own words (``server_words``).
* nats-py never raises when the server refuses a publish or a subscription: the refusal
  (``-ERR 'Permissions Violation for Publish to "…"'``) reaches only ``error_cb``, and a
  request whose publish or reply inbox was refused simply times out. ``Violations`` is an
  ``error_cb`` that keeps them, so code can ask "was anything refused?" after the fact, or
  wait for an answer *or* a refusal, whichever comes first (``Violations.request``).
* ``may_publish`` / ``may_subscribe`` ask the server itself what a connection may do, with
  a second, unrestricted connection watching: a permission table is a fact, not a guess.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg

from gym.delivery import wait_until_processed
from gym.nats_env import quiet_tls_close_warning

__all__ = [
    "PermissionDenied",
    "Violations",
    "config_text",
    "may_publish",
    "may_subscribe",
    "server_words",
]

quiet_tls_close_warning()  # this module's users open TLS connections with nats-py directly

PERMISSIONS_VIOLATION = "permissions violation"
"""How nats-py's error for a refused publish or subscription starts (it lower-cases it)."""


def config_text(settings: Mapping[str, Any]) -> str:
    """A ``nats-server`` configuration from a dict: JSON, one of the server's own formats.

    Indented, so that a line number in the server's complaint points at one setting.
    """
    return json.dumps(settings, indent=2) + "\n"


def server_words(error: BaseException | str) -> str:
    """The server's own complaint about a configuration, from a ``gym.server.ServerError``.

    Drops gym's framing and the temporary file's path: ``Unknown field name "alow" parsing
    subject permissions, only 'allow' or 'deny' are permitted``.
    """
    text = str(error)
    found = re.search(r"its last log line was: (.*?)\. Check the extra options", text, re.S)
    words = found.group(1) if found else text
    words = words.removeprefix("nats-server: ")
    return re.sub(r"^\S*server\.conf:\d+:\d+: ", "", words).strip()


class PermissionDenied(PermissionError):
    """The server refused a publish or a subscription; the message is the server's."""


class Violations:
    """An ``error_cb`` that keeps the server's permission violations, and passes on the rest.

    ``nc = await nats.connect(url, user=…, password=…, error_cb=violations.error_cb)``; then
    ``violations.seen`` lists what was refused (nats-py's words, lower-cased by nats-py),
    ``await violations.check(nc)`` raises ``PermissionDenied`` for anything refused since
    the last check, and ``await violations.request(nc, …)`` returns the reply or raises
    ``PermissionDenied`` as soon as the server refuses, instead of a silent timeout.
    """

    def __init__(self, then: Callable[[Exception], Awaitable[None]] | None = None) -> None:
        self.seen: list[str] = []
        self._checked = 0
        self._then = then
        self._changed = asyncio.Event()

    async def error_cb(self, error: Exception) -> None:
        """Give this to ``nats.connect(..., error_cb=violations.error_cb)``.

        (nats-py wants a coroutine function there, so the object itself cannot be it.)
        """
        if PERMISSIONS_VIOLATION in str(error):
            self.seen.append(str(error).removeprefix("nats: "))
            self._changed.set()
        elif self._then is not None:
            await self._then(error)

    def new(self) -> list[str]:
        """The violations since the last ``check`` (or ``new``), and mark them as read."""
        fresh, self._checked = self.seen[self._checked :], len(self.seen)
        return fresh

    async def next_refusal(self) -> str:
        """Wait until the server refuses something not yet read by ``new``; return it."""
        while len(self.seen) <= self._checked:
            self._changed.clear()
            await self._changed.wait()
        return self.seen[self._checked]

    async def check(self, nc: Client) -> None:
        """Raise ``PermissionDenied`` if the server refused anything ``nc`` sent so far.

        Waits until the server has processed everything ``nc`` sent: its refusals come
        back before that proof does, so none is missed.
        """
        await wait_until_processed(nc)
        fresh = self.new()
        if fresh:
            raise PermissionDenied("; ".join(fresh))

    async def request(self, nc: Client, subject: str, payload: bytes, timeout: float) -> Msg:
        """``nc.request``, but a refusal by the server raises ``PermissionDenied`` at once.

        Without this, a refused request publish, or a refused subscription to the reply
        inbox, looks exactly like a slow responder: a ``TimeoutError`` after ``timeout``.
        """
        self.new()
        asked = asyncio.ensure_future(nc.request(subject, payload, timeout=timeout))
        refused = asyncio.ensure_future(self.next_refusal())
        try:
            await asyncio.wait({asked, refused}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            refused.cancel()
        if not asked.done():
            asked.cancel()
            await asyncio.gather(asked, return_exceptions=True)
            raise PermissionDenied("; ".join(self.new()))
        return asked.result()


async def may_publish(nc: Client, subject: str, *, observer: Client) -> bool:
    """True when a message ``nc`` publishes to ``subject`` reaches a subscriber.

    ``observer`` is a connection the server lets subscribe to ``subject``.
    """
    return await _arrives(observer, subject, publisher=nc, subject=subject)


async def may_subscribe(nc: Client, pattern: str, sample: str, *, observer: Client) -> bool:
    """True when ``nc``'s subscription to ``pattern`` receives ``sample`` published by ``observer``.

    A refused subscription exists only in nats-py: the server never delivers to it.
    """
    return await _arrives(nc, pattern, publisher=observer, subject=sample)


async def _arrives(subscriber: Client, pattern: str, *, publisher: Client, subject: str) -> bool:
    """True when ``publisher``'s message to ``subject`` reaches ``subscriber``'s subscription
    to ``pattern``. The answer is final when this returns: the server has the subscription
    before the publish and has processed the publish (two flushes each), and the subscriber
    has read everything the server sent it (one more flush)."""
    sub = await subscriber.subscribe(pattern)
    await wait_until_processed(subscriber)
    await publisher.publish(subject, b"may I?")
    await wait_until_processed(publisher)
    await subscriber.flush()
    arrived = sub.pending_msgs > 0
    with contextlib.suppress(nats.errors.BadSubscriptionError):  # refused: nats-py dropped it
        await sub.unsubscribe()
    return arrived
