"""The course's five streams (from the trading project's tutorial), written correctly.

Two things the tutorial gets wrong are fixed here and shown in the notebooks:

* nats-py takes durations in **seconds** (``max_age=7 * DAY``) and converts them to the
  nanoseconds the server speaks; passing nanoseconds, as the tutorial does, asks for a
  ``max_age`` a billion times too long.
* ``market.data.*`` matches exactly three tokens, so it does not capture the tutorial's
  own ``market.data.ohlcv.AAPL``: MARKET_DATA binds ``market.data.>``.

On a server gym does not own (``NATS_URL``: a company's or a hosted NATS), the course must
not touch what was there before it. Every stream gym creates there carries a mark in its
metadata (``CREATED_BY``), and gym changes or deletes only marked streams: a notebook's
"remove what an earlier run left" cell leaves a stream of the same name alone, and says so.
On gym's own servers (``gym.server``) everything is the course's, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig, StreamInfo
from nats.js.errors import BadRequestError, NotFoundError, ServerError

from gym.nats_env import is_environment_server
from gym.server import runs_here
from gym.waiting import eventually

__all__ = [
    "DAY",
    "GB",
    "MB",
    "COURSE_STREAMS",
    "CREATED_BY",
    "ForeignStream",
    "GymJetStream",
    "created_by_gym",
    "ensure_stream",
    "ensure_course_streams",
    "delete_streams",
    "guarded",
    "on_gyms_server",
]

DAY = 24 * 60 * 60  # seconds: nats-py's unit for max_age, ack_wait, duplicate_window
MB = 1024 * 1024
GB = 1024 * MB

STREAM_EXISTS_WITH_OTHER_CONFIG = 10058
"""JetStream error: ``add_stream`` met a stream of that name, configured differently."""
STORE_NOT_CREATED = 10049
"""JetStream error: "error creating store for stream" (see ``ensure_course_streams``)."""


def _stream(
    name: str, subjects: list[str], days: int, max_bytes: int, purpose: str
) -> StreamConfig:
    return StreamConfig(
        name=name,
        subjects=subjects,
        description=purpose,
        max_age=days * DAY,
        max_bytes=max_bytes,
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
    )


COURSE_STREAMS: dict[str, StreamConfig] = {
    config.name: config
    for config in (
        _stream(
            "MARKET_DATA", ["market.data.>"], 7, 10 * GB, "Real-time market data (OHLCV, news)"
        ),
        _stream(
            "PREDICTIONS",
            ["predictions.normal.*", "predictions.earnings.*"],
            30,
            5 * GB,
            "ML model predictions",
        ),
        _stream("EXPLANATIONS", ["explanations.*"], 30, 2 * GB, "LLM-generated explanations"),
        _stream("MODEL_METRICS", ["metrics.model.*"], 90, 1 * GB, "Model performance metrics"),
        _stream("ROUTING", ["routing.*"], 7, 512 * MB, "Agent routing decisions"),
    )
}


CREATED_BY = {"created_by": "nats-gym"}
"""The metadata gym adds to a stream it creates on a server it does not own."""


class ForeignStream(RuntimeError):
    """gym was asked to change or delete a stream it did not create, on a server not its own."""


def on_gyms_server(js: JetStreamContext) -> bool:
    """True when ``js`` talks to a server this process started (so all of it is the course's).

    Judged by the address the connection is connected to now. A server named by
    ``NATS_URL`` is never gym's, whoever started it (``gym server start`` in a terminal, a
    test); nor is an unknown or reconnecting connection's: the safe side.
    """
    nc = getattr(js, "_nc", None)  # nats-py keeps the connection there; there is no getter
    url = getattr(nc, "connected_url", None)
    if not (url and url.hostname and url.port):
        return False
    return runs_here(url.hostname, url.port) and not is_environment_server(url.hostname, url.port)


def created_by_gym(info: StreamInfo) -> bool:
    """True when the stream carries gym's mark (``CREATED_BY``) in its metadata."""
    metadata = info.config.metadata or {}
    return all(metadata.get(key) == value for key, value in CREATED_BY.items())


def _marked(config: StreamConfig) -> StreamConfig:
    return config.evolve(metadata={**(config.metadata or {}), **CREATED_BY})


