"""Checks for exercise 07: an explanation responder and a client that classifies failures.

The learner's two halves are checked separately against the checker's own counterpart
(so a bug in one cannot hide behind the other), then together: two learner explainers
in one queue group must answer each request exactly once. "Exactly once" is read from
the explainers' connection, which counts every message the server delivered to it.
A request that is not a ticker must get an error reply (the ``Nats-Service-Error``
headers), read from what actually came back on the requester's inbox.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from gym import messages
from gym.checker import CheckContext, Fail, criterion
from gym.checker.explain import short
from gym.delivery import wait_until_processed

SUBJECT = "svc.explain"
QUEUE_GROUP = "explainers"
ANSWERED, NO_RESPONDERS, TIMEOUT = "answered", "no responders", "timeout"
ERROR_HEADER, ERROR_CODE_HEADER = "Nats-Service-Error", "Nats-Service-Error-Code"
TICKERS = ("AAPL", "GOOGL", "MSFT")
QUEUE_REQUESTS = 20
REPLY_WITHIN = 1.0
"""Seconds the check waits for an explainer's reply (answers take about a millisecond)."""
SLOW_TIMEOUT = 0.1
"""The timeout ``ask`` gets against an explainer that never answers: the criterion's cost."""
LATE_BY = 0.35
"""Seconds past its timeout ``ask`` may return; nc.request's default (0.5 s) is later."""
NOT_TICKERS = (b"AAPL please", b"\xff\xfe")
"""Requests an explainer cannot explain: not letters and digits, and not even UTF-8."""

ENVELOPE_HINT = (
    "Reply with await msg.respond(messages.encode(messages.envelope('explanation', ticker, "
    "{'text': '...'}, answered_by=name))), where ticker = msg.data.decode()."
)
SUBSCRIBE_HINT = (
    "Subscribe on the connection and subject you were given: "
    "await nc.subscribe(subject, queue=QUEUE_GROUP, cb=explain)."
)
CLASSIFY_HINT = (
    "Wrap nc.request(subject, ticker.encode(), timeout=timeout) in try/except: "
    "nats.errors.NoRespondersError means nobody listens, nats.errors.TimeoutError means "
    "too slow. NoRespondersError is not a TimeoutError, so it needs its own except clause."
)
ERROR_REPLY_HINT = (
    "In the callback, wrap the decoding and envelope() in try/except (UnicodeDecodeError, "
    "messages.InvalidMessage) and answer the failure: await nc.publish(msg.reply, b'', "
    "headers={ERROR_HEADER: f'not a ticker: {error}', ERROR_CODE_HEADER: '400'})."
)


async def _request(client: Client, payload: bytes, call: str) -> Msg:
    """Send one request to the learner's explainer; its reply, or a failure saying why not."""
    try:
        return await client.request(SUBJECT, payload, timeout=REPLY_WITHIN)
    except nats.errors.NoRespondersError:
        raise Fail(
            f"after {call}, a request on {SUBJECT} got 'no responders': "
            "the server knows no subscription on that subject",
            hint=SUBSCRIBE_HINT,
        ) from None
    except nats.errors.TimeoutError:
        raise Fail(
            f"after {call}, the request {short(payload)} on {SUBJECT} got no reply within "
            f"{REPLY_WITHIN:g} s: the explainer received it but did not answer, and its "
            "requester waits out the whole timeout",
            hint=ENVELOPE_HINT if payload not in NOT_TICKERS else ERROR_REPLY_HINT,
        ) from None


async def _explanation_from(client: Client, ticker: str, call: str) -> dict[str, Any]:
    """Ask the learner's explainer about ``ticker`` and decode its reply, or fail saying why."""
    reply = await _request(client, ticker.encode(), call)
    try:
        return messages.decode(reply.data)
    except messages.InvalidMessage as error:
        raise Fail(
            f"the explainer replied {short(reply.data, limit=80)}, which is not an envelope: "
            f"{error}",
            hint=ENVELOPE_HINT,
        ) from None


def _outcome(ctx: CheckContext, result: Any, call: str) -> tuple[Any, Any]:
    """The (status, explanation) pair ``ask`` returned, or a failure about its shape."""
    ctx.expect_type(result, tuple, call=call)
    ctx.expect(
        len(result) == 2,
        f"{call} returned a tuple of {len(result)} items, expected (status, explanation)",
        hint="return ANSWERED, envelope — or NO_RESPONDERS, None — or TIMEOUT, None",
    )
    return result[0], result[1]


