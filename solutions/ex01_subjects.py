"""Exercise 01 · Build prediction subjects, and say which subjects a wildcard receives.

A subject is a list of tokens joined by dots: ``predictions.normal.AAPL``. A subscription
may use two wildcards, each standing for whole tokens: ``*`` for exactly one token, ``>``
for one or more tokens at the end. Write two plain Python functions (notebook 01 shows
every rule against a real server):

* ``prediction_subject``: build ``predictions.<kind>.<ticker>``, refusing with a
  ``ValueError`` anything that would give a subject the PREDICTIONS stream never stores.
* ``receivers``: given a subscription pattern and some subjects, return the ones a
  subscription on that pattern receives.

Write the rules yourself rather than calling ``gym.subjects`` (it holds the answer).
The check asks a real server which subjects each pattern really receives and compares.

Check your work: ``gym.check("ex01")`` in the notebook, or ``gym check ex01`` in a terminal.
"""

from __future__ import annotations

KINDS = ("normal", "earnings")
"""The prediction kinds the PREDICTIONS stream captures (predictions.normal.* and .earnings.*)."""

FORBIDDEN_IN_A_TOKEN = (".", " ", "\t", "\r", "\n", "*", ">")
"""A dot would split the token in two; whitespace ends the subject; * and > are wildcards."""


def prediction_subject(kind: str, ticker: str) -> str:
    """Return the subject for a prediction: ``predictions.<kind>.<ticker>``.

    ``prediction_subject("normal", "AAPL")`` returns ``"predictions.normal.AAPL"``.

    Raise ``ValueError`` with a message that names the problem when:

    * ``kind`` is not one of ``KINDS`` (the stream stores no other kind), or
    * ``ticker`` is not exactly one token: it is empty, or contains one of
      ``FORBIDDEN_IN_A_TOKEN`` (``"BRK.B"`` would be two tokens, ``"*"`` a wildcard).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not ticker:
        # "predictions.normal." has an empty last token: the server drops it silently.
        raise ValueError("ticker must not be empty")
    bad = [char for char in FORBIDDEN_IN_A_TOKEN if char in ticker]
    if bad:
        raise ValueError(f"ticker {ticker!r} must be one token, but it contains {bad[0]!r}")
    return f"predictions.{kind}.{ticker}"


def receivers(pattern: str, subjects: list[str]) -> list[str]:
    """Return the subjects, in the given order, that a subscription on ``pattern`` receives.

    Tokens are compared one by one: ``*`` matches any one token, ``>`` (only allowed as
    the last token) matches one or more remaining tokens, and any other token matches only
    itself (case counts). So ``predictions.*`` receives ``predictions.normal`` but not
    ``predictions.normal.AAPL``, and ``predictions.>`` receives both but not ``predictions``.

    Raise ``ValueError`` for a pattern no subscription can use: an empty pattern, an empty
    token (``"a..b"``, ``".a"``, ``"a."``), whitespace, or ``>`` before the last token.
    The ``subjects`` are valid subjects you could publish to; no need to check them.
    """
    wanted = pattern.split(".")
    if not pattern or "" in wanted:
        raise ValueError(f"pattern {pattern!r} has an empty token")
    if any(char.isspace() for char in pattern):
        raise ValueError(f"pattern {pattern!r} contains whitespace")
    if ">" in wanted[:-1]:
        raise ValueError(f"pattern {pattern!r}: '>' may only be the last token")

    tail = wanted[-1] == ">"
    fixed = wanted[:-1] if tail else wanted  # the tokens that must match one for one
    received = []
    for subject in subjects:
        given = subject.split(".")
        # '>' needs at least one token beyond the fixed part; '*' is exactly one token
        # (never zero, never two), so without '>' the lengths must be equal.
        right_length = len(given) > len(fixed) if tail else len(given) == len(fixed)
        head = given[: len(fixed)]
        if right_length and all(w in ("*", g) for w, g in zip(fixed, head, strict=True)):
            received.append(subject)
    return received
