"""gym.start(): one live session per event loop, NATS_URL honoured, clear failures."""

from __future__ import annotations

import time

import pytest

import gym
from gym.server import NatsServer
from gym.sync_bridge import run_sync
from tests.conftest import wait_until_gone


@pytest.mark.usefixtures("no_nats_url")
def test_start_is_idempotent_and_close_is_safe_twice() -> None:
    async def scenario() -> None:
        first = await gym.start(quiet=True)
        again = await gym.start(quiet=True)
        assert again is first and first.owns_server
        reply = await first.nc.request("$JS.API.INFO", b"", timeout=2)
        assert b"api" in reply.data
        server = first.server
        await first.close()
        await first.close()
        assert gym.current() is None
        assert not server.folder.exists()
        assert wait_until_gone(server.process.pid)

    run_sync(scenario())


@pytest.mark.usefixtures("no_nats_url")
def test_start_prints_one_line_naming_the_server(capsys: pytest.CaptureFixture[str]) -> None:
    async def scenario() -> None:
        session = await gym.start()
        await session.close()

    run_sync(scenario())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Connected to embedded nats-server")


def test_nats_url_is_used_and_nothing_is_started(
    server: NatsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NATS_URL", server.url)
    monkeypatch.setenv("NATS_MONITOR_URL", server.monitor_url)

    async def scenario() -> None:
        session = await gym.start(quiet=True)
        assert session.server is None and session.url == server.url
        assert session.monitor_url == server.monitor_url
        await session.close()

    run_sync(scenario())
    assert server.running, "closing a session must not stop a server gym does not own"


def test_unreachable_nats_url_fails_fast_with_one_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NATS_URL", "nats://127.0.0.1:1")
    started = time.monotonic()
    with pytest.raises(gym.ConnectError) as caught:
        run_sync(gym.start(quiet=True))
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "nats://127.0.0.1:1" in message and "gym server start" in message
    assert "\n" not in message


def test_a_session_from_a_finished_loop_is_replaced(no_nats_url: None) -> None:
    first = run_sync(gym.start(quiet=True))

    async def scenario() -> None:
        second = await gym.start(quiet=True)
        assert second is not first and second.nc.is_connected
        await second.close()

    run_sync(scenario())
    assert not first.server.running and not first.server.folder.exists()


def test_an_exception_in_a_callback_is_reported_not_lost(
    server: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    async def scenario() -> None:
        nc = await gym.connect(server.url)

        async def broken(_msg: object) -> None:
            raise ValueError("bad prediction")

        await nc.subscribe("predictions.normal.AAPL", cb=broken)
        await nc.publish("predictions.normal.AAPL", b"{}")
        await nc.flush()
        await nc.drain()  # lets the callback run to the end

    run_sync(scenario())
    err = capsys.readouterr().err
    assert "nats: ValueError: bad prediction (reported by nats-py's error_cb)" in err
    assert "Traceback" not in err
