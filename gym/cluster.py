"""A real NATS cluster on loopback: n routed servers, nodes to crash and restart, leaf nodes.

Built on ``gym.server``: every node is an embedded server like ``gym.start()``'s — loopback
only, its own temporary store, dead with its owner process even on ``kill -9`` and
whichever thread started or restarted it (``gym.spawner``), folder removed on ``stop()`` or
swept at the next start.

Why it looks like this:

* **Ready means usable.** A JetStream cluster cannot create a stream until a majority of its
  nodes has elected a *meta leader* (the node that owns the cluster's stream and consumer
  assignments). Until then each node's ``/healthz`` answers 503 ("JetStream is still
  recovering meta layer", then "JetStream has not established contact with a meta
  leader"); ``/healthz?js-enabled-only=true`` says ok long before, as it only asks whether
  JetStream is switched on (both shown in ``tests/test_cluster.py``). So the nodes are launched
  together, and the cluster is ready when every node's ``/healthz`` is ok and they all
  name the same meta leader in ``/jsz``.
* **Ports.** Client, monitoring and leaf-node ports are picked by the servers themselves
  (``-1``) and read back, as for one server. The cluster (route) ports cannot be: every
  node's configuration must list every node's route address before any node runs (a
  node started without routes refuses to run JetStream clustered, and one that knows
  only some of its peers bootstraps expecting too few of them). They are found by asking
  the kernel for free ports (bind to port 0, read the number, release it). Between the
  release and the node binding it, another program may take the port; the node then
  exits with "address already in use", and ``start_cluster`` stops every node and starts
  the whole cluster again on fresh ports, up to ``START_ATTEMPTS`` times.
* **A stuck first election is not waited out.** Usually a meta leader is elected 0.2–0.9 s
  after launch. About one start in twenty, two nodes campaign at the same moment, no one
  wins, and nats-server waits a full election timeout (a random 4–9 s) before the next
  round. After ``BOOTSTRAP_PATIENCE`` seconds without a ready cluster, starting a fresh
  one (new stores, new ports) is quicker; the last attempt waits the whole ``timeout``.
* **Restart on the same ports and store.** A node restarts with the ports it had (the leaf
  port the server picked is written into its configuration once known), so clients and
  leaf nodes that know its address reconnect, and it rejoins with its store and catches
  up on what it missed.
* **Cluster names are unique** (``gym-<random>``): a route that reaches a node of another
  cluster (a port reused by an unrelated test) is refused by name instead of merging two
  clusters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import nats.errors
from nats.aio.client import Client
from nats.js.api import ClusterInfo
from nats.js.errors import ServiceUnavailableError

from gym.server import (
    READY_TIMEOUT,
    Launch,
    NatsServer,
    ServerError,
    launch_server,
    start_server,
)
from gym.waiting import eventually, polled

__all__ = [
    "Cluster",
    "Node",
    "move_stream_leader",
    "start_cluster",
    "start_leaf",
    "stream_leader",
    "until_current",
]

START_ATTEMPTS = 3
"""Whole-cluster starts tried when a route port turns out to be taken or the first election
stalls (see the module doc)."""

JETSTREAM_LIMITS = "max_file_store: 1TB, max_memory_store: 2GB"
"""The same room as a single embedded server (see ``gym.server.JETSTREAM_LIMITS``)."""

BOOTSTRAP_PATIENCE = 2.5
"""Seconds a start waits for its first meta leader before starting over (see above)."""

PORT_TAKEN = "address already in use"
"""What a node's last log line says when its route port was taken before it could bind."""


@dataclass
class Node:
    """One server of a cluster: a name, its URLs, and the ways it can go down and come back."""

    name: str
    server: NatsServer
    cluster_port: int
    leaf_port: int

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def monitor_url(self) -> str:
        return self.server.monitor_url

    @property
    def running(self) -> bool:
        return self.server.running

    @property
    def pid(self) -> int:
        return self.server.process.pid

    def kill(self) -> None:
        """SIGKILL, like a crash: the node hands nothing over; the others must elect."""
        self.server.kill()

    def terminate(self) -> None:
        """SIGTERM, like a planned shutdown: the node hands its leaderships over first."""
        self.server.halt()

    def restart(self, *, timeout: float = READY_TIMEOUT) -> None:
        """Start it again on the same ports and store; return once its ``/healthz`` is ok.

        Healthy means it has rejoined and found the meta leader; the streams it holds may
        still be copying what they missed a moment longer (``until_current``).
        """
        self.server.restart(timeout=timeout)

    def __repr__(self) -> str:
        state = "running" if self.running else "down"
        return f"Node({self.name!r}, {self.url}, {state})"


