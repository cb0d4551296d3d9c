"""Checks for exercise 04: the MARKET_DATA stream to a written spec, and deduplicated bars.

Every criterion reads back what the *server* reports (``stream_info``, the stored messages)
and compares it field by field with the spec in the exercise's docstring. The tutorial's
mistakes each get words of their own:

* ``max_age`` (or ``duplicate_window``) in nanoseconds: nats-py wants seconds and multiplies
  by a billion; the result overflows the server's 64-bit nanoseconds and it answers error
  10025, naming the field. Milliseconds still fit, so they are recognised from the value.
* ``market.data.*``, which does not capture ``market.data.ohlcv.AAPL``.
* "10 GB" read as ``10 * 1000**3`` where the spec says 10 GiB.
* "Retention: 7 days" read as ``retention=`` (a policy: limits, interest, work queue), which
  the server refuses with error 10025 too; or ``max_age`` left out.
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, PubAck, RetentionPolicy, StorageType, StreamInfo
from nats.js.errors import APIError, NoStreamResponseError, NotFoundError

from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import error_matching
from gym.checker.explain import short
from gym.streams import DAY, GB, STREAM_EXISTS_WITH_OTHER_CONFIG

STREAM = "MARKET_DATA"
MAX_AGE = 7 * DAY
DUPLICATE_WINDOW = 5 * 60
MAX_BYTES = 10 * GB
INVALID_JSON = 10025
"""JetStream's error for a request it cannot parse, e.g. a max_age beyond int64 nanoseconds."""
SPEC_FIELDS = (
    "subjects",
    "retention",
    "storage",
    "max_age",
    "max_bytes",
    "max_msgs_per_subject",
    "discard",
    "duplicate_window",
)
"""The fields the spec sets; an update must leave the same values as a fresh create."""

SECONDS_HINT = (
    "nats-py takes durations in seconds and converts them to nanoseconds itself: "
    "max_age=7 * 24 * 60 * 60, duplicate_window=5 * 60, with no * 1_000_000_000."
)
RETENTION_WORDS = (
    "retention= is a policy — RetentionPolicy.LIMITS, INTEREST or WORK_QUEUE — not a "
    "duration. 'Retention: 7 days' in a spec means max_age=7 * 24 * 60 * 60 (seconds); "
    "the retention here is RetentionPolicy.LIMITS."
)


def _invalid_json(*words: str) -> type[BaseException]:
    """Error 10025 (the server could not parse the config) whose text has all ``words``."""
    return error_matching(
        "InvalidJSON",
        lambda e: (
            isinstance(e, APIError)
            and e.err_code == INVALID_JSON
            and all(w in (e.description or "") for w in words)
        ),
    )


CREATE_HINTS: dict[type[BaseException], str] = {
    _invalid_json("max_age"): "The server got a max_age a billion times too long (the number "
    "above): max_age was given in nanoseconds and nats-py multiplied it by 1,000,000,000 "
    "again, past the server's 64-bit nanoseconds. " + SECONDS_HINT,
    _invalid_json("duplicate_window"): "duplicate_window was given in nanoseconds, and nats-py "
    "multiplied it by 1,000,000,000 again. " + SECONDS_HINT,
    _invalid_json("can not unmarshal"): "A policy field (retention, storage or discard) got a "
    "value that is not one of its names. " + RETENTION_WORDS,
    error_matching(
        "NameInUse",
        lambda e: isinstance(e, APIError) and e.err_code == STREAM_EXISTS_WITH_OTHER_CONFIG,
    ): "add_stream only creates: MARKET_DATA already existed with an older configuration, "
    "so the server answered 10058. Catch BadRequestError with err_code 10058 and call "
    "`await js.update_stream(config)`, which keeps the stream's messages.",
}


async def created(ctx: CheckContext, js: JetStreamContext | None = None) -> StreamInfo:
    """Call the learner's create_market_data_stream, then read the stream from the server."""
    js = js or ctx.js
    with ctx.hints(CREATE_HINTS):
        returned = await ctx.call("create_market_data_stream", js)
    try:
        info = await js.stream_info(STREAM)
    except NotFoundError:
        names = [i.config.name for i in await js.streams_info()]
        raise Fail(
            f"create_market_data_stream(js) returned, but the server has no stream named "
            f"{STREAM} (its streams: {short(names)})",
            hint=f"Name it exactly {STREAM!r}: StreamConfig(name='MARKET_DATA', ...).",
        ) from None
    ctx.expect_type(returned, StreamInfo, call="create_market_data_stream(js)")
    return info


def _same(got: object, expected: object, field: str, hint: str) -> str | None:
    """One mismatch as a phrase, or None."""
    if got == expected:
        return None
    return f"{field} is {got!r}, expected {expected!r} ({hint})"