@criterion("start_explainer answers a ticker with an explanation envelope signed with its name")
async def explainer_answers(ctx: CheckContext) -> None:
    call = f"start_explainer(nc, {SUBJECT!r}, 'explainer-1')"
    subscription = await ctx.call("start_explainer", ctx.nc, SUBJECT, "explainer-1")
    ctx.expect_type(subscription, Subscription, call=call)
    await wait_until_processed(ctx.nc)
    explanation = await _explanation_from(await ctx.connect(), "MSFT", call)
    got = (explanation["type"], explanation["ticker"])
    ctx.expect(
        got == ("explanation", "MSFT"),
        f"asked about b'MSFT', the reply's (type, ticker) is {got}, expected "
        "('explanation', 'MSFT')",
        hint=ENVELOPE_HINT,
    )
    text = explanation["data"].get("text")
    ctx.expect(
        isinstance(text, str) and bool(text.strip()),
        f"the reply's data is {short(explanation['data'])}: it needs a non-empty 'text'",
        hint=ENVELOPE_HINT,
    )
    ctx.expect_equal(
        explanation["metadata"].get("answered_by"),
        "explainer-1",
        call=f"{call}, then the reply's metadata['answered_by']",
        hint="Pass answered_by=name to messages.envelope(...); it lands in the metadata.",
    )


@criterion("start_explainer answers a request that is not a ticker with an error reply, at once")
async def explainer_answers_errors(ctx: CheckContext) -> None:
    call = f"start_explainer(nc, {SUBJECT!r}, 'explainer-1')"
    await ctx.call("start_explainer", ctx.nc, SUBJECT, "explainer-1")
    await wait_until_processed(ctx.nc)
    client = await ctx.connect()
    for payload in NOT_TICKERS:
        reply = await _request(client, payload, call)
        headers = reply.headers or {}
        said, code = headers.get(ERROR_HEADER, ""), headers.get(ERROR_CODE_HEADER)
        ctx.expect(
            bool(said.strip()) and code == "400",
            f"asked {short(payload)} (not a ticker), the explainer replied "
            f"{short(reply.data, limit=70)} with headers {short(reply.headers)}: expected an "
            f"error reply with the headers {ERROR_HEADER} (what is wrong) and "
            f"{ERROR_CODE_HEADER}: '400'",
            hint=ERROR_REPLY_HINT,
        )


@criterion("ask returns ('answered', the decoded envelope) when an explainer answers")
async def ask_gets_answer(ctx: CheckContext) -> None:
    sent = messages.envelope("explanation", "GOOGL", {"text": "GOOGL: ad revenue"}, answered_by="c")
    payloads: list[bytes] = []

    async def checker_explainer(msg: Msg) -> None:
        payloads.append(msg.data)
        await msg.respond(messages.encode(sent))

    explainer = await ctx.connect()
    await explainer.subscribe(SUBJECT, queue=QUEUE_GROUP, cb=checker_explainer)
    await wait_until_processed(explainer)
    call = f"ask(nc, {SUBJECT!r}, 'GOOGL', timeout=1.0)"
    status, explanation = _outcome(ctx, await ctx.call("ask", ctx.nc, SUBJECT, "GOOGL", 1.0), call)
    ctx.expect_equal(
        payloads,
        [b"GOOGL"],
        call=f"{call}: the request payloads the explainer received",
        hint="Send exactly one request whose payload is the ticker: ticker.encode().",
    )
    ctx.expect_equal(status, ANSWERED, call=f"{call}[0]", hint=CLASSIFY_HINT)
    if isinstance(explanation, bytes | str | Msg):
        raw = "the reply message" if isinstance(explanation, Msg) else "the reply's raw payload"
        raise Fail(
            f"{call}[1] is {raw} ({type(explanation).__name__} {short(explanation, limit=60)}), "
            "expected the envelope decoded into a dict",
            hint="Return messages.decode(reply.data): the envelope as a dict.",
        )
    ctx.expect_equal(
        explanation,
        sent,
        call=f"{call}[1]",
        hint="Return messages.decode(reply.data): the envelope as a dict.",
    )


@criterion("ask reports ('no responders', None) at once when nobody listens, not after the timeout")
async def ask_no_responders(ctx: CheckContext) -> None:
    call = f"ask(nc, {SUBJECT!r}, 'AAPL', timeout=2.0) with no explainer running"
    started = time.perf_counter()
    hint = (
        "Nobody listening is an outcome ask reports, not an error: catch "
        "nats.errors.NoRespondersError (it is not a TimeoutError) and return (NO_RESPONDERS, None)."
    )
    with ctx.hints({nats.errors.NoRespondersError: hint}):
        result = await ctx.call("ask", ctx.nc, SUBJECT, "AAPL", 2.0)
    took = time.perf_counter() - started
    status, explanation = _outcome(ctx, result, call)
    ctx.expect_equal((status, explanation), (NO_RESPONDERS, None), call=call, hint=CLASSIFY_HINT)
    ctx.expect(
        took < 1.0,
        f"{call} took {took:.1f} s; the server reports 'no responders' in about a millisecond",
        hint="Return as soon as nc.request raises NoRespondersError: no retry, no sleep.",
    )


