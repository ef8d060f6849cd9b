"""Flow's whole loop in a real browser against `deepbrook serve`, driven only through the views' widgets.

import -> parse with a type changed -> summary -> build from the form (a column ignored through the search box,
a missing response refused first) -> the scoring plot gaining points while the job runs -> model view ->
predict -> save, reload, open, Run All; plus cancelling a long job and two browser contexts sharing a model.
Every wait is on page state (expect / wait_for_function), never a fixed sleep.
"""
import re

import pytest
from playwright.sync_api import expect

import ui_helpers
from ui_helpers import LONG_WAIT, cell, cells, click, code_of, open_app, save_screenshot
from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)

pytestmark = pytest.mark.ui

FRAME = "prostate_e2e.hex"

# Largest point count of the streamed scoring-history sources on the page (BokehJS models, by name).
SCORING_POINTS = """() => {
  let best = -1;
  for (const doc of window.Bokeh.documents) {
    for (const m of doc.all_models) {
      if (m.name === 'db-scoring-source') {
        const x = m.data instanceof Map ? m.data.get('x') : m.data.x;
        best = Math.max(best, x.length);
      }
    }
  }
  return best;
}"""


def add_cell(page, text):
    """Append a code cell, type `text` key by key and run it."""
    return ui_helpers.add_cell(page, text, typed=True)


