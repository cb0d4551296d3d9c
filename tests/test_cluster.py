"""gym.cluster: real routed servers on loopback — ready, crash and restart, leaf nodes, cleanup.

No test here crashes a stream's leader (that costs a 4–9 s election; notebook 15 and the
ex15 check do it): a follower is killed instead, which proves the same restart machinery
in about a second.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.js.api import StorageType

from gym import cluster as gym_cluster
from gym import server as gym_server
from gym.cluster import (
    Cluster,
    move_stream_leader,
    start_cluster,
    start_leaf,
    stream_leader,
    until_current,
)
from gym.sync_bridge import run_sync
from tests.conftest import killed_afterwards, wait_until_gone, wait_until_thread_gone


def monitor(url: str, endpoint: str) -> dict:
    with urllib.request.urlopen(f"{url}/{endpoint}", timeout=2) as reply:
        return json.load(reply)


async def quiet(_: Exception) -> None:
    """Nodes go down on purpose here: reconnect errors are expected."""


async def connect(urls: list[str]) -> nats.NATS:
    return await nats.connect(servers=urls, reconnect_time_wait=0.05, error_cb=quiet)


@pytest.fixture
def cluster() -> Cluster:
    running = start_cluster(3)
    yield running
    running.stop()


def test_ready_means_every_node_healthy_on_loopback_with_one_meta_leader(cluster: Cluster) -> None:
    assert [node.name for node in cluster.nodes] == ["n1", "n2", "n3"]
    assert len(set(cluster.urls)) == 3
    assert all(url.startswith("nats://127.0.0.1:") for url in cluster.urls)
    leaders = set()
    for node in cluster.nodes:
        assert monitor(node.monitor_url, "healthz") == {"status": "ok"}
        varz = monitor(node.monitor_url, "varz")
        assert varz["host"] == varz["http_host"] == varz["cluster"]["addr"] == "127.0.0.1"
        assert varz["leaf"]["host"] == "127.0.0.1"
        assert varz["jetstream"]["config"]["store_dir"].startswith(str(node.server.store_dir))
        routed = {route["remote_name"] for route in monitor(node.monitor_url, "routez")["routes"]}
        assert routed == {n.name for n in cluster.nodes} - {node.name}
        meta = monitor(node.monitor_url, "jsz")["meta_cluster"]
        assert meta["cluster_size"] == 3
        leaders.add(meta["leader"])
    assert len(leaders) == 1 and leaders == {cluster.meta_leader()}
    assert len({node.server.folder for node in cluster.nodes}) == 3

    async def r3_stream() -> None:
        nc = await connect(cluster.urls)
        info = await nc.jetstream().add_stream(name="R3", subjects=["r3.>"], num_replicas=3)
        assert info.cluster.leader in {"n1", "n2", "n3"} and len(info.cluster.replicas) == 2
        await nc.close()

    run_sync(r3_stream())


def test_healthz_waits_for_a_meta_leader_and_js_enabled_only_does_not() -> None:
    """Why readiness is plain /healthz: a node whose peers never come is not healthy."""
    port, *absent = gym_cluster.free_ports(3)
    routes = ", ".join(f"nats-route://127.0.0.1:{p}" for p in [port, *absent])
    alone = gym_server.launch_server(
        config=f"server_name: alone\ncluster {{ name: alone, listen: 127.0.0.1:{port}, "
        f"routes: [{routes}] }}\njetstream {{ max_file_store: 1GB }}\n"
    )
    try:
        for _ in range(500):
            if (urls := alone.urls()) is not None:
                break
            time.sleep(0.01)  # until it has written its ports file
        assert urls is not None
        with pytest.raises(urllib.error.HTTPError) as unavailable:
            monitor(urls[1], "healthz")
        assert unavailable.value.code == 503
        assert "meta" in json.load(unavailable.value)["error"]
        assert monitor(urls[1], "healthz?js-enabled-only=true") == {"status": "ok"}
        assert monitor(urls[1], "jsz")["meta_cluster"].get("leader") in (None, "")
    finally:
        alone.abandon()


def test_a_killed_node_restarts_on_its_ports_and_store_and_catches_up(cluster: Cluster) -> None:
    async def scenario() -> None:
        nc = await connect(cluster.urls)
        js = nc.jetstream()
        await js.add_stream(
            name="KEPT", subjects=["kept.>"], num_replicas=3, storage=StorageType.FILE
        )
        leader = await stream_leader(nc, "KEPT")
        # A node that leads nothing: killing it needs no election, so this test stays quick.
        victim = next(n for n in cluster.nodes if n.name not in {leader, cluster.meta_leader()})
        # A client of the victim's would lose a publish sent as it dies (a timeout, not this
        # test's subject): this one uses the two others.
        await nc.close()
        nc = await connect([n.url for n in cluster.nodes if n is not victim])
        js = nc.jetstream()
        for n in range(10):
            await js.publish("kept.n", str(n).encode())
        url, old_pid, folder = victim.url, victim.pid, victim.server.folder
        victim.kill()
        assert not victim.running and wait_until_gone(old_pid)
        assert victim.server.store_dir.is_dir(), "kill() must keep the store"
        for n in range(10, 30):  # the two others are a majority: publishing goes on
            await js.publish("kept.n", str(n).encode(), timeout=2)
        # (the leader keeps calling the dead replica "current" for a moment: not asserted)

        victim.restart()
        assert victim.running and victim.url == url and victim.pid != old_pid
        assert victim.server.folder == folder
        cluster.wait_until_healthy()
        await until_current(nc, "KEPT", victim.name, within=5)
        # the restarted node now holds all 30 messages itself
        jsz = monitor(victim.monitor_url, "jsz")
        assert jsz["messages"] == 30
        await nc.close()

    run_sync(scenario())


def test_a_cluster_started_and_a_node_restarted_from_threads_that_ended_stay_up() -> None:
    """Nodes are started (and restarted) from threads that end at once, as with
    ``asyncio.to_thread`` or a pool; they must live as long as this process."""
    with ThreadPoolExecutor(1) as pool:
        started = pool.submit(lambda: (start_cluster(3), threading.get_native_id()))
        cluster, starter = started.result()
    try:
        wait_until_thread_gone(starter)
        victim = next(n for n in cluster.nodes if n.name != cluster.meta_leader())
        victim.kill()
        restarter = threading.Thread(target=victim.restart)
        restarter.start()
        restarter.join()
        wait_until_thread_gone(restarter.native_id)
        cluster.wait_until_healthy()
        assert all(node.running for node in cluster.nodes)
        assert all(monitor(n.monitor_url, "healthz") == {"status": "ok"} for n in cluster.nodes)
    finally:
        cluster.stop()


def test_terminate_hands_the_stream_leadership_over(cluster: Cluster) -> None:
    async def scenario() -> None:
        nc = await connect(cluster.urls)
        js = nc.jetstream()
        await js.add_stream(name="MOVED", subjects=["moved.>"], num_replicas=3)
        # Lead from a node that is neither the meta leader nor the client's server.
        connected = nc.connected_url.port
        old = next(
            n
            for n in cluster.nodes
            if n.name != cluster.meta_leader() and int(n.url.rsplit(":", 1)[1]) != connected
        )
        await move_stream_leader(nc, "MOVED", old.name)
        loop = asyncio.get_running_loop()
        started = loop.time()
        old.terminate()
        assert not old.running and old.server.process.returncode is not None
        new = await stream_leader(nc, "MOVED", within=3)
        ack = await js.publish("moved.x", b"after", timeout=2)
        # No election timeout (4-9 s): the leader handed over as it shut down.
        assert new != old.name and ack.seq == 1 and loop.time() - started < 3
        await nc.close()

    run_sync(scenario())


def test_leaf_node_with_its_own_domain_reaches_the_hub() -> None:
    with start_cluster(3, domain="hub") as hub:
        edge = start_leaf(hub, domain="edge")
        leafz = [monitor(node.monitor_url, "leafz")["leafnodes"] for node in hub.nodes]
        assert sum(leafz) == 1

        async def scenario() -> None:
            central, local = await connect(hub.urls), await connect([edge.url])
            await central.jetstream().add_stream(name="ORDERS", subjects=["orders.>"])
            # core messages cross both ways, once the interest has crossed
            to_hub, to_edge = await central.subscribe("up"), await local.subscribe("down")
            assert await delivered(local, "up", b"from the edge", to_hub)
            assert await delivered(central, "down", b"from the hub", to_edge)
            # the edge's own JetStream, and the hub's through its domain
            assert (await local.jetstream().account_info()).domain == "edge"
            ack = await local.jetstream(domain="hub").publish("orders.1", b"edge order")
            assert (ack.stream, ack.seq, ack.domain) == ("ORDERS", 1, "hub")
            await central.close()
            await local.close()

        run_sync(scenario())
        folder = edge.folder
    assert not folder.exists(), "stopping the hub stops its leaf nodes"


async def delivered(nc: nats.NATS, subject: str, data: bytes, sub: object) -> bool:
    """Publish until ``sub`` receives one: a subscription's interest crosses routes and
    leaf connections a moment after it is made, and core NATS drops what nobody wants."""
    for _ in range(100):
        await nc.publish(subject, data)
        try:
            return (await sub.next_msg(timeout=0.05)).data == data
        except nats.errors.TimeoutError:
            continue
    return False


def test_nothing_is_left_after_the_owner_is_killed() -> None:
    script = (
        "import json, sys; from gym.cluster import start_cluster, start_leaf\n"
        "c = start_cluster(3, domain='hub'); leaf = start_leaf(c)\n"
        "servers = [n.server for n in c.nodes] + [leaf]\n"
        "print(json.dumps([[s.process.pid, str(s.folder)] for s in servers]), flush=True)\n"
        "sys.stdin.read()"
    )
    with killed_afterwards(script) as line:
        servers = json.loads(line)
        assert len(servers) == 4 and all(Path(folder).is_dir() for _, folder in servers)
    for pid, _ in servers:
        assert wait_until_gone(pid), f"nats-server {pid} outlived its owner"
    gym_server.sweep_orphaned_folders()  # another test process may have swept them already
    assert not any(Path(folder).exists() for _, folder in servers)


def test_a_check_workers_cluster_dies_with_the_worker() -> None:
    """ex15's criterion starts its cluster inside the worker's event loop; a worker the
    supervisor kills for overrunning must take every node with it."""
    script = (
        "import asyncio, json, sys\n"
        "from types import SimpleNamespace\n"
        "from gym.checker.checks.ex15 import failover_cluster\n"
        "async def quiet(error): pass\n"
        "async def main():\n"
        "    ctx = SimpleNamespace(problems=SimpleNamespace(nats_error_cb=quiet))\n"
        "    async with failover_cluster(ctx) as failover:\n"
        "        print(json.dumps([n.pid for n in failover.cluster.nodes]), flush=True)\n"
        "        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)\n"
        "asyncio.run(main())"
    )
    with killed_afterwards(script) as line:
        pids = json.loads(line)
        assert len(pids) == 3
    for pid in pids:
        assert wait_until_gone(pid), f"node {pid} outlived the killed worker"


def test_a_taken_route_port_makes_the_whole_cluster_start_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    real_free_ports = gym_cluster.free_ports
    asked: list[list[int]] = []

    def first_one_taken(n: int) -> list[int]:
        ports = real_free_ports(n)
        if not asked:
            ports[1] = taken  # as if another program bound it between probe and launch
        asked.append(ports)
        return ports

    monkeypatch.setattr(gym_cluster, "free_ports", first_one_taken)
    mine = f"{os.getpid()}-*"  # other processes (parallel tests) have folders there too
    before = set(gym_server.GYM_TMP.glob(mine))
    try:
        with start_cluster(3) as retried:
            # two starts, or three when the second also stalls in its first election (1 in 20)
            assert len(asked) >= 2 and taken not in [n.cluster_port for n in retried.nodes]
            assert retried.meta_leader()
            now = set(gym_server.GYM_TMP.glob(mine)) - before
            assert now == {n.server.folder for n in retried.nodes}, "the first try left folders"
    finally:
        squatter.close()


def test_a_start_without_a_meta_leader_in_time_starts_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_free_ports = gym_cluster.free_ports
    attempts: list[list[int]] = []
    monkeypatch.setattr(
        gym_cluster, "free_ports", lambda n: attempts.append([]) or real_free_ports(n)
    )
    monkeypatch.setattr(gym_cluster, "BOOTSTRAP_PATIENCE", 0.01)  # as if stuck in a split vote
    mine = f"{os.getpid()}-*"
    before = set(gym_server.GYM_TMP.glob(mine))
    with start_cluster(2) as patient:
        assert len(attempts) == gym_cluster.START_ATTEMPTS  # the last one waits the timeout
        assert patient.meta_leader()
        now = set(gym_server.GYM_TMP.glob(mine)) - before
        assert now == {n.server.folder for n in patient.nodes}, "earlier tries left folders"


def test_the_port_retry_gives_up_with_the_servers_words(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        monkeypatch.setattr(gym_cluster, "free_ports", lambda n: [taken] * n)
        with pytest.raises(gym_server.ServerError, match="address already in use"):
            start_cluster(2)


def test_stop_is_idempotent_and_removes_every_store() -> None:
    with start_cluster(2) as pair:
        folders = [node.server.folder for node in pair.nodes]
        pids = [node.pid for node in pair.nodes]
    pair.stop()
    assert not any(folder.exists() for folder in folders)
    assert all(wait_until_gone(pid) for pid in pids)


def test_a_cluster_without_jetstream_is_ready_once_routed() -> None:
    with start_cluster(2, jetstream=False) as plain:
        for node in plain.nodes:
            assert not monitor(node.monitor_url, "varz")["jetstream"].get("config")
            routed = {r["remote_name"] for r in monitor(node.monitor_url, "routez")["routes"]}
            assert routed == {n.name for n in plain.nodes} - {node.name}
        assert plain.meta_leader() is None
        plain.wait_until_healthy(timeout=2)


def test_one_node_is_not_a_cluster() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        start_cluster(1)
