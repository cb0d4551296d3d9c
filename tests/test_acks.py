"""gym.acks reads answers the way the server does: parsed payloads, then a real server's proof."""

from __future__ import annotations

import time

import nats
import pytest
from nats.js.api import ConsumerConfig

from gym import acks
from gym.acks import Kind
from gym.server import NatsServer
from gym.sync_bridge import run_sync


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (b"", Kind.ACK),
        (b"+ACK", Kind.ACK),
        (b"+OK", Kind.ACK),
        (b"-NAK", Kind.NAK),
        (b'-NAK {"delay": 500000000}', Kind.NAK),
        (b"+WPI", Kind.IN_PROGRESS),
        (b"+TERM", Kind.TERM),
        (b"+TERM broken prediction", Kind.TERM),
        (b"+NXT", Kind.NEXT),
        (b'+NXT {"batch": 2}', Kind.NEXT),
        (b"+ACK please", Kind.UNKNOWN),  # the server compares +ACK exactly
        (b"ok", Kind.UNKNOWN),
    ],
)
def test_kind_of_reads_payloads_like_the_server(payload: bytes, kind: Kind) -> None:
    assert acks.kind_of(payload) is kind


@pytest.mark.parametrize(
    ("payload", "delay"),
    [
        (b"-NAK", None),
        (b'-NAK {"delay": 500000000}', 0.5),
        (b'-NAK {"delay": 0}', 0.0),
        (b"-NAK {}", 0.0),
        (b"-NAK 300ms", 0.3),
        (b"-NAK 1m30s", 90.0),
        (b"-NAK 1.5s", 1.5),
        (b'-NAK {"delay": "1s"}', None),  # the server cannot read it: a plain nak
        (b'-NAK {"delay": 5e8}', None),
        (b"-NAK {broken", None),
        (b"-NAK soon", None),
        (b"+ACK", None),
    ],
)
def test_nak_delay_in_seconds(payload: bytes, delay: float | None) -> None:
    assert acks.nak_delay(payload) == (pytest.approx(delay) if delay is not None else None)


def test_reply_subjects_in_both_layouts() -> None:
    v1 = acks.parse_reply_subject("$JS.ACK.PREDICTIONS.explainer.2.17.40.1700000000000000000.3")
    assert v1 == acks.Delivery("PREDICTIONS", "explainer", 2, 17, 40, 3)
    v2 = acks.parse_reply_subject(
        "$JS.ACK.hub.ACCHASH.PREDICTIONS.explainer.1.5.6.1700000000000000000.0.Xy12"
    )
    assert v2 == acks.Delivery("PREDICTIONS", "explainer", 1, 5, 6, 0, domain="hub")
    assert acks.parse_reply_subject("_INBOX.abc") is None
    assert acks.parse_reply_subject("$JS.ACK.S.c.one.2.3.4.5") is None
    assert acks.parse_answer("_INBOX.abc", b"+ACK") is None


def test_answers_describe_themselves() -> None:
    subject = "$JS.ACK.S.c.1.7.7.1700000000000000000.0"
    assert str(acks.parse_answer(subject, b'-NAK {"delay": 200000000}')) == (
        "nak with a delay of 0.2 s for stream seq 7 (delivery 1)"
    )
    assert acks.parse_answer(subject, b"-NAK").describe() == "plain nak"
    assert acks.parse_answer(subject, b"+TERM bad").describe() == "term (bad)"
    assert "ignored" in acks.parse_answer(subject, b"hello").describe()
    assert not acks.parse_answer(subject, b"+WPI").settles
    assert acks.parse_answer(subject, b"").settles


def test_a_real_server_agrees_with_every_reading(server: NatsServer) -> None:
    """Nine deliveries answered nine ways; what the watch reads is what the server did."""

    async def scenario() -> None:
        nc = await nats.connect(server.url)
        observer = await nats.connect(server.url)
        js = nc.jetstream()
        try:
            await js.add_stream(name="S", subjects=["s.*"])
            await js.add_consumer("S", ConsumerConfig(durable_name="c", ack_wait=30))
            for n in range(9):
                await js.publish(f"s.m{n}", b"x")
            psub = await js.pull_subscribe_bind("c", "S")
            watch = await acks.watch(observer, "S", "c", senders=[nc])
            msgs = await psub.fetch(9, timeout=2)
            assert len(msgs) == 9
            answered_at = time.monotonic()  # before any answer: a lower bound for delays
            await msgs[0].ack()
            await msgs[1].ack_sync()
            await msgs[2].nak()
            await msgs[3].nak(delay=0.3)
            await msgs[4].in_progress()
            await msgs[5].term()
            await nc.publish(msgs[6].reply, b"+TERM broken")
            await nc.publish(msgs[7].reply, b"-NAK 200ms")
            await nc.publish(msgs[8].reply, b"hello")
            settled = await watch.collect(
                lambda w: (
                    len(w.answers) == 9
                    and len(w.advised("nak")) == 3
                    and len(w.advised("terminated")) == 2
                ),
                within=3,
            )
            assert settled, (watch.answers, watch.advisories)
            assert [a.kind for a in watch.answers] == [
                Kind.ACK, Kind.ACK, Kind.NAK, Kind.NAK, Kind.IN_PROGRESS,
                Kind.TERM, Kind.TERM, Kind.NAK, Kind.UNKNOWN,
            ]  # fmt: skip
            assert [a.delay for a in watch.answers if a.kind is Kind.NAK] == [
                None, pytest.approx(0.3), pytest.approx(0.2)
            ]  # fmt: skip
            assert [a.delivery.stream_seq for a in watch.answers] == list(range(1, 10))
            assert {a.delivery.delivered for a in watch.answers} == {1}
            assert watch.kinds(5) == []  # +WPI settles nothing
            assert sorted(watch.advised("nak")) == [3, 4, 8]
            assert sorted(watch.advised("terminated")) == [6, 7]
            reasons = {a.stream_seq: a.reason for a in watch.advisories if a.kind == "terminated"}
            assert reasons[7] == "broken"

            # The server's side: the plain nak is back first, each delayed one no sooner
            # than asked; +WPI and the unknown answer left their messages pending.
            back: dict[int, float] = {}
            while len(back) < 3:
                for msg in await psub.fetch(3, timeout=2):
                    back[msg.metadata.sequence.stream] = time.monotonic() - answered_at
                    assert msg.metadata.num_delivered == 2
                    await msg.ack_sync()
            assert sorted(back) == [3, 4, 8]
            assert back[3] < back[8] and back[3] < back[4]
            assert back[8] >= 0.2 and back[4] >= 0.3
            info = await js.consumer_info("S", "c")
            assert info.num_ack_pending == 2  # seq 5 (+WPI) and seq 9 ("hello")
            await watch.stop()
        finally:
            await nc.close()
            await observer.close()

    run_sync(scenario())