def retry_until(action, assertion, *args, attempts=3):
    """Do `action` until `assertion(*args)` holds: a click may reach the server before the selects it follows
    (widget events run on a thread pool), so it is repeated, never slept on."""
    for attempt in range(attempts):
        action()
        try:
            assertion(*args, timeout=10_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def test_flow_end_to_end(page, server):
    page.set_default_timeout(30_000)
    open_app(page, server)

    # -- import through the import cell: completion within the data folders, then Import
    i = add_cell(page, "importFiles")
    form = cell(page, i).locator(".db-import-view")
    form.locator(".db-import-path input").fill("prost")
    expect(form.locator(".db-import-suggestion")).to_have_count(1)
    click(form.locator(".db-import-suggestion", has_text="prostate.csv.gz"))
    expect(form.locator(".db-import-selected")).to_contain_text("prostate.csv.gz")
    click(form.locator(".db-import-button"))
    expect(cell(page, i + 1).locator(".db-import-result")).to_contain_text("prostate.csv.gz")
    assert code_of(page, i + 1) == 'importFiles ["prostate.csv.gz"]'

    # -- parse with CAPSULE turned into an enum in the preview table
    click(cell(page, i + 1).locator(".db-import-parse"))
    setup = cell(page, i + 2).locator(".db-parse-setup")
    expect(setup).to_contain_text("CAPSULE")
    setup.locator(".db-parse-id input").fill(FRAME)
    setup.locator(".db-parse-id input").press("Enter")
    setup.locator(".db-parse-type-column select").select_option("CAPSULE")
    setup.locator(".db-parse-type-choice select").select_option("enum")
    retry_until(lambda: click(setup.locator(".db-parse-set-type")),
                expect(setup.locator(".tabulator-row", has_text="CAPSULE")).to_contain_text, "enum")
    expect(setup.locator(".db-parse-call")).to_contain_text('column_types: {CAPSULE: "enum"}')  # server has it
    expect(setup.locator(".db-parse-call")).to_contain_text(f'destination_frame: "{FRAME}"')
    click(setup.locator(".db-parse-button"))

    # -- the summary of the new frame
    summary = cell(page, i + 3).locator(".db-frame-summary")
    expect(summary).to_contain_text(FRAME)
    assert 'column_types: {CAPSULE: "enum"}' in code_of(page, i + 3)
    expect(summary.locator(".db-frame-columns .tabulator-row", has_text="CAPSULE")).to_contain_text("enum")
    save_screenshot(page, cell(page, i + 3), "screenshot-frame-summary.png",
                    ready=summary.locator(".db-frame-column-detail"))

    # -- the form refuses a build without a response and writes no cell
    click(summary.locator(".db-frame-build"))
    builder = cell(page, i + 4).locator(".db-model-builder")
    expect(builder).to_have_count(1)
    click(builder.locator(".db-build-button"))
    expect(builder.locator(".db-build-summary")).to_contain_text("one or more errors")
    expect(builder.locator(".db-message-response_column")).to_contain_text("Response column parameter not set.")
    expect(cells(page)).to_have_count(i + 5)

    # -- fill the form: response, one column ignored through the search box, a job long enough to watch
    builder.locator(".db-param-response_column select").select_option("CAPSULE")
    expect(builder.locator(".db-build-summary")).to_be_hidden()
    builder.locator(".db-columns-search input").press_sequentially("id")
    expect(builder.locator(".db-columns-caption")).to_contain_text("Showing 1 of 8 columns, 0 ignored")
    builder.locator(".db-columns-table .tabulator-row", has_text="ID").locator("input[type=checkbox]").click()
    expect(builder.locator(".db-columns-caption")).to_contain_text("1 ignored")
    builder.locator(".db-param-hidden input").fill("32, 32")
    builder.locator(".db-param-hidden input").press("Enter")
    builder.locator(".db-param-epochs input").fill("100000")  # ended by max_runtime_secs: long enough on any machine
    builder.locator(".db-param-epochs input").press("Enter")
    builder.locator(".db-show-advanced input").check()
    builder.locator(".db-param-max_runtime_secs input").fill("15")
    builder.locator(".db-param-max_runtime_secs input").press("Enter")
    builder.locator(".db-param-score_each_iteration input").check()
    builder.locator(".db-param-train_samples_per_iteration input").fill("100")
    builder.locator(".db-param-train_samples_per_iteration input").press("Enter")
    builder.locator(".db-show-expert input").check()
    builder.locator(".db-param-stopping_rounds input").fill("0")
    builder.locator(".db-param-stopping_rounds input").press("Enter")
    call = builder.locator(".db-build-call")  # what Build will write, once the server has every edit
    for part in ('response_column: "CAPSULE"', 'ignored_columns: ["ID"]', "hidden: [32, 32]", "epochs: 100000",
                 "max_runtime_secs: 15", "score_each_iteration: true", "train_samples_per_iteration: 100",
                 "stopping_rounds: 0"):
        expect(call).to_contain_text(part)
    click(builder.locator(".db-build-button"))

    job = cell(page, i + 5).locator(".db-job-view")
    expect(job).to_contain_text("RUNNING", timeout=60_000)
    code = code_of(page, i + 5)
    model_id = re.search(r'model_id: "([^"]+)"', code).group(1)
    assert 'response_column: "CAPSULE"' in code and 'ignored_columns: ["ID"]' in code
    assert 'training_frame: "prostate_e2e.hex"' in code and "epochs: 100000" in code

    # -- open the model while it trains: the scoring plot gains points (streamed)
    click(job.locator(".db-job-view-model"))
    model = cell(page, i + 6).locator(".db-model-view")
    expect(model).to_contain_text(model_id)
    page.wait_for_function(f"({SCORING_POINTS})() >= 1", timeout=60_000)
    before = page.evaluate(SCORING_POINTS)
    page.wait_for_function(f"({SCORING_POINTS})() >= {before + 3}", timeout=60_000)
    expect(model.locator(".db-model-status")).to_contain_text("RUNNING")  # still live while it grew
    expect(model.locator(".db-model-status")).to_contain_text("DONE", timeout=LONG_WAIT)
    expect(model.locator(".db-layers")).to_contain_text("Softmax")
    expect(model.locator(".db-card-training-metrics")).to_have_count(1)
    assert page.evaluate(SCORING_POINTS) > before + 3
    save_screenshot(page, model, "screenshot-model-view.png", ready=model.locator(".db-card-varimp"))

    # -- predict on the frame (it holds the response: metrics too)
    click(model.locator(".db-model-predict"))
    predict = cell(page, i + 7).locator(".db-predict-view")
    predict.locator(".db-predict-frame select").select_option(FRAME)
    expect(predict.locator(".db-predict-call")).to_contain_text(f'frame: "{FRAME}"')
    click(predict.locator(".db-predict-button"))
    result = cell(page, i + 8).locator(".db-predict-view")
    expect(result.locator(".db-predictions-title")).to_contain_text("380 rows")
    expect(result.locator(".db-prediction-metrics")).to_contain_text("auc")
    n_cells = cells(page).count()

    # -- save, reload, open, Run All: the same objects come back
    name = page.locator(".db-nb-name input")
    name.fill("e2e-flow")
    name.press("Enter")
    retry_until(lambda: click(page.locator(".db-tb-save")),
                expect(page.locator(".db-progress")).to_contain_text, "Notebook 'e2e-flow' saved.")
    page.reload()
    open_app(page, server)
    page.locator(".db-open-select select").select_option("e2e-flow")
    click(page.locator(".db-tb-open"))
    expect(cells(page)).to_have_count(n_cells)
    assert code_of(page, i + 5) == code
    click(page.locator(".db-tb-run-all"))
    expect(page.locator(".db-progress")).to_contain_text("Finished running your notebook.", timeout=LONG_WAIT)
    expect(page.locator(".db-cell-error")).to_have_count(0)
    expect(cell(page, i + 3).locator(".db-frame-columns .tabulator-row", has_text="CAPSULE")).to_contain_text("enum")
    expect(cell(page, i + 6).locator(".db-model-view")).to_contain_text(model_id)
    expect(cell(page, i + 6).locator(".db-layers")).to_contain_text("Softmax")
    expect(cell(page, i + 8).locator(".db-prediction-metrics")).to_contain_text("auc")


def test_cancel_a_long_job(page, server):
    page.set_default_timeout(30_000)
    open_app(page, server)
    i = add_cell(page, 'buildModel "deeplearning", {model_id: "dl_cancel", training_frame: "prostate.hex", '
                       'response_column: "CAPSULE", hidden: [64, 64], epochs: 1000000, stopping_rounds: 0}')
    job = cell(page, i).locator(".db-job-view")
    expect(job.locator(".db-job-fields")).to_contain_text("RUNNING", timeout=60_000)
    expect(job.locator(".db-job-message")).to_contain_text("Iterations", timeout=60_000)
    click(job.locator(".db-job-cancel"))
    assert re.fullmatch(r'cancelJob "[^"]+"', code_of(page, i + 1))
    expect(cell(page, i + 1).locator(".db-job-fields")).to_contain_text("CANCELLED", timeout=60_000)
    expect(job.locator(".db-job-fields")).to_contain_text("CANCELLED")  # the first view follows the job too
    expect(job.locator(".db-job-cancel")).to_be_hidden()
    j = add_cell(page, "getJobs")
    expect(cell(page, j).locator(".db-jobs-table .tabulator-row", has_text="dl_cancel")).to_contain_text("CANCELLED")


def test_upload_through_the_import_cell(page, server, tmp_path):
    page.set_default_timeout(30_000)
    open_app(page, server)
    csv = tmp_path / "uploaded_e2e.csv"
    csv.write_text("x,y\n1,a\n2,b\n3,a\n")
    i = add_cell(page, "importFiles")
    form = cell(page, i).locator(".db-import-view")
    form.locator(".db-import-upload input[type=file]").set_input_files(str(csv))
    expect(form.locator(".db-import-selected")).to_contain_text("uploaded_e2e.csv")
    click(form.locator(".db-import-button"))
    assert re.fullmatch(r'importFiles \["uploads/uploaded_e2e.csv"\]', code_of(page, i + 1))
    click(cell(page, i + 1).locator(".db-import-parse"))
    setup = cell(page, i + 2).locator(".db-parse-setup")
    expect(setup.locator(".db-parse-call")).to_contain_text('destination_frame: "uploaded_e2e.hex"')
    click(setup.locator(".db-parse-button"))
    expect(cell(page, i + 3).locator(".db-frame-summary")).to_contain_text("uploaded_e2e.hex")


def test_two_browser_contexts_see_the_same_model(browser, server):
    a, b = browser.new_context(), browser.new_context()
    try:
        pa, pb = a.new_page(), b.new_page()
        for p in (pa, pb):
            p.set_default_timeout(30_000)
            open_app(p, server)
        i = add_cell(pa, 'buildModel "deeplearning", {model_id: "dl_shared", training_frame: "prostate.hex", '
                         'response_column: "CAPSULE", hidden: [8], epochs: 2}')
        expect(cell(pa, i).locator(".db-job-fields")).to_contain_text("DONE", timeout=LONG_WAIT)
        j = add_cell(pb, "getModels")
        expect(cell(pb, j).locator(".db-models-table")).to_contain_text("dl_shared")
        k = add_cell(pb, 'getModel "dl_shared"')
        expect(cell(pb, k).locator(".db-model-view")).to_contain_text("dl_shared")
        expect(cell(pb, k).locator(".db-layers")).to_contain_text("Rectifier")
    finally:
        a.close()
        b.close()
