"""#18 (Minor): Flow's command-mode keys in a real browser: z undo delete, x / c / v / Shift+V cut, copy, paste,
Shift+K / Shift+J move, s save, h the keyboard help; each checked in the page and in the server's notebook."""
import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from ui_helpers import autosaved_cells, cells, editor, open_app, selected
from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)

pytestmark = pytest.mark.ui


def test_flow_command_mode_keys(page, server):
    _, workspace = server
    open_app(page, server)
    token = uuid.uuid4().hex[:8]
    text = f"getFrames # {token}"
    n = cells(page).count()
    importing = editor(page, 2).input_value()
    editor(page, 2).click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type(text, delay=0)
    page.keyboard.press("Escape")
    expect(editor(page, 3)).to_have_value(text)

    def order(*expected):  # cells 2.. in the page and, once autosaved, in the server's notebook
        for i, value in enumerate(expected, 2):
            expect(editor(page, i)).to_have_value(value)
        autosaved_cells(workspace, token, want=lambda xs: xs[2:2 + len(expected)] == list(expected)
                        and len(xs) == cells(page).count())

    page.keyboard.press("Shift+K")  # move up
    order(text, importing)
    selected(page, 2)
    page.keyboard.press("Shift+J")  # and down again
    order(importing, text)
    selected(page, 3)
    page.keyboard.press("c")  # copy, paste below
    page.keyboard.press("v")
    expect(cells(page)).to_have_count(n + 2)
    order(importing, text, text)
    selected(page, 4)
    page.keyboard.press("k")  # cut the import cell, paste it above the selected cell
    page.keyboard.press("k")
    selected(page, 2)
    page.keyboard.press("x")
    expect(cells(page)).to_have_count(n + 1)
    selected(page, 2)
    page.keyboard.press("Shift+V")
    order(importing, text, text)
    selected(page, 2)
    page.keyboard.press("j")  # delete a copy, then undo the delete: it comes back where it was
    page.keyboard.press("d")
    page.keyboard.press("d")
    expect(cells(page)).to_have_count(n + 1)
    order(importing, text)
    page.keyboard.press("z")
    expect(cells(page)).to_have_count(n + 2)
    order(importing, text, text)
    selected(page, 3)
    expect(page.locator(".db-cell.db-selected")).to_have_count(1)

    # h shows the keyboard help, h again hides it
    help_box = page.locator(".db-keys-help")
    expect(help_box).to_be_hidden()
    page.keyboard.press("h")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("undo the last delete")
    page.keyboard.press("h")
    expect(help_box).to_be_hidden()

    # s saves the notebook under its name, in the workspace
    name = f"keys-{token}"
    box = page.locator(".db-nb-name input")
    box.fill(name)
    box.press("Enter")
    box.press("Escape")
    page.locator(".db-cell").nth(3).locator(".db-flag").click()  # back to command mode on a cell
    page.keyboard.press("s")
    expect(page.locator(".db-progress")).to_contain_text(f"Notebook '{name}' saved.")
    saved = [json.loads(f.read_text()) for f in (workspace / "objects").rglob("*.json") if name in f.read_text()]
    assert any([c["input"] for c in s.get("cells", [])][2:5] == [importing, text, text] for s in saved)
    # Ctrl+Z in command mode changed nothing
    page.keyboard.press("Control+z")
    order(importing, text, text)
    expect(editor(page, 3)).to_have_value(re.compile(re.escape(text)))


def test_code_written_by_the_server_shows_whole_and_text_cells_read_as_a_document(page, server):
    open_app(page, server)
    lines = [f"# line {i} of a long generated call" for i in range(14)]
    n = cells(page).count()
    editor(page, n - 1).click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("\n".join(lines), delay=0)
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    page.keyboard.press("v")  # the pasted cell's editor is made by the server, holding all 14 lines
    pasted = editor(page, n + 1)
    expect(pasted).to_have_value("\n".join(lines))
    page.wait_for_function("t => t.clientHeight > 200 && t.scrollHeight <= t.clientHeight + 2",
                           arg=pasted.element_handle())
    # the heading and the markdown cell show their text only, no empty editor row or timing line
    for i in (0, 1):
        expect(cells(page).nth(i).locator(".db-input")).to_be_hidden()
        expect(cells(page).nth(i).locator(".db-cell-status")).to_have_text("")
    expect(cells(page).nth(0).locator("h1")).to_contain_text("Deepbrook")
    # selecting the markdown cell shows its input again for editing
    cells(page).nth(1).locator(".db-md-output").click()
    expect(cells(page).nth(1).locator(".db-input")).to_be_visible()
    page.keyboard.press("Enter")
    expect(editor(page, 1)).to_be_focused()
