"""Measure what each way of publishing and consuming costs, on this machine, on a real server.

Notebook 14 runs these with small counts (the whole lab in a few seconds);
``benchmarks/bench_throughput.py`` runs the same functions with more messages. Every
measurement ends when the server has done the work, not when the client has queued it: core
publishes end with ``wait_until_processed``, JetStream publishes with their acks,
fire-and-forget consumer acks with ``wait_until_processed`` on the consumer's connection.

What bounds each (notebook 14 shows the numbers):

* ``core_publish``: the client's CPU; no round trip until the final flush. nats-py buffers up
  to ``pending_size`` (2 MiB) before it must write to the socket.
* ``publish_each``: one round trip per message (``await js.publish`` waits for the ack).
* ``publish_async``: round trips overlap; at most ``publish_async_max_pending`` (4,000 by
  default) wait for their ack, the next ``publish_async`` waits for a free slot.
* ``publish_gather``: round trips overlap too, but every publish is a request of its own (a
  task, a future, a timeout timer), and nothing bounds how many are in flight.
* ``fetch_and_ack``: one round trip per ``fetch``, plus one per message with ``ack_sync``.
* ``request_latencies``: one round trip through the server to a responder and back.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, StorageType
from nats.js.errors import NotFoundError

from gym.delivery import wait_until_processed

__all__ = [
    "PAYLOAD",
    "Rate",
    "core_publish",
    "fetch_and_ack",
    "fresh_stream",
    "percentile",
    "publish_async",
    "publish_each",
    "publish_gather",
    "rate_table",
    "rates_by_label",
    "request_latencies",
]

PAYLOAD = b"x" * 100
"""100 bytes, about the size of one prediction."""


@dataclass(frozen=True)
class Rate:
    """``messages`` handled in ``seconds``, under a ``label`` that says how."""

    label: str
    messages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else float("inf")

    def times(self, other: Rate) -> float:
        """How many times faster than ``other`` this was."""
        return self.per_second / other.per_second


async def fresh_stream(
    js: JetStreamContext, name: str, subject: str, storage: StorageType = StorageType.FILE
) -> None:
    """(Re)create an empty stream ``name`` capturing ``subject``, so each run starts alike."""
    with contextlib.suppress(NotFoundError):
        await js.delete_stream(name)
    await js.add_stream(name=name, subjects=[subject], storage=storage)


async def core_publish(
    nc: Client, count: int, *, subject: str = "perf.core", payload: bytes = PAYLOAD
) -> Rate:
    """``nc.publish`` ``count`` times; the clock stops once the server has processed them."""
    started = time.perf_counter()
    for _ in range(count):
        await nc.publish(subject, payload)
    await wait_until_processed(nc)
    return Rate("core publish + flush", count, time.perf_counter() - started)


async def publish_each(
    js: JetStreamContext, count: int, subject: str, *, payload: bytes = PAYLOAD, label: str = ""
) -> Rate:
    """``await js.publish`` ``count`` times, one at a time: each waits for its ack."""
    started = time.perf_counter()
    for _ in range(count):
        await js.publish(subject, payload)
    return Rate(label or "await js.publish, one at a time", count, time.perf_counter() - started)


async def publish_async(
    js: JetStreamContext,
    count: int,
    subject: str,
    *,
    payload: bytes = PAYLOAD,
    timeout: float = 30.0,
    label: str = "",
) -> Rate:
    """``js.publish_async`` ``count`` times, then ``publish_async_completed()``.

    nats-py's futures have no timeout of their own: a lost ack would make
    ``publish_async_completed()`` wait forever, so it is bounded here. A refused publish
    raises (its future's exception), so a rate is never reported for work not done.
    """
    started = time.perf_counter()
    futures = [await js.publish_async(subject, payload) for _ in range(count)]
    await asyncio.wait_for(js.publish_async_completed(), timeout)
    elapsed = time.perf_counter() - started
    for future in futures:
        future.result()
    label = label or "js.publish_async + publish_async_completed()"
    return Rate(label, count, elapsed)


async def publish_gather(
    js: JetStreamContext, count: int, subject: str, *, payload: bytes = PAYLOAD, label: str = ""
) -> Rate:
    """``asyncio.gather`` of ``count`` ``js.publish`` calls, all started at once."""
    started = time.perf_counter()
    await asyncio.gather(*(js.publish(subject, payload) for _ in range(count)))
    return Rate(label or "asyncio.gather of js.publish", count, time.perf_counter() - started)


async def fetch_and_ack(
    nc: Client, stream: str, count: int, *, batch: int, sync: bool, timeout: float = 30.0
) -> Rate:
    """Fetch ``count`` stored messages ``batch`` at a time from a new durable consumer,
    acknowledging each with ``ack_sync()`` (``sync``) or ``ack()``; then delete the consumer.

    The stream must hold at least ``count`` messages. With ``ack()`` the clock stops once
    the server has processed the acks (``wait_until_processed``), not when they were queued.
    """
    js = nc.jetstream()
    durable = f"perf-{batch}-{'sync' if sync else 'ack'}"
    config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, max_ack_pending=-1)
    await js.add_consumer(stream, config)
    psub = await js.pull_subscribe_bind(durable, stream)
    deadline = time.monotonic() + timeout
    received = 0
    started = time.perf_counter()
    try:
        while received < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"fetched {received} of {count} messages in {timeout:g} s")
            try:
                msgs: list[Msg] = await psub.fetch(min(batch, count - received), timeout=5)
            except TimeoutError:  # nats' TimeoutError or asyncio's own: fetch again
                continue
            for msg in msgs:
                await (msg.ack_sync() if sync else msg.ack())
            received += len(msgs)
        await wait_until_processed(nc)
        elapsed = time.perf_counter() - started
    finally:
        await psub.unsubscribe()
        await js.delete_consumer(stream, durable)
    how = "ack_sync()" if sync else "ack()"
    return Rate(f"fetch({batch}) + {how}", count, elapsed)


async def request_latencies(
    nc: Client, responder: Client, count: int, *, subject: str = "perf.echo"
) -> list[float]:
    """Seconds each of ``count`` requests took, one after the other, to a responder on the
    ``responder`` connection that echoes the payload."""

    async def echo(msg: Msg) -> None:
        await msg.respond(msg.data)

    sub = await responder.subscribe(subject, cb=echo)
    await wait_until_processed(responder)  # the server knows the responder before we ask
    latencies = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            await nc.request(subject, PAYLOAD, timeout=5)
            latencies.append(time.perf_counter() - started)
    finally:
        await sub.unsubscribe()
    return latencies


def percentile(values: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile of ``values`` (1 to 99; at least two values)."""
    return statistics.quantiles(values, n=100)[percent - 1]


def rate_table(rates: Sequence[Rate], baseline: Rate) -> str:
    """One line per rate, with its ratio to ``baseline``; columns of fixed width.

    Each rate reads ``N msg/s`` and each ratio ``N×``, so that a notebook's comparison with
    its committed output can mask just those numbers and compare every other character.
    """
    lines = [f"{'how':<46}{'messages':>13}{'rate':>17}{'ratio':>9}"]
    for rate in rates:
        lines.append(
            f"{rate.label:<46}{rate.messages:>8,} msgs {rate.per_second:>10,.0f} msg/s"
            f" {rate.times(baseline):>7.1f}×"
        )
    lines.append(f"(ratio: times the rate of {baseline.label!r})")
    return "\n".join(lines)


def rates_by_label(rates: Sequence[Rate]) -> Mapping[str, float]:
    """``{label: messages per second}``, the shape ``gym.plots.rates`` draws."""
    return {rate.label: rate.per_second for rate in rates}
