"""gym.perf measures real work on a real server: each rate counts what the server did."""

from __future__ import annotations

import asyncio
import re

import pytest
from matplotlib.figure import Figure
from nats.js.api import StorageType
from nats.js.errors import NoStreamResponseError

from gym import perf, plots
from gym.server import NatsServer
from gym.session import connect


def run(coroutine):
    return asyncio.run(coroutine)


def test_every_publish_style_stores_what_it_counts(server: NatsServer) -> None:
    async def scenario() -> list[perf.Rate]:
        nc = await connect(server.url)
        js = nc.jetstream()
        await perf.fresh_stream(js, "PERF", "perf.file")
        await perf.fresh_stream(js, "PERF_MEM", "perf.mem", StorageType.MEMORY)
        core_sub = await nc.subscribe("perf.core")
        rates = [
            await perf.core_publish(nc, 200),
            await perf.publish_each(js, 20, "perf.file"),
            await perf.publish_async(js, 30, "perf.file"),
            await perf.publish_gather(js, 40, "perf.file"),
            await perf.publish_each(js, 5, "perf.mem", label="memory"),
        ]
        assert core_sub.pending_msgs == 200  # processed and routed before the clock stopped
        assert (await js.stream_info("PERF")).state.messages == 90
        assert (await js.stream_info("PERF_MEM")).config.storage == StorageType.MEMORY
        await perf.fresh_stream(js, "PERF", "perf.file")  # fresh: empty again
        assert (await js.stream_info("PERF")).state.messages == 0
        await nc.close()
        return rates

    rates = run(scenario())
    assert [r.messages for r in rates] == [200, 20, 30, 40, 5]
    assert all(r.seconds > 0 and r.per_second > 0 for r in rates)
    assert rates[-1].label == "memory"


def test_publish_async_raises_a_refused_publish(server: NatsServer) -> None:
    async def scenario() -> None:
        nc = await connect(server.url)
        try:
            with pytest.raises(NoStreamResponseError):
                await perf.publish_async(nc.jetstream(), 3, "nobody.stores.this")
        finally:
            await nc.close()

    run(scenario())


@pytest.mark.parametrize("sync", [False, True], ids=["ack", "ack_sync"])
def test_fetch_and_ack_acknowledges_everything_and_cleans_up(
    server: NatsServer, sync: bool
) -> None:
    async def scenario() -> perf.Rate:
        nc = await connect(server.url)
        js = nc.jetstream()
        await perf.fresh_stream(js, "PERF", "perf.file")
        await perf.publish_async(js, 25, "perf.file")
        rate = await perf.fetch_and_ack(nc, "PERF", 25, batch=10, sync=sync)
        assert await js.consumers_info("PERF") == []  # its consumer is deleted again
        await nc.close()
        return rate

    rate = run(scenario())
    assert rate.messages == 25
    assert rate.label == f"fetch(10) + {'ack_sync()' if sync else 'ack()'}"


def test_request_latencies_one_per_request(server: NatsServer) -> None:
    async def scenario() -> list[float]:
        nc, responder = await connect(server.url), await connect(server.url)
        latencies = await perf.request_latencies(nc, responder, 50)
        await nc.close()
        await responder.close()
        return latencies

    latencies = run(scenario())
    assert len(latencies) == 50 and all(0 < seconds < 5 for seconds in latencies)
    assert perf.percentile(latencies, 50) <= perf.percentile(latencies, 99)


def test_the_table_has_fixed_columns_so_only_numbers_vary() -> None:
    baseline = perf.Rate("await js.publish, one at a time", 1000, 0.25)
    fast = perf.Rate("js.publish_async + publish_async_completed()", 5000, 0.2)
    slow = perf.Rate("fetch(1) + ack_sync()", 500, 1.234)
    table = perf.rate_table([baseline, fast, slow], baseline)
    assert "25,000 msg/s" in table and "6.2×" in table and "1.0×" in table
    masked = re.sub(r" +[\d,]+ msg/s", " RATE msg/s", table)
    masked = re.sub(r" +\d+(\.\d+)?×", " RATIO×", masked)
    faster = perf.rate_table([baseline, perf.Rate(fast.label, 5000, 0.0001), slow], baseline)
    faster = re.sub(r" +\d+(\.\d+)?×", " RATIO×", re.sub(r" +[\d,]+ msg/s", " RATE msg/s", faster))
    assert masked == faster  # the same shape whatever the numbers
    assert perf.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5


def test_the_rates_figure_draws_one_bar_per_rate() -> None:
    figure = plots.rates({"a": 100.0, "b": 5000.0}, title="t", baseline="a")
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert axes.get_xscale() == "log" and len(axes.patches) == 2
