"""#18 minor polish of the binomial metrics in a real browser: confusion-matrix counts are integers, and the ROC
criterion starts on max f1 (as Flow) with its threshold point marked."""
import re

import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import add_cell, build_model, cell, open_app

pytestmark = pytest.mark.ui


def test_confusion_matrix_counts_and_default_roc_criterion(page, server):
    open_app(page, server)
    add_cell(page, 'parseFiles paths: ["prostate.csv.gz"], destination_frame: "prostate_bin.hex", '
                   'column_types: {CAPSULE: "enum"}')
    build_model(page, "dl_cm", frame="prostate_bin.hex", params="hidden: [4], epochs: 2, seed: 1")
    j = add_cell(page, 'getModel "dl_cm"')
    view = cell(page, j).locator(".db-model-view")
    training = view.locator(".db-metrics-training")
    cm = training.locator(".db-metrics-training-confusion-matrix")
    cm.scroll_into_view_if_needed()
    counts = cm.locator('.tabulator-row .tabulator-cell[tabulator-field="0"], '
                        '.tabulator-row .tabulator-cell[tabulator-field="1"]')
    expect(counts).to_have_count(6)  # rows 0, 1 and Total
    texts = counts.all_inner_texts()
    assert all(re.fullmatch(r"\d+", t.strip()) for t in texts), texts
    total = cm.locator(".tabulator-row", has_text="Total").locator('.tabulator-cell[tabulator-field="0"], '
                                                                   '.tabulator-cell[tabulator-field="1"]')
    assert sum(int(t) for t in total.all_inner_texts()) == 380
    select = training.locator(".db-roc-criterion-training select")
    expect(select).to_have_value("max f1")
    expect(training.locator(".db-roc-threshold-training")).to_contain_text(re.compile(r"max f1 = [\d.]+ at threshold"))
