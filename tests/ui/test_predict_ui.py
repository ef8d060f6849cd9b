"""#18 item 3 in a real browser: the predict form of an autoencoder offers the reconstruction error (sorted-error
plot) and the deep features of a chosen hidden layer, and writes Flow's routine for each."""
import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import LONG_WAIT, add_cell, cell, cells, click, code_of, open_app, source_column

pytestmark = pytest.mark.ui

HAS_RECONSTRUCTION_PLOT = """() => window.Bokeh && Array.from(window.Bokeh.documents).some(
    d => Array.from(d.all_models).some(m => m.name === 'db-reconstruction-source'))"""


def test_autoencoder_predict_form_offers_reconstruction_error_and_deep_features(page, server):
    open_app(page, server)
    i = add_cell(page, 'buildModel "deeplearning", {model_id: "ae_form", training_frame: "prostate.hex", '
                       'autoencoder: true, ignored_columns: ["ID", "CAPSULE"], hidden: [6, 3, 6], epochs: 5, seed: 1}')
    expect(cell(page, i).locator(".db-job-fields")).to_contain_text("DONE", timeout=LONG_WAIT)
    j = add_cell(page, 'getModel "ae_form"')
    click(cell(page, j).locator(".db-model-predict"))
    form = cell(page, j + 1).locator(".db-predict-view")
    expect(form).to_be_visible()
    assert code_of(page, j + 1) == 'predict model: "ae_form"'
    form.locator(".db-predict-frame select").select_option("prostate.hex")
    output = form.locator(".db-predict-output select")
    expect(output.locator("option")).to_have_text(["Predictions", "Reconstruction error (per row)",
                                                   "Reconstruction error per feature",
                                                   "Deep features of a hidden layer"])
    expect(form.locator(".db-predict-hidden-layer")).to_be_hidden()

    # reconstruction error: Flow's routine, then H2O's sorted reconstruction-error plot
    output.select_option(label="Reconstruction error (per row)")
    expect(form.locator(".db-predict-call")).to_contain_text(
        'predict model: "ae_form", frame: "prostate.hex", reconstruction_error: true')
    n = cells(page).count()
    click(form.locator(".db-predict-button"))
    expect(cells(page)).to_have_count(n + 1)
    assert code_of(page, j + 2) == 'predict model: "ae_form", frame: "prostate.hex", reconstruction_error: true'
    result = cell(page, j + 2)
    expect(result.locator(".db-predictions-title")).to_contain_text("380 rows, 1 columns", timeout=LONG_WAIT)
    page.wait_for_function(HAS_RECONSTRUCTION_PLOT, timeout=60_000)
    mse = source_column(page, "db-reconstruction-source", "mse")
    assert len(mse) == 380 and mse == sorted(mse) and mse[0] >= 0 and mse[-1] > mse[0]

    # deep features of the second hidden layer (3 units): a frame of 3 columns DF.L2.C1..C3
    output = form.locator(".db-predict-output select")
    output.select_option(label="Deep features of a hidden layer")
    layer = form.locator(".db-predict-hidden-layer select")
    expect(layer).to_be_visible()
    expect(layer.locator("option")).to_have_text(["0 (6 units)", "1 (3 units)", "2 (6 units)"])
    layer.select_option(label="1 (3 units)")
    expect(form.locator(".db-predict-call")).to_contain_text(
        'predict model: "ae_form", frame: "prostate.hex", deep_features_hidden_layer: 1')
    click(form.locator(".db-predict-button"))
    expect(cells(page)).to_have_count(n + 2)
    feats = cells(page).filter(has=page.locator(".db-predictions-title", has_text="deep_features_L2_ae_form"))
    expect(feats.locator(".db-predictions-title")).to_contain_text("380 rows, 3 columns", timeout=LONG_WAIT)
    headers = feats.locator('.db-predictions-table .tabulator-col[tabulator-field^="DF."] .tabulator-col-title')
    expect(headers).to_have_text(["DF.L2.C1", "DF.L2.C2", "DF.L2.C3"])


def test_predict_form_starts_on_the_held_out_frame(page, server):
    """#18 minor: Predict... on a model trained on a split starts on the test split, not on the first frame."""
    open_app(page, server)
    add_cell(page, 'splitFrame "prostate.hex", [0.75], ["pf_train.hex", "pf_test.hex"], 7')
    i = add_cell(page, 'buildModel "deeplearning", {model_id: "dl_split", training_frame: "pf_train.hex", '
                       'response_column: "CAPSULE", hidden: [3], epochs: 1, seed: 1}')
    expect(cell(page, i).locator(".db-job-fields")).to_contain_text("DONE", timeout=LONG_WAIT)
    j = add_cell(page, 'getModel "dl_split"')
    click(cell(page, j).locator(".db-model-predict"))
    form = cell(page, j + 1).locator(".db-predict-view")
    expect(form.locator(".db-predict-frame select")).to_have_value("pf_test.hex")
    expect(form.locator(".db-predict-call")).to_contain_text('predict model: "dl_split", frame: "pf_test.hex"')
