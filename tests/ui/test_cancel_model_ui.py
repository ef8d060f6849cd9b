"""#18 minor in a real browser: a cancelled build keeps its model (as H2O does), marked CANCELLED, and the model
view's status line follows the job while it trains."""
import re

import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import add_cell, cell, click, open_app

pytestmark = pytest.mark.ui


def test_cancelled_build_keeps_a_model_marked_cancelled(page, server):
    open_app(page, server)
    i = add_cell(page, 'buildModel "deeplearning", {model_id: "dl_kept", training_frame: "prostate.hex", '
                       'response_column: "CAPSULE", hidden: [32, 32], epochs: 1000000, stopping_rounds: 0, '
                       'score_each_iteration: true, train_samples_per_iteration: 200}')
    job = cell(page, i).locator(".db-job-view")
    expect(job.locator(".db-job-message")).to_contain_text("Iterations", timeout=60_000)
    click(job.locator(".db-job-view-model"))  # the live model view of the partial model
    status = cell(page, i + 1).locator(".db-model-status")
    expect(status).to_be_visible()
    status = page.locator(".db-model-status").first  # the only model view yet; Cancel adds a cell above it
    expect(status).to_contain_text(re.compile(r"Job RUNNING, \d+%: Iterations: \d+"), timeout=60_000)
    first = status.inner_text()
    expect(status).not_to_have_text(first, timeout=60_000)  # current while training, not stale
    click(job.locator(".db-job-cancel"))
    expect(job.locator(".db-job-fields")).to_contain_text("CANCELLED", timeout=60_000)
    expect(job.locator(".db-job-message")).to_contain_text("Stopped: cancelled.")
    expect(status).to_contain_text("Job CANCELLED: Iterations:", timeout=60_000)
    j = add_cell(page, 'getModel "dl_kept"')
    view = cell(page, j).locator(".db-model-view")
    expect(view.locator(".db-model-status")).to_contain_text(re.compile(r"Model CANCELLED: Iterations: \d+\. "
                                                                        r"Epochs: [\d.]+\. Stopped: cancelled\."))
    k = add_cell(page, "getModels")
    expect(cell(page, k).locator(".tabulator-row", has_text="dl_kept")).to_be_visible()
