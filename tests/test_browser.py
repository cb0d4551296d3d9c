"""The course in a real browser, as a learner meets it: `gym lab`, then open, run, edit, check.

``gym init`` copies the course into a temporary folder (the repository's exercises are never
touched) and ``gym lab`` serves it; Chromium (Debian's, driven by Playwright) opens the page
`gym lab` hands to the browser. The tests share that one lab and page and run in order: the
welcome notebook opens with nothing in the way; the course's folders show; notebooks 00, 03
and 09 run to the end with no error outside cells tagged ``raises-exception``; exercise 03,
opened through the notebook's link, typed in JupyterLab's editor and saved, passes the
notebook's own check cell and `gym check` typed in JupyterLab's terminal; and no dialog or
notification appeared on the way.

Without Chromium the tests skip with one line saying how to install it; with ``CI=true`` a
missing browser fails them instead. A failure saves a screenshot into ``browser-failures/``
(git-ignored) and names it; ``GYM_SCREENSHOTS=DIR`` saves one after every test as well.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import (
    CHECK_DEADLINE,
    VIEWPORT,
    Lab,
    browser_missing,
    check_passed,
    launch,
    wait_for,
)
from tests.lab_server import RunningLab, running_lab

REPOSITORY = Path(__file__).resolve().parent.parent
FAILURES = REPOSITORY / "browser-failures"
EXERCISE = "ex03"
EXERCISE_FILE = "ex03_jetstream_publish.py"
EXERCISE_NOTEBOOK = "03_jetstream.ipynb"
TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {missing}")
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("browser") / "course"
    subprocess.run([sys.executable, "-m", "gym.cli", "init", str(folder)], check=True)
    return folder


@pytest.fixture(scope="module")
def lab(course: Path) -> Iterator[RunningLab]:
    started = time.monotonic()
    with running_lab([sys.executable, "-m", "gym.cli"], course, course.parent / "runtime") as lab:
        TIMES["gym lab start"] = time.monotonic() - started
        yield lab


@pytest.fixture(scope="module")
def browser_lab(lab: RunningLab) -> Iterator[Lab]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(60_000)
        try:
            yield Lab(page)
        finally:
            browser.close()
    print("\nbrowser test times: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMES.items()))


def screenshot_on_failure(test: Callable[..., None]) -> Callable[..., None]:
    """Save what the browser showed when ``test`` failed, and name the file in the failure."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        lab: Lab = kwargs["browser_lab"]
        name = re.sub(r"\W+", "_", test.__name__ + "_" + str(kwargs.get("notebook", "")))
        try:
            test(*args, **kwargs)
        except (Exception, pytest.fail.Exception) as error:
            FAILURES.mkdir(exist_ok=True)
            path = FAILURES / f"{name.strip('_')}.png"
            lab.page.screenshot(path=str(path))
            raise AssertionError(f"{error}\nscreenshot of the browser: {path}") from error
        wanted = os.environ.get("GYM_SCREENSHOTS")
        if wanted:
            Path(wanted).mkdir(parents=True, exist_ok=True)
            lab.page.screenshot(path=str(Path(wanted) / f"{name.strip('_')}.png"))

    return wrapper


@screenshot_on_failure
def test_welcome_notebook_opens_with_nothing_in_the_way(
    browser_lab: Lab, lab: RunningLab, course: Path
) -> None:
    started = time.monotonic()
    browser_lab.page.goto(lab.open_page.as_uri())  # what `gym lab` gives the learner's browser
    browser_lab.wait_until_open("00_welcome.ipynb")
    TIMES["welcome open"] = time.monotonic() - started
    assert browser_lab.page.url.split("?")[0].endswith("/lab/tree/notebooks/00_welcome.ipynb")
    heading = browser_lab.notebook().locator("h1").first.inner_text()
    assert "Welcome" in heading, heading
    assert lab.root_dir == course
    assert browser_lab.things_in_the_way() == []


