"""#18 item 1 in a real browser: a click selects its cell at once, and every key typed fast right after a click, Esc-b,
Enter or "+ Below" lands in the cell the user sees focused, in the page and in the server's notebook (its autosave),
also while every core of the machine is kept busy. Ctrl+Z in command mode leaves the cells' code alone."""
import contextlib
import os
import re
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from ui_helpers import autosaved_cells, cell, cells, click, editor, open_app, selected
from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)

pytestmark = pytest.mark.ui

BUSY = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end:\n    pass\n"


@contextlib.contextmanager
def cpu_load(on: bool):
    """One busy child process per core while the block runs (each also stops by itself after 10 minutes)."""
    procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(os.cpu_count() or 1)] if on else []
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.mark.parametrize("loaded", [False, True], ids=["idle", "cpu-load"])
def test_keys_typed_fast_after_a_click_land_in_the_focused_cell(page, server, loaded):
    _, workspace = server
    open_app(page, server)
    token = uuid.uuid4().hex[:8]
    first = f'getFrameSummary "prostate.hex" # {token} one'
    second = f'getFrames # {token} two, typed right after Esc b Enter'
    third = f'getModels # {token} three, typed right after + Below'
    n = cells(page).count()
    with cpu_load(loaded):
        # a click into the code of a cell selects it at once: Esc-b then inserts under it, Enter edits the new cell
        editor(page, 2).click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.keyboard.press("Enter")
        page.keyboard.type(first, delay=0)
        expect(cells(page)).to_have_count(n + 1)
        expect(editor(page, 3)).to_have_value(first)
        expect(editor(page, 3)).to_be_focused()
        selected(page, 3)
        # click into another cell's code, then straight on: the keys go to its end, then to a new cell below it
        last = editor(page, n)
        last.click()
        page.keyboard.press("End")
        page.keyboard.type(f" # {token} appended", delay=0)
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.keyboard.press("Enter")
        page.keyboard.type(second, delay=0)
        expect(editor(page, n + 1)).to_have_value(second)
        expect(editor(page, n + 1)).to_be_focused()
        # "+ Below" right after a click into a cell's code: the new cell goes under the clicked cell
        editor(page, 4).click()
        click(page.locator(".db-tb-insert-below"))
        page.keyboard.type(third, delay=0)
        expect(cells(page)).to_have_count(n + 3)
        expect(editor(page, 5)).to_have_value(third)
        expect(editor(page, 5)).to_be_focused()
        expect(editor(page, n + 2)).to_have_value(second)
        expect(editor(page, n + 1)).to_have_value(re.compile(rf' # {token} appended$'))
        expect(editor(page, 3)).to_have_value(first)
        selected(page, 5)
        expect(page.locator(".db-cell.db-selected")).to_have_count(1)
    # the server's notebook holds the same text in the same cells (its autosave is written from the model)
    inputs = autosaved_cells(workspace, token, want=lambda xs: third in xs and second in xs)
    assert inputs[3] == first and inputs[5] == third and inputs[-1] == second
    assert inputs[-2].endswith(f" # {token} appended")
    assert len(inputs) == n + 3


def test_ctrl_z_in_command_mode_leaves_the_code_alone(page, server):
    _, workspace = server
    open_app(page, server)
    token = uuid.uuid4().hex[:8]
    text = f"getFrames # {token}"
    n = cells(page).count()
    editor(page, n - 1).click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type(text, delay=0)
    expect(editor(page, n)).to_have_value(text)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    expect(cells(page)).to_have_count(n + 1)
    expect(editor(page, n)).to_have_value(text)
    inputs = autosaved_cells(workspace, token)
    assert inputs[n] == text
