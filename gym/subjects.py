"""Subjects and wildcards as pure functions, so a notebook can predict what the server does.

A subject is a dot-separated list of tokens (``predictions.normal.AAPL``). Subscriptions
may use two wildcards, each standing for whole tokens only: ``*`` matches exactly one
token, ``>`` matches one or more tokens and may only be the last token. The course's
notebooks check these rules against a real server's deliveries.
"""

from __future__ import annotations

__all__ = [
    "InvalidSubject",
    "tokens",
    "validate_subject",
    "validate_pattern",
    "is_valid_subject",
    "is_valid_pattern",
    "matches",
]

_FORBIDDEN = (" ", "\t", "\r", "\n")


class InvalidSubject(ValueError):
    """A subject or pattern the server would reject; the message says which rule it breaks."""


def tokens(subject: str) -> list[str]:
    """The tokens of a subject or pattern: ``"a.b.c"`` → ``["a", "b", "c"]``."""
    return subject.split(".")


def _check_tokens(text: str, kind: str) -> list[str]:
    if not isinstance(text, str):
        raise InvalidSubject(f"a {kind} must be a str, got {type(text).__name__}")
    if not text:
        raise InvalidSubject(f"a {kind} cannot be empty")
    for char in _FORBIDDEN:
        if char in text:
            raise InvalidSubject(f"{kind} {text!r} contains whitespace")
    parts = tokens(text)
    if "" in parts:
        raise InvalidSubject(f"{kind} {text!r} has an empty token (leading, trailing or '..')")
    return parts


def validate_subject(subject: str) -> None:
    """Raise ``InvalidSubject`` unless ``subject`` can be published to (no wildcards)."""
    for token in _check_tokens(subject, "subject"):
        if token in ("*", ">"):
            raise InvalidSubject(
                f"subject {subject!r} contains the wildcard {token!r}: "
                "wildcards are for subscribing, not publishing"
            )


def validate_pattern(pattern: str) -> None:
    """Raise ``InvalidSubject`` unless ``pattern`` is a valid subscription subject."""
    parts = _check_tokens(pattern, "pattern")
    for index, token in enumerate(parts):
        if token == ">" and index != len(parts) - 1:
            raise InvalidSubject(f"pattern {pattern!r}: '>' may only be the last token")
        if token not in ("*", ">") and ("*" in token or ">" in token):
            raise InvalidSubject(
                f"pattern {pattern!r}: token {token!r} mixes a wildcard with text; "
                "wildcards stand for whole tokens only"
            )


def is_valid_subject(subject: str) -> bool:
    """True when ``subject`` can be published to."""
    try:
        validate_subject(subject)
    except InvalidSubject:
        return False
    return True


def is_valid_pattern(pattern: str) -> bool:
    """True when ``pattern`` can be subscribed to."""
    try:
        validate_pattern(pattern)
    except InvalidSubject:
        return False
    return True


def matches(pattern: str, subject: str) -> bool:
    """True when a subscription on ``pattern`` receives a message published to ``subject``."""
    validate_pattern(pattern)
    validate_subject(subject)
    wanted, given = tokens(pattern), tokens(subject)
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or token not in ("*", given[index]):
            return False
    return len(given) == len(wanted)
