"""gym.kv: Key-Value reads asked again when nats-py says "no keys" too early."""

from __future__ import annotations

import pytest
from nats.js.errors import NoKeysError

from gym import kv
from gym.server import NatsServer
from gym.session import connect
from gym.sync_bridge import run_sync


def test_history_and_keys_read_a_real_bucket(server: NatsServer) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        nc = await connect(server.url)
        bucket = await nc.jetstream().create_key_value(bucket="registry", history=5)
        for version in (b"v1", b"v2", b"v3"):
            await bucket.put("AAPL", version)
        await bucket.put("MSFT", b"v1")
        entries = await kv.history(bucket, "AAPL")
        names = await kv.keys(bucket)
        await nc.close()
        return [e.value.decode() for e in entries], sorted(names)

    assert run_sync(scenario()) == (["v1", "v2", "v3"], ["AAPL", "MSFT"])


class LateBucket:
    """A stand-in for the one thing under test, the asking again: the first ``false_alarms``
    calls say "no keys" (as nats-py does when it loses its race), then the truth."""

    def __init__(self, false_alarms: int) -> None:
        self.false_alarms = false_alarms
        self.asked = 0

    async def keys(self) -> list[str]:
        self.asked += 1
        if self.asked <= self.false_alarms:
            raise NoKeysError
        return ["AAPL"]


def test_a_false_no_keys_is_asked_again() -> None:
    late = LateBucket(false_alarms=1)
    assert run_sync(kv.keys(late)) == ["AAPL"]  # type: ignore[arg-type]
    assert late.asked == 2


def test_no_keys_said_every_time_is_believed() -> None:
    late = LateBucket(false_alarms=kv.ASKS)
    with pytest.raises(NoKeysError):
        run_sync(kv.keys(late))  # type: ignore[arg-type]
    assert late.asked == kv.ASKS
