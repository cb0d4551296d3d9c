"""Put what learner code raised or returned into words a learner can act on.

nats-py's own texts are written for people who know its internals: a ``NotFoundError``
from ``pull_subscribe`` reads "code=None err_code=None description='None'", and the repr
of a received message dumps the whole client. A check shows instead what happened in a
sentence, and a hint that fits the error (when the check has no better one of its own).
"""

from __future__ import annotations

from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.msg import Msg

__all__ = ["describe_error", "hint_for", "short"]

SHORT_LIMIT = 160
"""Characters of a value shown in a message before it is cut with "..."."""

_WORDS: tuple[tuple[type[BaseException], str], ...] = (
    (
        nats.js.errors.NoStreamResponseError,
        "no stream captures that subject, so nobody answered the JetStream publish",
    ),
    # Key-Value and Object Store errors first: they are NotFoundError/BadRequestError too
    (nats.js.errors.KeyWrongLastSequenceError, "the key's revision was not the one given"),
    (nats.js.errors.KeyNotFoundError, "the key does not exist (never written, deleted or purged)"),
    (nats.js.errors.NoKeysError, "the bucket (or that key's history) is empty"),
    (
        nats.js.errors.ObjectNotFoundError,
        "no object by that name in the bucket (never stored, or deleted)",
    ),
    (nats.js.errors.BucketNotFoundError, "no bucket by that name"),
    (
        nats.js.errors.InvalidBucketNameError,
        "that is not a valid bucket name: only letters, digits, '-' and '_' are allowed",
    ),
    (
        nats.js.errors.DigestMismatchError,
        "the bytes read back do not match the digest the object's info records",
    ),
    (
        nats.js.errors.NotFoundError,
        "the server answered 404 not found: no stream captures that subject, or the "
        "stream or consumer named does not exist",
    ),
    (nats.js.errors.ServiceUnavailableError, "JetStream did not answer (503)"),
    (nats.errors.NoRespondersError, "nobody is subscribed to that subject (no responders)"),
    (nats.errors.TimeoutError, "nothing came back in time"),
    (nats.errors.ConnectionClosedError, "the connection is closed"),
    (nats.errors.ConnectionDrainingError, "the connection is draining (closing)"),
    (nats.errors.BadSubjectError, "that subject is not valid (empty, or with a space)"),
    (nats.errors.MaxPayloadError, "the message is bigger than the server's max_payload"),
    (nats.errors.MsgAlreadyAckdError, "that message was already acknowledged (or nak'd/term'd)"),
    (nats.errors.NotJSMessageError, "that message did not come from a JetStream consumer"),
)

_HINTS: tuple[tuple[type[BaseException], str], ...] = (
    (
        nats.js.errors.NoStreamResponseError,
        "Publish to a subject a stream captures (predictions.> captures predictions.normal.AAPL; "
        "predictions.* does not). `await js.stream_info(name)` shows a stream's subjects.",
    ),
    (
        nats.js.errors.KeyNotFoundError,
        "A missing key is a normal answer: catch KeyNotFoundError where your function "
        "should report it.",
    ),
    (
        nats.js.errors.ObjectNotFoundError,
        "A missing object is a normal answer: catch ObjectNotFoundError where your function "
        "should report it.",
    ),
    (
        nats.js.errors.InvalidBucketNameError,
        "The bucket is named once, by the exercise's BUCKET constant: pass that to "
        "create_object_store/object_store (or key_value). The object's or key's own name "
        "goes to put and get.",
    ),
    (
        nats.js.errors.NotFoundError,
        "To use a durable consumer that exists, bind to it: "
        "`await js.pull_subscribe_bind(durable, stream=stream)`. `pull_subscribe(subject, ...)` "
        "first looks for a stream capturing the subject, and finds none for `predictions.*`.",
    ),
    (
        nats.errors.ConnectionClosedError,
        "Do not close or drain the connection you were given: the caller still needs it.",
    ),
    (
        nats.errors.NoRespondersError,
        "Subscribe the responder before the request is sent, on the same subject.",
    ),
    (
        nats.errors.TimeoutError,
        "Every wait needs a way out: catch the timeout where nothing arriving is a normal outcome.",
    ),
    (
        nats.errors.MsgAlreadyAckdError,
        "Answer each message once: ack, nak or term — not two of them.",
    ),
    (SystemExit, "Return from your function instead of ending the program."),
    (KeyError, "A dict lacks a key your code reads: check its spelling and where it comes from."),
    (
        AttributeError,
        "Check the name after the dot (a coroutine not awaited has none of the result's names).",
    ),
)


def describe_error(error: BaseException) -> str:
    """``TypeName: what it means`` — nats-py errors in words, others with their own text."""
    name = type(error).__name__
    for kind, words in _WORDS:
        if isinstance(error, kind):
            detail = getattr(error, "description", None)
            code = getattr(error, "err_code", None)
            extra = f" — server says: {detail}" if detail and detail != "None" else ""
            extra += f" (err_code {code})" if code else ""
            return f"{name}: {words}{extra}"
    if isinstance(error, nats.js.errors.APIError):
        return (
            f"{name}: the JetStream API refused: {error.description or 'no description'}"
            f" (status {error.code}, err_code {error.err_code})"
        )
    if isinstance(error, KeyError):
        return f"KeyError: no key {short(error.args[0]) if error.args else ''} in that dict"
    if isinstance(error, MemoryError):
        return "MemoryError: your code asked for more memory than a check allows"
    if isinstance(error, SystemExit):
        return f"SystemExit: your code called sys.exit({'' if error.code is None else error.code})"
    text = str(error)
    return f"{name}: {short(text, quote=False)}" if text else name


def hint_for(error: BaseException) -> str:
    """A hint that fits ``error``, or ``""`` when there is nothing better than its text."""
    for kind, hint in _HINTS:
        if isinstance(error, kind):
            return hint
    return ""


def short(value: Any, *, limit: int = SHORT_LIMIT, quote: bool = True) -> str:
    """A value as a learner would write it, cut to ``limit`` characters; messages readable."""
    text = _render(value) if quote else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(value: Any) -> str:
    if isinstance(value, Msg):
        parts = [f"subject={value.subject!r}", f"data={value.data!r}"]
        if value.headers:
            parts.append(f"headers={value.headers!r}")
        return f"<message {' '.join(parts)}>"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_render(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_render(k)}: {_render(v)}" for k, v in value.items()) + "}"
    return repr(value)
