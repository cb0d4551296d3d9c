"""A server started from a notebook dies with its kernel, even when the kernel is killed."""

from __future__ import annotations

import os
import signal

import pytest
from jupyter_client.manager import start_new_kernel

from tests.conftest import wait_until_gone


def run_cell(client, code: str) -> str:  # noqa: ANN001 - jupyter_client has no public types
    """Execute ``code`` in the kernel and return what it printed."""
    printed: list[str] = []

    def collect(message: dict) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            printed.append("\n".join(message["content"]["traceback"]))

    reply = client.execute_interactive(code, output_hook=collect, timeout=30)
    assert reply["content"]["status"] == "ok", "".join(printed)
    return "".join(printed)


@pytest.mark.usefixtures("no_nats_url")
def test_server_dies_with_a_killed_kernel() -> None:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        out = run_cell(
            client, "import gym\ns = await gym.start(quiet=True)\nprint(s.server.process.pid)"
        )
        server_pid = int(out.strip())
        again = run_cell(client, "s2 = await gym.start(quiet=True)\nprint(s2 is s)")
        assert again.strip() == "True"
    finally:
        client.stop_channels()
        kernel = manager.provisioner.process
        os.kill(kernel.pid, signal.SIGKILL)  # the kernel gets no chance to clean up
        kernel.wait()
        manager.cleanup_resources()
    assert wait_until_gone(server_pid), "nats-server outlived its kernel"
