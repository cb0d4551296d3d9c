"""JetStream's acknowledgement protocol, read off the wire: what a consumer's answers say.

Every message a JetStream consumer delivers carries a reply subject::

    $JS.ACK.<stream>.<consumer>.<delivery count>.<stream seq>.<consumer seq>.<time>.<pending>

Answering it is nothing more than publishing a small payload to that subject; nats-py's
``msg.ack()`` and friends only choose the payload. The server reads it like this
(nats-server ``consumer.go``, ``processAck``):

=========================  =====================================================
payload                    what the server does
=========================  =====================================================
empty, ``+ACK``, ``+OK``   done: never delivered again (``msg.ack()`` sends empty)
``-NAK``                   deliver again now (``msg.nak()``)
``-NAK {"delay": ns}``     deliver again after the delay (``msg.nak(delay=s)``);
                           a Go duration such as ``-NAK 500ms`` works too
``+WPI``                   still working: restart the ack timer (``msg.in_progress()``)
``+TERM`` [reason]         never deliver again (``msg.term()``); an advisory says so
``+NXT`` [request]         done, and send the next message to the reply subject
anything else              ignored: the message stays pending
=========================  =====================================================

``AckWatch`` subscribes to those subjects for one consumer, so a notebook or a check can
see exactly what was answered — and to the advisories the server publishes when it
applies a nak or a term, which are its own word that it did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from gym.delivery import wait_until_processed
from gym.waiting import eventually

__all__ = [
    "Advisory",
    "AckWatch",
    "Answer",
    "Delivery",
    "Kind",
    "kind_of",
    "nak_delay",
    "parse_advisory",
    "parse_answer",
    "parse_reply_subject",
    "watch",
]


class Kind(StrEnum):
    """What an answer asks the server to do with the delivery it answers."""

    ACK = "ack"
    NAK = "nak"
    IN_PROGRESS = "in_progress"
    TERM = "term"
    NEXT = "next"
    """``+NXT``: an ack that also asks for the next message."""
    UNKNOWN = "unknown"
    """A payload the server does not recognise: it ignores it."""


_EXACT = {b"": Kind.ACK, b"+ACK": Kind.ACK, b"+OK": Kind.ACK, b"+WPI": Kind.IN_PROGRESS}
_PREFIXES = ((b"+NXT", Kind.NEXT), (b"-NAK", Kind.NAK), (b"+TERM", Kind.TERM))


def kind_of(payload: bytes) -> Kind:
    """The kind of an answer's payload, read the way nats-server reads it."""
    if payload in _EXACT:
        return _EXACT[payload]
    for prefix, kind in _PREFIXES:
        if payload.startswith(prefix):
            return kind
    return Kind.UNKNOWN


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
_GO_UNITS["h"] = 3600.0
_GO_DURATION = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)")


def _go_duration(text: str) -> float | None:
    """Seconds in a Go duration (``1.5s``, ``300ms``, ``1m30s``, ``-2s``), or None."""
    sign, body = (-1.0, text[1:]) if text.startswith("-") else (1.0, text.lstrip("+"))
    if body == "0":
        return 0.0
    parts = _GO_DURATION.findall(body)
    if not parts or "".join(number + unit for number, unit in parts) != body:
        return None
    return sign * sum(float(number) * _GO_UNITS[unit] for number, unit in parts)


def nak_delay(payload: bytes) -> float | None:
    """Seconds a nak asked the server to wait before redelivering; None for "at once".

    ``-NAK {"delay": 500000000}`` (what ``msg.nak(delay=0.5)`` sends; nanoseconds) and
    ``-NAK 500ms`` both give 0.5. A plain ``-NAK``, a delay the server cannot read (it
    then treats the nak as plain), or a payload that is no nak at all give None.
    """
    if kind_of(payload) is not Kind.NAK:
        return None
    argument = payload[len(b"-NAK") :].strip()
    if not argument:
        return None
    text = argument.decode(errors="replace")
    if not text.startswith("{"):
        return _go_duration(text)
    try:
        options = json.loads(text)
    except ValueError:
        return None
    delay = options.get("delay", 0) if isinstance(options, dict) else None
    if not isinstance(delay, int) or isinstance(delay, bool):
        return None
    return delay / 1e9


@dataclass(frozen=True)
class Delivery:
    """Which delivery an ack subject belongs to (the same facts as ``msg.metadata``)."""

    stream: str
    consumer: str
    delivered: int
    """The delivery count: 1 for the first delivery, 2 for the first redelivery, ..."""
    stream_seq: int
    consumer_seq: int
    pending: int
    """Messages the consumer still had to deliver after this one."""
    domain: str = ""


def parse_reply_subject(subject: str) -> Delivery | None:
    """The delivery an ``$JS.ACK.…`` subject names, or None for any other subject.

    Both layouts are read: ``$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.
    <pending>`` and, from servers that send it, the one with a domain and an account hash
    after ``$JS.ACK`` (and a random token at the end).
    """
    tokens = subject.split(".")
    if tokens[:2] != ["$JS", "ACK"]:
        return None
    if len(tokens) == 9:
        domain, rest = "", tokens[2:]
    elif len(tokens) >= 11:
        domain, rest = ("" if tokens[2] == "_" else tokens[2]), tokens[4:11]
    else:
        return None
    stream, consumer, *numbers = rest
    try:
        delivered, stream_seq, consumer_seq, _timestamp, pending = map(int, numbers)
    except ValueError:
        return None
    return Delivery(stream, consumer, delivered, stream_seq, consumer_seq, pending, domain)