@dataclass
class Cluster:
    """n routed servers on 127.0.0.1; ``stop()`` (or leaving the ``with`` block) ends all."""

    name: str
    nodes: list[Node]
    domain: str | None = None
    """The JetStream domain of the cluster, if it was given one (leaf nodes need it)."""
    jetstream: bool = True
    leaves: list[NatsServer] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        """One ``nats://`` URL per node: give a client all of them (``servers=cluster.urls``)."""
        return [node.url for node in self.nodes]

    @property
    def leafnode_urls(self) -> list[str]:
        """Where leaf nodes connect: one ``nats-leaf://`` URL per node."""
        return [f"nats-leaf://127.0.0.1:{node.leaf_port}" for node in self.nodes]

    def node(self, name: str) -> Node:
        """The node called ``name`` (``"n1"``, ``"n2"``, …)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r}; the nodes are {', '.join(n.name for n in self.nodes)}")

    def meta_leader(self) -> str | None:
        """The name of the meta leader, as the first running node that knows one says."""
        for node in self.nodes:
            if node.running:
                leader = _meta_leader(node.monitor_url)
                if leader:
                    return leader
        return None

    def wait_until_healthy(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until every *running* node is healthy, routed to the other running nodes,
        and (with JetStream) they agree on a meta leader."""

        def ready() -> bool:
            running = [node.monitor_url for node in self.nodes if node.running]
            return bool(running) and _ready(running, jetstream=self.jetstream)

        if not polled(ready, within=timeout):
            raise ServerError(f"cluster {self.name} is not healthy after {timeout:g} s")

    def stop(self) -> None:
        """Stop every leaf node and node, and delete their stores. Safe twice."""
        for leaf in self.leaves:
            leaf.stop()
        for node in self.nodes:
            node.server.stop()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Cluster({self.name!r}, {self.nodes!r})"


def start_cluster(
    n: int = 3,
    *,
    jetstream: bool = True,
    domain: str | None = None,
    timeout: float = READY_TIMEOUT,
) -> Cluster:
    """Start ``n`` routed servers on loopback; return once every node is healthy and (with
    JetStream) a meta leader is elected. ``domain`` names the cluster's JetStream domain,
    which a leaf node with a JetStream of its own needs to reach it (``start_leaf``).

    Any thread may call it: the nodes live as long as this process (``gym.spawner``).
    ``timeout`` is what the last of the ``START_ATTEMPTS`` may take.
    """
    if n < 2:
        raise ValueError(f"a cluster needs at least 2 nodes (got {n}); use start_server()")
    for attempt in range(1, START_ATTEMPTS + 1):
        last = attempt == START_ATTEMPTS
        patience = timeout if last else min(BOOTSTRAP_PATIENCE, timeout)
        try:
            return _start_once(n, jetstream=jetstream, domain=domain, timeout=patience)
        except ServerError as error:
            if last or not (PORT_TAKEN in str(error) or isinstance(error, _NotReadyYet)):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class _NotReadyYet(ServerError):
    """Every node still runs, but the cluster was not ready in time (no meta leader yet)."""


