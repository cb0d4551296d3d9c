"""The ``gym`` command: open the course, run a server, check exercises."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from gym import monitor
from gym.runner import run_sync
from gym.server import ServerError, start_server
from gym.session import ConnectError, monitor_url_for

__all__ = ["main"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def course_dir() -> Path:
    """The notebooks folder: ``./notebooks`` if there is one, else the one beside gym."""
    here = Path.cwd() / "notebooks"
    return here if here.is_dir() else REPO_ROOT / "notebooks"


def _quiet_lab_settings(course_root: Path) -> Path:
    """A JupyterLab settings folder for the course that turns off the news prompt."""
    settings = course_root / ".gym" / "lab-settings"
    notification = (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    if not notification.is_file():
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return settings


def _lab(args: argparse.Namespace) -> int:
    notebooks = course_dir()
    welcome = notebooks / "00_welcome.ipynb"
    if not welcome.is_file():
        print(f"gym: no course found at {notebooks}; run `gym lab` from the nats-gym folder.")
        return 2
    env = dict(os.environ)
    env.setdefault("JUPYTERLAB_SETTINGS_DIR", str(_quiet_lab_settings(notebooks.parent)))
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={notebooks}",
        str(welcome),
        *args.lab_args,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        command.append("--allow-root")
    return subprocess.call(command, env=env)


def _server_start(_: argparse.Namespace) -> int:
    try:
        server = start_server()
    except ServerError as error:
        print(f"gym: {error}")
        return 1
    print("A nats-server with JetStream is running. In another terminal:")
    print(f"  export NATS_URL={server.url}")
    print(f"  export NATS_MONITOR_URL={server.monitor_url}")
    print(f"Log: {server.log_path}   Stop it with Ctrl-C (its store is then deleted).")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _server_status(_: argparse.Namespace) -> int:
    url = os.environ.get("NATS_URL")
    if not url:
        print(
            "gym: NATS_URL is not set, so no server is known. Start one with "
            "`gym server start` (notebooks start their own when NATS_URL is unset)."
        )
        return 1
    monitor_url = monitor_url_for(url)

    async def read() -> tuple[dict, dict]:
        return await monitor.healthz(monitor_url), await monitor.jsz(monitor_url)

    try:
        health, js = run_sync(read())
    except monitor.MonitorError as error:
        print(f"gym: server at {url}: {error}")
        return 1
    print(f"server   {url}  (monitoring {monitor_url})")
    print(f"health   {health.get('status')}")
    print(
        f"streams  {js.get('streams', 0)}   consumers {js.get('consumers', 0)}   "
        f"messages {js.get('messages', 0)}   bytes {js.get('bytes', 0)}"
    )
    return 0 if health.get("status") == "ok" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gym", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    lab = commands.add_parser("lab", help="open the course in JupyterLab (extra options go to it)")
    lab.set_defaults(run=_lab)
    server = commands.add_parser("server", help="run or inspect a nats-server")
    server_commands = server.add_subparsers(dest="server_command", required=True)
    server_commands.add_parser("start", help="run an embedded server until Ctrl-C").set_defaults(
        run=_server_start
    )
    server_commands.add_parser(
        "status", help="health and JetStream use of NATS_URL's server"
    ).set_defaults(run=_server_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = build_parser().parse_known_args(argv)
    if extra and args.run is not _lab:
        build_parser().error(f"unrecognized arguments: {' '.join(extra)}")
    args.lab_args = extra
    try:
        return args.run(args)
    except (ServerError, ConnectError) as error:
        print(f"gym: {error}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
