"""``s = await gym.start()``: one connected session per kernel, to a server gym owns or yours.

With ``NATS_URL`` unset, gym starts its own embedded server (see ``gym.server``) and
connects to it; with ``NATS_URL`` set it connects there and starts nothing. Calling
``start()`` again in the same kernel returns the same live session, so "Run all" twice
works; ``await s.close()`` is safe to call twice.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nats
import nats.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from gym.server import NatsServer, start_server

__all__ = ["Session", "ConnectError", "start", "connect", "current", "monitor_url_for"]

CONNECT_TIMEOUT = 3.0
"""Seconds to reach a server before telling the learner it is not there."""


class ConnectError(ConnectionError):
    """No NATS server answered at the URL; the message says which URL and what to do."""


CONNECTION_TROUBLE = (
    OSError,
    asyncio.TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    nats.errors.UnexpectedEOF,
)


async def _ignore_error(_: Exception) -> None:
    """For the probe: its failure becomes gym's own one-sentence ``ConnectError``."""


async def _report_error(error: Exception) -> None:
    """nats-py hands this every error, with a traceback by default.

    Connection trouble (a restart, a reconnect) is expected in lessons and says nothing
    new, so it stays quiet. Anything else — above all an exception raised inside a
    subscription callback, which would otherwise vanish — is printed as one line.
    """
    if not isinstance(error, CONNECTION_TROUBLE):
        print(
            f"nats: {type(error).__name__}: {error} (reported by nats-py's error_cb)",
            file=sys.stderr,
        )


async def connect(url: str, *, name: str = "nats-gym", **options: object) -> Client:
    """Connect to ``url`` or fail within a few seconds with one readable sentence.

    nats-py retries an unreachable first server for up to two minutes by default; a
    single quick probe first tells the learner at once, and the real connection keeps
    the normal reconnect behaviour for later server restarts.
    """
    try:
        probe = await nats.connect(
            url,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
            connect_timeout=CONNECT_TIMEOUT,
            error_cb=_ignore_error,
        )
    except Exception as error:  # nats-py raises several unrelated types here
        raise ConnectError(
            f"No NATS server answered at {url} ({type(error).__name__}: {error}). "
            "Start one with `gym server start` and export the NATS_URL it prints, "
            "or unset NATS_URL to let gym start its own."
        ) from None
    await probe.close()
    options.setdefault("error_cb", _report_error)
    return await nats.connect(url, name=name, connect_timeout=CONNECT_TIMEOUT, **options)


@dataclass
class Session:
    """A connection (``nc``), its JetStream context (``js``) and the server behind them."""

    nc: Client
    js: JetStreamContext
    url: str
    monitor_url: str
    server: NatsServer | None = None
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop, repr=False)

    @property
    def owns_server(self) -> bool:
        """True when gym started the server, so it may delete what is on it."""
        return self.server is not None

    def describe(self) -> str:
        """One line saying which server this session uses."""
        v = self.nc.connected_server_version
        version = f"{v.major}.{v.minor}.{v.patch}"
        where = "embedded" if self.owns_server else "external (NATS_URL)"
        return f"Connected to {where} nats-server {version} at {self.url}"

    async def close(self) -> None:
        """Drain the connection and stop the server gym started. Safe to call twice."""
        if not self.nc.is_closed:
            await self.nc.drain()
        if self.server is not None:
            self.server.stop()
        global _current
        if _current is self:
            _current = None


_current: Session | None = None


def current() -> Session | None:
    """The live session of this kernel, if any."""
    return _current


def monitor_url_for(url: str) -> str:
    """``NATS_MONITOR_URL``, else the conventional port 8222 on the same host."""
    explicit = os.environ.get("NATS_MONITOR_URL")
    if explicit:
        return explicit.rstrip("/")
    host = urlsplit(url.split(",")[0]).hostname or "127.0.0.1"
    return f"http://{host}:8222"


async def start(*, quiet: bool = False) -> Session:
    """Connect to ``NATS_URL`` or to a fresh embedded server; reuse the live session if any."""
    global _current
    loop = asyncio.get_running_loop()
    if _current is not None:
        if _current.loop is loop and _current.nc.is_connected:
            if not quiet:
                print(_current.describe())
            return _current
        if _current.server is not None:  # its event loop is gone; only the server is left
            _current.server.stop()
        _current = None
    url = os.environ.get("NATS_URL")
    server: NatsServer | None = None
    if url:
        monitor_url = monitor_url_for(url)
    else:
        server = start_server()
        url, monitor_url = server.url, server.monitor_url
    try:
        nc = await connect(url)
    except BaseException:
        if server is not None:
            server.stop()
        raise
    _current = Session(nc=nc, js=nc.jetstream(), url=url, monitor_url=monitor_url, server=server)
    if not quiet:
        print(_current.describe())
    return _current
