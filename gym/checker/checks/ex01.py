"""Checks for exercise 01: building prediction subjects, and predicting wildcard deliveries.

The referee is the server. For ``receivers`` each criterion subscribes to the pattern on
``ctx.nc``, publishes every subject, and compares the learner's list with what the
subscription really received (``gym.delivery.delivered``). When ``prediction_subject``
returns a subject instead of refusing a bad input, the failure says what the server does
with that subject: drops it, delivers it where no PREDICTIONS subscriber looks, or takes
a wildcard as plain text.
"""

from __future__ import annotations

from typing import Any

from nats.errors import BadSubjectError

from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import LearnerError
from gym.delivery import delivered
from gym.streams import COURSE_STREAMS

STORED = list(COURSE_STREAMS["PREDICTIONS"].subjects or [])
"""What the PREDICTIONS stream binds: predictions.normal.* and predictions.earnings.*."""

SUBJECTS = [
    "predictions.normal.AAPL",
    "predictions.earnings.GOOGL",
    "predictions.normal.MSFT",
    "predictions.normal",
    "predictions",
    "market.data.ohlcv.AAPL",
    "market.data.news",
    "explanations.request.123",
    "_INBOX.abc",
    "AAPL",
]
"""Every subject each pattern is tried against, published in this order."""


async def refuses(ctx: CheckContext, call: str, function: str, *args: Any) -> str | None:
    """Call the learner's function, which should raise ValueError.

    Returns None when it did; otherwise what it returned instead (a Fail is raised for
    any other exception, or for a ValueError without a message).
    """
    try:
        returned = await ctx.call(function, *args)
    except LearnerError as error:
        cause = error.__cause__
        if not isinstance(cause, ValueError):
            raise Fail(f"{error}, expected a ValueError", hint="Raise ValueError(...).") from None
        if not str(cause).strip():
            raise Fail(
                f"{call} raised a ValueError with no message",
                hint="Say what is wrong, e.g. ValueError(f'ticker {ticker!r} contains a dot').",
            ) from None
        return None
    return returned


async def fate_of(ctx: CheckContext, subject: str) -> str:
    """One sentence: what the server does with a message published to ``subject``."""
    try:
        got = await delivered(ctx.nc, [">", *STORED], [subject])
    except BadSubjectError:
        return "nats-py refuses to publish to it (BadSubjectError)"
    if not got[">"]:
        return (
            "the server accepts it without an error and delivers it to nobody, not even "
            "to a subscriber on '>': the prediction would vanish silently"
        )
    catching = [pattern for pattern in STORED if got[pattern]]
    if not catching:
        return (
            f"no subscription on {' or '.join(STORED)} (what the PREDICTIONS stream binds) "
            "receives it, so it would never be stored"
        )
    return (
        f"the server delivers it to {catching[0]} with the wildcard character taken as plain "
        "text, so a subscriber on a real ticker never sees it"
    )


@criterion("prediction_subject builds predictions.<kind>.<ticker>")
async def builds_subjects(ctx: CheckContext) -> None:
    for kind, ticker in (("normal", "AAPL"), ("earnings", "GOOGL"), ("normal", "BRK-B")):
        call = f"prediction_subject({kind!r}, {ticker!r})"
        subject = await ctx.call("prediction_subject", kind, ticker)
        ctx.expect_type(subject, str, call=call)
        ctx.expect_equal(
            subject,
            f"predictions.{kind}.{ticker}",
            call=call,
            hint="Join the three tokens with dots: f'predictions.{kind}.{ticker}'.",
        )


@criterion("prediction_subject refuses a kind the PREDICTIONS stream does not store (ValueError)")
async def refuses_bad_kinds(ctx: CheckContext) -> None:
    for kind in ("intraday", "", "normal.extra"):
        call = f"prediction_subject({kind!r}, 'AAPL')"
        returned = await refuses(ctx, call, "prediction_subject", kind, "AAPL")
        if returned is not None:
            why = await fate_of(ctx, returned) if isinstance(returned, str) else ""
            raise Fail(
                f"{call} returned {returned!r} instead of raising ValueError"
                + (f": {why}" if why else ""),
                hint="Accept only the kinds in KINDS: "
                "`if kind not in KINDS: raise ValueError(...)`.",
            )


