"""Checks for ex11: a model registry in a Key-Value bucket, deployed with compare-and-set and
followed by a watcher.

Each criterion makes the bucket ``model_registry`` on a fresh server and writes the entries
a scenario needs with nats-py itself, so the check knows every revision. A conflict is made
for real: the check deploys "the other deployer's" version between the revision the learner
was given and the learner's write, or runs two of the learner's deploys at once from the same
revision. What the learner's code wrote is read back from the bucket (``get``, ``history``);
the watcher's ``apply`` is the check's own coroutine, so it sees each change as applied.
"""

from __future__ import annotations

import asyncio
from typing import Any

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from gym.checker import CheckContext, Fail, criterion, eventually
from gym.checker.context import subscriptions_of
from gym.checker.explain import short

BUCKET = "model_registry"
HISTORY = 10
"""Revisions kept per ticker: enough for the check to read back every write."""
WITHIN = 1.0
"""Seconds the watcher gets to deliver what the check waits for, and to return after stop."""

NOT_FOUND_HINT = (
    "kv.get raises KeyNotFoundError when no model serves the ticker (never deployed, "
    "deleted or purged): catch it and return None."
)
CAS_HINT = (
    "Write with compare-and-set: `await kv.update(ticker, version.encode(), "
    "last=revision)` (or `kv.create(...)` for revision 0). The server refuses it when the "
    "ticker changed after `revision`, so a deployment can never overwrite another one."
)
CONFLICT_HINT = (
    "KeyWrongLastSequenceError means someone changed the ticker after the revision you were "
    "given: catch it, read the ticker again (serving) and return "
    "Deployment(False, <version serving now>, <its revision>)."
)
CREATE_HINT = (
    "Revision 0 means no model serves the ticker: `await kv.create(ticker, value)`. create "
    "also replaces a delete marker; `update(..., last=0)` only works for a key never written."
)
MARKER_HINT = (
    "After the current entries the watcher yields None, once: it is a marker, not an entry. "
    "`if entry is None: ready.set(); continue` — then keep reading the live changes."
)
DELETE_HINT = (
    "A delete or purge arrives as an entry whose operation is 'DEL' or 'PURGE' and whose "
    "value is empty: apply(ticker, None, revision) for it."
)
QUIET_HINT = (
    "watcher.updates(timeout=...) raises TimeoutError whenever nothing changed within the "
    "timeout: that is normal for a registry. Catch it (`except TimeoutError: continue`) and "
    "look at stop again."
)
UNAWAITED_HINT = (
    "apply is a coroutine function: `await apply(ticker, version, revision)` for each entry, "
    "and set ready only after the current entries."
)
STOP_HINT = (
    "Wait for each change with `await watcher.updates(timeout=STOP_POLL)` in a "
    "`while not stop.is_set():` loop (`except TimeoutError: continue`), and stop the "
    "watcher in a `finally:`."
)


WATCH_HINTS = {AttributeError: MARKER_HINT, TimeoutError: QUIET_HINT}
"""The hints a learner's watcher gets: None taken for an entry, a quiet registry's timeout."""


async def registry(ctx: CheckContext) -> KeyValue:
    """The bucket the learner's code works on, empty."""
    return await ctx.js.create_key_value(bucket=BUCKET, history=HISTORY)


def deployment(ctx: CheckContext, got: Any, call: str) -> tuple[bool, Any, Any]:
    """A returned Deployment as ``(deployed, version, revision)``, or a failure saying why not."""
    fields = ("deployed", "version", "revision")
    if not all(hasattr(got, name) for name in fields):
        raise Fail(
            f"{call} returned {type(got).__name__} {short(got)}, expected a Deployment",
            hint="Return Deployment(deployed, version, revision): the dataclass in your file.",
        )
    deployed, version, revision = (getattr(got, name) for name in fields)
    if isinstance(version, bytes):
        raise Fail(
            f"{call} returned a Deployment whose version is bytes ({version!r})",
            hint="The bucket stores bytes; the Deployment holds a str: `entry.value.decode()`.",
        )
    return bool(deployed), version, revision


