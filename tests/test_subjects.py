"""gym.subjects agrees with the rules, and gym.delivery with a real server's deliveries."""

from __future__ import annotations

import nats
import pytest

from gym.delivery import delivered
from gym.server import NatsServer
from gym.subjects import (
    InvalidSubject,
    is_valid_pattern,
    is_valid_subject,
    matches,
    tokens,
    validate_pattern,
    validate_subject,
)
from gym.sync_bridge import run_sync


def test_tokens_split_on_dots() -> None:
    assert tokens("predictions.normal.AAPL") == ["predictions", "normal", "AAPL"]


@pytest.mark.parametrize(
    "subject",
    ["predictions.normal.AAPL", "AAPL", "_INBOX.abc", "a*b.c", "a>b", "ä.ö", "market.data.ohlcv"],
)
def test_valid_subjects(subject: str) -> None:
    assert is_valid_subject(subject)


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        ("", "empty"),
        ("a..b", "empty token"),
        (".a", "empty token"),
        ("a.", "empty token"),
        ("a b", "whitespace"),
        ("a\tb", "whitespace"),
        ("a\fb", "whitespace"),
        ("predictions.*", "wildcard"),
        ("predictions.>", "wildcard"),
    ],
)
def test_invalid_subjects_say_why(subject: str, reason: str) -> None:
    with pytest.raises(InvalidSubject, match=reason):
        validate_subject(subject)


def test_invalid_subject_is_a_value_error_and_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="must be a str"):
        validate_subject(b"a.b")  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", ["a.*", "a.>", ">", "*", "*.*", "*.>", "a*b.c", "a.b*"])
def test_valid_patterns(pattern: str) -> None:
    assert is_valid_pattern(pattern)


@pytest.mark.parametrize("pattern", ["", "a..b", ".a", "a.", "a b", ">.a", "a.>.b"])
def test_invalid_patterns(pattern: str) -> None:
    assert not is_valid_pattern(pattern)
    with pytest.raises(InvalidSubject):
        validate_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("predictions.*", "predictions.normal", True),
        ("predictions.*", "predictions.normal.AAPL", False),
        ("predictions.*", "predictions", False),
        ("predictions.>", "predictions.normal.AAPL", True),
        ("predictions.>", "predictions", False),
        ("predictions.*.AAPL", "predictions.earnings.AAPL", True),
        ("predictions.*.AAPL", "predictions.earnings.GOOGL", False),
        ("*.*", "_INBOX.abc", True),
        (">", "_INBOX.abc", True),
        ("a*b.c", "a*b.c", True),
        ("a*b.c", "axb.c", False),
    ],
)
def test_matches(pattern: str, subject: str, expected: bool) -> None:
    assert matches(pattern, subject) is expected


def test_matches_refuses_to_guess_on_invalid_input() -> None:
    with pytest.raises(InvalidSubject):
        matches("a.>.b", "a.x.b")
    with pytest.raises(InvalidSubject):
        matches("a.*", "a.*")


PATTERNS = ["predictions.*", "predictions.*.AAPL", "predictions.>", ">", "*.*", "*.>", "*"]
SUBJECTS = [
    "predictions",
    "predictions.normal",
    "predictions.normal.AAPL",
    "predictions.earnings.GOOGL",
    "market.data.ohlcv.AAPL",
    "_INBOX.abc",
    "AAPL",
    "a*b.c",
]


def test_matches_agrees_with_the_server(server: NatsServer) -> None:
    async def scenario() -> dict[str, list[str]]:
        nc = await nats.connect(server.url)
        try:
            return await delivered(nc, PATTERNS, SUBJECTS)
        finally:
            await nc.close()

    got = run_sync(scenario())
    predicted = {p: [s for s in SUBJECTS if matches(p, s)] for p in PATTERNS}
    assert got == predicted


def test_literal_wildcard_characters_inside_a_token_are_plain_text(server: NatsServer) -> None:
    """The server accepts a*b.c as a subscription and matches it literally (nats-py does not)."""

    async def scenario() -> dict[str, list[str]]:
        nc = await nats.connect(server.url, skip_subject_validation=True)
        try:
            return await delivered(nc, ["a*b.c"], ["a*b.c", "axb.c", "ab.c"])
        finally:
            await nc.close()

    assert run_sync(scenario()) == {"a*b.c": ["a*b.c"]}
    assert [s for s in ["a*b.c", "axb.c", "ab.c"] if matches("a*b.c", s)] == ["a*b.c"]


def test_delivered_leaves_no_subscription_behind(server: NatsServer) -> None:
    async def scenario() -> int:
        nc = await nats.connect(server.url)
        try:
            await delivered(nc, ["a.*", "a.*"], ["a.b"])
            return len(nc._subs)
        finally:
            await nc.close()

    assert run_sync(scenario()) == 0


def test_delivered_never_returns_before_every_delivery_arrived(server: NatsServer) -> None:
    """One flush is not enough with nats-py (its PING can overtake buffered publishes)."""

    async def scenario() -> int:
        nc = await nats.connect(server.url)
        try:
            expected = {p: [s for s in SUBJECTS if matches(p, s)] for p in PATTERNS}
            return sum([await delivered(nc, PATTERNS, SUBJECTS) != expected for _ in range(100)])
        finally:
            await nc.close()

    assert run_sync(scenario()) == 0
