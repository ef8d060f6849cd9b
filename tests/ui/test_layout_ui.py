"""#18 minor layout items in a real browser: wide tables stay reachable (they fit, or scroll inside their cell) at
1024 px, and the Gains/Lift plot's axis labels lie inside its canvas (no label ink at the canvas edges)."""
import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import LONG_WAIT, add_cell, build_model, cell, open_app, unreachable

pytestmark = pytest.mark.ui

NARROW = {"width": 1024, "height": 900}

# Ink of the named Bokeh figures' drawings touching the canvas edge beside the y axis (x 4-45 px, top and bottom 3
# rows) or below the x axis (left and right 3 columns of the bottom 40 px but the corner): a label longer than the room Bokeh gives
# it runs off the canvas there. Titles and tick labels keep clear of those strips. Returns (figures drawn, problems).
LABEL_INK_AT_EDGES = """([name]) => {
  const out = [];
  let drawn = 0;
  const inked = (ctx, x, y, w, h) => {
    const d = ctx.getImageData(x, y, w, h).data;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 500) return true;
    return false;
  };
  for (const doc of window.Bokeh.documents) for (const fig of doc.all_models) {
    if (fig.name !== name) continue;
    for (const v of window.Bokeh.index.find(fig)) {
      const canvas = v.canvas_view.primary.canvas;
      const ctx = canvas.getContext('2d'), r = window.devicePixelRatio || 1;
      const W = canvas.width, H = canvas.height, px = (n) => Math.round(n * r);
      if (!W || !inked(ctx, 0, 0, W, H)) continue;  // not painted yet
      drawn += 1;
      // (the 4 px corners hold Bokeh's own marks, not labels)
      if (inked(ctx, px(4), 0, px(41), px(3))) out.push('y label runs off the top');
      if (inked(ctx, px(4), H - px(3), px(41), px(3))) out.push('y label runs off the bottom');
      if (inked(ctx, 0, H - px(40), px(3), px(36))) out.push('x label runs off the left');
      if (inked(ctx, W - px(3), H - px(40), px(3), px(36))) out.push('x label runs off the right');
    }
  }
  return [drawn, out];
}"""


def assert_reachable(locator, selector):
    expect(locator).to_be_visible()
    problems = unreachable(locator, selector)
    assert problems == [], problems


def test_wide_tables_scroll_or_fit_at_1024_px(page, server):
    page.set_viewport_size(NARROW)
    open_app(page, server)
    summary = page.locator(".db-frame-summary").first  # the example's prostate.hex summary
    assert_reachable(summary.locator(".db-frame-columns"), ".tabulator-col")
    assert_reachable(summary, ".bk-btn")
    assert_reachable(page.locator(".db-model-builder").first, "input, select, .bk-btn")
    titles = summary.locator(".db-frame-columns").evaluate(
        "t => Array.from(t.querySelectorAll('.tabulator-col-title')).filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.innerText)")
    assert titles == [], f"headers cut short inside their column: {titles}"

    i = add_cell(page, "assist")
    assert_reachable(cell(page, i).locator(".db-assist-view"), ".bk-btn, p")

    page.locator(".db-sidebar .bk-tab", has_text="Help").click()
    help_table = page.locator(".db-help")
    expect(help_table).to_contain_text("buildModel")
    assert_reachable(help_table, "th, td")


def test_model_tables_and_gains_lift_labels_at_1024_px(page, server):
    page.set_viewport_size(NARROW)
    open_app(page, server)
    add_cell(page, 'parseFiles paths: ["prostate.csv.gz"], destination_frame: "layout_bin.hex", '
                   'column_types: {CAPSULE: "enum"}')
    build_model(page, "layout_bin", "hidden: [4], epochs: 2, seed: 1, score_each_iteration: true",
                frame="layout_bin.hex")
    i = add_cell(page, 'getModel "layout_bin"')
    model = cell(page, i).locator(".db-model-view")
    expect(model.locator(".db-model-status")).to_contain_text("DONE", timeout=LONG_WAIT)

    params = model.locator(".db-card-params")
    params.locator(".card-header").first.click()
    assert_reachable(model.locator(".db-model-params"), ".tabulator-col")
    assert_reachable(model.locator(".db-layers"), ".tabulator-col")
    history = model.locator(".db-card-scoring-table")
    history.locator(".card-header").first.click()
    assert_reachable(model.locator(".db-scoring-table"), ".tabulator-col")
    assert_reachable(model.locator(".db-metrics-training-scalars"), ".tabulator-col")

    assert_reachable(model, ".bk-btn, canvas.bk-layer:not(.bk-glyph)")
    model.locator(".db-card-training-metrics").scroll_into_view_if_needed()
    page.wait_for_function(f"({LABEL_INK_AT_EDGES})(['db-gains-lift'])[0] >= 1", timeout=60_000)
    drawn, outside = page.evaluate(LABEL_INK_AT_EDGES, ["db-gains-lift"])
    assert drawn >= 1 and outside == [], outside
