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
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


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
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError
