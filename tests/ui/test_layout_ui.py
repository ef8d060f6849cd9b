"""#18 minor layout items in a real browser: wide tables stay reachable (they fit, or scroll inside their cell) at
1024 px, and the Gains/Lift plot's axis labels lie inside its canvas."""
import pytest
from playwright.sync_api import expect

from ui_helpers import patient_expect  # noqa: F401  (autouse: 30 s assertions)
from ui_helpers import LONG_WAIT, add_cell, build_model, cell, open_app, unreachable

pytestmark = pytest.mark.ui

NARROW = {"width": 1024, "height": 900}

# Each axis label of the named Bokeh figures as drawn: its text's extent along the axis (measured in the axis label
# font), centred where Bokeh centres it, against the canvas; [] when every label lies inside.
AXIS_LABELS_OUTSIDE = """([name]) => {
  const out = [];
  let figures = 0;
  for (const doc of window.Bokeh.documents) {
    for (const fig of doc.all_models) {
      if (fig.name !== name) continue;
      const pv = window.Bokeh.index.find_one(fig);
      if (pv == null) continue;
      figures += 1;
      const canvas = pv.canvas_view.bbox;
      const ctx = document.createElement('canvas').getContext('2d');
      for (const axis of [...fig.left, ...fig.below]) {
        const av = window.Bokeh.index.find_one(axis);
        const text = axis.axis_label;
        if (!text) continue;
        av.visuals.axis_label_text.set_value(ctx);
        const m = ctx.measureText(text);
        const length = m.width, thick = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
        const vertical = fig.left.includes(axis);
        const [lo, hi, size] = vertical ? [av.bbox.vcenter - length / 2, av.bbox.vcenter + length / 2, canvas.height]
                                        : [av.bbox.hcenter - length / 2, av.bbox.hcenter + length / 2, canvas.width];
        const across = vertical ? [av.bbox.left, av.bbox.right] : [av.bbox.top, av.bbox.bottom];
        if (lo < 0 || hi > size || across[0] < 0 || across[1] > (vertical ? canvas.width : canvas.height)
            || (across[1] - across[0]) < thick)
          out.push(`${text}: [${lo.toFixed(0)}, ${hi.toFixed(0)}] of ${size.toFixed(0)} px, across ` +
                   `[${across[0].toFixed(0)}, ${across[1].toFixed(0)}] (${thick.toFixed(0)} px thick)`);
      }
    }
  }
  return figures ? out : ['no figure named ' + name];
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
    page.wait_for_function("([n]) => window.Bokeh && Array.from(window.Bokeh.documents).some(d => "
                           "Array.from(d.all_models).some(m => m.name === n && window.Bokeh.index.find_one(m)))",
                           arg=["db-gains-lift"], timeout=60_000)
    outside = page.evaluate(AXIS_LABELS_OUTSIDE, ["db-gains-lift"])
    assert outside == [], outside
