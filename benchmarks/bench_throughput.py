"""Prints the performance lab's figures (notebook 14) with more messages: SCALE times as many.

Same measuring code (``gym.perf``), same order, same 100-byte payload, against a fresh
embedded server: await js.publish one at a time (the baseline), core publish + flush,
publish_async + publish_async_completed(), asyncio.gather of js.publish, the two publish
styles on a memory stream, fetch(1/10/100) with ack() and ack_sync(), and request-reply
latency. Small runs are noisy; ten times more messages (the default) steadies the ratios.

Usage: python benchmarks/bench_throughput.py [SCALE]
"""

from __future__ import annotations

import asyncio
import sys
from importlib.metadata import version

from nats.js.api import StorageType

from gym import perf
from gym.server import start_server
from gym.session import connect

NOTEBOOK_COUNTS = {
    "each": 1_000,
    "core": 20_000,
    "async": 5_000,
    "gather": 2_000,
    "fetch": 500,
    "requests": 1_000,
}
"""What notebook 14 measures; this script multiplies each by SCALE."""


async def lab(scale: int) -> None:
    count = {name: number * scale for name, number in NOTEBOOK_COUNTS.items()}
    server = start_server()
    nc, responder = await connect(server.url), await connect(server.url)
    js = nc.jetstream()
    running = nc.connected_server_version
    server_version = f"{running.major}.{running.minor}.{running.patch}"
    try:
        await perf.fresh_stream(js, "BENCH_FILE", "bench.file", StorageType.FILE)
        await perf.fresh_stream(js, "BENCH_MEMORY", "bench.memory", StorageType.MEMORY)
        await perf.publish_each(js, 50, "bench.file")  # warm-up: reply inboxes, caches
        await perf.publish_async(js, 200, "bench.file")

        baseline = await perf.publish_each(js, count["each"], "bench.file")
        rates = [
            baseline,
            await perf.core_publish(nc, count["core"], subject="bench.core"),
            await perf.publish_async(js, count["async"], "bench.file"),
            await perf.publish_gather(js, count["gather"], "bench.file"),
            await perf.publish_each(
                js, count["each"], "bench.memory", label="await js.publish, memory storage"
            ),
            await perf.publish_async(
                js, count["async"], "bench.memory", label="publish_async, memory storage"
            ),
        ]
        for batch in (1, 10, 100):
            for sync in (False, True):
                fetched = await perf.fetch_and_ack(
                    nc, "BENCH_FILE", count["fetch"], batch=batch, sync=sync
                )
                rates.append(fetched)
        latencies = await perf.request_latencies(nc, responder, count["requests"])
    finally:
        await nc.close()
        await responder.close()
        server.stop()

    versions = f"nats-py {version('nats-py')}, nats-server {server_version}"
    print(f"{versions}; {scale}× the counts of notebook 14")
    print(perf.rate_table(rates, baseline))
    p50, p99 = perf.percentile(latencies, 50), perf.percentile(latencies, 99)
    print(
        f"request-reply, {len(latencies):,} requests: p50 {p50 * 1000:.2f} ms, "
        f"p99 {p99 * 1000:.2f} ms ({p99 / p50:.1f}× the median)"
    )


def main(argv: list[str]) -> None:
    scale = int(argv[0]) if argv and argv[0].isdigit() else 10
    asyncio.run(lab(scale))


if __name__ == "__main__":
    main(sys.argv[1:])
