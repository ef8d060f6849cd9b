"""#18 item 6 in a real browser: a grid built from the form, getModels' compare view, a cross-validation summary."""
import math
import re

import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import (LONG_WAIT, add_cell, build_model, cell, cells, click, code_of, open_app, save_screenshot,
                        source_column)

pytestmark = pytest.mark.ui

HAS_SOURCE = """([name]) => window.Bokeh && Array.from(window.Bokeh.documents).some(
    d => Array.from(d.all_models).some(m => m.name === name))"""


def column_values(table, field):
    texts = table.locator(f'.tabulator-row .tabulator-cell[tabulator-field="{field}"]').all_inner_texts()
    return [float(t) for t in texts]


def fill(locator, text):
    locator.fill(text)
    locator.press("Enter")


def test_grid_built_from_the_form_shows_its_models_sorted_by_the_chosen_metric(page, server):
    open_app(page, server)
    n = cells(page).count()
    builder = page.locator(".db-model-builder").last  # the example's form on prostate.hex
    builder.locator(".db-param-response_column select").select_option("CAPSULE")
    settings = builder.locator(".db-grid-settings")
    expect(settings).to_be_hidden()
    builder.locator(".db-grid-hidden input").check()   # Flow's GRID? box: the field takes ;-separated values
    expect(settings).to_be_visible()
    fill(builder.locator(".db-grid-values-hidden input"), "4; 6")
    builder.locator(".db-grid-epochs input").check()
    fill(builder.locator(".db-grid-values-epochs input"), "1; 2")
    fill(builder.locator(".db-grid-setting-grid_id input"), "ui_grid")
    call = builder.locator(".db-build-call")
    expect(call).to_contain_text('grid_id: "ui_grid"')
    expect(call).to_contain_text("hyper_parameters: {hidden: [[4], [6]], epochs: [1.0, 2.0]}")
    expect(call).to_contain_text('search_criteria: {strategy: "Cartesian"}')
    click(builder.locator(".db-build-button"))

    expect(cells(page)).to_have_count(n + 1)
    assert "hyper_parameters: {hidden: [[4], [6]], epochs: [1.0, 2.0]}" in code_of(page, n)
    grid = cell(page, n).locator(".db-grid-view")
    expect(grid.locator(".db-job-fields")).to_contain_text("Grid", timeout=60_000)
    expect(grid.locator(".db-job-fields")).to_contain_text("DONE", timeout=LONG_WAIT)
    expect(grid.locator(".db-job-message")).to_contain_text("Models: 4 of 4 built.")
    table = grid.locator(".db-grid-table")
    expect(table.locator(".tabulator-row")).to_have_count(4)
    ids = table.locator('.tabulator-row .tabulator-cell[tabulator-field="model_id"]').all_inner_texts()
    assert sorted(ids) == [f"ui_grid_model_{i}" for i in range(1, 5)]
    deviance = column_values(table, "residual_deviance")  # CAPSULE is numeric here: regression, by deviance
    assert deviance == sorted(deviance) and all(math.isfinite(v) for v in deviance)

    grid.locator(".db-grid-sort select").select_option("r2")  # R^2 sorts best (largest) first, shown first
    expect(table.locator(".tabulator-headers")).to_have_text(re.compile(r"model_id\s*r2\s*residual_deviance"))
    r2 = column_values(table, "r2")
    assert r2 == sorted(r2, reverse=True)

    j = add_cell(page, 'getGrid "ui_grid", sort_by: "rmse"')      # the routine reproduces the grid
    again = cell(page, j).locator(".db-grid-table")
    expect(again.locator(".tabulator-row")).to_have_count(4)
    rmse = column_values(again, "rmse")
    assert rmse == sorted(rmse)


def test_get_models_compares_the_checked_models(page, server):
    open_app(page, server)
    build_model(page, "cmp_a", "hidden: [4], epochs: 2, score_each_iteration: true, seed: 1")
    build_model(page, "cmp_b", "hidden: [8], epochs: 2, score_each_iteration: true, seed: 2")
    i = add_cell(page, "getModels")
    listing = cell(page, i).locator(".db-models-view")
    table = listing.locator(".db-models-table")
    for key in ("cmp_a", "cmp_b"):
        row = table.locator(".tabulator-row", has_text=key)
        expect(row).to_contain_text("prostate.hex")
        expect(row.locator('.tabulator-cell[tabulator-field="response_column"]')).to_have_text("CAPSULE")
        row.locator("input[type=checkbox]").check()
    click(listing.locator(".db-models-compare"))
    expect(cells(page)).to_have_count(i + 2)
    assert code_of(page, i + 1) == 'getModels ["cmp_a", "cmp_b"]'
    compare = cell(page, i + 1).locator(".db-compare-view")
    expect(compare.locator(".db-compare-metrics")).to_contain_text("cmp_a")
    expect(compare.locator(".db-compare-metrics")).to_contain_text("cmp_b")
    expect(compare.locator(".db-compare-metrics")).to_contain_text("rmse")
    for key in ("cmp_a", "cmp_b"):
        page.wait_for_function(HAS_SOURCE, arg=[f"db-compare-source-{key}"], timeout=60_000)
    before = source_column(page, "db-compare-source-cmp_a", "train")
    assert before and sum(math.isfinite(v) for v in before) >= 2   # both histories overlaid on one plot
    assert any(math.isfinite(v) for v in source_column(page, "db-compare-source-cmp_b", "train"))
    save_screenshot(page, cell(page, i + 1), "screenshot-compare-view.png")
    compare.locator(".db-compare-metric select").select_option("mae")
    page.wait_for_function(
        """([before]) => { for (const doc of window.Bokeh.documents) for (const m of doc.all_models)
             if (m.name === 'db-compare-source-cmp_a') { const v = Array.from(m.data instanceof Map ?
                 m.data.get('train') : m.data.train); return v.some((x, k) => Number.isFinite(x) && x !== before[k]); }
             return false; }""", arg=[before], timeout=30_000)
    mae = [v for v in source_column(page, "db-compare-source-cmp_a", "train") if math.isfinite(v)]
    assert mae and all(0 < v < 1 for v in mae)  # the mean absolute error on a 0/1 response is below 1


def test_cross_validated_model_shows_fold_summary_and_opens_a_fold_model(page, server):
    open_app(page, server)
    build_model(page, "cv_ui", "hidden: [4], epochs: 1, nfolds: 3, seed: 1")
    j = add_cell(page, 'getModel "cv_ui"')
    view = cell(page, j).locator(".db-model-view")
    summary = view.locator(".db-cv-summary")
    for title in ("metric", "mean", "sd", "cv_1_valid", "cv_2_valid", "cv_3_valid"):
        expect(summary.locator(".tabulator-col-title", has_text=re.compile(f"^{title}$"))).to_have_count(1)
    expect(summary.locator(".tabulator-row", has_text="rmse")).to_have_count(1)
    click(view.locator(".db-cv-fold-2"))
    expect(cells(page)).to_have_count(j + 2)
    assert code_of(page, j + 1) == 'getModel "cv_ui_cv_2"'
    expect(cell(page, j + 1).locator(".db-model-id")).to_have_text("cv_ui_cv_2")
