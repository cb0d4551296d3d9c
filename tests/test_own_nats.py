"""The course on your own NATS: the nats CLI's variables, fast failures, and "delete only ours".

The "own NATS" here is a real server gym starts with a configuration a company's might
have: a password and TLS (a CA made by trustme). The tests then point the environment
variables at it exactly as a learner would, and run the course through them.
"""

from __future__ import annotations

import json
import os
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import nbformat
import nkeys
import pytest
import trustme
from nats.js.api import StreamConfig
from nbclient import NotebookClient

import gym
from gym import nats_env
from gym.nats_env import CREDENTIAL_VARIABLES
from gym.server import NatsServer, start_server
from gym.streams import ForeignStream, created_by_gym, delete_streams, ensure_course_streams
from gym.sync_bridge import run_sync
from tests.test_cli import env_without_nats, gym_cli

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PASSWORD = "s3cret-for-tests"


@dataclass
class OwnNats:
    """A password- and TLS-protected server, and the variables that reach it."""

    server: NatsServer
    ca: Path
    client_cert: Path
    client_key: Path

    def environment(self, **changes: str | None) -> dict[str, str]:
        """NATS_URL and friends for this server; a value of None removes that variable."""
        env = {
            "NATS_URL": self.server.url,
            "NATS_MONITOR_URL": self.server.monitor_url,
            "NATS_USER": "learner",
            "NATS_PASSWORD": PASSWORD,
            "NATS_CA": str(self.ca),
        }
        env.update(changes)
        return {name: value for name, value in env.items() if value is not None}

    def admin_url(self) -> str:
        """A URL with the admin's password in it: the company's own tools, not gym."""
        return self.server.url.replace("tls://", f"tls://admin:{PASSWORD}@")


def _certificates(folder: Path) -> tuple[Path, Path, Path, Path, Path]:
    ca = trustme.CA()
    server, client = ca.issue_cert("127.0.0.1", "localhost"), ca.issue_cert("learner")
    paths = [folder / name for name in ("ca.pem", "s.pem", "s.key", "c.pem", "c.key")]
    ca.cert_pem.write_to_path(paths[0])
    server.cert_chain_pems[0].write_to_path(paths[1])
    server.private_key_pem.write_to_path(paths[2])
    client.cert_chain_pems[0].write_to_path(paths[3])
    client.private_key_pem.write_to_path(paths[4])
    return paths[0], paths[1], paths[2], paths[3], paths[4]


def _start(folder: Path, *, mutual: bool = False) -> OwnNats:
    ca, cert, key, client_cert, client_key = _certificates(folder)
    tls: dict[str, object] = {"cert_file": str(cert), "key_file": str(key)}
    if mutual:
        tls.update(ca_file=str(ca), verify=True)
    config = {
        "authorization": {
            "users": [
                {"user": "learner", "password": PASSWORD},
                {"user": "admin", "password": PASSWORD},
            ]
        },
        "tls": tls,
    }
    return OwnNats(start_server(config=json.dumps(config)), ca, client_cert, client_key)


@pytest.fixture
def own_nats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OwnNats]:
    for name in ("NATS_URL", "NATS_MONITOR_URL", *CREDENTIAL_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    running = _start(tmp_path)
    yield running
    running.server.stop()


def _use(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)


def _start_fails(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> tuple[str, float]:
    """gym.start()'s one sentence and how long it took to say it."""
    for name in ("NATS_URL", "NATS_MONITOR_URL", *CREDENTIAL_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    _use(monkeypatch, environment)
    started = time.monotonic()
    with pytest.raises(gym.ConnectError) as caught:
        run_sync(gym.start(quiet=True))
    return str(caught.value), time.monotonic() - started


def test_the_variables_reach_a_server_with_a_password_and_tls(
    own_nats: OwnNats, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(monkeypatch, own_nats.environment())

    async def scenario() -> None:
        session = await gym.start()
        assert session.server is None and not session.owns_server
        assert session.monitor_url == own_nats.server.monitor_url
        other = await gym.connect(session.url, name="a second service")  # same credentials
        assert other.is_connected
        await other.close()
        await session.close()

    run_sync(scenario())
    line = capsys.readouterr().out.strip()
    assert line.startswith("Connected to external nats-server") and "\n" not in line
    assert "deletes only the ones it created" in line and PASSWORD not in line


def test_a_wrong_password_fails_at_once_in_the_servers_words(
    own_nats: OwnNats, monkeypatch: pytest.MonkeyPatch
) -> None:
    message, took = _start_fails(monkeypatch, own_nats.environment(NATS_PASSWORD="wrong"))
    assert took < 2, f"took {took:.1f} s; nats-py's defaults would retry for two minutes"
    assert '"Authorization Violation"' in message and "NATS_PASSWORD" in message
    assert "user 'learner'" in message and "wrong" not in message and "\n" not in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"NATS_CA": None}, "set NATS_CA to the file of the CA that signed it"),
        ({"NATS_USER": None, "NATS_PASSWORD": None}, "refused a connection without credentials"),
        ({"NATS_CA": "/no/such/ca.pem"}, "NATS_CA is set to /no/such/ca.pem, which is not a file"),
    ],
    ids=["no-ca", "no-credentials", "missing-ca-file"],
)
def test_each_wrong_setting_is_one_sentence_naming_the_variable(
    own_nats: OwnNats,
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, str | None],
    expected: str,
) -> None:
    message, took = _start_fails(monkeypatch, own_nats.environment(**changes))
    assert expected in message and "\n" not in message
    assert took < 2