def free_ports(n: int) -> list[int]:
    """n different ports that were free a moment ago (held together, then released)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _start_once(n: int, *, jetstream: bool, domain: str | None, timeout: float) -> Cluster:
    name = f"gym-{secrets.token_hex(4)}"
    ports = free_ports(n)
    routes = ", ".join(f"nats-route://127.0.0.1:{port}" for port in ports)
    launches: list[Launch] = []
    try:
        for number, port in enumerate(ports, start=1):
            config = (
                f"server_name: n{number}\n"
                f"cluster {{ name: {name}, listen: 127.0.0.1:{port}, routes: [{routes}] }}\n"
                "leafnodes { listen: 127.0.0.1:-1 }\n"
            )
            if jetstream:
                config += _jetstream_block(domain)
            launches.append(launch_server(config=config, jetstream=jetstream))
        servers = _wait_for_all(launches, timeout, jetstream=jetstream)
    except BaseException:
        for launch in launches:
            launch.abandon()
        raise
    nodes = [
        Node(f"n{number}", server, port, _pin_leaf_port(server))
        for number, (server, port) in enumerate(zip(servers, ports, strict=True), start=1)
    ]
    return Cluster(name, nodes, domain, jetstream)


def _jetstream_block(domain: str | None) -> str:
    domain_line = f", domain: {domain}" if domain else ""
    return f"jetstream {{ {JETSTREAM_LIMITS}{domain_line} }}\n"


def _wait_for_all(
    launches: Sequence[Launch], timeout: float, *, jetstream: bool
) -> list[NatsServer]:
    """Every node's URLs once all are healthy (and agree on a meta leader), or the first
    node's failure — at once when a node exits, so a taken port costs no waiting."""
    found: dict[int, tuple[str, str]] = {}

    def all_ready() -> list[NatsServer] | None:
        for index, launch in enumerate(launches):
            if launch.exited():
                raise launch.failure(timeout)
            if index not in found and (urls := launch.urls_when_healthy()):
                found[index] = urls
        if len(found) < len(launches):
            return None
        if not _ready([found[i][1] for i in range(len(launches))], jetstream=jetstream):
            return None
        return [launch.server(*found[i]) for i, launch in enumerate(launches)]

    servers = polled(all_ready, within=timeout)
    if servers:
        return servers
    late = [launch for index, launch in enumerate(launches) if index not in found]
    raise _NotReadyYet(str((late or launches)[0].failure(timeout)))


