"""``s = await gym.start()``: one connected session per kernel, to a server gym owns or yours.

With ``NATS_URL`` unset, gym starts its own embedded server (see ``gym.server``) and
connects to it; with ``NATS_URL`` set it connects there and starts nothing, with the
credentials and TLS settings of the nats CLI's variables (``gym.nats_env``). On a server
it does not own, ``s.js`` marks every stream it creates, and gym deletes only marked
streams (``gym.streams``). Calling ``start()`` again in the same kernel returns the same
live session, so "Run all" twice works; ``await s.close()`` is safe to call twice.
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

from gym import nats_env
from gym.server import NatsServer, start_server
from gym.streams import GymJetStream

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


AUTH_AND_TLS_OPTIONS = frozenset(
    {
        "user",
        "password",
        "token",
        "user_credentials",
        "nkeys_seed",
        "nkeys_seed_str",
        "signature_cb",
        "user_jwt_cb",
        "tls",
        "tls_hostname",
        "tls_handshake_first",
        "connect_timeout",
    }
)
"""The options the quick probe shares with the real connection: who we are and how we talk."""


async def _probe(
    servers: list[str], url: str, options: dict[str, object], *, from_environment: bool
) -> None:
    """Connect once to each server in turn, without retrying; the first that answers wins.

    When none does, raise ``ConnectError`` with the most telling failure: a server that
    answered and refused (credentials, TLS) says more than one that did not answer. nats-py
    hands the real causes to ``error_cb`` and may end with a bare ``NoServersError``, so the
    probe keeps what ``error_cb`` saw.
    """
    shared = {k: v for k, v in options.items() if k in AUTH_AND_TLS_OPTIONS}
    shared.setdefault("connect_timeout", CONNECT_TIMEOUT)
    failures: list[tuple[str, BaseException]] = []

    for server in servers:

        async def keep(error: Exception, server: str = server) -> None:
            failures.append((server, error))

        try:
            probe = await nats.connect(
                server,
                allow_reconnect=False,
                max_reconnect_attempts=1,  # 0 would mean "forever" to nats-py
                reconnect_time_wait=0.05,
                error_cb=keep,
                **shared,
            )
        except Exception as error:  # nats-py raises several unrelated types here
            failures.append((server, error))
            continue
        await probe.close()
        return
    telling = [f for f in failures if not isinstance(f[1], nats.errors.NoServersError)]
    answered = [f for f in telling if not isinstance(f[1], ConnectionRefusedError | TimeoutError)]
    # a server that answered and refused is named alone; "nobody answered" names them all
    server, error = answered[0] if answered else (url, (telling or failures)[0][1])
    sentence = nats_env.explain_failure(error, server, options, from_environment=from_environment)
    raise ConnectError(sentence)


async def connect(url: str, *, name: str = "nats-gym", **options: object) -> Client:
    """Connect to ``url`` or fail within a few seconds with one readable sentence.

    ``url`` may list several servers, comma-separated. When it names ``NATS_URL``'s servers,
    the credentials and TLS settings of the environment (``NATS_USER``, ``NATS_CREDS``,
    ``NATS_CA``…, see ``gym.nats_env``) are used, unless ``options`` give their own.
    nats-py retries an unreachable or refusing first server for about two minutes by
    default; a quick probe first tells the learner at once, and the real connection keeps
    the normal reconnect behaviour for later server restarts.
    """
    servers = nats_env.server_list(url)
    if not servers:
        raise ConnectError(f"No server in the URL {url!r}: set NATS_URL to nats://host:4222.")
    from_environment = nats_env.is_environment_url(url)
    if from_environment:
        try:
            options = {**nats_env.connect_options(), **options}
        except nats_env.EnvironmentProblem as problem:
            raise ConnectError(str(problem)) from None
    if options.get("tls") is not None:
        nats_env.quiet_tls_close_warning()
    await _probe(servers, url, options, from_environment=from_environment)
    options.setdefault("error_cb", _report_error)
    options.setdefault("connect_timeout", CONNECT_TIMEOUT)
    return await nats.connect(servers, name=name, **options)


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
        """One line saying which server this session uses (and, if not gym's, what gym does)."""
        v = self.nc.connected_server_version
        version = f"{v.major}.{v.minor}.{v.patch}"
        if self.owns_server:
            return f"Connected to embedded nats-server {version} at {self.url}"
        return (
            f"Connected to external nats-server {version} at {nats_env.redact(self.url)} "
            "(NATS_URL): gym creates only the streams a notebook needs and deletes only "
            "the ones it created."
        )

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
    servers = nats_env.server_list(url)
    host = (urlsplit(servers[0]).hostname if servers else None) or "127.0.0.1"
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
    # On a server gym does not own, s.js marks the streams it creates, so that gym can
    # later tell them from the streams that were there before (see gym.streams).
    js = nc.jetstream() if server is not None else GymJetStream(nc)
    _current = Session(nc=nc, js=js, url=url, monitor_url=monitor_url, server=server)
    if not quiet:
        print(_current.describe())
    return _current
