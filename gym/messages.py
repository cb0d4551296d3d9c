"""The course's standard message envelope: ``type``, ``ticker``, ``data``, ``metadata``.

Every service in the prediction pipeline speaks this JSON shape, so a consumer can
check what it got before acting on it. ``decode`` turns bad bytes into one readable
``InvalidMessage`` instead of a ``KeyError`` three calls later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["InvalidMessage", "MESSAGE_TYPES", "envelope", "validate", "encode", "decode"]

MESSAGE_TYPES = ("market_data", "prediction", "explanation", "metric", "routing")
REQUIRED = {"type": str, "ticker": str, "data": dict, "metadata": dict}


class InvalidMessage(ValueError):
    """The bytes or dict are not a valid envelope; the message says what is wrong."""


def envelope(
    type: str,
    ticker: str,
    data: dict[str, Any],
    *,
    model_version: str = "v1.0",
    timestamp: datetime | None = None,
    **metadata: Any,
) -> dict[str, Any]:
    """Build a valid envelope; ``timestamp`` defaults to now, in UTC, ISO 8601."""
    when = timestamp or datetime.now(UTC)
    message = {
        "type": type,
        "ticker": ticker,
        "data": data,
        "metadata": {
            "model_version": model_version,
            "timestamp": when.isoformat().replace("+00:00", "Z"),
            **metadata,
        },
    }
    validate(message)
    return message


def validate(message: Any) -> None:
    """Raise ``InvalidMessage`` unless ``message`` is a well-formed envelope."""
    if not isinstance(message, dict):
        raise InvalidMessage(f"an envelope is a JSON object, got {type(message).__name__}")
    for field, kind in REQUIRED.items():
        if field not in message:
            raise InvalidMessage(f"envelope has no {field!r} field")
        if not isinstance(message[field], kind):
            raise InvalidMessage(
                f"envelope field {field!r} should be {kind.__name__}, "
                f"got {type(message[field]).__name__}"
            )
    if message["type"] not in MESSAGE_TYPES:
        raise InvalidMessage(f"unknown type {message['type']!r}; expected one of {MESSAGE_TYPES}")
    if not message["ticker"] or not message["ticker"].isalnum():
        raise InvalidMessage(
            f"ticker {message['ticker']!r} must be non-empty letters/digits (it goes in a subject)"
        )
    if "timestamp" not in message["metadata"]:
        raise InvalidMessage("envelope metadata has no 'timestamp'")


def encode(message: dict[str, Any]) -> bytes:
    """Validate and serialise an envelope to UTF-8 JSON bytes, ready to publish."""
    validate(message)
    return json.dumps(message, separators=(",", ":")).encode()


def decode(raw: bytes) -> dict[str, Any]:
    """Parse and validate the bytes of a message; raise ``InvalidMessage`` if they are not one."""
    try:
        message = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidMessage(f"not JSON: {error}") from None
    validate(message)
    return message
