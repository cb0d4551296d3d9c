"""The server's HTTP monitoring endpoints, as dicts for code and DataFrames for people.

The tutorial checks the server with ``curl http://localhost:8222/healthz``; these are
the same endpoints read from Python, so a notebook can assert on them and show tables.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from gym.waiting import eventually

if TYPE_CHECKING:  # pandas costs ~0.4 s to import; only the table functions need it
    import pandas as pd

__all__ = [
    "MonitorError",
    "fetch",
    "healthz",
    "healthy",
    "varz",
    "jsz",
    "connz",
    "subsz",
    "as_table",
    "consumers_table",
]


class MonitorError(RuntimeError):
    """The monitoring endpoint could not be read; the message names the URL."""


def _get(url: str, timeout: float) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return json.load(reply)
    except urllib.error.HTTPError as error:  # healthz answers 503 with a JSON body
        body = error.read()
        try:
            return json.loads(body)
        except ValueError:
            raise MonitorError(f"{url} answered HTTP {error.code}.") from None
    except (OSError, ValueError) as error:
        raise MonitorError(
            f"Could not read {url} ({error}). Is the server running with monitoring on "
            "(-m PORT)? For an external server, set NATS_MONITOR_URL."
        ) from None


async def fetch(monitor_url: str, endpoint: str, timeout: float = 3.0, **params: Any) -> dict:
    """GET ``/<endpoint>?params`` from the monitoring port, off the event loop."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    url = f"{monitor_url.rstrip('/')}/{endpoint}" + (f"?{query}" if query else "")
    return await asyncio.to_thread(_get, url, timeout)


async def healthz(monitor_url: str) -> dict:
    """``{"status": "ok"}`` once the server, and JetStream if enabled, are ready."""
    return await fetch(monitor_url, "healthz")


async def healthy(monitor_url: str, within: float = 5.0) -> dict:
    """``/healthz`` once it says ok, or its last answer after ``within`` seconds.

    Just after a stream is deleted, nats-server 2.15 may answer 503 for a moment ("JetStream
    stream '$G > NAME' could not be recovered": measured 29 times in 100 deletions): wait for
    the server's own answer to change rather than read one moment's.
    """
    return await eventually(
        lambda: healthz(monitor_url), within=within, until=lambda reply: reply.get("status") == "ok"
    )


async def varz(monitor_url: str) -> dict:
    """General server information: version, uptime, connections, message counts."""
    return await fetch(monitor_url, "varz")


async def jsz(monitor_url: str, **params: Any) -> dict:
    """JetStream usage: streams, consumers, messages, bytes, limits."""
    return await fetch(monitor_url, "jsz", **params)


async def connz(monitor_url: str, **params: Any) -> dict:
    """Client connections, optionally with their subscriptions (``subs=1``)."""
    return await fetch(monitor_url, "connz", **params)


async def subsz(monitor_url: str, **params: Any) -> dict:
    """Subscription routing: how many subscriptions and how matching went."""
    return await fetch(monitor_url, "subsz", **params)


def as_table(data: dict, keys: list[str] | None = None) -> pd.DataFrame:
    """A two-column table (field, value) of the chosen keys of a monitoring reply."""
    import pandas as pd

    chosen = (
        keys if keys is not None else [k for k, v in data.items() if not isinstance(v, dict | list)]
    )
    return pd.DataFrame({"field": chosen, "value": [data.get(k) for k in chosen]}).set_index(
        "field"
    )


def _consumer_details(jsz_reply: dict) -> list[tuple[str, dict]]:
    return [
        (stream["name"], consumer)
        for account in jsz_reply.get("account_details", [])
        for stream in account.get("stream_detail", [])
        for consumer in stream.get("consumer_detail", []) or []
    ]


def consumers_table(jsz_reply: dict) -> pd.DataFrame:
    """One row per consumer from ``jsz(consumers=1, config=1)``: where it is and what waits.

    ``num_pending`` is what the consumer has not been given yet; ``num_ack_pending`` what
    it was given and has not acknowledged. A consumer whose ack-pending count reached its
    ``max_ack_pending`` is given nothing more until it acknowledges: it is stuck.
    """
    import pandas as pd

    rows = [
        {
            "stream": stream_name,
            "consumer": consumer["name"],
            "delivered": consumer["delivered"]["stream_seq"],
            "ack_floor": consumer["ack_floor"]["stream_seq"],
            "num_pending": consumer["num_pending"],
            "num_ack_pending": consumer["num_ack_pending"],
            "num_redelivered": consumer["num_redelivered"],
            "max_ack_pending": consumer.get("config", {}).get("max_ack_pending"),
        }
        for stream_name, consumer in _consumer_details(jsz_reply)
    ]
    columns = [
        "stream",
        "consumer",
        "delivered",
        "ack_floor",
        "num_pending",
        "num_ack_pending",
        "num_redelivered",
        "max_ack_pending",
    ]
    return pd.DataFrame(rows, columns=columns).set_index(["stream", "consumer"])