@screenshot_on_failure
def test_file_browser_shows_the_course(browser_lab: Lab) -> None:
    browser_lab.go_to_folder("")
    items = browser_lab.file_browser_items()
    assert {"notebooks", "exercises", "solutions"} <= set(items), items
    browser_lab.go_to_folder("notebooks")
    assert "00_welcome.ipynb" in browser_lab.file_browser_items()


def error_outputs(lab: RunningLab, notebook: str) -> list[str]:
    """Error outputs of the saved notebook, outside cells tagged raises-exception."""
    status, model = lab.api(f"api/contents/notebooks/{notebook}")
    assert status == 200, model
    errors = []
    for index, cell in enumerate(model["content"]["cells"]):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {index}: {output['ename']}: {output['evalue']}")
        if cell["cell_type"] == "code" and cell.get("execution_count") is None:
            errors.append(f"cell {index} never ran (the run stopped before it)")
    return errors


@pytest.mark.parametrize(
    "notebook", ["00_welcome.ipynb", "03_jetstream.ipynb", "09_prediction_pipeline.ipynb"]
)
@screenshot_on_failure
def test_notebook_runs_in_the_browser(browser_lab: Lab, lab: RunningLab, notebook: str) -> None:
    if notebook == "00_welcome.ipynb":
        browser_lab.tab(notebook).click()
        browser_lab.wait_until_open(notebook)
    else:
        browser_lab.open_from_file_browser(notebook)
    TIMES[f"run {notebook[:2]}"] = browser_lab.run_all(notebook)
    browser_lab.save(notebook)
    errors = error_outputs(lab, notebook)
    if errors:
        browser_lab.show_first_error()
    assert not errors, f"{notebook} in the browser: " + "; ".join(errors)
    assert browser_lab.things_in_the_way() == []


@screenshot_on_failure
def test_exercise_opened_from_its_link_passes_once_written(
    browser_lab: Lab, lab: RunningLab, course: Path
) -> None:
    started = time.monotonic()
    browser_lab.open_from_file_browser(EXERCISE_NOTEBOOK)
    href = f"exercises/{EXERCISE_FILE}"
    if browser_lab.notebook().locator(f'a[href*="{href}"]').count() == 0:
        pytest.fail(f"{EXERCISE_NOTEBOOK} has no link to ../{href} for the learner to open")
    browser_lab.open_link(href)

    solution = (course / "solutions" / EXERCISE_FILE).read_text()
    browser_lab.replace_editor_text(solution)
    browser_lab.save(EXERCISE_FILE)
    assert (course / "exercises" / EXERCISE_FILE).read_text() == solution

    browser_lab.tab(EXERCISE_NOTEBOOK).click()
    browser_lab.wait_until_open(EXERCISE_NOTEBOOK)
    cell = browser_lab.code_cell(f'gym.check("{EXERCISE}")')
    assert cell.count() == 1, f"{EXERCISE_NOTEBOOK} should have one gym.check cell"
    browser_lab.run_cell(cell)
    browser_lab.wait_for_output(cell, check_passed(EXERCISE), deadline=CHECK_DEADLINE)
    TIMES["exercise loop"] = time.monotonic() - started
    assert browser_lab.things_in_the_way() == []


@screenshot_on_failure
def test_gym_works_in_jupyterlabs_terminal(browser_lab: Lab, course: Path) -> None:
    """The notebooks say "or `gym check exNN` in JupyterLab's terminal": it must be there.

    xterm draws on a canvas, so the command's output goes to a file the test reads.
    """
    browser_lab.menu("File", "New")
    browser_lab.page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Terminal$")).click()
    browser_lab.page.locator(".jp-Terminal").wait_for()
    browser_lab.page.locator(".jp-Terminal").click()
    browser_lab.page.keyboard.type(f"gym check {EXERCISE} > terminal-check.txt 2>&1\n")
    report = course / "terminal-check.txt"
    passed = check_passed(EXERCISE)
    wait_for(
        lambda: report.is_file() and passed.search(report.read_text()),
        CHECK_DEADLINE,
        f"`gym check {EXERCISE}` typed in JupyterLab's terminal",
    )
    assert browser_lab.things_in_the_way() == []