async def deploy(ctx: CheckContext, kv: KeyValue, ticker: str, version: str, revision: int) -> Any:
    """Call the learner's deploy; an escaped conflict error gets the hint that fits it."""
    with ctx.hints({KeyWrongLastSequenceError: CONFLICT_HINT, KeyNotFoundError: NOT_FOUND_HINT}):
        return await ctx.call("deploy", kv, ticker, version, revision=revision)


async def last_revision(kv: KeyValue) -> int:
    """The revision of the bucket's newest entry (``delete`` and ``purge`` return only True)."""
    return (await kv.status()).stream_info.state.last_seq


async def stored(kv: KeyValue, ticker: str) -> tuple[str | None, int]:
    """What the bucket says serves ``ticker`` now: (version or None, revision or 0)."""
    try:
        entry = await kv.get(ticker)
    except KeyNotFoundError:
        return None, 0
    return entry.value.decode(), entry.revision


NEW_REVISION_HINT = (
    "Return the revision the server gave the write: `kv.update(...)` and `kv.create(...)` "
    "return it (`new_revision = await kv.update(ticker, value, last=revision)`)."
)


@criterion("serving returns (version, revision) for a deployed ticker, None when none serves it")
async def reads_the_registry(ctx: CheckContext) -> None:
    kv = await registry(ctx)
    await kv.put("AAPL", b"lstm-v1")
    aapl = await kv.put("AAPL", b"lstm-v2")
    googl = await kv.put("GOOGL", b"gru-v1")
    await kv.put("MSFT", b"arima-v1")
    await kv.delete("MSFT")
    await kv.put("NVDA", b"lstm-v1")
    await kv.purge("NVDA")
    cases = [
        ("AAPL", ("lstm-v2", aapl), "deployed twice"),
        ("GOOGL", ("gru-v1", googl), "deployed once"),
        ("TSLA", None, "never deployed"),
        ("MSFT", None, "deleted"),
        ("NVDA", None, "purged"),
    ]
    for ticker, expected, story in cases:
        call = f"serving(kv, {ticker!r}) for a ticker {story}"
        with ctx.hints({KeyNotFoundError: NOT_FOUND_HINT}):
            got = await ctx.call("serving", kv, ticker)
        if expected is None:
            ctx.expect_equal(got, None, call=call, hint=NOT_FOUND_HINT)
            continue
        ctx.expect_type(got, tuple, call=call)
        if len(got) == 2 and isinstance(got[0], bytes):
            raise Fail(
                f"{call} returned {short(got)}: the version is bytes",
                hint="The bucket stores bytes; return the version as a str: "
                "`entry.value.decode()`.",
            )
        ctx.expect_equal(
            got,
            expected,
            call=call,
            hint="Return `(entry.value.decode(), entry.revision)` from `await kv.get(ticker)`.",
        )


@criterion("deploy with the current revision deploys, and revision 0 deploys a first model")
async def deploys(ctx: CheckContext) -> None:
    kv = await registry(ctx)
    current = await kv.put("AAPL", b"lstm-v1")
    await kv.put("MSFT", b"arima-v1")
    await kv.delete("MSFT")
    cases = [
        ("AAPL", "lstm-v2", current, "at its current revision", CAS_HINT),
        ("GOOGL", "gru-v1", 0, "never deployed, with revision 0", CREATE_HINT),
        ("MSFT", "arima-v2", 0, "whose model was deleted, with revision 0", CREATE_HINT),
    ]
    for ticker, version, revision, story, hint in cases:
        call = f"deploy(kv, {ticker!r}, {version!r}, revision={revision}) for a ticker {story}"
        got = deployment(ctx, await deploy(ctx, kv, ticker, version, revision), call)
        now = await stored(kv, ticker)
        serves = f"{now[0]!r} (revision {now[1]})" if now[0] else "no model"
        ctx.expect(
            now[0] == version,
            f"after {call} the registry holds {serves} for {ticker}, expected {version!r}",
            hint=hint,
        )
        if got[:2] == (True, version) and got[2] != now[1]:
            raise Fail(
                f"{call} returned revision {short(got[2])}, but the registry holds {version!r} "
                f"at revision {now[1]}: a revision counts every write to the bucket, not one "
                "ticker's, so it cannot be worked out from the one you had",
                hint=NEW_REVISION_HINT,
            )
        ctx.expect_equal(got, (True, version, now[1]), call=call, hint=hint)


