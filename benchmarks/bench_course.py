"""Prints how long each notebook takes to execute top to bottom on a fresh kernel.

The goal is under 20 s per notebook on a 2-core machine; kernel start-up is included,
since a learner's "Restart and run all" pays for it too.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
GOAL_SECONDS = 20.0


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return time.perf_counter() - started


def main() -> int:
    os.environ.pop("NATS_URL", None)
    chosen = [Path(a) for a in sys.argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb"))
    total = 0.0
    slow = []
    for path in chosen:
        seconds = execute(path)
        total += seconds
        flag = "" if seconds < GOAL_SECONDS else f"   over the {GOAL_SECONDS:g} s goal"
        if flag:
            slow.append(path.name)
        print(f"{path.stem:<32} {seconds:6.1f} s{flag}")
    print(f"{'total':<32} {total:6.1f} s   ({len(chosen)} notebooks, {len(slow)} over the goal)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
