"""How `gym lab` starts JupyterLab: the course folder is the root, the welcome notebook opens,
and nothing stands between the learner and it.

The course folder (not ``notebooks/``) is the root so that a notebook's link
``../exercises/ex03_jetstream_publish.py`` opens the exercise in JupyterLab's editor and the
file browser shows ``notebooks/``, ``exercises/`` and, last in alphabetical order, ``solutions/``
(reachable when wanted, never in the way).

A quiet start (``tests/test_browser.py`` checks in Chromium that no dialog or notification
appears):

* ``default_setting_overrides.json`` sets ``fetchNews`` to ``"false"`` and ``checkForUpdates``
  to false. Without it JupyterLab 4.6 greets a new user with "Would you like to get notified
  about official Jupyter news?" the moment the page opens (seen in Chromium). These are
  *defaults*: a learner who wants the news turns it on in Settings and is obeyed.
* ``page_config.json`` sets ``buildCheck``/``buildAvailable`` to false: no "build recommended"
  dialog, which JupyterLab shows when it thinks installed extensions need a rebuild (a
  precaution: pip-installed extensions never need one).
* Every notebook carries ``kernelspec`` python3, so no "select a kernel" dialog.
* Terminals run the learner's shell with ``gym`` first on ``PATH`` (see ``terminal_settings``),
  so ``gym check exNN`` works in File → New → Terminal even when the virtual environment was
  never activated.
* The workspace (open tabs, layout) is kept in the course's ``.gym/lab-workspaces``, so each
  course remembers its own layout and a layout from another project never reopens here.

Both JSON files live in ``.gym/jupyter-config``, added to ``JUPYTER_CONFIG_PATH`` (after any
folder the learner put there, so theirs win); they are rewritten at each start because they
are gym's, not the learner's. Command-line options given to ``gym lab`` come last, so they
override every option chosen here.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

__all__ = ["WELCOME", "hide_globs", "lab_command", "lab_environment", "run_lab"]

WELCOME = Path("notebooks") / "00_welcome.ipynb"

#: jupyter_server's own defaults, kept when gym adds to them.
DEFAULT_HIDE_GLOBS = ("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~")

#: What a clone of the repository holds besides the course: the learner never needs these in
#: the file browser. Hidden from listings only (``ContentsManager.hide_globs``), so a link or a
#: typed path still opens them. Globs match a name at any depth, which is why this is a fixed
#: list of the repository's own names, applied only when the root is the repository, and not
#: "everything else at the top": a folder the learner makes there must stay visible.
DEVELOPER_NAMES = (
    "gym",
    "tests",
    "benchmarks",
    "docs",
    "tools",
    "build",
    "dist",
    "*.egg-info",
    "pyproject.toml",
)

QUIET_PAGE_CONFIG = {"buildCheck": False, "buildAvailable": False}
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}


def is_repository(root: Path) -> bool:
    """True when the course folder is a clone of nats-gym (its package and tests beside it)."""
    return (root / "pyproject.toml").is_file() and (root / "gym" / "__init__.py").is_file()


def hide_globs(root: Path) -> list[str]:
    """Names kept out of the file browser's listings for this course folder."""
    extra = DEVELOPER_NAMES if is_repository(root) else ()
    return [*DEFAULT_HIDE_GLOBS, *extra]


def write_quiet_config(state: Path) -> Path:
    """Write the JupyterLab settings that keep prompts away; return their config folder."""
    config = state / "jupyter-config"
    labconfig = config / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("page_config.json", QUIET_PAGE_CONFIG),
        ("default_setting_overrides.json", QUIET_SETTINGS),
    ):
        (labconfig / name).write_text(json.dumps(content, indent=2) + "\n")
    return config


def lab_environment(state: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment JupyterLab, its kernels and its terminals run in.

    The folder holding the ``gym`` script goes first on ``PATH``: the course tells learners
    to type ``gym check exNN`` in JupyterLab's terminal, which must work even when the
    virtual environment was never activated (``.venv/bin/gym lab``).
    """
    env = dict(os.environ if base is None else base)
    config = str(write_quiet_config(state))
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p] + [config]
    )
    scripts = sysconfig.get_path("scripts")
    path = env.get("PATH", "").split(os.pathsep)
    if scripts not in path:
        env["PATH"] = os.pathsep.join([scripts, *[p for p in path if p]])
    return env


def terminal_settings() -> dict[str, list[str]]:
    """JupyterLab's terminals: the learner's shell, never as a login shell.

    Started without a terminal of its own (a launcher, a log file), JupyterLab runs
    ``$SHELL -l``, and a login shell's /etc/profile resets ``PATH``: ``gym`` would be "command
    not found" there. Without ``-l`` the terminal keeps the environment `gym lab` prepared,
    which is what JupyterLab does anyway when started from a terminal.
    """
    return {"shell_command": [os.environ.get("SHELL") or shutil.which("sh") or "/bin/sh"]}


def lab_command(root: Path, state: Path, extra: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line for the course at ``root``; ``extra`` options come last."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--ContentsManager.hide_globs={hide_globs(root)!r}",
        f"--LabApp.workspaces_dir={state / 'lab-workspaces'}",
        f"--ServerApp.terminado_settings={terminal_settings()!r}",
        str(root / WELCOME),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        command.append("--allow-root")
    return [*command, *extra]


def run_lab(command: Sequence[str], env: dict[str, str]) -> int:
    """Run JupyterLab until it exits, and let it shut its kernels down itself.

    Ctrl-C in the terminal reaches JupyterLab directly (same process group), and JupyterLab
    asks before it stops; gym must not die of that signal and kill JupyterLab mid-question
    (``subprocess.call`` would). A SIGTERM sent to gym is passed on, so stopping gym stops
    the lab and its kernels, and every kernel's nats-server with them.
    """
    process = subprocess.Popen(command, env=env)
    handlers = {
        signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: None),
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_: process.terminate()),
    }
    try:
        return process.wait()
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