@criterion("deploy with a stale revision writes nothing and reports the version that won")
async def stale_revision(ctx: CheckContext) -> None:
    kv = await registry(ctx)
    read = await kv.put("AAPL", b"lstm-v1")
    theirs = await kv.put("AAPL", b"lstm-v2")  # the other deployer, after we read `read`
    gone = await kv.put("GOOGL", b"gru-v1")
    await kv.delete("GOOGL")
    cases = [
        (
            "AAPL",
            "lstm-v3",
            read,
            ("lstm-v2", theirs),
            f"another deployer wrote lstm-v2 at revision {theirs} after revision {read}",
        ),
        (
            "AAPL",
            "lstm-v4",
            0,
            ("lstm-v2", theirs),
            "revision 0 means 'only if no model', but AAPL has one",
        ),
        ("GOOGL", "gru-v2", gone, (None, 0), f"GOOGL's model was deleted after revision {gone}"),
    ]
    for ticker, version, revision, (now_version, now_revision), story in cases:
        call = f"deploy(kv, {ticker!r}, {version!r}, revision={revision}) ({story})"
        before = await last_revision(kv)
        got = deployment(ctx, await deploy(ctx, kv, ticker, version, revision), call)
        after = await stored(kv, ticker)
        if after[0] == version:
            raise Fail(
                f"{call} overwrote what it found: the registry now serves {version!r} — "
                "a lost update: the other deployer's change is gone without anyone knowing",
                hint=CAS_HINT,
            )
        ctx.expect(
            await last_revision(kv) == before,
            f"{call} wrote to the registry although it lost: it should write nothing",
            hint=CONFLICT_HINT,
        )
        if got[0]:
            raise Fail(
                f"{call} returned deployed=True, but the registry still serves "
                f"{after[0]!r}: the conflict was ignored",
                hint=CONFLICT_HINT,
            )
        ctx.expect_equal(
            got,
            (False, now_version, now_revision),
            call=call,
            hint="After the conflict, read the ticker again and report what serves it now "
            "(None and 0 when no model serves it).",
        )


@criterion("two deployers racing from the same revision: exactly one wins, the other reports it")
async def racing_deployers(ctx: CheckContext) -> None:
    kv = await registry(ctx)
    read = await kv.put("AAPL", b"lstm-v1")
    versions = ("lstm-v2", "lstm-v3")
    call = (
        f"deploy(kv, 'AAPL', 'lstm-v2', revision={read}) and deploy(kv, 'AAPL', 'lstm-v3', "
        f"revision={read}) at the same time"
    )
    tasks = [asyncio.ensure_future(deploy(ctx, kv, "AAPL", version, read)) for version in versions]
    try:
        results = await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    got = [deployment(ctx, result, call) for result in results]
    # read back from the bucket's stream: kv.history() watches with a timeout, and on a
    # loaded machine can come back empty (NoKeysError) although the key has revisions
    written = [
        m.data.decode()
        for m in await ctx.stored_messages(f"KV_{BUCKET}")
        if m.subject == f"$KV.{BUCKET}.AAPL"
    ][1:]
    winners = [version for (deployed, _, _), version in zip(got, versions, strict=True) if deployed]
    if len(written) > 1:
        raise Fail(
            f"{call}: both wrote to the registry ({' then '.join(written)}), so "
            f"{written[0]} was overwritten a moment after it was deployed: a lost update",
            hint=CAS_HINT,
        )
    ctx.expect(
        len(winners) == 1,
        f"{call}: {len(winners)} of them returned deployed=True, while the registry serves "
        f"{written[-1] if written else 'lstm-v1'}: exactly one should win",
        hint=CONFLICT_HINT,
    )
    winner, revision = await stored(kv, "AAPL")
    loser = got[versions.index(winners[0]) ^ 1]
    ctx.expect_equal(
        loser,
        (False, winner, revision),
        call=f"the losing deploy of {call}",
        hint="The loser reads the ticker again and reports the winner's version and revision.",
    )


