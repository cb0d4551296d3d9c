"""The ``gym`` command: open the course, run a server, check exercises."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import nats.errors
from nats.aio.client import Client

from gym import course, monitor, nats_env
from gym.checker import EXERCISES, CheckerError, CheckResult, Exercise, check, get, learner_path
from gym.checker.catalogue import UnknownExercise
from gym.checker.progress import Verdict, hints_seen, next_hint, remembered, reset
from gym.checker.watch import watch
from gym.lab import WELCOME, lab_command, lab_environment, run_lab
from gym.paths import CourseNotFound, course_root, state_dir
from gym.server import ServerError, start_server
from gym.session import ConnectError, connect, monitor_url_for
from gym.sync_bridge import run_sync

__all__ = ["main"]


def _init(args: argparse.Namespace) -> int:
    target = Path(args.directory)
    try:
        added = course.update(target) if args.update else course.init(target)
    except (course.CourseExists, course.NoCourseToUpdate, CourseNotFound) as error:
        print(f"gym: {error}")
        return 1
    if args.update:
        if not added:
            print(f"{target} already has every notebook and exercise of this nats-gym.")
        else:
            print(f"Added to {target}: {', '.join(str(p) for p in added)}.")
            print("Every file you already had is as it was.")
        return 0
    counts = {folder: sum(p.parts[0] == folder for p in added) for folder in course.COURSE_FOLDERS}
    print(
        f"Copied the course into {target}: {counts['notebooks']} notebooks, "
        f"{counts['exercises']} exercises, {counts['solutions']} solutions."
    )
    print(f"Next: cd {shlex.quote(str(target))} && gym lab")
    return 0


def _lab(args: argparse.Namespace) -> int:
    try:
        root = course_root()
    except CourseNotFound as error:
        print(f"gym: {error}")
        return 2
    if not (root / WELCOME).is_file():
        print(f"gym: no course found at {root} (no {WELCOME}); run `gym init` to make one.")
        return 2
    state = state_dir()
    command = lab_command(root, state, args.lab_args)
    return run_lab(command, lab_environment(state))


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
    shown = nats_env.redact(url)

    async def read() -> tuple[str, str, dict | None, dict | None]:
        """Over NATS, with NATS_URL's credentials: who we are and this account's JetStream.

        Then the monitoring port, which a hosted NATS usually does not expose: its absence
        is reported, not fatal.
        """
        nc = await connect(url, name="gym server status")
        try:
            who = _connection_words(nc)
            try:
                account = await nc.jetstream().account_info()
                usage = f"{account.streams}   consumers {account.consumers}   (this account)"
            except nats.errors.Error as error:
                usage = f"none: JetStream is not available to this account ({error})"
        finally:
            await nc.close()
        try:
            return who, usage, await monitor.healthz(monitor_url), await monitor.jsz(monitor_url)
        except monitor.MonitorError:
            return who, usage, None, None

    try:
        who, usage, health, js = run_sync(read())
    except ConnectError as error:
        print(f"gym: server at {shown}: {error}")
        return 1
    if health is None:
        print(f"server   {shown}  (monitoring {monitor_url} does not answer)")
        print(f"client   {who}")
        print("health   unknown: set NATS_MONITOR_URL to read the server's /healthz")
        print(f"streams  {usage}")
        return 0
    print(f"server   {shown}  (monitoring {monitor_url})")
    print(f"client   {who}")
    print(f"health   {health.get('status')}")
    print(
        f"streams  {js.get('streams', 0)}   consumers {js.get('consumers', 0)}   "
        f"messages {js.get('messages', 0)}   bytes {js.get('bytes', 0)}"
    )
    return 0 if health.get("status") == "ok" else 1


def _connection_words(nc: Client) -> str:
    """ "nats-server 2.15.1 over TLS with user 'alice'…": what the connection is, briefly."""
    v = nc.connected_server_version
    info = getattr(nc, "_server_info", {})  # the server's INFO; nats-py has no public getter
    tls = " over TLS" if info.get("tls_required") else ""
    source = nats_env.credentials_source(os.environ["NATS_URL"], nats_env.connect_options())
    version = f"{v.major}.{v.minor}.{v.patch}"
    return f"connected to nats-server {version}{tls} with {source or 'no credentials'}"


def _check(args: argparse.Namespace) -> int:
    if args.all == (args.exercise is not None):
        print("gym: name one exercise (e.g. `gym check ex03`) or use --all.")
        return 2
    chosen = EXERCISES if args.all else (get(args.exercise),)
    failed = 0
    for exercise in chosen:  # each result is printed as soon as it is known
        result = _check_showing_progress(exercise, solution=args.solution)
        print(result, flush=True)
        failed += not result.passed
    if args.all:
        print(f"{len(chosen) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _check_showing_progress(exercise: Exercise, *, solution: bool = False) -> CheckResult:
    """Check, with a transient "checking…" line on a terminal (a hang takes seconds)."""
    live = sys.stdout.isatty()

    def show(index: int, _: object) -> None:
        if live:
            print(f"\rchecking {exercise.id}: {index + 1} criteria done ", end="", flush=True)

    if live:
        print(f"checking {exercise.id} ...", end="", flush=True)
    try:
        return check(exercise.id, solution=solution, on_result=show)
    finally:
        if live:
            print("\r\x1b[K", end="", flush=True)


def _hint(args: argparse.Namespace) -> int:
    exercise = get(args.exercise)
    if args.seen:
        seen = hints_seen(exercise)
        print("\n".join(seen) if seen else f"No hint seen yet: `gym hint {exercise.id}` shows one.")
        return 0
    hint = next_hint(exercise)
    if hint is None:
        print(
            f"All {len(exercise.hints)} hints for {exercise.id} have been shown: "
            f"`gym hint {exercise.id} --seen` shows them again."
        )
    else:
        print(hint)
    return 0


def _progress(_: argparse.Namespace) -> int:
    width = max(len(e.title) for e in EXERCISES)
    for exercise in EXERCISES:
        verdict = remembered(exercise, learner_path(exercise))
        if verdict is None:  # changed since its last check: check it now (and remember)
            result = check(exercise.id)
            passed = sum(r.passed for r in result.results)
            verdict = Verdict(result.state, passed, len(result.results))
        count = f"{verdict.passed}/{verdict.total}" if verdict.total else "-"
        print(
            f"{exercise.id}  {exercise.title:<{width}}  {verdict.state:<11}  {count:>5}  "
            f"({exercise.notebook})"
        )
    return 0


def _reset(args: argparse.Namespace) -> int:
    target, backup = reset(get(args.exercise))
    print(f"Restored {target} to the original exercise; its hints start again from the first.")
    if backup is not None:
        print(f"Your previous version is kept at {backup}.")
    return 0


def _watch(args: argparse.Namespace) -> int:
    return watch(get(args.exercise) if args.exercise else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gym", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser(
        "init",
        help="copy the course into a folder of your own",
        description="Copy the course (notebooks, exercises, solutions) into DIR, a folder "
        "you own. Your work is never overwritten: into an existing course, gym init refuses, "
        "and gym init --update adds only the files it lacks (a newer nats-gym's notebooks "
        "and exercises, with their solutions).",
    )
    init.add_argument(
        "directory",
        nargs="?",
        default="nats-gym-course",
        metavar="DIR",
        help="the course folder (default: nats-gym-course)",
    )
    init.add_argument(
        "--update", action="store_true", help="add only the files DIR's course does not have"
    )
    init.set_defaults(run=_init)
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
    check = commands.add_parser("check", help="check an exercise against a fresh server")
    check.add_argument("exercise", nargs="?", help="exercise id, e.g. ex03")
    check.add_argument("--all", action="store_true", help="check every exercise")
    check.add_argument("--solution", action="store_true", help="check the reference solution")
    check.set_defaults(run=_check)
    hint = commands.add_parser("hint", help="show the next hint for an exercise")
    hint.add_argument("exercise", help="exercise id, e.g. ex03")
    hint.add_argument("--seen", action="store_true", help="show again every hint seen so far")
    hint.set_defaults(run=_hint)
    reset_command = commands.add_parser(
        "reset", help="restore an exercise file (your version is backed up)"
    )
    reset_command.add_argument("exercise", help="exercise id, e.g. ex03")
    reset_command.set_defaults(run=_reset)
    commands.add_parser("progress", help="every exercise and its state").set_defaults(run=_progress)
    watch_command = commands.add_parser(
        "watch", help="check an exercise, then re-check whichever exercise file you save"
    )
    watch_command.add_argument(
        "exercise", nargs="?", help="where to start (default: the first unfinished one)"
    )
    watch_command.set_defaults(run=_watch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = build_parser().parse_known_args(argv)
    if extra and args.run is not _lab:
        build_parser().error(f"unrecognized arguments: {' '.join(extra)}")
    args.lab_args = extra
    try:
        return args.run(args)
    except (ServerError, ConnectError, UnknownExercise, CheckerError, CourseNotFound) as error:
        print(f"gym: {error}")
        return 1
    except KeyboardInterrupt:  # Ctrl-C: the check's worker is already gone
        print("\ngym: stopped.")
        return 130
    except BrokenPipeError:  # `gym check … | head`: the reader has gone, and that is fine
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
