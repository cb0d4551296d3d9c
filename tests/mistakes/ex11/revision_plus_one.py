# mistake: deploy reports revision + 1 as the new revision, as if each ticker counted its own
#   revisions; the bucket counts every write
# expect: a revision counts every write to the bucket
# expect: kv.update(...)` and `kv.create(...)` return it

"""Exercise 11 · The model registry: deploy with compare-and-set, and follow every change.

The trading project keeps which model version serves which ticker in a Key-Value bucket:
the key is the ticker (``AAPL``), the value the model version (``b"lstm-v3"``). Two things
go wrong without care:

* two deployers both read revision 7 and both write: one deployment is silently lost;
* a predictor loads the registry once and never notices the next deployment.

Write ``serving`` (read one ticker), ``deploy`` (compare-and-set: write only if nobody
changed the ticker since you read it) and ``follow_registry`` (the predictor's hot reload:
the current registry first, then every change as it happens).

Notebook 11 shows every piece: ``get``, ``update(..., last=...)``, ``create``,
``KeyWrongLastSequenceError``, ``watchall`` and its ``None`` marker.
Check your work: ``gym.check("ex11")`` in the notebook, or ``gym check ex11`` in a terminal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

STOP_POLL = 0.05
"""Seconds the watcher waits for a change before it looks at ``stop`` again."""


@dataclass(frozen=True)
class Deployment:
    """What one deploy attempt ended with."""

    deployed: bool
    """True: this call's version now serves the ticker. False: someone changed it first."""
    version: str | None
    """The version serving the ticker after the call (None: no model serves it)."""
    revision: int
    """That entry's revision (0 when no model serves the ticker): the next deploy's input."""


async def serving(kv: KeyValue, ticker: str) -> tuple[str, int] | None:
    """The version serving ``ticker`` and its revision, e.g. ``("lstm-v3", 7)``.

    Return None when no model serves the ticker: it was never deployed, or its entry was
    deleted or purged (``kv.get`` raises ``KeyNotFoundError`` for all three). The value is
    bytes in the bucket: return it as a ``str``.
    """
    try:
        entry = await kv.get(ticker)
    except KeyNotFoundError:  # never written, or its newest entry is a delete/purge marker
        return None
    return entry.value.decode(), entry.revision


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    """Make ``version`` serve ``ticker`` — only if the entry is still at ``revision``.

    ``revision`` is what you read before deciding to deploy (``serving`` gives it); 0 means
    "the ticker has no model yet" (never deployed, or removed).

    * Write with compare-and-set, never a plain ``put``: ``kv.update(ticker, value,
      last=revision)``, or ``kv.create(ticker, value)`` for revision 0 (``create`` also
      works for a ticker whose entry was deleted; ``update`` with ``last=0`` does not).
      Won: return ``Deployment(True, version, <the new revision>)``.
    * Someone changed the ticker since ``revision``: nats-py raises
      ``KeyWrongLastSequenceError`` and nothing was written. Do not retry and do not
      overwrite: read the ticker again and return ``Deployment(False, <the version serving
      now>, <its revision>)`` — ``Deployment(False, None, 0)`` if none serves it.
    """
    value = version.encode()
    try:
        if revision == 0:
            await kv.create(ticker, value)  # only if absent (or deleted)
        else:
            await kv.update(ticker, value, last=revision)  # only if unchanged
        new_revision = revision + 1  # the ticker's next revision
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        now = await serving(kv, ticker)
        if now is None:
            return Deployment(False, None, 0)
        return Deployment(False, *now)
    return Deployment(True, version, new_revision)


async def follow_registry(
    kv: KeyValue,
    apply: Callable[[str, str | None, int], Awaitable[None]],
    ready: asyncio.Event,
    stop: asyncio.Event,
) -> int:
    """Keep a predictor in step with the registry until ``stop`` is set.

    * Watch every key of the bucket (``kv.watchall()``).
    * The watcher first delivers the newest entry of each ticker: ``await apply(ticker,
      version, revision)`` for each.
    * Then it delivers ``None``, once: the current registry is fully loaded. Set ``ready``
      then (not before) and keep watching: ``None`` is a marker, neither an entry nor the end.
    * Then every change as it happens, in order: a deploy as ``apply(ticker, version,
      revision)``; a delete or purge (``entry.operation`` is ``"DEL"`` or ``"PURGE"``, the
      value empty) as ``apply(ticker, None, revision)``.
    * When ``stop`` is set: stop the watcher and return how many times ``apply`` was
      called. Return within a second of ``stop``: wait for each change with
      ``watcher.updates(timeout=STOP_POLL)``, which raises ``TimeoutError`` when nothing
      came, and look at ``stop`` in between.
    """
    watcher = await kv.watchall()
    applied = 0
    try:
        while not stop.is_set():
            try:
                entry = await watcher.updates(timeout=STOP_POLL)
            except TimeoutError:  # no change within STOP_POLL: look at stop again
                continue
            if entry is None:  # the marker: every current entry was delivered
                ready.set()
                continue
            removed = entry.operation in ("DEL", "PURGE")
            version = None if removed else entry.value.decode()
            await apply(entry.key, version, entry.revision)
            applied += 1
    finally:
        await watcher.stop()  # unsubscribes: no watcher left behind
    return applied
