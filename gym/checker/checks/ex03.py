"""Checks for exercise 03: publishing enveloped predictions to JetStream, reading the acks.

Every criterion creates its stream on a fresh server, calls the learner's function, then
reads the stream back: the verdict rests on what the server stored and acknowledged, not on
what the function says it did. Whether the learner's publishes were JetStream publishes
shows on the connection itself: each ``js.publish`` is a request whose ack comes back as a
message, while a core ``nc.publish`` gets nothing back (``nc.stats`` counts both ways).
"""

from __future__ import annotations

from typing import Any

from nats.errors import MaxPayloadError
from nats.js.api import PubAck
from nats.js.errors import NoStreamResponseError

from gym import messages
from gym.checker import CheckContext, Fail, criterion
from gym.checker.context import letting_through
from gym.checker.explain import short
from gym.streams import ensure_course_streams

PREDICTIONS = [
    {"ticker": "AAPL", "predicted_price": 155.5, "confidence": 0.87},
    {"ticker": "GOOGL", "predicted_price": 141.25, "confidence": 0.74},
    {"ticker": "MSFT", "predicted_price": 378.9, "confidence": 0.91},
]
CALL = "publish_predictions(js, [AAPL, GOOGL, MSFT predictions])"
SUBJECT_HINT = (
    "The PREDICTIONS stream captures predictions.normal.* and predictions.earnings.*: "
    'publish each one to f"predictions.normal.{ticker}".'
)
NO_ACK_HINT = (
    "nc.publish returns None: core NATS sends no acknowledgement. Use "
    "`ack = await js.publish(subject, payload)` and keep (ack.stream, ack.seq)."
)
ONLY_NO_STREAM_HINT = (
    "Catch only the one error that means 'no stream': `except NoStreamResponseError: "
    "return None`. Every other error must reach the caller, who needs to know the "
    "message was not stored for another reason."
)


async def publish_predictions(ctx: CheckContext) -> Any:
    """Call the learner's publish_predictions; fail if its publishes got no acks at all."""
    before = dict(ctx.nc.stats)
    with ctx.hints({NoStreamResponseError: SUBJECT_HINT}):
        result = await ctx.call("publish_predictions", ctx.js, [dict(p) for p in PREDICTIONS])
    sent = ctx.nc.stats["out_msgs"] - before["out_msgs"]
    answered = ctx.nc.stats["in_msgs"] - before["in_msgs"]
    if sent and not answered:
        raise Fail(
            f"{CALL} sent {sent} messages and not one acknowledgement came back: they were "
            "core publishes (nc.publish), which the server does not answer, so the "
            f"(stream, seq) pairs it returned, {short(result, limit=80)}, were not read "
            "from any ack",
            hint=NO_ACK_HINT,
        )
    return result


def as_pairs(ctx: CheckContext, result: Any, count: int) -> list[tuple[Any, Any]]:
    """The learner's result as a list of ``count`` 2-tuples, or a failure naming the mistake."""
    ctx.expect_type(result, list, call=CALL)
    ctx.expect(
        len(result) == count,
        f"{CALL} returned {len(result)} items, expected {count}: one (stream, seq) per prediction",
        hint="Append one (ack.stream, ack.seq) per prediction and return the list.",
    )
    for item in result:
        if item is None:
            raise Fail(f"{CALL} returned a list of None", hint=NO_ACK_HINT)
        if isinstance(item, PubAck):
            raise Fail(
                f"{CALL} returned PubAck objects, expected (stream, seq) tuples",
                hint="Keep the two fields that matter: (ack.stream, ack.seq).",
            )
        if not (isinstance(item, tuple) and len(item) == 2):
            raise Fail(
                f"{CALL} returned items like {short(item)}, expected (stream, seq) tuples",
                hint="Return a list of tuples: [(ack.stream, ack.seq), ...].",
            )
    return [tuple(item) for item in result]


def expect_not_swapped(
    pairs: list[tuple[Any, Any]], expected: list[tuple[str, int]], call: str
) -> None:
    """A failure that names the mistake when each pair is (seq, stream) the wrong way round."""
    if pairs != expected and pairs == [(seq, stream) for stream, seq in expected]:
        raise Fail(
            f"{call} returned {short(pairs)}: the right values, but each pair is "
            f"(seq, stream), expected (stream, seq) like {short(expected[0])}",
            hint="Put the stream name first: (ack.stream, ack.seq).",
        )


