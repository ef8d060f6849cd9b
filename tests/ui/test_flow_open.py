"""A user opens one of H2O Flow's own `.flow` notebooks from disk, presses Run All, and every cell runs: the model
view appears. Then the notebook is downloaded as a `.flow` again, which H2O Flow opens. A server of its own, with
the shared H2O test data as its data root (the notebook reads ../smalldata/junit/iris.csv.gz)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT.parent / "shared" / "h2o-flows"
NOTEBOOK = FLOWS / "flows" / "dl_junit_iris_gz.flow"
LONG_WAIT = 240_000


@pytest.fixture(scope="module")
def flow_server(tmp_path_factory, serve_helpers):
    assert NOTEBOOK.is_file(), f"the shared H2O Flow notebooks are missing: {NOTEBOOK}"
    free_port, wait_live, stop = serve_helpers
    workspace = tmp_path_factory.mktemp("flow-open-ws")
    port = free_port()
    log_path = workspace.parent / "flow-open-server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("deepbrook")), "serve", "--port", str(port), "--workspace", str(workspace),
                                 "--data-root", str(FLOWS / "data"), "--data-root", str(ROOT / "assets" / "data")],
                                stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            wait_live(f"http://127.0.0.1:{port}/liveness", proc, log_path)
            yield f"http://127.0.0.1:{port}/"
        finally:
            stop(proc)


def test_open_a_flow_file_run_all_and_download_it_back(page, flow_server, tmp_path):
    expect.set_options(timeout=60_000)
    try:
        page.goto(flow_server, timeout=90_000)
        expect(page.locator(".db-model-builder")).to_have_count(1, timeout=120_000)  # the example notebook ran
        page.locator(".db-upload input[type=file]").set_input_files(str(NOTEBOOK))
        cells = page.locator(".db-cell")
        expect(cells).to_have_count(11)
        expect(cells.nth(0).locator(".db-editor textarea")).to_have_value(
            'importFiles [ "../smalldata/junit/iris.csv.gz" ]')
        page.locator(".db-tb-run-all button").click()
        progress = page.locator(".db-progress")
        expect(progress).to_contain_text("Finished running your notebook.", timeout=LONG_WAIT)
        expect(page.locator(".db-cell-error")).to_have_count(0)
        model = cells.nth(8).locator(".db-model-view").first
        expect(model).to_contain_text("deeplearning-c4989f6d-d8da-4f11-80b4-5054bc450710")
        expect(cells.nth(2).locator(".db-cell-notes")).to_contain_text("delete_on_done")  # listed, not dropped
        expect(cells.nth(10).locator(".db-predict-view").first).to_be_visible()
        with page.expect_download() as dl:
            page.locator(".db-download-flow button, .db-download-flow a").first.click()
        assert dl.value.suggested_filename.endswith(".flow")
        assert json.loads(Path(dl.value.path()).read_text()) == json.loads(NOTEBOOK.read_text())
    finally:
        expect.set_options(timeout=5_000)