def _expect_fields(mismatches: list[str | None], hint: str) -> None:
    found = [m for m in mismatches if m]
    if found:
        raise Fail("the server reports " + "; ".join(found), hint=hint)


@criterion("create_market_data_stream creates MARKET_DATA and returns its StreamInfo")
async def creates_the_stream(ctx: CheckContext) -> None:
    info = await created(ctx)
    ctx.expect_equal(info.config.name, STREAM, call="stream_info('MARKET_DATA').config.name")


@criterion("MARKET_DATA captures every market.data subject (market.data.>), and only those")
async def captures_market_data(ctx: CheckContext) -> None:
    info = await created(ctx)
    subjects = list(info.config.subjects or [])
    if "market.data.*" in subjects:
        raise Fail(
            "the stream binds market.data.*, which matches exactly one token after "
            "market.data: market.data.ohlcv.AAPL (two tokens) is not captured",
            hint="`>` matches one or more tokens: bind market.data.> instead.",
        )
    for subject in ("market.data.ohlcv.AAPL", "market.data.news.MSFT"):
        try:
            ack = await ctx.js.publish(subject, b"{}", timeout=1)
        except NoStreamResponseError:
            raise Fail(
                f"publishing to {subject} got no answer from any stream: MARKET_DATA "
                f"(subjects {subjects}) does not capture it",
                hint="Bind market.data.> so every kind and ticker is captured.",
            ) from None
        ctx.expect_equal(ack.stream, STREAM, call=f"js.publish({subject!r}).stream")
    ctx.expect_equal(
        subjects,
        ["market.data.>"],
        call="stream_info('MARKET_DATA').config.subjects",
        hint="One pattern is enough, and nothing outside market.data. belongs here.",
    )


@criterion("max_age is 7 days (nats-py takes seconds)")
async def keeps_seven_days(ctx: CheckContext) -> None:
    info = await created(ctx)
    got = info.config.max_age or 0.0
    if got == MAX_AGE:
        return
    if got == 0:
        raise Fail(
            "max_age is 0: the stream keeps messages forever, whatever its retention policy",
            hint="Set max_age=7 * 24 * 60 * 60 (seconds). " + RETENTION_WORDS,
        )
    if round(got / MAX_AGE) == 1000:  # nanoseconds overflow (error 10025); milliseconds fit
        raise Fail(
            f"max_age is {got / DAY:,.0f} days, 1,000 times too long: "
            "7 days were given in milliseconds",
            hint=SECONDS_HINT,
        )
    raise Fail(
        f"max_age is {got:,.3f} s ({got / DAY:,.3f} days), expected {MAX_AGE:,} s (7 days)",
        hint=SECONDS_HINT,
    )


@criterion("size limits: max_bytes 10 GiB, max_msgs_per_subject 10,000, discard old")
async def size_limits(ctx: CheckContext) -> None:
    config = (await created(ctx)).config
    got = config.max_bytes
    if isinstance(got, int) and got != MAX_BYTES and got == 10 * 1000**3:
        raise Fail(
            f"max_bytes is {got:,} = 10 GB in powers of 1000; the spec says 10 GiB, in "
            f"powers of 1024: 10 * 1024**3 = {MAX_BYTES:,} bytes",
            hint="max_bytes=10 * 1024**3 (GiB: 1024**3 bytes; GB: 1000**3).",
        )
    if config.max_msgs == 10_000 and config.max_msgs_per_subject in (None, -1):
        raise Fail(
            "max_msgs is 10,000: that caps the whole stream, every ticker together, at "
            "10,000 messages; the spec's 10,000 is per ticker (each ticker has its own "
            "subject), and max_msgs_per_subject, the per-subject limit, was left unset",
            hint="Use max_msgs_per_subject=10_000 and leave max_msgs out.",
        )
    _expect_fields(
        [
            _same(got, MAX_BYTES, "max_bytes", "10 GiB = 10 * 1024**3"),
            _same(config.max_msgs_per_subject, 10_000, "max_msgs_per_subject", "per ticker"),
            _same(config.discard, DiscardPolicy.OLD, "discard", "keep accepting new bars"),
        ],
        hint="StreamConfig(max_bytes=..., max_msgs_per_subject=..., discard=DiscardPolicy.OLD)",
    )


@criterion("file storage, limits retention, duplicate_window 5 minutes")
async def storage_retention_dedup(ctx: CheckContext) -> None:
    config = (await created(ctx)).config
    _expect_fields(
        [
            _same(config.storage, StorageType.FILE, "storage", "survives a restart"),
            _same(config.retention, RetentionPolicy.LIMITS, "retention", "kept until a limit"),
            _same(config.duplicate_window, DUPLICATE_WINDOW, "duplicate_window", "in seconds"),
        ],
        hint="storage=StorageType.FILE, retention=RetentionPolicy.LIMITS, and "
        "duplicate_window in seconds too: 5 * 60.",
    )


