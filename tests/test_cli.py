"""The gym command, run as a learner runs it: a separate process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from gym.server import NatsServer
from tests.conftest import wait_until_gone


def gym_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gym.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def env_without_nats(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "NATS_MONITOR_URL")}
    env.update(extra)
    return env


def test_status_without_a_server_says_what_to_do() -> None:
    result = gym_cli("server", "status", env=env_without_nats())
    assert result.returncode == 1
    assert "gym server start" in result.stdout


def test_status_reports_health_and_jetstream(server: NatsServer) -> None:
    env = env_without_nats(NATS_URL=server.url, NATS_MONITOR_URL=server.monitor_url)
    result = gym_cli("server", "status", env=env)
    assert result.returncode == 0, result.stdout
    assert "health   ok" in result.stdout and "streams  0" in result.stdout


def test_status_of_an_unreachable_server_is_one_sentence() -> None:
    env = env_without_nats(NATS_URL="nats://127.0.0.1:1", NATS_MONITOR_URL="http://127.0.0.1:1")
    result = gym_cli("server", "status", env=env)
    assert result.returncode == 1
    assert result.stdout.startswith("gym: server at nats://127.0.0.1:1")
    assert "Traceback" not in result.stdout + result.stderr


def test_server_start_prints_url_and_cleans_up_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gym.cli", "server", "start"],
        stdout=subprocess.PIPE,
        text=True,
        env=env_without_nats(),
    )
    try:
        lines = [process.stdout.readline() for _ in range(4)]
        url_line = next(line for line in lines if "export NATS_URL=" in line)
        url = url_line.split("=", 1)[1].strip()
        log_line = next(line for line in lines if line.startswith("Log: "))
        folder = Path(log_line.split()[1]).parent
        status = gym_cli(
            "server",
            "status",
            env=env_without_nats(NATS_URL=url, NATS_MONITOR_URL=lines[2].split("=", 1)[1].strip()),
        )
        assert "health   ok" in status.stdout
        server_pids = [int(p.name.split("_")[1].split(".")[0]) for p in folder.glob("*.ports")]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0
    assert all(wait_until_gone(pid) for pid in server_pids)
    assert not folder.exists()


def test_lab_without_a_course_is_explained(tmp_path: Path) -> None:
    env = env_without_nats(GYM_COURSE_DIR=str(tmp_path))
    result = gym_cli("lab", env=env)
    assert result.returncode == 2 and "no course found" in result.stdout