@criterion("publish_predictions returns (stream, seq) from each ack, in order")
async def returns_the_acks(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    pairs = as_pairs(ctx, await publish_predictions(ctx), len(PREDICTIONS))
    expected = [("PREDICTIONS", 1), ("PREDICTIONS", 2), ("PREDICTIONS", 3)]
    expect_not_swapped(pairs, expected, CALL)
    ctx.expect_equal(
        pairs,
        expected,
        call=CALL,
        hint="Each js.publish returns a PubAck; its .stream and .seq say where it was stored.",
    )


@criterion("the pairs are the server's: another stream name, sequence already at 2")
async def pairs_come_from_the_server(ctx: CheckContext) -> None:
    await ctx.js.add_stream(name="NORMAL_DAYS", subjects=["predictions.normal.*"])
    for _ in range(2):  # someone else published first: the stream's sequence is at 2
        await ctx.js.publish("predictions.normal.IBM", b"{}")
    pairs = as_pairs(ctx, await publish_predictions(ctx), len(PREDICTIONS))
    expected = [("NORMAL_DAYS", 3), ("NORMAL_DAYS", 4), ("NORMAL_DAYS", 5)]
    expect_not_swapped(pairs, expected, f"{CALL} on stream NORMAL_DAYS")
    if pairs != expected:
        if any(stream != "NORMAL_DAYS" for stream, _ in pairs):
            hint = "Do not write the stream name yourself: read it from ack.stream."
        else:
            hint = "Do not count yourself: the stream numbers every message, read ack.seq."
        ctx.expect_equal(pairs, expected, call=f"{CALL} on stream NORMAL_DAYS", hint=hint)


@criterion("each prediction is stored on predictions.normal.<TICKER> as a prediction envelope")
async def stored_as_envelopes(ctx: CheckContext) -> None:
    # A broader stream than the course's, so that near-miss subjects are stored and named.
    await ctx.js.add_stream(name="PREDICTIONS", subjects=["predictions.>"])
    await publish_predictions(ctx)
    # Ordered behind anything the learner sent on this connection: once this is acked,
    # all of it has reached the stream (even core publishes, which nobody acks).
    marker = await ctx.js.publish("predictions.check.END", b"")
    stored = (await ctx.stored_messages("PREDICTIONS"))[: marker.seq - 1]
    ctx.expect(
        len(stored) == len(PREDICTIONS),
        f"the stream holds {len(stored)} messages after the call, expected {len(PREDICTIONS)}",
        hint="Publish each prediction exactly once, with js.publish.",
    )
    for prediction, message in zip(PREDICTIONS, stored, strict=True):
        ticker, subject = prediction["ticker"], message.subject
        ctx.expect(
            subject == f"predictions.normal.{ticker}",
            f"the {ticker} prediction was stored on {subject!r}, "
            f"expected 'predictions.normal.{ticker}'",
            hint=SUBJECT_HINT,
        )
        try:
            envelope = messages.decode(message.data or b"")
        except messages.InvalidMessage as error:
            raise Fail(
                f"the message on {subject} is not a course envelope ({error}): "
                f"{short(message.data or b'', limit=100)}",
                hint="Publish messages.encode(messages.envelope('prediction', ticker, data)).",
            ) from None
        expected_data = {k: v for k, v in prediction.items() if k != "ticker"}
        got = (envelope["type"], envelope["ticker"], envelope["data"])
        ctx.expect(
            got == ("prediction", ticker, expected_data),
            f"the envelope on {subject} has type, ticker, data = {short(got)}, "
            f"expected {short(('prediction', ticker, expected_data))}",
            hint="type 'prediction', the ticker, and data = the prediction without 'ticker'.",
        )


@criterion("where_stored returns (stream, seq) when a stream captures the subject")
async def where_stored_finds_the_stream(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    await ctx.js.publish("predictions.normal.AAPL", b"{}")  # sequence 1 is taken
    payload = b'{"ticker": "GOOGL"}'
    call = 'where_stored(js, "predictions.earnings.GOOGL", payload)'
    with ctx.hints({NoStreamResponseError: SUBJECT_HINT}):
        result = await ctx.call("where_stored", ctx.js, "predictions.earnings.GOOGL", payload)
    if result is None:
        raise Fail(
            f"{call} returned None, but PREDICTIONS captures predictions.earnings.GOOGL",
            hint=NO_ACK_HINT,
        )
    stored = [(m.subject, m.data) for m in await ctx.stored_messages("PREDICTIONS")][1:]
    ctx.expect(
        stored == [("predictions.earnings.GOOGL", payload)],
        f"after {call}, PREDICTIONS holds {short(stored)} after its first message, expected "
        f"the payload on predictions.earnings.GOOGL: {short(payload)}",
        hint="Publish the payload you were given, unchanged, to the subject you were given.",
    )
    ctx.expect_equal(
        result,
        ("PREDICTIONS", 2),
        call=call,
        hint="Return (ack.stream, ack.seq) from the PubAck that js.publish returns.",
    )


@criterion("where_stored returns None when no stream captures the subject")
async def where_stored_says_none(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    call = 'where_stored(js, "prediction.normal.AAPL", payload)  # "prediction", no s'
    hint = "Catch nats.js.errors.NoStreamResponseError and return None."
    with ctx.hints({NoStreamResponseError: hint}):
        result = await ctx.call("where_stored", ctx.js, "prediction.normal.AAPL", b"{}")
    ctx.expect_equal(result, None, call=call, hint="No stream captures this subject.")


@criterion("where_stored lets every other error through (a payload over max_payload)")
async def where_stored_lets_other_errors_through(ctx: CheckContext) -> None:
    await ensure_course_streams(ctx.js, ["PREDICTIONS"])
    limit = ctx.nc.max_payload
    call = f'where_stored(js, "predictions.normal.AAPL", payload of {limit + 1:,} bytes)'
    with ctx.hints({NoStreamResponseError: ONLY_NO_STREAM_HINT}):
        returned, error = await letting_through(
            MaxPayloadError,
            ctx.call("where_stored", ctx.js, "predictions.normal.AAPL", b"x" * (limit + 1)),
        )
    if error is None:
        raise Fail(
            f"{call} returned {short(returned)}: its publish failed with MaxPayloadError (the "
            f"server's max_payload is {limit:,} bytes), not with 'no stream', and returning "
            f"{short(returned)} hid it",
            hint=ONLY_NO_STREAM_HINT,
        )


CRITERIA = [
    returns_the_acks,
    pairs_come_from_the_server,
    stored_as_envelopes,
    where_stored_finds_the_stream,
    where_stored_says_none,
    where_stored_lets_other_errors_through,
]
