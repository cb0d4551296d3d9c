"""gym.monitor against a real server: /healthz read until it says ok, after deletions too."""

from __future__ import annotations

import nats

from gym import monitor
from gym.server import NatsServer
from gym.streams import delete_streams, ensure_course_streams
from gym.sync_bridge import run_sync


def test_healthy_waits_out_the_moment_after_a_deletion(server: NatsServer) -> None:
    async def scenario() -> list[str]:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        answers = []
        for _ in range(20):  # a 503 follows a deletion about one time in three
            await ensure_course_streams(js, ["PREDICTIONS"])
            await delete_streams(js, ["PREDICTIONS"])
            answers.append((await monitor.healthy(server.monitor_url))["status"])
        await nc.close()
        return answers

    assert run_sync(scenario()) == ["ok"] * 20


def test_healthy_answers_at_once_on_a_healthy_server(server: NatsServer) -> None:
    reply = run_sync(monitor.healthy(server.monitor_url, within=0))
    assert reply == {"status": "ok"}
