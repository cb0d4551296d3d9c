"""nbval, with every notebook run twice in one kernel ("Run all" again, without a restart).

A learner runs a notebook, then runs it all again: the clean-up cells must leave the server
and the kernel as the notebook found them. Running the cells a second time in the same
kernel that nbval already uses proves that without a third execution of the notebook: the
first run's outputs are compared with the committed ones as usual; the second run must
raise nothing (beyond cells tagged ``raises-exception``), its outputs are not compared.

Loaded with ``-p tests.notebook_twice`` (see pyproject.toml), it takes over collecting
notebooks from nbval's own hook, which is left inactive (no ``--nbval`` option).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--notebooks-once",
        action="store_true",
        help="run each notebook once (plain nbval), not twice in one kernel",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".ipynb" or parent.config.option.nbval:
        return None  # plain `--nbval` still works, for one notebook at a time
    return NotebookTwice.from_parent(parent, path=file_path)


class NotebookTwice(IPyNbFile):
    """A notebook's cells, then the same cells again under the names "Cell N (again)"."""

    def collect(self) -> Iterator[IPyNbCell]:
        first_run = list(super().collect())
        yield from first_run
        if self.config.option.notebooks_once:
            return
        for number, item in enumerate(first_run):
            options = copy.copy(item.options)
            options["check"] = False
            yield IPyNbCell.from_parent(
                self,
                name=f"{item.name} (again)",
                cell_num=len(first_run) + number,
                cell=copy.deepcopy(item.cell),
                options=options,
            )
