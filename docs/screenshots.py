"""Regenerate the README's pictures of the course in JupyterLab.

    .venv/bin/python docs/screenshots.py        # needs Chromium: apt-get install -y chromium

The same tooling and moves as ``tests/test_browser.py``: ``gym init`` into a temporary
folder, ``gym lab`` on it, Debian's Chromium driven by Playwright at 1280×800. Writes

* ``docs/jupyterlab-course.png`` — the course open in JupyterLab;
* ``docs/loop-1-open.png``, ``docs/loop-2-edit.png``, ``docs/loop-3-check.png`` — the
  learner's loop: open the exercise from its link, write it in JupyterLab's editor, check it
  in the notebook.

PNGs are reduced to 256 colours (JupyterLab's flat colours survive it; files stay small).
Regenerate after the notebooks' "Your turn" cells or the check's output change.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from PIL import Image  # noqa: E402  (matplotlib brings Pillow)

from tests.browser import (  # noqa: E402
    CHECK_DEADLINE,
    VIEWPORT,
    Lab,
    browser_missing,
    check_passed,
    launch,
)
from tests.lab_server import running_lab  # noqa: E402

DOCS = REPOSITORY / "docs"
NOTEBOOK = "03_jetstream.ipynb"
EXERCISE = "ex03"
EXERCISE_FILE = "ex03_jetstream_publish.py"


def save_small(png: bytes, target: Path) -> None:
    """Write ``png`` as a 256-colour PNG."""
    source = target.with_suffix(".full.png")
    source.write_bytes(png)
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(
            target, optimize=True
        )
    source.unlink()
    print(f"{target.relative_to(REPOSITORY)}  {target.stat().st_size // 1024} KiB")


def main_area(lab: Lab) -> dict[str, float]:
    """The clip of the dock panel (tabs and document), without menus and side bars."""
    box = lab.page.locator("#jp-main-dock-panel").bounding_box()
    assert box is not None
    return box


def main() -> int:
    missing = browser_missing()
    if missing:
        print(f"docs/screenshots.py: {missing}")
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "nats-gym-course"
        subprocess.run([sys.executable, "-m", "gym.cli", "init", str(course)], check=True)
        gym = [sys.executable, "-m", "gym.cli"]
        with running_lab(gym, course, Path(tmp) / "runtime") as served, sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(60_000)
            lab = Lab(page)
            page.goto(served.open_page.as_uri())
            lab.wait_until_open("00_welcome.ipynb")
            shoot_course(lab)
            shoot_loop(lab, course)
            browser.close()
    return 0


def shoot_course(lab: Lab) -> None:
    """The course folder in the file browser, notebook 03 open at its top."""
    lab.open_from_file_browser(NOTEBOOK)
    lab.run_all(NOTEBOOK)
    lab.go_to_folder("")
    title = lab.notebook().locator("h1").first  # the title, what you will learn, the diagram
    title.evaluate("heading => heading.scrollIntoView({block: 'start'})")
    lab.page.mouse.move(0, 0)
    save_small(lab.page.screenshot(), DOCS / "jupyterlab-course.png")


def shoot_loop(lab: Lab, course: Path) -> None:
    """Open (the link in "Your turn"), edit (the editor), check (the notebook's check cell)."""
    href = f"exercises/{EXERCISE_FILE}"
    link = lab.notebook().locator(f'a[href*="{href}"]').first
    if not link.count():
        raise SystemExit(f"{NOTEBOOK} has no link to ../{href}: nothing to show for 'open'")
    lab.notebook().locator("h2", has_text="Your turn").first.scroll_into_view_if_needed()
    link.hover()
    save_small(lab.page.screenshot(clip=main_area(lab)), DOCS / "loop-1-open.png")

    lab.open_link(href)
    lab.replace_editor_text((course / "solutions" / EXERCISE_FILE).read_text())
    lab.save(EXERCISE_FILE)
    lab.page.locator(".jp-FileEditor:not(.lm-mod-hidden) .cm-content").click()
    lab.page.keyboard.press("Control+End")  # the view ends with the answer's last line
    save_small(lab.page.screenshot(clip=main_area(lab)), DOCS / "loop-2-edit.png")

    lab.tab(NOTEBOOK).click()
    lab.wait_until_open(NOTEBOOK)
    cell = lab.code_cell(f'gym.check("{EXERCISE}")')
    lab.run_cell(cell)
    lab.wait_for_output(cell, check_passed(EXERCISE), deadline=CHECK_DEADLINE)
    cell.scroll_into_view_if_needed()
    lab.page.mouse.move(0, 0)
    save_small(lab.page.screenshot(clip=main_area(lab)), DOCS / "loop-3-check.png")


if __name__ == "__main__":
    raise SystemExit(main())
