"""#18 item 7 in a real browser: View Data (paged, sortable rows of frames and predictions), exportFrame, and a
downloaded model loaded back in through the import form."""
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import add_cell, build_model, cell, cells, click, code_of, open_app

pytestmark = pytest.mark.ui
PROSTATE = Path(__file__).resolve().parents[2] / "assets" / "data" / "prostate.csv.gz"
SUMMARY_CELL = 4  # the example's getFrameSummary "prostate.hex"


def first_cell_of(table, field):
    return table.locator(".tabulator-row").first.locator(f'.tabulator-cell[tabulator-field="{field}"]')


def test_view_data_pages_and_sorts_the_rows(page, server):
    open_app(page, server)
    ages = pd.read_csv(PROSTATE)["AGE"]
    n = cells(page).count()
    click(cell(page, SUMMARY_CELL).locator(".db-frame-view-data"))
    expect(cells(page)).to_have_count(n + 1)
    data = cell(page, SUMMARY_CELL + 1).locator(".db-frame-data")
    assert code_of(page, SUMMARY_CELL + 1) == 'getFrameData "prostate.hex"'
    expect(data.locator(".db-frame-data-size")).to_contain_text("380 rows, 9 columns")
    table = data.locator(".db-frame-data-table")
    expect(table.locator(".tabulator-row")).to_have_count(20)  # one page reaches the browser
    expect(first_cell_of(table, "Row")).to_have_text("1")
    expect(first_cell_of(table, "AGE")).to_have_text(str(ages.iloc[0]))
    table.locator(".tabulator-page", has_text=re.compile(r"^\s*2\s*$")).click()
    expect(first_cell_of(table, "Row")).to_have_text("21")
    expect(first_cell_of(table, "AGE")).to_have_text(str(ages.iloc[20]))
    header = table.locator('.tabulator-col[tabulator-field="AGE"] .tabulator-col-title')
    header.click()  # sorts the whole frame on the server, back to page 1
    expect(first_cell_of(table, "AGE")).to_have_text(str(ages.min()))
    header.click()
    expect(first_cell_of(table, "AGE")).to_have_text(str(ages.max()))
    expect(table.locator(".tabulator-row")).to_have_count(20)


def test_view_data_of_predictions(page, server):
    open_app(page, server)
    build_model(page, "dl_rows")
    j = add_cell(page, 'predict model: "dl_rows", frame: "prostate.hex"')
    click(cell(page, j).locator(".db-predictions-view-data"))
    data = cell(page, j + 1).locator(".db-frame-data")
    expect(data.locator(".db-frame-data-size")).to_contain_text("380 rows, 1 columns")
    expect(data.locator(".db-frame-data-table .tabulator-row")).to_have_count(20)
    expect(data.locator('.db-frame-data-table .tabulator-col[tabulator-field="predict"]')).to_have_count(1)


def test_export_frame_form_writes_csv_and_never_replaces(page, server):
    open_app(page, server)
    _, workspace = server
    n = cells(page).count()
    click(cell(page, SUMMARY_CELL).locator(".db-frame-export"))
    form = cell(page, SUMMARY_CELL + 1).locator(".db-export-frame")
    expect(form.locator(".db-export-path input")).to_have_value("exports/prostate.hex.csv")
    form.locator(".db-export-path input").fill("exports/ui_prostate.csv")
    form.locator(".db-export-path input").press("Enter")
    click(form.locator(".db-export-button"))
    expect(cells(page)).to_have_count(n + 2)
    assert code_of(page, SUMMARY_CELL + 2) == 'exportFrame "prostate.hex", "exports/ui_prostate.csv"'
    expect(cell(page, SUMMARY_CELL + 2).locator(".db-export-done")).to_contain_text("380 rows")
    written = Path(workspace) / "data" / "exports" / "ui_prostate.csv"
    pd.testing.assert_frame_equal(pd.read_csv(written), pd.read_csv(PROSTATE), check_dtype=False)
    click(form.locator(".db-export-button"))  # the same path again: refused in the new cell, file untouched
    expect(cell(page, SUMMARY_CELL + 2).locator(".db-cell-error")).to_contain_text("already exists")


def test_a_downloaded_model_loads_back_in(page, server, tmp_path):
    open_app(page, server)
    build_model(page, "dl_roundtrip")
    j = add_cell(page, 'getModel "dl_roundtrip"')
    view = cell(page, j).locator(".db-model-view")
    with page.expect_download() as dl:
        view.locator(".db-model-download button, .db-model-download a").first.click()
    zipped = tmp_path / "dl_roundtrip.model"
    dl.value.save_as(zipped)
    k = add_cell(page, 'deleteModel "dl_roundtrip"')
    expect(cell(page, k).locator(".db-models-table")).not_to_contain_text("dl_roundtrip")
    click(cell(page, k).locator(".db-models-import"))
    form = cell(page, k + 1).locator(".db-import-model")
    form.locator(".db-import-model-upload input[type=file]").set_input_files(str(zipped))
    expect(form.locator(".db-import-model-call")).to_contain_text('importModel "uploads/dl_roundtrip.model"')
    click(form.locator(".db-import-model-button"))
    model = cell(page, k + 2).locator(".db-model-view")
    expect(model).to_contain_text("dl_roundtrip")
    expect(model.locator(".db-layers")).to_contain_text("Rectifier")
    m = add_cell(page, 'predict model: "dl_roundtrip", frame: "prostate.hex"')
    expect(cell(page, m).locator(".db-predictions-title")).to_contain_text("380 rows")
