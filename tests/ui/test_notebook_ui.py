"""The notebook in a real browser against `deepbrook serve`: example on open, keyboard, errors, Run All, save/open."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions on a loaded box)

pytestmark = pytest.mark.ui


EXAMPLE_CELLS = 6  # app/examples/welcome.flow.json
PARSE_CELL = 3  # its `parseFiles ... destination_frame: "prostate.hex"` cell
SUMMARY_CELL = 4  # its `getFrameSummary "prostate.hex"` cell


def summary(page):
    return page.locator(".db-cell").nth(SUMMARY_CELL).locator(".db-frame-summary")


def cells(page):
    return page.locator(".db-cell")


def editor(page, i):
    return cells(page).nth(i).locator(".db-editor textarea")


def add_code_cell_at_end(page, text):
    """Select the last cell, insert below with `b` in command mode, type `text`; returns the new cell's index."""
    n = cells(page).count()
    editor(page, n - 1).click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    expect(cells(page)).to_have_count(n + 1)
    expect(cells(page).nth(n)).to_have_class(re.compile(r"\bdb-selected\b"))
    page.keyboard.press("Enter")  # edit mode: focuses the new cell's editor
    expect(editor(page, n)).to_be_focused()
    page.keyboard.type(text)
    return n


def test_opens_on_the_example_then_shift_enter_runs_and_an_error_stays_in_its_cell(app_page):
    page = app_page
    # the first screen: titled Deepbrook, the example already run (a frame summary and the model form)
    expect(page).to_have_title("Deepbrook")
    expect(summary(page)).to_contain_text("prostate.hex")
    expect(page.locator(".db-model-builder")).to_have_count(1)
    expect(page.locator(".db-cell-error")).to_have_count(0)
    expect(page.locator(".db-outline-item")).to_have_count(EXAMPLE_CELLS)
    i = add_code_cell_at_end(page, "getFrames")
    page.keyboard.press("Shift+Enter")
    expect(cells(page).nth(i).locator(".db-frames-view").first).to_contain_text("prostate.hex")
    # Shift+Enter on the last cell adds a fresh cell below and focuses it
    expect(cells(page)).to_have_count(i + 2)
    expect(editor(page, i + 1)).to_be_focused()
    page.keyboard.type("getFrams")
    page.keyboard.press("Control+Enter")
    error = cells(page).nth(i + 1).locator(".db-cell-error")
    expect(error).to_contain_text("Did you mean getFrames")
    expect(page.locator(".db-cell-error")).to_have_count(1)
    # Alt+Enter runs and inserts a cell below, ready for typing
    editor(page, i + 1).fill("getFrames")
    editor(page, i + 1).press("Alt+Enter")
    expect(cells(page)).to_have_count(i + 3)
    expect(editor(page, i + 2)).to_be_focused()
    expect(page.locator(".db-cell-error")).to_have_count(0)
    # the rest of the notebook is untouched
    expect(summary(page)).to_contain_text("prostate.hex")
    expect(cells(page).nth(i).locator(".db-frames-view").first).to_have_count(1)


def test_command_mode_keys_insert_delete_and_change_kind(app_page):
    page = app_page
    n = cells(page).count()
    editor(page, 2).click()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    expect(cells(page)).to_have_count(n + 1)
    expect(cells(page).nth(2)).to_have_class(re.compile(r"\bdb-selected\b"))
    page.keyboard.press("b")
    expect(cells(page)).to_have_count(n + 2)
    expect(cells(page).nth(3)).to_have_class(re.compile(r"\bdb-selected\b"))
    page.keyboard.press("m")
    expect(cells(page).nth(3)).to_have_class(re.compile(r"\bdb-kind-markdown\b"))
    page.keyboard.press("d")
    page.keyboard.press("d")
    expect(cells(page)).to_have_count(n + 1)
    page.keyboard.press("k")
    expect(cells(page).nth(2)).to_have_class(re.compile(r"\bdb-selected\b"))
    page.keyboard.press("d")
    page.keyboard.press("d")
    expect(cells(page)).to_have_count(n)
    expect(editor(page, 2)).to_have_value(re.compile("^importFiles"))
    # a button in an output writes its routine call into a new cell below and runs it
    cells(page).nth(2).get_by_role("button", name="Parse these files...").click()
    expect(cells(page)).to_have_count(n + 1)
    expect(editor(page, 3)).to_have_value(re.compile(r'^setupParse'))
    expect(cells(page).nth(3)).to_have_class(re.compile(r"\bdb-status-ok\b"))
    # the outline jumps to a cell
    page.locator(".db-outline-item").nth(SUMMARY_CELL + 1).click()
    expect(cells(page).nth(SUMMARY_CELL + 1)).to_have_class(re.compile(r"\bdb-selected\b"))


