# mistake: receivers lets '>' match zero tokens (>= instead of >), so predictions.> also receives
#   predictions itself
# expect: ['predictions'] never reached it
# expect: '>' matches one or more tokens, never zero

from __future__ import annotations

from nats.aio.client import Client

from gym.delivery import wait_until_processed

KINDS = ("normal", "earnings")
"""The prediction kinds the PREDICTIONS stream captures (predictions.normal.* and .earnings.*)."""

FORBIDDEN_IN_A_TOKEN = (".", " ", "\t", "\r", "\n", "*", ">")
"""A dot would split the token in two; whitespace ends the subject; * and > are wildcards."""


async def deliveries(nc: Client, pattern: str, subjects: list[str]) -> list[str]:
    """Subscribe to ``pattern``, publish one message to each of ``subjects``, and return the
    subjects of the messages the subscription received, in the order they arrived.

    * ``sub = await nc.subscribe(pattern)`` without a callback: messages wait in ``sub``.
    * Publish one message (any payload) to each subject, in the order given.
    * ``nc.publish`` only queues a message inside nats-py. Before you look, make sure the
      server has handled every publish: ``await wait_until_processed(nc)`` (two flushes;
      notebook 02 shows why one is not always enough). Then every delivery is waiting.
    * Take them: ``sub.pending_msgs`` says how many, ``await sub.next_msg()`` takes one.
    * Unsubscribe before returning, however the function ends (``finally:``): a forgotten
      subscription keeps receiving, and buffering, every matching message.
    """
    sub = await nc.subscribe(pattern)
    try:
        for subject in subjects:
            await nc.publish(subject, b"probe")
        # The server routes our own publishes back to us before it answers the second
        # PING, so from here on every delivery is waiting in sub's queue.
        await wait_until_processed(nc)
        return [(await sub.next_msg(timeout=1)).subject for _ in range(sub.pending_msgs)]
    finally:
        await sub.unsubscribe()


async def every_prediction(nc: Client, subjects: list[str]) -> list[str]:
    """Return the ``subjects`` (in order) that reach a service subscribed to every prediction.

    "Every prediction" is every subject under ``predictions.``: any kind, any ticker
    (``predictions.normal.AAPL``, ``predictions.earnings.GOOGL``) and any level added
    later — but not other areas (``market.…``, or the singular ``prediction.…``). Choose
    the pattern, and let ``deliveries`` ask the server.
    """
    # '>' takes one or more tokens: kind, ticker and anything deeper. 'predictions.*'
    # would take exactly one token, and receive none of the three-token predictions.
    return await deliveries(nc, "predictions.>", subjects)


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
        right_length = len(given) >= len(fixed) if tail else len(given) == len(fixed)
        head = given[: len(fixed)]
        if right_length and all(w in ("*", g) for w, g in zip(fixed, head, strict=True)):
            received.append(subject)
    return received