def test_a_url_list_and_mutual_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _start(tmp_path, mutual=True)
    try:
        without_cert, _ = _start_fails(monkeypatch, own.environment())
        assert "set NATS_CERT and NATS_KEY" in without_cert
        # the first server of the list is down: the next one is used, as the nats CLI does
        down_first = f"nats://127.0.0.1:1, {own.server.url}"
        with_cert = own.environment(
            NATS_URL=down_first, NATS_CERT=str(own.client_cert), NATS_KEY=str(own.client_key)
        )
        _use(monkeypatch, with_cert)

        async def scenario() -> int:
            session = await gym.start(quiet=True)
            assert session.url == down_first
            port = session.nc.connected_url.port
            await session.close()
            return port

        assert run_sync(scenario()) == int(own.server.url.rsplit(":", 1)[1])
    finally:
        own.server.stop()


def test_gym_server_status_uses_the_variables(own_nats: OwnNats) -> None:
    result = gym_cli("server", "status", env=env_without_nats(**own_nats.environment()))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"server   {own_nats.server.url}  (monitoring ")
    assert own_nats.server.monitor_url in lines[0]  # NATS_MONITOR_URL, honoured
    assert "over TLS with user 'learner'" in lines[1]
    assert "health   ok" in lines and lines[3].startswith("streams  0")

    wrong = gym_cli(
        "server", "status", env=env_without_nats(**own_nats.environment(NATS_PASSWORD="wrong"))
    )
    assert wrong.returncode == 1
    assert wrong.stdout.startswith(f"gym: server at {own_nats.server.url}: ")
    assert '"Authorization Violation"' in wrong.stdout and len(wrong.stdout.splitlines()) == 1

    hosted = own_nats.environment(NATS_MONITOR_URL="http://127.0.0.1:1")  # no monitoring port
    blind = gym_cli("server", "status", env=env_without_nats(**hosted))
    assert blind.returncode == 0, blind.stdout
    assert "health   unknown: set NATS_MONITOR_URL" in blind.stdout
    assert "streams  0   consumers 0   (this account)" in blind.stdout


async def _admin_streams(own: OwnNats) -> dict[str, int]:
    nc = await nats.connect(own.admin_url(), tls=_context(own), allow_reconnect=False)
    try:
        return {i.config.name: i.state.messages for i in await nc.jetstream().streams_info()}
    finally:
        await nc.close()


def _context(own: OwnNats) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(own.ca))


async def _foreign_streams(own: OwnNats, names: dict[str, str]) -> None:
    """Streams the company had before the course came: made by its admin, without gym."""
    nc = await nats.connect(own.admin_url(), tls=_context(own), allow_reconnect=False)
    js = nc.jetstream()
    for name, subject in names.items():
        await js.add_stream(StreamConfig(name=name, subjects=[f"{subject}.>"]))
        await js.publish(f"{subject}.1", b"company data")
    await nc.close()


