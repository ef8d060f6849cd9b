"""#18 item 4 in a real browser: a reload gives the tab its notebook back, and a saved notebook reopens with every
cell's output rebuilt from the workspace, without training or predicting again."""

import pytest
from playwright.sync_api import expect

from ui_helpers import LONG_WAIT, add_cell, autosaved_cells, build_model, cell, cells, click, open_app
from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_with):
    """Its own server and workspace: the reopen is checked against what this test made."""
    workspace = tmp_path_factory.mktemp("persist-workspace")
    with serve_with(workspace) as url:
        yield url, workspace


def expect_outputs(page, i, j, k):
    expect(cell(page, i).locator(".db-model-view")).to_contain_text("dl_keep")  # buildModel: the model it made
    expect(cell(page, j).locator(".db-model-view")).to_contain_text("dl_keep")
    expect(cell(page, j).locator(".db-layers")).to_contain_text("Rectifier")
    expect(cell(page, k).locator(".db-predictions-title")).to_contain_text("380 rows")
    expect(cell(page, 4).locator(".db-frame-summary")).to_contain_text("prostate.hex")


def one_job_built(page, server):
    """getJobs lists dl_keep once: reopening never trained it again."""
    n = add_cell(page, "getJobs")
    expect(cell(page, n).locator(".db-jobs-table .tabulator-row", has_text="dl_keep")).to_have_count(1)


SAVED = {}  # what the reload test saved, for the reopen test after it (same module server)


def test_reload_restores_the_tab_and_saves_the_notebook(page, server):
    _, workspace = server
    open_app(page, server)
    i = build_model(page, "dl_keep")
    j = add_cell(page, 'getModel "dl_keep"')
    k = add_cell(page, 'predict model: "dl_keep", frame: "prostate.hex"')
    expect(cell(page, k).locator(".db-predictions-title")).to_contain_text("380 rows")
    autosaved_cells(workspace, 'predict model: "dl_keep", frame: "prostate.hex"')

    page.reload()
    expect(cells(page)).to_have_count(k + 1, timeout=90_000)
    expect(page.locator(".db-progress")).to_contain_text("restored")
    expect_outputs(page, i, j, k)

    name = page.locator(".db-nb-name input")
    name.fill("persist-ui")
    name.press("Enter")
    click(page.locator(".db-tb-save"))
    expect(page.locator(".db-progress")).to_contain_text("Notebook 'persist-ui' saved.")
    SAVED.update(i=i, j=j, k=k)


def test_a_saved_notebook_reopens_in_another_tab_with_outputs(server, browser):
    assert SAVED, "the reload test above saves 'persist-ui' first"
    i, j, k = SAVED["i"], SAVED["j"], SAVED["k"]
    other = browser.new_context().new_page()  # a new tab: the example, then the saved notebook opened
    try:
        open_app(other, server)
        other.locator(".db-open-select select").select_option("persist-ui")
        click(other.locator(".db-tb-open"))
        # the cells show once all outputs are rebuilt (one update: see NotebookView._swap), slow on a loaded box
        expect(other.locator(".db-progress")).to_contain_text("Notebook 'persist-ui' opened.", timeout=LONG_WAIT)
        expect(cells(other)).to_have_count(k + 1)
        expect_outputs(other, i, j, k)
        one_job_built(other, server)
    finally:
        other.context.close()
