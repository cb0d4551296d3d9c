"""Subjects and wildcards as pure functions, so a notebook can predict what the server does.

A subject is a dot-separated list of tokens (``predictions.normal.AAPL``). Subscriptions
may use two wildcards, each standing for whole tokens only: ``*`` matches exactly one
token, ``>`` matches one or more tokens and may only be the last token. Notebook 01
checks every rule here against a real nats-server 2.x; what it found:

* Publishing to a subject with an empty token (``a..b``, ``.a``, ``a.``) raises nothing,
  and the server delivers it to nobody, not even to ``>``: the message is silently lost.
* Publishing to a subject with a whole-token wildcard (``predictions.*``) raises nothing
  either; the server treats the ``*`` as plain text, so only wildcard subscribers receive
  it. In pedantic mode the server answers "Invalid Publish Subject". Both are rejected here.
* A token that merely *contains* ``*`` or ``>`` (``a*b``) is plain text to the server, on
  publish and on subscribe. nats-py refuses to *subscribe* to such a token (it raises
  ``BadSubjectError`` before asking the server), so avoid these characters in tokens.
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

_WHITESPACE = (" ", "\t", "\r", "\n", "\f", "\v")
"""Whitespace ends a subject on the wire. nats-py refuses space, tab, CR and LF; a subject with
\f or \v is sent, but nats-py cannot read it back (its connection closes: protocol error)."""

_WILDCARDS = ("*", ">")


class InvalidSubject(ValueError):
    """A subject or pattern the server would reject or never deliver; the message says why."""


def tokens(subject: str) -> list[str]:
    """The tokens of a subject or pattern: ``"a.b.c"`` → ``["a", "b", "c"]``."""
    return subject.split(".")


def _check_tokens(text: str, kind: str) -> list[str]:
    """The rules subjects and patterns share: a non-empty str, no whitespace, no empty token."""
    if not isinstance(text, str):
        raise InvalidSubject(f"a {kind} must be a str, got {type(text).__name__}")
    if not text:
        raise InvalidSubject(f"a {kind} cannot be empty")
    if any(char in text for char in _WHITESPACE):
        raise InvalidSubject(f"{kind} {text!r} contains whitespace")
    parts = tokens(text)
    if "" in parts:
        raise InvalidSubject(f"{kind} {text!r} has an empty token (leading, trailing or '..')")
    return parts


def validate_subject(subject: str) -> None:
    """Raise ``InvalidSubject`` unless ``subject`` is safe to publish to.

    Beyond the shared rules, a publish subject may not contain a whole-token wildcard:
    the server would deliver it as literal text to wildcard subscribers only.
    """
    for token in _check_tokens(subject, "subject"):
        if token in _WILDCARDS:
            raise InvalidSubject(
                f"subject {subject!r} contains the wildcard {token!r}: "
                "wildcards are for subscribing, not publishing"
            )


def validate_pattern(pattern: str) -> None:
    """Raise ``InvalidSubject`` unless the server accepts ``pattern`` as a subscription.

    ``>`` must be the last token. A token such as ``a*b`` is accepted, as the server
    does, and matches only the literal token ``a*b`` (nats-py itself refuses it).
    """
    parts = _check_tokens(pattern, "pattern")
    if ">" in parts[:-1]:
        raise InvalidSubject(f"pattern {pattern!r}: '>' may only be the last token")


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
    """True when a subscription on ``pattern`` receives a message published to ``subject``.

    Raises ``InvalidSubject`` if either is invalid, rather than guessing.
    """
    validate_pattern(pattern)
    validate_subject(subject)
    wanted, given = tokens(pattern), tokens(subject)
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or token not in ("*", given[index]):
            return False
    return len(given) == len(wanted)