@dataclass(frozen=True)
class Answer:
    """One answer to a delivery, as the server receives it."""

    kind: Kind
    delivery: Delivery
    payload: bytes
    delay: float | None = None
    """For a nak: the seconds asked for (None: redeliver at once)."""
    reason: str = ""
    """For a term: the reason given after ``+TERM``, if any."""

    @property
    def settles(self) -> bool:
        """True for the answers that decide the delivery's fate (not +WPI, not unknown)."""
        return self.kind not in (Kind.IN_PROGRESS, Kind.UNKNOWN)

    def describe(self) -> str:
        """The answer in words: ``nak with a delay of 0.2 s``, ``term``, ``'hello' (ignored)``."""
        if self.kind is Kind.NAK:
            return "plain nak" if self.delay is None else f"nak with a delay of {self.delay:g} s"
        if self.kind is Kind.UNKNOWN:
            return f"{self.payload[:40]!r} (not an answer the server knows: ignored)"
        if self.kind is Kind.TERM and self.reason:
            return f"term ({self.reason})"
        return self.kind.value

    def __str__(self) -> str:
        where = self.delivery
        return f"{self.describe()} for stream seq {where.stream_seq} (delivery {where.delivered})"


def parse_answer(subject: str, payload: bytes) -> Answer | None:
    """The answer published on ``subject`` with ``payload``; None if not an ack subject."""
    delivery = parse_reply_subject(subject)
    if delivery is None:
        return None
    kind = kind_of(payload)
    reason = ""
    if kind is Kind.TERM:
        reason = payload[len(b"+TERM") :].strip().decode(errors="replace")
    return Answer(kind, delivery, payload, nak_delay(payload), reason)


@dataclass(frozen=True)
class Advisory:
    """An event JetStream published about one consumer's message (its own word on it)."""

    kind: str
    """The last part of the advisory type: ``nak``, ``terminated``, ``max_deliver``, ..."""
    stream_seq: int
    deliveries: int
    reason: str = ""


def parse_advisory(data: bytes) -> Advisory | None:
    """A ``$JS.EVENT.ADVISORY.CONSUMER.…`` event about a message, or None for others."""
    try:
        event = json.loads(data)
    except ValueError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("stream_seq"), int):
        return None  # consumer created/deleted and the like: about no message
    kind = str(event.get("type", "")).rsplit(".", 1)[-1]
    deliveries = event.get("deliveries", 0)
    return Advisory(kind, event["stream_seq"], int(deliveries), str(event.get("reason", "")))


@dataclass
class AckWatch:
    """Copies of every answer sent to one consumer, and the server's advisories about them.

    Start it with ``watch`` before the messages are answered. ``collect`` then brings in
    everything sent so far: it waits until the server has processed what the senders
    sent, then what it routed to the observer (two flushes each, see ``gym.delivery``).
    """

    observer: Client
    senders: tuple[Client, ...]
    answers_sub: Subscription
    advisories_sub: Subscription
    answers: list[Answer] = field(default_factory=list)
    advisories: list[Advisory] = field(default_factory=list)

    async def collect(
        self, until: Callable[[AckWatch], bool] = lambda watch: True, *, within: float = 1.0
    ) -> bool:
        """Take in what has arrived until ``until(self)`` holds or ``within`` seconds pass.

        Returns whether ``until`` held. Advisories can come a moment after the answer
        they are about, hence the deadline instead of a single look.
        """

        async def look() -> bool:
            for sender in self.senders:
                await wait_until_processed(sender)
            await wait_until_processed(self.observer)
            await self._drain()
            return until(self)

        return await eventually(look, within=within, every=0.01)

    async def _drain(self) -> None:
        for msg in await _queued(self.answers_sub):
            answer = parse_answer(msg.subject, msg.data)
            if answer is not None:
                self.answers.append(answer)
        for msg in await _queued(self.advisories_sub):
            advisory = parse_advisory(msg.data)
            if advisory is not None:
                self.advisories.append(advisory)

    def answers_for(self, stream_seq: int) -> list[Answer]:
        """Every answer sent for the message at ``stream_seq``, in the order sent."""
        return [a for a in self.answers if a.delivery.stream_seq == stream_seq]

    def kinds(self, stream_seq: int) -> list[Kind]:
        """The settling answers (no +WPI) for ``stream_seq``, in order: ``[NAK, ACK]``."""
        return [a.kind for a in self.answers_for(stream_seq) if a.kind is not Kind.IN_PROGRESS]

    def advised(self, kind: str) -> list[int]:
        """Stream sequences the server published a ``kind`` advisory for, in order."""
        return [a.stream_seq for a in self.advisories if a.kind == kind]

    async def stop(self) -> None:
        """Unsubscribe both subscriptions (the connections stay open)."""
        for sub in (self.answers_sub, self.advisories_sub):
            await sub.unsubscribe()


async def _queued(sub: Subscription) -> list[Msg]:
    """The messages waiting in ``sub``'s queue now (they are there: no real wait)."""
    return [await sub.next_msg(timeout=1) for _ in range(sub.pending_msgs)]


async def watch(
    observer: Client, stream: str, consumer: str = "*", *, senders: Sequence[Client] = ()
) -> AckWatch:
    """Start watching the answers to ``stream``'s ``consumer`` (``"*"``: every consumer).

    ``observer`` subscribes; ``senders`` are the connections whose answers ``collect``
    waits for (the observer itself when none are given). Returns once the server has
    the subscriptions, so every answer sent afterwards is seen.
    """
    answers = await observer.subscribe(f"$JS.ACK.{stream}.{consumer}.>")
    advisories = await observer.subscribe(f"$JS.EVENT.ADVISORY.CONSUMER.*.{stream}.{consumer}")
    await wait_until_processed(observer)
    return AckWatch(observer, tuple(senders) or (observer,), answers, advisories)
