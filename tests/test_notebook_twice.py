"""The notebook collector runs every notebook twice in one kernel and fails a second run
that breaks — the proof that "Run all" works again without a restart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent


def run_pytest_on(notebook: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO)]
        + ["-n", "0", str(notebook), "-q", "-rf"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def notebook_with(tmp_path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "demo.ipynb"
    nbformat.write(notebook, path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--inplace",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path


def test_a_notebook_that_cleans_up_passes_both_runs(tmp_path: Path) -> None:
    path = notebook_with(tmp_path, "made = {'stream'}", "made.clear()\nprint('clean')")
    result = run_pytest_on(path)
    assert result.returncode == 0, result.stdout
    assert "4 passed" in result.stdout


def test_a_notebook_that_leaves_state_behind_fails_its_second_run(tmp_path: Path) -> None:
    path = notebook_with(
        tmp_path, "assert 'made' not in globals(), 'already made'\nmade = True", "print('ok')"
    )
    result = run_pytest_on(path)
    assert result.returncode == 1
    assert "Cell 0 (again)" in result.stdout and "1 failed, 3 passed" in result.stdout