@criterion("prediction_subject refuses a ticker that is not one token (ValueError)")
async def refuses_bad_tickers(ctx: CheckContext) -> None:
    for ticker in ("", "BRK.B", "AA PL", "*", ">"):
        call = f"prediction_subject('normal', {ticker!r})"
        returned = await refuses(ctx, call, "prediction_subject", "normal", ticker)
        if returned is not None:
            why = await fate_of(ctx, returned) if isinstance(returned, str) else ""
            raise Fail(
                f"{call} returned {returned!r} instead of raising ValueError"
                + (f": {why}" if why else ""),
                hint="Refuse an empty ticker, and one containing any of FORBIDDEN_IN_A_TOKEN.",
            )


async def compare_with_server(ctx: CheckContext, patterns: list[str], hint: str) -> None:
    """The learner's ``receivers`` must equal the server's deliveries for every pattern."""
    truth = await delivered(ctx.nc, patterns, SUBJECTS)
    for pattern in patterns:
        call = f"receivers({pattern!r}, SUBJECTS)"
        answer = await ctx.call("receivers", pattern, list(SUBJECTS))
        ctx.expect_type(answer, list, call=call)
        real = truth[pattern]
        if answer == real:
            continue
        extra = [s for s in answer if s not in real]
        missing = [s for s in real if s not in answer]
        if not extra and not missing:
            raise Fail(
                f"{call} returned {answer}; the server delivered the same subjects in the "
                f"order {real}",
                hint="Keep the subjects in the order they were given.",
            )
        wrong = [f"it did not receive {extra}"] if extra else []
        wrong += [f"it did receive {missing}"] if missing else []
        raise Fail(
            f"{call} returned {answer}; a real subscription on {pattern!r} received {real} "
            f"({' and '.join(wrong)})",
            hint=hint,
        )


@criterion("receivers: '*' stands for exactly one token")
async def star_is_one_token(ctx: CheckContext) -> None:
    await compare_with_server(
        ctx,
        ["predictions.*", "predictions.*.AAPL", "market.data.*", "*"],
        hint="'*' matches exactly one token: predictions.* receives predictions.normal but "
        "not predictions.normal.AAPL (three tokens) nor predictions (one token).",
    )


@criterion("receivers: '>' stands for one or more tokens at the end")
async def gt_is_the_rest(ctx: CheckContext) -> None:
    await compare_with_server(
        ctx,
        ["predictions.>", "market.>", ">"],
        hint="'>' matches one or more tokens, never zero: predictions.> receives "
        "predictions.normal.AAPL but not predictions itself.",
    )


@criterion("receivers: exact subjects, and broad wildcards that catch reply inboxes")
async def exact_and_broad(ctx: CheckContext) -> None:
    await compare_with_server(
        ctx,
        ["predictions.normal.AAPL", "AAPL", "*.*", "*.>", "explanations.request.*"],
        hint="A token without a wildcard matches only itself (case counts), and the "
        "subject must have as many tokens as the pattern unless it ends in '>'.",
    )


@criterion("receivers refuses a pattern no subscription can use (ValueError)")
async def refuses_bad_patterns(ctx: CheckContext) -> None:
    for pattern in ("predictions.>.AAPL", "predictions..AAPL", "predictions.*.", ".>", ""):
        call = f"receivers({pattern!r}, SUBJECTS)"
        returned = await refuses(ctx, call, "receivers", pattern, list(SUBJECTS))
        if returned is not None:
            refusal = "no subscription can use it"
            try:
                subscription = await ctx.nc.subscribe(pattern)
            except BadSubjectError:
                refusal = f"nats-py refuses nc.subscribe({pattern!r}) with BadSubjectError"
            else:  # not with nats-py 2.16, which checks patterns before sending them
                await subscription.unsubscribe()
            raise Fail(
                f"{call} returned {returned!r} instead of raising ValueError: {refusal}",
                hint="Refuse an empty pattern or token ('a..b', 'a.', '.a') and a '>' that "
                "is not the last token.",
            )


CRITERIA = [
    builds_subjects,
    refuses_bad_kinds,
    refuses_bad_tickers,
    star_is_one_token,
    gt_is_the_rest,
    exact_and_broad,
    refuses_bad_patterns,
]
