"""Checks for exercise 01: a wildcard subscription through nats-py, then the rules as strings.

The referee is the server. ``deliveries`` and ``every_prediction`` subscribe and publish on
the criterion's own connection; the check then asks the server what a subscription on the
same pattern really receives (``gym.delivery.delivered``), and the monitoring endpoint
whether the learner's subscription is gone. For ``receivers`` each criterion compares the
learner's list with what a real subscription received. When ``prediction_subject`` returns
a subject instead of refusing a bad input, the failure says what the server does with that
subject: drops it, delivers it where no PREDICTIONS subscriber looks, or takes a wildcard
as plain text.
"""

from __future__ import annotations

from typing import Any

from nats.aio.msg import Msg
from nats.errors import BadSubjectError

from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import LearnerError, subscriptions_of
from gym.checker.explain import short
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
"""Every subject each pattern is tried against in ``receivers``, in this order."""

PUBLISHED = [
    "predictions.normal.AAPL",
    "market.data.ohlcv.AAPL",
    "predictions.earnings.GOOGL",
    "predictions.normal",
    "prediction.normal.MSFT",
    "predictions",
    "predictions.normal.AAPL.v2",
    "explanations.AAPL",
]
"""The subjects ``deliveries`` and ``every_prediction`` are given to publish, in order."""

WAIT_HINT = (
    "nc.publish only queues a message inside nats-py: before you look, make sure the server "
    "has handled your publishes with `await wait_until_processed(nc)` (two flushes; one "
    "flush is not always enough), then take the `sub.pending_msgs` messages waiting."
)
UNSUBSCRIBE_HINT = (
    "End with `await sub.unsubscribe()` in a `finally:` block, so it happens on every way "
    "out of the function."
)
SPIN_LIMIT = 2.0
"""Seconds a plain-Python criterion may take: far more than it needs, and a loop that
never ends is reported without a long wait."""


async def refuses(ctx: CheckContext, call: str, function: str, *args: Any) -> str | None:
    """Call the learner's function, which should raise ValueError.

    Returns None when it did; otherwise what it returned instead (a Fail is raised for
    any other exception, or for a ValueError without a message).
    """
    try:
        returned = await ctx.call(function, *args)
    except LearnerError as error:
        cause = error.raised
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


def expect_subjects(ctx: CheckContext, answer: Any, *, call: str) -> list[str]:
    """``answer`` must be a list of subject strings; a readable failure otherwise."""
    ctx.expect_type(answer, list, call=call)
    wrong = [item for item in answer if not isinstance(item, str)]
    if wrong:
        kind = "messages" if isinstance(wrong[0], Msg) else f"{type(wrong[0]).__name__} values"
        raise Fail(
            f"{call} returned a list of {kind}, e.g. {short(wrong[0])}; "
            "expected a list of subjects (str)",
            hint="Keep each message's subject, `msg.subject` (`msg.data` is its payload).",
        )
    return answer


def difference(answer: list[str], real: list[str]) -> str:
    """What a learner's list got wrong against the server's, in words."""
    extra = [s for s in answer if s not in real]
    missing = [s for s in real if s not in answer]
    wrong = [f"{extra} never reached it"] if extra else []
    wrong += [f"{missing} did, but your list lacks them"] if missing else []
    return " and ".join(wrong) or f"the same subjects, but in the order {real}"


@criterion("deliveries returns what a real subscription receives, and unsubscribes")
async def real_deliveries(ctx: CheckContext) -> None:
    for pattern in ("predictions.*.AAPL", "predictions.*", "market.>"):
        call = f"deliveries(nc, {pattern!r}, SUBJECTS)"
        before = len(await subscriptions_of(ctx))
        answer = expect_subjects(
            ctx, await ctx.call("deliveries", ctx.nc, pattern, list(PUBLISHED)), call=call
        )
        real = (await delivered(ctx.nc, [pattern], PUBLISHED))[pattern]
        if answer != real:
            missed = set(answer) < set(real)
            raise Fail(
                f"{call} returned {answer}; a real subscription on {pattern!r} received "
                f"{real} ({difference(answer, real)})",
                hint=WAIT_HINT
                if missed
                else "Return the subject of each message the subscription received, in the "
                "order they arrived, and nothing else.",
            )
        left = len(await subscriptions_of(ctx)) - before
        if left > 0:
            raise Fail(
                f"{call} returned the right subjects but left its subscription on the "
                f"server: it keeps receiving, and buffering, every message on {pattern!r} "
                "for as long as the connection lives",
                hint=UNSUBSCRIBE_HINT,
            )


