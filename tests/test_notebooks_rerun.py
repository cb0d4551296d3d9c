"""Every notebook runs top to bottom twice in one kernel ("Run all" again without a restart).

nbval checks the first run's outputs; this checks that the clean-up cells really leave the
server and the kernel as the notebook found them, so a learner can run it all again.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_twice_in_one_kernel(path: Path, no_nats_url: None) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = notebook.cells + copy.deepcopy(notebook.cells)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError on any untagged error, in either run
