"""gym.streams: the course's five streams are right, and create-or-update works on a real server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import APIError

from gym import streams
from gym.server import NatsServer
from gym.subjects import matches
from gym.sync_bridge import run_sync

# Subjects the tutorial's own pipeline publishes, and the stream each must land in.
TUTORIAL_SUBJECTS = {
    "market.data.ohlcv.AAPL": "MARKET_DATA",
    "market.data.news": "MARKET_DATA",
    "predictions.normal.AAPL": "PREDICTIONS",
    "predictions.earnings.GOOGL": "PREDICTIONS",
    "explanations.request": "EXPLANATIONS",
    "metrics.model.accuracy": "MODEL_METRICS",
    "routing.AAPL": "ROUTING",
}
# Retention in days and size from the tutorial's "Our Stream Configuration".
TUTORIAL_LIMITS = {
    "MARKET_DATA": (7, 10 * streams.GB),
    "PREDICTIONS": (30, 5 * streams.GB),
    "EXPLANATIONS": (30, 2 * streams.GB),
    "MODEL_METRICS": (90, 1 * streams.GB),
    "ROUTING": (7, 512 * streams.MB),
}


def on_server(server: NatsServer, scenario: Callable[[JetStreamContext], Awaitable[None]]) -> None:
    async def run() -> None:
        nc = await nats.connect(server.url)
        try:
            await scenario(nc.jetstream())
        finally:
            await nc.close()

    run_sync(run())


def test_the_five_streams_keep_the_tutorials_limits_in_seconds() -> None:
    assert list(streams.COURSE_STREAMS) == list(TUTORIAL_LIMITS)
    for name, (days, max_bytes) in TUTORIAL_LIMITS.items():
        config = streams.COURSE_STREAMS[name]
        assert config.max_age == days * 24 * 60 * 60
        assert config.as_dict()["max_age"] == days * 24 * 60 * 60 * 1_000_000_000  # what is sent
        assert config.max_bytes == max_bytes


@pytest.mark.parametrize("subject", TUTORIAL_SUBJECTS)
def test_each_tutorial_subject_belongs_to_exactly_its_stream(subject: str) -> None:
    owners = [
        name
        for name, config in streams.COURSE_STREAMS.items()
        if any(matches(pattern, subject) for pattern in config.subjects or [])
    ]
    assert owners == [TUTORIAL_SUBJECTS[subject]]


def test_course_streams_are_created_and_capture_the_pipeline(server: NatsServer) -> None:
    async def scenario(js: JetStreamContext) -> None:
        infos = await streams.ensure_course_streams(js)
        assert [i.config.name for i in infos] == list(streams.COURSE_STREAMS)
        for subject, stream in TUTORIAL_SUBJECTS.items():
            assert (await js.publish(subject, b"{}")).stream == stream
        again = await streams.ensure_course_streams(js, ["ROUTING"])  # identical: a no-op
        assert again[0].state.messages == 1

    on_server(server, scenario)


def test_ensure_stream_updates_in_place_and_keeps_messages(server: NatsServer) -> None:
    async def scenario(js: JetStreamContext) -> None:
        old = StreamConfig(name="MD", subjects=["market.data.*"], max_age=60)
        await streams.ensure_stream(js, old)
        await js.publish("market.data.AAPL", b"{}")
        new = old.evolve(subjects=["market.data.>"], max_age=streams.DAY)
        info = await streams.ensure_stream(js, new)
        assert info.config.subjects == ["market.data.>"] and info.config.max_age == streams.DAY
        assert info.state.messages == 1

    on_server(server, scenario)


def test_ensure_stream_passes_on_what_update_cannot_do(server: NatsServer) -> None:
    async def scenario(js: JetStreamContext) -> None:
        config = StreamConfig(name="MD", subjects=["md.>"], storage=StorageType.FILE)
        await streams.ensure_stream(js, config)
        with pytest.raises(APIError) as raised:
            await streams.ensure_stream(js, config.evolve(storage=StorageType.MEMORY))
        assert "storage type" in (raised.value.description or "")

    on_server(server, scenario)


def test_delete_streams_names_only_what_existed(server: NatsServer) -> None:
    async def scenario(js: JetStreamContext) -> None:
        await js.add_stream(name="A", subjects=["a.>"])
        assert await streams.delete_streams(js, ["A", "MISSING"]) == ["A"]
        assert await js.streams_info() == []

    on_server(server, scenario)