def test_gym_deletes_only_what_it_created(
    own_nats: OwnNats, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sync(_foreign_streams(own_nats, {"PREDICTIONS": "company.predictions", "ORDERS": "orders"}))
    _use(monkeypatch, own_nats.environment())

    async def scenario() -> None:
        s = await gym.start(quiet=True)
        with pytest.raises(ForeignStream, match="PREDICTIONS .* not created by gym"):
            await ensure_course_streams(s.js, ["PREDICTIONS"])  # would change the company's
        (routing,) = await ensure_course_streams(s.js, ["ROUTING"])
        (explanations,) = await ensure_course_streams(s.nc.jetstream(), ["EXPLANATIONS"])
        assert created_by_gym(explanations), "a plain context is guarded the same way"
        made = await s.js.add_stream(name="NB_SCRATCH", subjects=["scratch.>"])
        assert created_by_gym(routing) and created_by_gym(made)
        with pytest.raises(ForeignStream):
            await s.js.delete_stream("ORDERS")
        with pytest.raises(ForeignStream):
            await s.js.purge_stream("ORDERS")
        names = ["PREDICTIONS", "ROUTING", "EXPLANATIONS", "NB_SCRATCH", "GONE"]
        assert await delete_streams(s.js, names) == ["ROUTING", "EXPLANATIONS", "NB_SCRATCH"]
        # a plain JetStream context on the same server is held to the same rule
        assert await delete_streams(s.nc.jetstream(), ["ORDERS"]) == []
        await s.close()

    run_sync(scenario())
    said = capsys.readouterr().out
    assert "gym left the stream PREDICTIONS alone: it was not created by gym." in said
    assert "gym left the stream ORDERS alone" in said
    assert run_sync(_admin_streams(own_nats)) == {"PREDICTIONS": 1, "ORDERS": 1}


def test_on_gyms_own_server_everything_named_is_deleted(server: NatsServer) -> None:
    async def scenario() -> list[str]:
        nc = await gym.connect(server.url)
        await nc.jetstream().add_stream(name="UNMARKED", subjects=["unmarked.>"])
        deleted = await delete_streams(nc.jetstream(), ["UNMARKED"])
        await nc.close()
        return deleted

    assert run_sync(scenario()) == ["UNMARKED"]


def test_a_notebook_runs_on_your_own_nats(
    own_nats: OwnNats, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notebook 04 creates and deletes a dozen streams; the company's streams survive it.

    The kernel inherits the test's environment, as a learner's kernel inherits the one
    ``gym lab`` was started in. NB04_LEGACY is a company stream whose name the notebook's
    clean-up cells pick up: gym must leave it, and say so.
    """
    run_sync(_foreign_streams(own_nats, {"NB04_LEGACY": "legacy", "ORDERS": "orders"}))
    _use(monkeypatch, own_nats.environment())
    notebook = nbformat.read(NOTEBOOKS / "04_streams.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()  # raises CellExecutionError on any cell not tagged raises-exception

    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "Connected to external nats-server" in printed
    assert "gym left the stream NB04_LEGACY alone: it was not created by gym." in printed
    assert run_sync(_admin_streams(own_nats)) == {"NB04_LEGACY": 1, "ORDERS": 1}


def test_an_nkey_seed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NATS_NKEY names a seed file; the server knows only the public key."""
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    public = nkeys.from_seed(seed).public_key.decode()
    (tmp_path / "user.nk").write_bytes(seed)
    stranger = tmp_path / "stranger.nk"
    stranger.write_bytes(nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER))
    locked = start_server(config=json.dumps({"authorization": {"users": [{"nkey": public}]}}))
    try:
        for name in ("NATS_MONITOR_URL", *CREDENTIAL_VARIABLES):
            monkeypatch.delenv(name, raising=False)
        _use(monkeypatch, {"NATS_URL": locked.url, "NATS_NKEY": str(tmp_path / "user.nk")})

        async def scenario() -> bool:
            session = await gym.start(quiet=True)
            connected = session.nc.is_connected
            await session.close()
            return connected

        assert run_sync(scenario())
        message, _ = _start_fails(monkeypatch, {"NATS_URL": locked.url, "NATS_NKEY": str(stranger)})
        assert (
            "refused an nkey seed (NATS_NKEY)" in message and "Authorization Violation" in message
        )
    finally:
        locked.stop()


def test_the_variables_map_to_nats_py_options_as_the_nats_cli_reads_them(tmp_path: Path) -> None:
    """NATS_CREDS is handed to nats-py as it is (no operator-mode server is started here)."""
    creds, seed = tmp_path / "user.creds", tmp_path / "user.nk"
    creds.write_text("a credentials file")
    seed.write_text("SU…")
    assert nats_env.connect_options({"NATS_USER": "tok"}) == {"token": "tok"}
    assert nats_env.connect_options({"NATS_CREDS": str(creds), "NATS_NKEY": str(seed)}) == {
        "user_credentials": str(creds),
        "nkeys_seed": str(seed),
    }
    with pytest.raises(nats_env.EnvironmentProblem, match="NATS_CREDS is set to"):
        nats_env.connect_options({"NATS_CREDS": str(tmp_path / "missing.creds")})
    with pytest.raises(nats_env.EnvironmentProblem, match="NATS_KEY is not set"):
        nats_env.connect_options({"NATS_CERT": str(creds)})
    assert nats_env.server_list(" a:4222, tls://b:4443 ,") == ["nats://a:4222", "tls://b:4443"]
    assert (
        nats_env.redact("nats://alice:secret@a:4222,nats://b") == "nats://alice:***@a:4222,nats://b"
    )