class Applied:
    """The ``apply`` given to the learner: remembers each change, in order."""

    def __init__(self) -> None:
        self.changes: list[tuple[Any, Any, Any]] = []

    async def __call__(self, ticker: str, version: str | None, revision: int) -> None:
        self.changes.append((ticker, version, revision))


class Ready(asyncio.Event):
    """``ready``, remembering how many changes were applied when it was set."""

    def __init__(self, applied: Applied) -> None:
        super().__init__()
        self.applied = applied
        self.applied_when_set: int | None = None

    def set(self) -> None:
        if self.applied_when_set is None:
            self.applied_when_set = len(self.applied.changes)
        super().set()


def change(item: tuple[Any, Any, Any]) -> str:
    """One change as the learner's call: ``apply('AAPL', 'lstm-v2', 3)``."""
    return f"apply({', '.join(short(part) for part in item)})"


def compare_changes(got: list[Any], expected: list[Any], *, what: str) -> None:
    """Fail at the first change applied differently (or missing, or extra)."""
    for index, wanted in enumerate(expected):
        if index >= len(got):
            raise Fail(
                f"{what}: {len(got)} changes applied, expected {len(expected)}; the first "
                f"missing one is {change(wanted)}",
                hint=UNAWAITED_HINT if not got else STOP_HINT,
            )
        if got[index] != wanted:
            hint = None
            if wanted[1] is None:
                hint = DELETE_HINT
            elif isinstance(got[index][1], bytes):
                hint = "apply takes the version as a str: `entry.value.decode()`."
            elif got[index][0] is None:
                hint = MARKER_HINT
            raise Fail(
                f"{what}: change {index + 1} was {change(got[index])}, expected {change(wanted)}",
                hint=hint,
            )
    if len(got) > len(expected):
        raise Fail(
            f"{what}: {len(got)} changes applied, expected {len(expected)}; the extra one is "
            f"{change(got[len(expected)])}",
            hint=MARKER_HINT,
        )


class Follower:
    """The learner's ``follow_registry`` running in the background, and what it was given."""

    def __init__(self, ctx: CheckContext, kv: KeyValue) -> None:
        self.ctx = ctx
        self.applied = Applied()
        self.ready = Ready(self.applied)
        self.stop = asyncio.Event()
        self.task = ctx.background("follow_registry", kv, self.applied, self.ready, self.stop)

    async def until_ready(self) -> None:
        """Wait until ``ready`` is set; fail if the function returned or hung first."""
        waiter = asyncio.ensure_future(self.ready.wait())
        await asyncio.wait({waiter, self.task}, timeout=WITHIN, return_when="FIRST_COMPLETED")
        waiter.cancel()
        if self.ready.is_set():
            return
        if self.task.done():
            returned = await self.task  # its exception, if it raised, says more
            raise Fail(
                f"follow_registry returned {short(returned)} without setting ready",
                hint=MARKER_HINT,
            )
        raise Fail(
            f"ready was not set within {WITHIN:g} s of starting follow_registry (it applied "
            f"{len(self.applied.changes)} changes)",
            hint="The watcher yields None once the current entries are delivered — at once "
            "for an empty bucket. Set ready when it does (entry.delta == 0 never comes for "
            "an empty bucket).",
        )

    async def until_applied(self, count: int) -> None:
        """Wait until ``count`` changes were applied; fail if the function returned first."""

        async def applied() -> int:
            return len(self.applied.changes)

        await eventually(
            applied,
            within=WITHIN,
            until=lambda n: n >= count or self.task.done(),
            every=0.005,
        )
        if self.task.done() and len(self.applied.changes) < count:
            returned = await self.task
            raise Fail(
                f"follow_registry returned {short(returned)} before stop was set, after "
                f"{len(self.applied.changes)} changes: the live changes after that were never "
                "applied",
                hint="None only ends the current entries; the live changes come after it. "
                "Keep reading until stop is set.",
            )

    async def stopped(self) -> Any:
        """Set ``stop`` and return what the function returned; fail if it does not end."""
        self.stop.set()
        done, _ = await asyncio.wait({self.task}, timeout=WITHIN)
        if not done:
            raise Fail(
                f"follow_registry did not return within {WITHIN:g} s after stop was set",
                hint=STOP_HINT,
            )
        return await self.task