async def _refuse_unless_ours(js: JetStreamContext, name: str, action: str) -> None:
    """Raise ``ForeignStream`` if ``name`` exists without gym's mark on a server not gym's."""
    if on_gyms_server(js):
        return
    info = await JetStreamContext.stream_info(js, name)  # NotFoundError: nothing to protect
    if not created_by_gym(info):
        raise ForeignStream(
            f"The stream {name} on this server was not created by gym, so gym will not "
            f"{action} it: run the course in an account or on a server where {name} is free."
        )


class GymJetStream(JetStreamContext):
    """``s.js`` on a server gym does not own: marks what it creates, guards everything else.

    Streams created through it carry ``CREATED_BY``; updating, purging or deleting a stream
    without that mark raises ``ForeignStream`` instead of touching someone else's data.
    """

    async def add_stream(self, config: StreamConfig | None = None, **params: Any) -> StreamInfo:
        return await super().add_stream(_marked((config or StreamConfig()).evolve(**params)))

    async def update_stream(self, config: StreamConfig | None = None, **params: Any) -> StreamInfo:
        config = (config or StreamConfig()).evolve(**params)
        await _refuse_unless_ours(self, str(config.name), "change")
        return await super().update_stream(_marked(config))

    async def delete_stream(self, name: str) -> bool:
        await _refuse_unless_ours(self, name, "delete")
        return await super().delete_stream(name)

    async def purge_stream(self, name: str, *args: Any, **kwargs: Any) -> bool:
        await _refuse_unless_ours(self, name, "purge")
        return await super().purge_stream(name, *args, **kwargs)


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> StreamInfo:
    """Create the stream, or update it in place if it exists with another configuration.

    ``add_stream`` is already idempotent for an identical configuration; only a changed
    one needs ``update_stream`` (some fields, like storage type, cannot change at all and
    the server says so).
    """
    try:
        return await js.add_stream(config)
    except BadRequestError as error:
        if error.err_code != STREAM_EXISTS_WITH_OTHER_CONFIG:
            raise
        return await js.update_stream(config)


def guarded(js: JetStreamContext) -> JetStreamContext:
    """``js`` itself on gym's own server, else a ``GymJetStream`` on the same connection.

    (``ensure_stream`` stays the four lines notebook 04 prints; the guarding happens in
    the context it is given.)
    """
    if isinstance(js, GymJetStream) or on_gyms_server(js):
        return js
    return GymJetStream(js._nc, prefix=js._prefix, timeout=js._timeout)


async def ensure_course_streams(
    js: JetStreamContext, names: Iterable[str] | None = None
) -> list[StreamInfo]:
    """Create or update the course's streams (all five, or the ones named).

    On a server gym does not own they get gym's mark, and a stream of the same name that
    gym did not create is left as it is: ``ForeignStream`` says so.
    """
    chosen = list(COURSE_STREAMS) if names is None else list(names)
    js = guarded(js)
    return [await _ensure_once_the_old_store_is_gone(js, COURSE_STREAMS[name]) for name in chosen]


async def _ensure_once_the_old_store_is_gone(
    js: JetStreamContext, config: StreamConfig, within: float = 3.0
) -> StreamInfo:
    """``ensure_stream``, asked again while the server still removes the store of a stream
    of the same name deleted a moment before.

    "Run all" again deletes a notebook's streams in its clean-up and creates them in its
    set-up: on a loaded machine nats-server 2.15 sometimes answers that creation with
    10049 "error creating store for stream" (seen in 1 of ~10 re-runs under load, never on
    a quiet machine). The server's own answer is the thing waited on, within a deadline.
    """

    async def attempt() -> StreamInfo | None:
        try:
            return await ensure_stream(js, config)
        except ServerError as error:
            if error.err_code != STORE_NOT_CREATED:
                raise
            return None

    info = await eventually(attempt, within=within, every=0.05)
    return info or await ensure_stream(js, config)  # past the deadline: the server's own error


async def delete_streams(js: JetStreamContext, names: Iterable[str]) -> list[str]:
    """Delete the named streams that exist; return the names actually deleted.

    On a server gym does not own, only the streams gym created (``created_by_gym``) go;
    any other stream of one of those names stays, and a line says so.
    """
    deleted = []
    ours = on_gyms_server(js)
    for name in names:
        try:
            if not ours and not created_by_gym(await JetStreamContext.stream_info(js, name)):
                print(f"gym left the stream {name} alone: it was not created by gym.")
                continue
            await JetStreamContext.delete_stream(js, name)
        except NotFoundError:
            continue
        deleted.append(name)
    return deleted