@criterion("ask reports ('timeout', None) when the explainer is slower than the timeout")
async def ask_times_out(ctx: CheckContext) -> None:
    received: list[bytes] = []

    async def stuck_explainer(msg: Msg) -> None:
        received.append(msg.data)  # and never answers: slower than any timeout

    explainer = await ctx.connect()
    await explainer.subscribe(SUBJECT, queue=QUEUE_GROUP, cb=stuck_explainer)
    await wait_until_processed(explainer)
    call = f"ask(nc, {SUBJECT!r}, 'AAPL', timeout={SLOW_TIMEOUT})"
    call += " with an explainer that never answers"
    hint = (
        "A responder too slow for the timeout is an outcome ask reports, not an error: catch "
        "nats.errors.TimeoutError and return (TIMEOUT, None)."
    )
    started = time.perf_counter()
    with ctx.hints({TimeoutError: hint}):
        result = await ctx.call("ask", ctx.nc, SUBJECT, "AAPL", SLOW_TIMEOUT)
    took = time.perf_counter() - started
    status, explanation = _outcome(ctx, result, call)
    ctx.expect(bool(received), f"{call}: the explainer received no request", hint=CLASSIFY_HINT)
    ctx.expect_equal((status, explanation), (TIMEOUT, None), call=call, hint=CLASSIFY_HINT)
    ctx.expect(
        took <= SLOW_TIMEOUT + LATE_BY,
        f"{call} took {took:.2f} s: the timeout was {SLOW_TIMEOUT} s",
        hint="Pass the timeout argument on: nc.request(..., timeout=timeout).",
    )


@criterion("two explainers in the queue group answer each request exactly once, and both work")
async def queue_group_answers_once(ctx: CheckContext) -> None:
    explainers = await ctx.connect()
    for name in ("explainer-a", "explainer-b"):
        await ctx.call("start_explainer", explainers, SUBJECT, name)
    await wait_until_processed(explainers)

    inbox = ctx.nc.new_inbox()
    replies = await ctx.nc.subscribe(f"{inbox}.*")
    for number in range(QUEUE_REQUESTS):
        ticker = TICKERS[number % len(TICKERS)]
        await ctx.nc.publish(SUBJECT, ticker.encode(), reply=f"{inbox}.{number}")
    await wait_until_processed(ctx.nc)  # the server has routed every request...
    await explainers.flush()  # ...and the explainers' connection has read every delivery
    delivered = explainers.stats["in_msgs"]
    ctx.expect(
        delivered == QUEUE_REQUESTS,
        f"{QUEUE_REQUESTS} requests were delivered {delivered} times to two explainers "
        f"started with start_explainer: each request should reach one explainer only",
        hint=f"Every explainer must join the same queue group: queue={QUEUE_GROUP!r}.",
    )

    answered_by: Counter[str] = Counter()
    numbers: set[str] = set()
    for _ in range(QUEUE_REQUESTS):
        try:
            reply = await replies.next_msg(timeout=REPLY_WITHIN)
        except nats.errors.TimeoutError:
            raise Fail(
                f"only {answered_by.total()} of {QUEUE_REQUESTS} requests got a reply",
                hint=ENVELOPE_HINT,
            ) from None
        numbers.add(reply.subject.rsplit(".", 1)[1])
        try:
            answered_by[messages.decode(reply.data)["metadata"].get("answered_by")] += 1
        except messages.InvalidMessage as error:
            raise Fail(f"a reply is not an envelope: {error}", hint=ENVELOPE_HINT) from None
    ctx.expect(
        len(numbers) == QUEUE_REQUESTS,
        f"{QUEUE_REQUESTS} replies came back for only {len(numbers)} distinct requests",
        hint="Answer each request once, with msg.respond(...).",
    )
    ctx.expect_equal(
        sorted(map(str, answered_by)),
        ["explainer-a", "explainer-b"],
        call=f"the answered_by names over {QUEUE_REQUESTS} requests",
        hint="Sign each reply with the name start_explainer was given: answered_by=name.",
    )


CRITERIA = [
    explainer_answers,
    explainer_answers_errors,
    ask_gets_answer,
    ask_no_responders,
    ask_times_out,
    queue_group_answers_once,
]
