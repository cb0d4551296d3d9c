"""JupyterLab driven like a learner drives it, in Debian's Chromium through Playwright.

Shared by ``tests/test_browser.py`` and ``docs/screenshots.py`` (the README's pictures are
made with the same moves the test checks). Playwright's own browser download cannot be
reached from these machines, so it launches the system's ``chromium`` by path.

Every wait here waits on the thing itself (a tab, a prompt, the kernel's status, a file on
disk) with a deadline; none sleeps for a fixed time to hope something happened.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

CHROMIUM = (
    os.environ.get("GYM_CHROMIUM")  # another Chromium build, e.g. a distribution's chromium-browser
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
INSTALL_HINT = "install Chromium with `apt-get install -y chromium` (as root)"
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers have a tiny /dev/shm
    "--disable-background-networking",  # no update, safe-browsing or metrics traffic
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

RUN_DEADLINE = 180.0
"""Seconds a notebook may take to run in the browser (each runs in under 20 s under nbval)."""
CHECK_DEADLINE = 90.0
"""Seconds a check cell may take to show its result."""


def check_passed(exercise_id: str) -> re.Pattern[str]:
    """What a passing check says: ``all 5 criteria pass`` (or the older ``5/5 criteria pass``)."""
    count = len(importlib.import_module(f"gym.checker.checks.{exercise_id}").CRITERIA)
    return re.compile(rf"(all {count}|{count}/{count}) criteria pass")


def browser_missing() -> str | None:
    """Why the browser test cannot run here, in one line, or None when it can."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is missing: pip install -e '.[test]'"
    if not Path(CHROMIUM).exists():
        return f"Chromium is missing: {INSTALL_HINT}"
    return None


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def wait_for(condition: Callable[[], object], deadline: float, what: str) -> object:
    """Poll ``condition`` until it returns something true, or fail saying ``what`` was awaited."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"waited {deadline:.0f} s for {what}")
        time.sleep(0.2)


class Lab:
    """One JupyterLab page, and the moves a learner makes in it."""

    def __init__(self, page: Page) -> None:
        self.page = page

    # --- where things are -------------------------------------------------------------
    def tab(self, name: str) -> Locator:
        return self.page.locator(".lm-TabBar-tab", has_text=name)

    def current_tab_title(self) -> str:
        return self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current").inner_text()

    def notebook(self) -> Locator:
        """The notebook panel on show."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def code_prompts(self) -> list[str]:
        """Every code cell's prompt, ``[3]:``, ``[*]:`` or ``[ ]:`` (text, even off screen)."""
        texts = self.notebook().locator(".jp-CodeCell .jp-InputArea-prompt").all_text_contents()
        return [t.strip() for t in texts]

    def kernel_status(self) -> str:
        """The status bar's word for the kernel on show: idle, busy, initializing, connecting….

        (The toolbar's indicator says "idle" before a kernel even exists; the status bar
        says "No Kernel | Initializing" then.)
        """
        item = self.page.locator('.jp-StatusBar-TextItem[title^="Change kernel"]')
        text = item.inner_text() if item.count() else ""
        if text.startswith("No Kernel"):
            return "no kernel"
        return text.rsplit("|", 1)[-1].strip().lower() if "|" in text else ""

    def file_browser_items(self) -> list[str]:
        names = self.page.locator(".jp-DirListing-item .jp-DirListing-itemName")
        return [t.strip() for t in names.all_text_contents()]

    def things_in_the_way(self) -> list[str]:
        """Dialogs, toasts and notifications on the page: a learner must never meet one."""
        found = []
        for dialog in self.page.locator(".jp-Dialog").all():
            found.append(f"dialog: {dialog.inner_text()[:200]!r}")
        for toast in self.page.locator(".Toastify__toast").all():
            found.append(f"notification: {toast.inner_text()[:200]!r}")
        bell = self.page.locator(".jp-Notification-Status-Text")
        if bell.count() and bell.inner_text().strip() not in ("", "0"):
            found.append(f"{bell.inner_text().strip()} notification(s) in the status bar")
        return found

    # --- moves --------------------------------------------------------------------------
    def menu(self, top: str, item: str) -> None:
        """Click a main-menu entry, e.g. Run → Run All Cells."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
        label = re.compile(f"^{re.escape(item)}$")
        self.page.locator(".lm-Menu-itemLabel", has_text=label).click()

    def wait_until_open(self, name: str) -> None:
        """Wait until ``name`` is the tab on show, its kernel (if any) idle."""
        self.page.locator(
            "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=name
        ).wait_for()
        if name.endswith(".ipynb"):
            wait_for(lambda: self.kernel_status() == "idle", RUN_DEADLINE, f"{name}'s kernel")

    def open_from_file_browser(self, name: str) -> None:
        """Double-click a file in the file browser's current folder."""
        self.page.locator(".jp-DirListing-item", has_text=name).dblclick()
        self.wait_until_open(name)

    def go_to_folder(self, folder: str) -> None:
        """File browser: back to the course folder, then into ``folder`` ('' stays at the top)."""
        self.page.locator(".jp-BreadCrumbs-home").click()
        wait_for(lambda: "notebooks" in self.file_browser_items(), 30, "the course folder")
        if folder:
            self.page.locator(".jp-DirListing-item", has_text=folder).dblclick()
            self.page.locator(".jp-BreadCrumbs", has_text=folder).wait_for()

    def run_all(self, name: str, deadline: float = RUN_DEADLINE) -> float:
        """Clear every output, Run All Cells, and wait until the kernel is done; seconds taken.

        Done means the kernel is idle and no cell is queued (``[*]``). Every code cell then
        has a number, unless a cell raised and JupyterLab stopped the run there; the caller
        reads the saved notebook to say which.
        """
        self.menu("Edit", "Clear Outputs of All Cells")
        wait_for(lambda: all(p == "[ ]:" for p in self.code_prompts()), 30, "cleared prompts")
        start = time.monotonic()
        self.menu("Run", "Run All Cells")

        def finished() -> bool:
            prompts = self.code_prompts()
            if "[*]:" in prompts or self.kernel_status() != "idle":
                return False
            return all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) or (
                any(re.fullmatch(r"\[\d+\]:", p) for p in prompts) and self._still_idle()
            )

        wait_for(finished, deadline, f"{name} to run to its end")
        return time.monotonic() - start

    def _still_idle(self) -> bool:
        """Idle with nothing queued for a whole second: the run stopped before the end."""
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            if "[*]:" in self.code_prompts() or self.kernel_status() != "idle":
                return False
            time.sleep(0.1)
        return True

    def show_first_error(self) -> None:
        """Scroll the first traceback into view (for the failure's screenshot)."""
        error = self.notebook().locator('.jp-OutputArea-output[data-mime-type*="stderr"]')
        if error.count():
            error.first.scroll_into_view_if_needed()

    def save(self, name: str) -> None:
        """File → Save, then wait until the tab no longer shows unsaved changes."""
        self.menu("File", "Save Notebook" if name.endswith(".ipynb") else "Save Python File")
        wait_for(
            lambda: "jp-mod-dirty" not in (self.tab(name).get_attribute("class") or ""),
            30,
            f"{name} to be saved",
        )

    def open_link(self, href_end: str) -> None:
        """Click the first link in the notebook whose address ends with ``href_end``."""
        link = self.notebook().locator(f'a[href*="{href_end}"]').first
        link.scroll_into_view_if_needed()
        link.click()
        self.wait_until_open(Path(href_end).name)

    def replace_editor_text(self, text: str) -> None:
        """Select everything in the open editor and type ``text`` (no auto-indent)."""
        editor = self.page.locator(".jp-FileEditor:not(.lm-mod-hidden) .cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)

    def code_cell(self, source: str) -> Locator:
        """The notebook's code cell whose text contains ``source``."""
        editor = self.page.locator(".cm-content", has_text=source)
        return self.notebook().locator(".jp-CodeCell", has=editor)

    def run_cell(self, cell: Locator) -> None:
        """Select the cell (click its prompt) and press Shift+Enter."""
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea-prompt").click()
        self.page.keyboard.press("Shift+Enter")

    def wait_for_output(self, cell: Locator, pattern: re.Pattern[str], deadline: float) -> str:
        """Wait until the cell's output matches ``pattern``; return that output's text."""
        output = cell.locator(".jp-OutputArea-output")

        def matched() -> str | None:
            text = " ".join(output.all_inner_texts())
            return text if pattern.search(text) else None

        return str(wait_for(matched, deadline, f"output matching {pattern.pattern!r}"))
