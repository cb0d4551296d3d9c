"""Checks for exercise 07: an explanation responder and a client that classifies failures.

The learner's two halves are checked separately against the checker's own counterpart
(so a bug in one cannot hide behind the other), then together: two learner explainers
in one queue group must answer each request exactly once. "Exactly once" is read from
the explainers' connection, which counts every message the server delivered to it.
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

SUBJECT = "svc.explain"
QUEUE_GROUP = "explainers"
ANSWERED, NO_RESPONDERS, TIMEOUT = "answered", "no responders", "timeout"
TICKERS = ("AAPL", "GOOGL", "MSFT")
QUEUE_REQUESTS = 20

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


async def _explanation_from(client: Client, ticker: str, call: str) -> dict[str, Any]:
    """Ask the learner's explainer about ``ticker`` and decode its reply, or fail saying why."""
    try:
        reply = await client.request(SUBJECT, ticker.encode(), timeout=1)
    except nats.errors.NoRespondersError:
        raise Fail(
            f"after {call}, a request on {SUBJECT} got 'no responders': "
            "the server knows no subscription on that subject",
            hint=SUBSCRIBE_HINT,
        ) from None
    except nats.errors.TimeoutError:
        raise Fail(
            f"after {call}, a request on {SUBJECT} got no reply within 1 s: the explainer "
            "received it but did not answer (an exception inside a callback is silent)",
            hint=ENVELOPE_HINT,
        ) from None
    try:
        return messages.decode(reply.data)
    except messages.InvalidMessage as error:
        raise Fail(
            f"the explainer replied {reply.data[:80]!r}, which is not an envelope: {error}",
            hint=ENVELOPE_HINT,
        ) from None


async def _server_has_processed(nc: Client) -> None:
    """Wait until the server has processed every command sent on ``nc`` so far.

    nats-py 2.16 writes a flush's PING ahead of commands (SUB, PUB) still queued for its
    writer task, so one flush can return before the server has them; the second flush's
    PING follows them. Doing this here also keeps a learner's single flush in
    start_explainer from making the check flaky.
    """
    await nc.flush()
    await nc.flush()


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
    await _server_has_processed(ctx.nc)
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
        f"the reply's data is {explanation['data']!r}: it needs a non-empty 'text'",
        hint=ENVELOPE_HINT,
    )
    ctx.expect_equal(
        explanation["metadata"].get("answered_by"),
        "explainer-1",
        call=f"{call}, then the reply's metadata['answered_by']",
        hint="Pass answered_by=name to messages.envelope(...); it lands in the metadata.",
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
    await _server_has_processed(explainer)
    call = f"ask(nc, {SUBJECT!r}, 'GOOGL', timeout=1.0)"
    status, explanation = _outcome(ctx, await ctx.call("ask", ctx.nc, SUBJECT, "GOOGL", 1.0), call)
    ctx.expect_equal(
        payloads,
        [b"GOOGL"],
        call=f"{call}: the request payloads the explainer received",
        hint="Send exactly one request whose payload is the ticker: ticker.encode().",
    )
    ctx.expect_equal(status, ANSWERED, call=f"{call}[0]", hint=CLASSIFY_HINT)
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
    await _server_has_processed(explainer)
    call = f"ask(nc, {SUBJECT!r}, 'AAPL', timeout=0.3) with an explainer that never answers"
    started = time.perf_counter()
    result = await ctx.call("ask", ctx.nc, SUBJECT, "AAPL", 0.3)
    took = time.perf_counter() - started
    status, explanation = _outcome(ctx, result, call)
    ctx.expect(bool(received), f"{call}: the explainer received no request", hint=CLASSIFY_HINT)
    ctx.expect_equal((status, explanation), (TIMEOUT, None), call=call, hint=CLASSIFY_HINT)
    ctx.expect(
        took < 1.3,
        f"{call} took {took:.1f} s: the timeout was 0.3 s",
        hint="Pass the timeout argument on: nc.request(..., timeout=timeout).",
    )


@criterion("two explainers in the queue group answer each request exactly once, and both work")
async def queue_group_answers_once(ctx: CheckContext) -> None:
    explainers = await ctx.connect()
    for name in ("explainer-a", "explainer-b"):
        await ctx.call("start_explainer", explainers, SUBJECT, name)
    await _server_has_processed(explainers)

    inbox = ctx.nc.new_inbox()
    replies = await ctx.nc.subscribe(f"{inbox}.*")
    for number in range(QUEUE_REQUESTS):
        ticker = TICKERS[number % len(TICKERS)]
        await ctx.nc.publish(SUBJECT, ticker.encode(), reply=f"{inbox}.{number}")
    await _server_has_processed(ctx.nc)  # the server has routed every request...
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
            reply = await replies.next_msg(timeout=1)
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
    ask_gets_answer,
    ask_no_responders,
    ask_times_out,
    queue_group_answers_once,
]