@criterion("every_prediction subscribes with the wildcard that receives every prediction")
async def every_prediction_wildcard(ctx: CheckContext) -> None:
    call = "every_prediction(nc, SUBJECTS)"
    answer = expect_subjects(
        ctx, await ctx.call("every_prediction", ctx.nc, list(PUBLISHED)), call=call
    )
    real = await delivered(ctx.nc, ["predictions.>", "predictions.*", "predictions.*.*"], PUBLISHED)
    wanted = real["predictions.>"]
    if answer == wanted:
        return
    hint = (
        "'>' stands for one or more tokens at the end: one pattern for everything "
        "under predictions."
    )
    if not answer:
        why = "no message arrived at all, not even for the two-token predictions.normal"
        hint = WAIT_HINT
    elif answer == real["predictions.*"]:
        why = (
            "that is what predictions.* receives: '*' is exactly one token, and a prediction "
            "has two after 'predictions' (kind and ticker)"
        )
    elif answer == real["predictions.*.*"]:
        why = (
            "that is what predictions.*.* receives: exactly two more tokens, so not "
            "predictions.normal, nor a level added later (predictions.normal.AAPL.v2)"
        )
    else:
        why = f"a subscription on predictions.> receives those ({difference(answer, wanted)})"
    raise Fail(f"{call} returned {answer}, expected {wanted}: {why}", hint=hint)


@criterion(
    "prediction_subject builds predictions.<kind>.<ticker> and refuses (ValueError) what "
    "PREDICTIONS never stores",
    timeout=SPIN_LIMIT,
)
async def prediction_subjects(ctx: CheckContext) -> None:
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
    bad = [(kind, "AAPL") for kind in ("intraday", "", "normal.extra")]
    bad += [("normal", ticker) for ticker in ("", "BRK.B", "AA PL", "*", ">")]
    for kind, ticker in bad:
        call = f"prediction_subject({kind!r}, {ticker!r})"
        returned = await refuses(ctx, call, "prediction_subject", kind, ticker)
        if returned is None:
            continue
        why = await fate_of(ctx, returned) if isinstance(returned, str) else ""
        raise Fail(
            f"{call} returned {returned!r} instead of raising ValueError"
            + (f": {why}" if why else ""),
            hint="Accept only the kinds in KINDS: `if kind not in KINDS: raise ValueError(...)`."
            if ticker == "AAPL"
            else "Refuse an empty ticker, and one containing any of FORBIDDEN_IN_A_TOKEN.",
        )


async def compare_with_server(ctx: CheckContext, patterns: list[str], hint: str) -> None:
    """The learner's ``receivers`` must equal the server's deliveries for every pattern."""
    truth = await delivered(ctx.nc, patterns, SUBJECTS)
    for pattern in patterns:
        call = f"receivers({pattern!r}, SUBJECTS)"
        answer = expect_subjects(
            ctx, await ctx.call("receivers", pattern, list(SUBJECTS)), call=call
        )
        real = truth[pattern]
        if answer == real:
            continue
        same = sorted(answer) == sorted(real)
        raise Fail(
            f"{call} returned {answer}; a real subscription on {pattern!r} received {real} "
            f"({difference(answer, real)})",
            hint="Keep the subjects in the order they were given." if same else hint,
        )


@criterion("receivers: '*' is exactly one token, '>' one or more at the end", timeout=SPIN_LIMIT)
async def wildcards(ctx: CheckContext) -> None:
    await compare_with_server(
        ctx,
        ["predictions.*", "predictions.*.AAPL", "market.data.*", "*"],
        hint="'*' matches exactly one token: predictions.* receives predictions.normal but "
        "not predictions.normal.AAPL (three tokens) nor predictions (one token).",
    )
    await compare_with_server(
        ctx,
        ["predictions.>", "market.>", ">"],
        hint="'>' matches one or more tokens, never zero: predictions.> receives "
        "predictions.normal.AAPL but not predictions itself.",
    )


@criterion(
    "receivers: exact subjects, broad wildcards, and patterns no subscription can use",
    timeout=SPIN_LIMIT,
)
async def exact_broad_and_invalid(ctx: CheckContext) -> None:
    await compare_with_server(
        ctx,
        ["predictions.normal.AAPL", "AAPL", "*.*", "*.>", "explanations.request.*"],
        hint="A token without a wildcard matches only itself (case counts), and the "
        "subject must have as many tokens as the pattern unless it ends in '>'.",
    )
    for pattern in ("predictions.>.AAPL", "predictions..AAPL", "predictions.*.", ".>", ""):
        call = f"receivers({pattern!r}, SUBJECTS)"
        returned = await refuses(ctx, call, "receivers", pattern, list(SUBJECTS))
        if returned is None:
            continue
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
    real_deliveries,
    every_prediction_wildcard,
    prediction_subjects,
    wildcards,
    exact_broad_and_invalid,
]
