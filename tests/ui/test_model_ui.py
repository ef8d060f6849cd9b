"""#18 model views in a real browser: the scoring-history metric select redraws the plot."""
import math
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import add_cell, build_model, cell, open_app, source_column

pytestmark = pytest.mark.ui


def test_scoring_metric_select_changes_the_plot(page, server):
    open_app(page, server)
    build_model(page, "dl_metric", "hidden: [8], epochs: 3, score_each_iteration: true, seed: 1")
    j = add_cell(page, 'getModel "dl_metric"')
    view = cell(page, j).locator(".db-model-view")
    expect(view).to_contain_text("dl_metric")
    select = view.locator(".db-scoring-metric select")
    expect(select).to_have_value("deviance")  # CAPSULE is numeric here: a regression
    page.wait_for_function("() => window.Bokeh && window.Bokeh.documents.length > 0")
    deviance = source_column(page, "db-scoring-source", "train")
    assert deviance and any(math.isfinite(v) for v in deviance)
    select.select_option("mae")
    page.wait_for_function(
        """([before]) => { for (const doc of window.Bokeh.documents) for (const m of doc.all_models)
             if (m.name === 'db-scoring-source') { const v = Array.from(m.data instanceof Map ? m.data.get('train')
                                                                                         : m.data.train);
               return v.length === before.length && v.some((x, k) => !(Number.isNaN(x) && Number.isNaN(before[k])) && x !== before[k]); } return false; }""",
        arg=[deviance], timeout=30_000)
    mae = source_column(page, "db-scoring-source", "train")
    assert all(0 < v < 1 for v in mae if math.isfinite(v)) and mae != deviance  # the mean absolute error on a 0/1 response is below 1
    label = page.evaluate("""() => { for (const doc of window.Bokeh.documents) for (const m of doc.all_models)
                              if (m.type === 'LinearAxis' || (m.constructor && m.constructor.name === 'LinearAxis'))
                                if (m.axis_label === 'mae') return m.axis_label; return null; }""")
    assert label == "mae"


ECG = Path(__file__).resolve().parents[3] / "shared" / "h2o-flows" / "data" / "smalldata" / "anomaly"


def test_ecg_anomaly_detection_end_to_end(page, server):
    """Train an autoencoder on normal beats, score the test beats' reconstruction error, see it sorted."""
    if not ECG.is_dir():
        pytest.skip(f"the ECG data folder {ECG} is absent")
    folder = Path(server[1]) / "data" / "ecg"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("ecg_discord_train.csv", "ecg_discord_test.csv"):
        shutil.copy(ECG / name, folder / name)
    open_app(page, server)
    add_cell(page, 'parseFiles paths: ["ecg/ecg_discord_train.csv"], destination_frame: "ecg_train.hex"')
    add_cell(page, 'parseFiles paths: ["ecg/ecg_discord_test.csv"], destination_frame: "ecg_test.hex"')
    i = add_cell(page, 'buildModel "deeplearning", {model_id: "ecg_ae", training_frame: "ecg_train.hex", '
                       'autoencoder: true, hidden: [50, 20, 50], activation: "Tanh", epochs: 100, seed: 1}')
    expect(cell(page, i).locator(".db-job-fields")).to_contain_text("DONE", timeout=180_000)
    j = add_cell(page, 'predict model: "ecg_ae", frame: "ecg_test.hex", reconstruction_error: true')
    expect(cell(page, j).locator(".db-predictions-title")).to_contain_text("23 rows")
    page.wait_for_function("""() => window.Bokeh && Array.from(window.Bokeh.documents).some(
        d => Array.from(d.all_models).some(m => m.name === 'db-reconstruction-source'))""", timeout=60_000)
    mse = source_column(page, "db-reconstruction-source", "mse")
    assert mse is not None and len(mse) == 23 and mse == sorted(mse) and mse[-1] > 2 * mse[0]
