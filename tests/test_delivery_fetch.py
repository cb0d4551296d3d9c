"""gym.delivery.fetch_exactly: keeps fetching until the count arrived, within one deadline."""

from __future__ import annotations

import asyncio

import nats
import pytest

from gym.delivery import fetch_exactly
from gym.server import NatsServer
from gym.sync_bridge import run_sync


async def _backlog(server: NatsServer, count: int):
    """A connection, a stream holding ``count`` messages and a durable pull subscription."""
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    await js.add_stream(name="BARS", subjects=["bars.*"])
    for n in range(count):
        await js.publish("bars.AAPL", str(n).encode())
    return nc, js, await js.pull_subscribe("bars.*", "reader", stream="BARS")


def test_takes_exactly_count_and_leaves_the_rest_pending(server: NatsServer) -> None:
    async def scenario() -> tuple[list[int], int, int]:
        nc, js, psub = await _backlog(server, 10)
        try:
            msgs = await fetch_exactly(psub, 4)
            info = await js.consumer_info("BARS", "reader")
            seqs = [m.metadata.sequence.stream for m in msgs]
            return seqs, info.num_pending, info.num_ack_pending
        finally:
            await nc.close()

    assert run_sync(scenario()) == ([1, 2, 3, 4], 6, 4)


def test_keeps_fetching_when_one_fetch_returns_fewer(server: NatsServer) -> None:
    """Two messages now, three more later: a single fetch(5) would return only two."""

    async def scenario() -> list[int]:
        nc, js, psub = await _backlog(server, 2)

        async def later() -> None:
            await asyncio.sleep(0.3)  # the point of the test: messages that come later
            for n in range(3):
                await js.publish("bars.AAPL", str(n).encode())

        try:
            publisher = asyncio.ensure_future(later())
            msgs = await fetch_exactly(psub, 5, timeout=5)
            await publisher
            return [m.metadata.sequence.stream for m in msgs]
        finally:
            await nc.close()

    assert run_sync(scenario()) == [1, 2, 3, 4, 5]


def test_raises_timeout_saying_how_many_arrived(server: NatsServer) -> None:
    async def scenario() -> None:
        nc, _, psub = await _backlog(server, 2)
        try:
            await fetch_exactly(psub, 3, timeout=0.5)
        finally:
            await nc.close()

    with pytest.raises(asyncio.TimeoutError, match="fetched 2 of 3 messages"):
        run_sync(scenario())