def _get(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:
            return json.load(reply)
    except urllib.error.HTTPError as error:  # healthz answers 503 with a JSON body
        with contextlib.suppress(ValueError):
            return json.loads(error.read())
        return None
    except (OSError, ValueError):
        return None


def _meta_leader(monitor_url: str) -> str | None:
    reply = _get(f"{monitor_url}/jsz") or {}
    return (reply.get("meta_cluster") or {}).get("leader") or None


def _ready(monitor_urls: Sequence[str], *, jetstream: bool) -> bool:
    """Every one of these nodes healthy and routed to all the others; with JetStream, all
    naming the same meta leader."""
    leaders = set()
    for monitor_url in monitor_urls:
        if (_get(f"{monitor_url}/healthz") or {}).get("status") != "ok":
            return False
        routes = (_get(f"{monitor_url}/routez") or {}).get("routes") or []
        if len({route.get("remote_name") for route in routes}) < len(monitor_urls) - 1:
            return False
        if jetstream:
            leaders.add(_meta_leader(monitor_url))
    return not jetstream or (len(leaders) == 1 and None not in leaders)


def _leaf_port(server: NatsServer) -> int:
    """The leaf-node port the server picked (the ports file does not list it; /varz does)."""
    varz = _get(f"{server.monitor_url}/varz") or {}
    port = (varz.get("leaf") or {}).get("port")
    if not port:
        raise ServerError(f"{server.url} does not listen for leaf nodes")
    return int(port)


def _pin_leaf_port(server: NatsServer) -> int:
    """Write the leaf port the server picked into its configuration, for ``restart()``."""
    config: Path = server.folder / "server.conf"
    port = _leaf_port(server)
    config.write_text(
        config.read_text().replace(
            "leafnodes { listen: 127.0.0.1:-1 }", f"leafnodes {{ listen: 127.0.0.1:{port} }}"
        )
    )
    return port


def start_leaf(
    hub: Cluster,
    *,
    name: str = "leaf",
    domain: str = "leaf",
    jetstream: bool = True,
    timeout: float = READY_TIMEOUT,
) -> NatsServer:
    """Start a leaf node connected to ``hub``; return once the connection is up.

    A leaf node is a server of its own (an edge site, a laptop) that extends the hub's
    subjects over one outbound connection: its clients' core messages cross to the hub and
    back wherever there is interest. With JetStream it keeps its own JetStream in its own
    ``domain``; a client there reaches the hub's streams with
    ``nc.jetstream(domain=hub.domain)``. It stops with the hub (``hub.stop()``) or alone.
    """
    if jetstream and not hub.domain:
        raise ValueError(
            "a leaf node with its own JetStream needs the hub to have a domain too: "
            "start_cluster(..., domain='hub')"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]+", domain):
        raise ValueError(f"a JetStream domain is letters, digits, '-' and '_', not {domain!r}")
    # the running nodes only: a leaf node that first tries a stopped one waits a second
    remotes = ", ".join(
        url for node, url in zip(hub.nodes, hub.leafnode_urls, strict=True) if node.running
    )
    config = f"server_name: {name}\nleafnodes {{ remotes: [ {{ urls: [{remotes}] }} ] }}\n"
    if jetstream:
        config += _jetstream_block(domain)
    leaf = start_server(config=config, jetstream=jetstream, timeout=timeout)
    try:
        _wait_for_leaf_connection(leaf, timeout)
    except BaseException:
        leaf.stop()
        raise
    hub.leaves.append(leaf)
    return leaf


def _wait_for_leaf_connection(leaf: NatsServer, timeout: float) -> None:

    def connected() -> bool:
        return ((_get(f"{leaf.monitor_url}/leafz") or {}).get("leafnodes") or 0) >= 1

    if polled(connected, within=timeout):
        return
    raise ServerError(
        f"the leaf node did not connect to its hub within {timeout:g} s; "
        f"its last log line was: {leaf.last_log_line() or '(nothing)'}"
    )


async def stream_leader(nc: Client, stream: str, *, within: float = 15.0) -> str:
    """The name of the node that leads ``stream``, once it has a leader.

    While a stream elects, ``stream_info`` names no leader, answers 503, or is not answered
    at all (the request reached the node that just went away): each look waits a quarter
    of a second at most, and looks again until ``within`` seconds have passed.
    """
    cluster = await eventually(
        lambda: _stream_cluster(nc, stream),
        within=within,
        until=lambda cluster: cluster is not None and bool(cluster.leader),
        every=0.01,
    )
    if cluster is None or not cluster.leader:
        raise TimeoutError(f"stream {stream} has no leader after {within:g} s")
    return cluster.leader


async def _stream_cluster(nc: Client, stream: str) -> ClusterInfo | None:
    """``stream_info(stream).cluster``, or None while the stream elects: 503 "JetStream
    cluster not available", no responders, or a request that reached the node just gone."""
    with contextlib.suppress(
        nats.errors.TimeoutError, nats.errors.NoRespondersError, ServiceUnavailableError
    ):
        return (await nc.jetstream(timeout=0.25).stream_info(stream)).cluster
    return None


async def until_current(nc: Client, stream: str, node: str, *, within: float = 15.0) -> None:
    """Return once ``node``'s copy of ``stream`` is current: it has everything the leader has.

    The leader's own view, from ``stream_info``: the replica is ``current`` with no ``lag``
    (or ``node`` leads the stream by now).
    """

    def current(cluster: ClusterInfo | None) -> bool:
        if cluster is None:
            return False
        return cluster.leader == node or any(
            replica.name == node and replica.current and not replica.lag
            for replica in cluster.replicas or []
        )

    cluster = await eventually(
        lambda: _stream_cluster(nc, stream), within=within, until=current, every=0.01
    )
    if not current(cluster):
        raise TimeoutError(f"{node}'s copy of {stream} is not current after {within:g} s")


async def move_stream_leader(nc: Client, stream: str, to: str, *, within: float = 5.0) -> None:
    """Make node ``to`` the leader of ``stream`` (what ``nats stream cluster step-down
    --preferred`` does): the leader steps down in favour of ``to``. Returns once it leads.

    Lessons use it to choose which node to crash, so a run shows the same story each time.
    """
    request = json.dumps({"placement": {"preferred": to}}).encode()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (leader := await stream_leader(nc, stream, within=within)) != to:
        if loop.time() > deadline:
            raise TimeoutError(f"{to} did not become the leader of {stream} ({leader} leads)")
        with contextlib.suppress(nats.errors.TimeoutError):
            await nc.request(f"$JS.API.STREAM.LEADER.STEPDOWN.{stream}", request, timeout=1)