@criterion("an existing MARKET_DATA with an older spec is updated in place, messages kept")
async def updates_in_place(ctx: CheckContext) -> None:
    # What the learner's spec looks like on a fresh server, to compare the update with, so
    # that a spec mistake fails its own criterion above and not this one too. A second
    # server: deleting a stream and creating one of the same name at once can race the
    # server's removal of the old store ("error creating store for stream", 10049).
    pristine = await ctx.connect(ctx.another_server())
    fresh = (await created(ctx, pristine.jetstream())).config
    # The tutorial's version: market.data.* and one day; it already holds a bar.
    await ctx.js.add_stream(name=STREAM, subjects=["market.data.*"], max_age=DAY)
    await ctx.js.publish("market.data.AAPL", b"{}")
    info = await created(ctx)
    if info.state.messages != 1:
        raise Fail(
            f"the old stream held 1 message; after create_market_data_stream it holds "
            f"{info.state.messages}: the stream was deleted and created again",
            hint="Use js.update_stream(config) when add_stream fails with err_code 10058.",
        )
    _expect_fields(
        [
            _same(getattr(info.config, name), getattr(fresh, name), name, "as on a fresh server")
            for name in SPEC_FIELDS
        ],
        hint="When add_stream raises BadRequestError with err_code 10058, call "
        "js.update_stream with the same StreamConfig.",
    )


async def _stream_for_bars(ctx: CheckContext) -> None:
    """The checker's own MARKET_DATA, so the publish criteria do not depend on the first part."""
    await ctx.js.add_stream(
        name=STREAM, subjects=["market.data.>"], duplicate_window=DUPLICATE_WINDOW
    )


PUBLISH_HINTS: dict[type[BaseException], str] = {
    error_matching("NoMsgIdArgument", lambda e: "msg_id" in str(e)): (
        "nats-py 2.16's js.publish has no msg_id= argument: the id travels in a header, "
        "headers={'Nats-Msg-Id': f'{ticker}:{timestamp}'}."
    ),
    NoStreamResponseError: "MARKET_DATA captures market.data.>: publish each bar to "
    "f'market.data.ohlcv.{ticker}'.",
}


async def publish_bar(ctx: CheckContext, ticker: str, timestamp: str, bar: bytes) -> PubAck:
    """Call the learner's publish_bar and check that it returned the PubAck."""
    with ctx.hints(PUBLISH_HINTS):
        ack = await ctx.call("publish_bar", ctx.js, ticker, timestamp, bar)
    ctx.expect_type(ack, PubAck, call=f"publish_bar(js, {ticker!r}, ...)")
    return ack


@criterion("publish_bar stores the bar on market.data.ohlcv.<ticker> and returns the ack")
async def publishes_a_bar(ctx: CheckContext) -> None:
    await _stream_for_bars(ctx)
    await publish_bar(ctx, "AAPL", "2024-01-15T14:30:00Z", b'{"close": 155}')
    stored = [(m.subject, m.data) for m in await ctx.stored_messages(STREAM)]
    ctx.expect_equal(
        stored,
        [("market.data.ohlcv.AAPL", b'{"close": 155}')],
        call="publish_bar(js, 'AAPL', '2024-01-15T14:30:00Z', bar), then the stream,",
        hint="Publish the bar, unchanged, to f'market.data.ohlcv.{ticker}'.",
    )


@criterion("the same bar published twice is stored once (Nats-Msg-Id '<ticker>:<timestamp>')")
async def deduplicates(ctx: CheckContext) -> None:
    await _stream_for_bars(ctx)
    args = ("MSFT", "2024-01-15T14:30:00Z", b'{"close": 390}')
    await publish_bar(ctx, *args)
    second = await publish_bar(ctx, *args)
    await publish_bar(ctx, "MSFT", "2024-01-15T14:31:00Z", b"{}")
    stored = await ctx.stored_messages(STREAM)
    if len(stored) != 2 or not second.duplicate:
        raise Fail(
            f"two identical bars and one later bar left {len(stored)} message(s) in the stream "
            f"(expected 2); the repeat's ack has duplicate={second.duplicate!r}",
            hint="Pass headers={'Nats-Msg-Id': f'{ticker}:{timestamp}'} to js.publish.",
        )
    msg_id = (stored[0].headers or {}).get("Nats-Msg-Id")
    ctx.expect_equal(
        msg_id,
        "MSFT:2024-01-15T14:30:00Z",
        call="the stored bar's Nats-Msg-Id header",
        hint="The id is f'{ticker}:{timestamp}', so a bar of another minute is not a repeat.",
    )


CRITERIA = [
    creates_the_stream,
    captures_market_data,
    keeps_seven_days,
    size_limits,
    storage_retention_dedup,
    updates_in_place,
    publishes_a_bar,
    deduplicates,
]
