"""The course's five streams (from the trading project's tutorial), written correctly.

Two things the tutorial gets wrong are fixed here and shown in the notebooks:

* nats-py takes durations in **seconds** (``max_age=7 * DAY``) and converts them to the
  nanoseconds the server speaks; passing nanoseconds, as the tutorial does, asks for a
  ``max_age`` a billion times too long.
* ``market.data.*`` matches exactly three tokens, so it does not capture the tutorial's
  own ``market.data.ohlcv.AAPL``: MARKET_DATA binds ``market.data.>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig, StreamInfo
from nats.js.errors import BadRequestError, NotFoundError

__all__ = [
    "DAY",
    "GB",
    "MB",
    "COURSE_STREAMS",
    "ensure_stream",
    "ensure_course_streams",
    "delete_streams",
]

DAY = 24 * 60 * 60  # seconds: nats-py's unit for max_age, ack_wait, duplicate_window
MB = 1024 * 1024
GB = 1024 * MB

STREAM_EXISTS_WITH_OTHER_CONFIG = 10058
"""JetStream error: ``add_stream`` met a stream of that name, configured differently."""


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


async def ensure_course_streams(
    js: JetStreamContext, names: Iterable[str] | None = None
) -> list[StreamInfo]:
    """Create or update the course's streams (all five, or the ones named)."""
    chosen = list(COURSE_STREAMS) if names is None else list(names)
    return [await ensure_stream(js, COURSE_STREAMS[name]) for name in chosen]


async def delete_streams(js: JetStreamContext, names: Iterable[str]) -> list[str]:
    """Delete the named streams that exist; return the names actually deleted."""
    deleted = []
    for name in names:
        try:
            await js.delete_stream(name)
        except NotFoundError:
            continue
        deleted.append(name)
    return deleted