def test_run_all_reproduces_the_objects(app_page):
    page = app_page
    # a page opened after another one parsed prostate.hex keeps that frame: its parse cell shows why it did not run
    parsed_on_open = cells(page).nth(PARSE_CELL).locator(".db-cell-skipped").count() == 0
    expect(cells(page).nth(SUMMARY_CELL)).to_contain_text("[3]" if parsed_on_open else "[2]")
    i = add_code_cell_at_end(page, 'deleteFrame "prostate.hex"')
    page.keyboard.press("Control+Enter")
    # a row named exactly prostate.hex (other tests leave frames such as predictions_x_on_prostate.hex)
    expect(cells(page).nth(i).locator(".db-frames-view").first).not_to_contain_text(re.compile(r"(?<![_A-Za-z.])prostate\.hex"))
    page.keyboard.press("Escape")
    page.keyboard.press("d")
    page.keyboard.press("d")
    expect(cells(page)).to_have_count(i)
    # a model built by the notebook: Run All waits for its training before the next cell opens it. The job is
    # bounded by time (no early stopping, max_runtime_secs), so the wait is ~8 s however fast training gets.
    j = add_code_cell_at_end(page, 'buildModel "deeplearning", {training_frame: "prostate.hex", '
                                   'response_column: "CAPSULE", hidden: [16], epochs: 1000000, stopping_rounds: 0, '
                                   'max_runtime_secs: 8, model_id: "ui_model"}')
    page.keyboard.press("Escape")
    add_code_cell_at_end(page, 'getModel "ui_model"')
    page.keyboard.press("Escape")
    page.locator(".db-tb-run-all button").click()
    progress = page.locator(".db-progress")
    expect(progress).to_contain_text(f"Running cell {j + 1} of {j + 2}", timeout=60_000)
    expect(progress).to_contain_text(re.compile("Finished|Failed"), timeout=90_000)
    expect(page.locator(".db-cell-error")).to_have_count(0)  # on failure its snapshot shows the error
    expect(progress).to_contain_text("Finished running your notebook.")
    expect(page.locator(".db-cell-error")).to_have_count(0)
    expect(cells(page).nth(j + 1).locator(".db-model-view").first).to_contain_text("ui_model")
    expect(summary(page)).to_contain_text("prostate.hex")
    # the code cells ran again, parse included: counters 1-4 (or 1-3) on open, one for deleteFrame, then
    # import/parse/summary
    expect(cells(page).nth(SUMMARY_CELL)).to_contain_text("[8]" if parsed_on_open else "[7]")
    expect(cells(page).nth(PARSE_CELL).locator(".db-cell-skipped")).to_have_count(0)


def test_save_reload_open_download_upload(app_page, tmp_path):
    page = app_page
    i = add_code_cell_at_end(page, "")
    page.keyboard.press("Escape")
    page.keyboard.press("m")
    expect(cells(page).nth(i)).to_have_class(re.compile(r"\bdb-kind-markdown\b"))
    page.keyboard.press("Enter")
    expect(editor(page, i)).to_be_focused()
    page.keyboard.type("saved-marker-text")
    page.keyboard.press("Control+Enter")
    expect(cells(page).nth(i).locator(".db-md-output")).to_contain_text("saved-marker-text")
    name = page.locator(".db-nb-name input")
    name.fill("ui-flow")
    name.press("Enter")
    page.locator(".db-tb-save button").click()
    expect(page.locator(".db-progress")).to_contain_text("Notebook 'ui-flow' saved.")
    page.reload(timeout=60_000)  # the tab's notebook comes back (autosaved), then New empties it
    expect(page.locator(".db-md-output").filter(has_text="saved-marker-text")).to_have_count(1, timeout=60_000)
    page.locator(".db-tb-new button").click()
    expect(page.get_by_text("saved-marker-text")).to_have_count(0)
    page.locator(".db-open-select select").select_option("ui-flow")
    page.locator(".db-tb-open button").click()
    expect(page.locator(".db-md-output").filter(has_text="saved-marker-text")).to_have_count(1)
    expect(name).to_have_value("ui-flow")
    expect(cells(page)).to_have_count(i + 1)
    # download the notebook file, then upload it back after starting a new notebook
    with page.expect_download() as dl:
        page.locator(".db-download button, .db-download a").first.click()
    data = json.loads(Path(dl.value.path()).read_text())
    assert data["cells"][-1] == {"kind": "markdown", "input": "saved-marker-text"}
    page.locator(".db-tb-new button").click()
    expect(cells(page)).to_have_count(1)
    upload = tmp_path / "up.flow.json"
    upload.write_text(json.dumps({**data, "name": "uploaded"}))
    page.locator(".db-upload input[type=file]").set_input_files(str(upload))
    expect(cells(page)).to_have_count(i + 1)
    expect(page.locator(".db-md-output").filter(has_text="saved-marker-text")).to_have_count(1)


def test_two_tabs_share_the_workspace(app_page, browser, server):
    page = app_page
    i = add_code_cell_at_end(page, 'splitFrame "prostate.hex", [0.5], destinations: ["tab_a_1", "tab_a_2"]')
    page.keyboard.press("Control+Enter")
    expect(cells(page).nth(i).locator(".db-frames-view").first).to_contain_text("tab_a_1")
    other = browser.new_context().new_page()
    try:
        other.goto(server[0], timeout=60_000)
        expect(other.locator(".db-model-builder")).to_have_count(1, timeout=60_000)
        # opening the page did not parse prostate.hex again over the frame the first tab works on
        expect(cells(other).nth(PARSE_CELL).locator(".db-cell-skipped")).to_contain_text(
            "'prostate.hex' is already in the workspace")
        j = add_code_cell_at_end(other, "getFrames")
        other.keyboard.press("Control+Enter")
        expect(cells(other).nth(j).locator(".db-frames-view").first).to_contain_text("tab_a_2")
    finally:
        other.context.close()