@criterion("follow_registry applies the current entries, sets ready, then follows every change")
async def follows_the_registry(ctx: CheckContext) -> None:
    kv = await registry(ctx)
    await kv.put("AAPL", b"lstm-v1")
    current = [("AAPL", "lstm-v2", await kv.put("AAPL", b"lstm-v2"))]
    current.append(("GOOGL", "gru-v1", await kv.put("GOOGL", b"gru-v1")))
    await kv.put("MSFT", b"arima-v1")
    await kv.delete("MSFT")
    current.append(("MSFT", None, await last_revision(kv)))
    before = len(await subscriptions_of(ctx))
    with ctx.hints(WATCH_HINTS):
        follower = Follower(ctx, kv)
        await follower.until_ready()
        compare_changes(
            follower.applied.changes[: follower.ready.applied_when_set],
            current,
            what="when ready was set (the newest entry of AAPL, GOOGL and the deleted MSFT)",
        )
        live = [("AAPL", "lstm-v3", await kv.put("AAPL", b"lstm-v3"))]
        await kv.delete("GOOGL")
        live.append(("GOOGL", None, await last_revision(kv)))
        live.append(("MSFT", "arima-v2", await kv.put("MSFT", b"arima-v2")))
        await kv.purge("AAPL")
        live.append(("AAPL", None, await last_revision(kv)))
        live.append(("GOOGL", "gru-v2", await kv.create("GOOGL", b"gru-v2")))
        expected = current + live
        await follower.until_applied(len(expected))
        compare_changes(
            follower.applied.changes,
            expected,
            what="after ready, while the check deployed, deleted and purged",
        )
        count = await follower.stopped()
    ctx.expect_equal(
        count,
        len(expected),
        call=f"follow_registry(...) after {len(current)} current entries and {len(live)} changes",
        hint="Return how many times apply was called.",
    )
    left = len(await subscriptions_of(ctx)) - before
    ctx.expect(
        left <= 0,
        f"after follow_registry returned, {left} subscription(s) of its watcher are still open",
        hint="Call `await watcher.stop()` before returning (in a `finally:`).",
    )


@criterion("on an empty registry, ready is set at once and the first deploy is applied")
async def empty_registry(ctx: CheckContext) -> None:
    kv = await registry(ctx)
    with ctx.hints(WATCH_HINTS):
        follower = Follower(ctx, kv)
        await follower.until_ready()
        if follower.applied.changes:
            raise Fail(
                "on an empty bucket apply was called before ready: "
                f"{change(follower.applied.changes[0])}",
                hint=MARKER_HINT,
            )
        first = await kv.put("AAPL", b"lstm-v1")
        await follower.until_applied(1)
        compare_changes(
            follower.applied.changes,
            [("AAPL", "lstm-v1", first)],
            what="after the first deploy to an empty registry",
        )
        await follower.stopped()


CRITERIA = [
    reads_the_registry,
    deploys,
    stale_revision,
    racing_deployers,
    follows_the_registry,
    empty_registry,
]
