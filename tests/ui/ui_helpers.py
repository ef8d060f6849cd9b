"""Page helpers shared by the #18 browser tests: find cells, add and run a code cell, read Bokeh sources.

Every wait is on page state (expect / wait_for_function), never a fixed sleep.
"""
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

LONG_WAIT = 180_000

# Values of one column of the Bokeh ColumnDataSource named `name` on the page (null when absent).
SOURCE_COLUMN = """([name, col]) => {
  for (const doc of window.Bokeh.documents) {
    for (const m of doc.all_models) {
      if (m.name === name) {
        const v = m.data instanceof Map ? m.data.get(col) : m.data[col];
        return v ? Array.from(v) : null;
      }
    }
  }
  return null;
}"""


@pytest.fixture(autouse=True)
def patient_expect():
    """Views with plots take seconds to appear on a loaded 2-core box: assertions wait 30 s (restored after)."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def cells(page):
    return page.locator(".db-cell")


def cell(page, i):
    return cells(page).nth(i)


def code_of(page, i):
    return cell(page, i).locator(".db-editor textarea").input_value()


def open_app(page, server):
    page.set_default_timeout(60_000)
    page.goto(server[0], timeout=120_000)
    # the example notebook ran (or the tab's autosaved notebook came back, which may hold more forms)
    expect(page.locator(".db-model-builder").first).to_be_visible(timeout=90_000)
    return page


def add_cell(page, text, run=True, typed=False):
    """Append a code cell holding `text` (typed key by key, or filled) and run it (Ctrl+Enter); returns its index."""
    n = cells(page).count()
    cell(page, n - 1).locator(".db-editor textarea").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    expect(cells(page)).to_have_count(n + 1)
    box = cell(page, n).locator(".db-editor textarea")
    box.click()
    expect(box).to_be_focused()
    if typed:
        page.keyboard.type(text)
    else:
        box.fill(text)
    expect(box).to_have_value(text)
    if run:
        box.press("Control+Enter")
        expect(cell(page, n)).to_have_class(re.compile(r"\bdb-status-(ok|error)\b"), timeout=LONG_WAIT)
    return n


def build_model(page, model_id, params="hidden: [4], epochs: 1, seed: 1", frame="prostate.hex",
                response="CAPSULE"):
    """Build a model from a buildModel cell and wait until its job is DONE; returns the cell's index."""
    i = add_cell(page, f'buildModel "deeplearning", {{model_id: "{model_id}", training_frame: "{frame}", '
                       f'response_column: "{response}", {params}}}')
    expect(cell(page, i).locator(".db-job-fields")).to_contain_text("DONE", timeout=LONG_WAIT)
    return i


def click(locator):
    locator.locator("button").first.click()


def source_column(page, name, col):
    return page.evaluate(SOURCE_COLUMN, [name, col])


def editor(page, i):
    return cell(page, i).locator(".db-editor textarea")


def autosaved_cells(workspace, token, timeout=60.0, want=None):
    """The cell inputs of the autosave holding `token` once `want(inputs)` holds (polled: a state, not a wait)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for f in (Path(workspace) / "autosave").glob("*.json"):
            try:
                inputs = [c["input"] for c in json.loads(f.read_text())["cells"]]
            except (OSError, ValueError, KeyError):
                continue
            if any(token in x for x in inputs):
                last = inputs
                if want is None or want(inputs):
                    return inputs
        time.sleep(0.2)
    raise AssertionError(f"no autosave with {token!r} became as expected in {timeout} s; last seen: {last}")


def selected(page, i):
    expect(cell(page, i)).to_have_class(re.compile(r"\bdb-selected\b"))


# Why each element under `root` matching `selector` cannot be reached, or [] when all can: walking up from the
# element (through shadow roots), an ancestor up to `root` that scrolls horizontally (overflow-x auto/scroll) may
# hold it anywhere in its scroll range, and then its own box is what must stay visible; an ancestor that clips
# (overflow-x hidden/clip), and every ancestor above `root`, must show it whole: a view scrolls inside itself,
# never by making the page scroll sideways; in the end the window must show it. A Tabulator's
# header (and its contents) clips but follows its table holder's scrolling, so it counts as scrolling when the holder does.
UNREACHABLE = """([root, selector]) => {
  const parentOf = (el) => el.assignedSlot || el.parentElement
    || (el.parentNode instanceof ShadowRoot ? el.parentNode.host : null);
  const scrolls = (ox) => ox === 'auto' || ox === 'scroll';
  const name = (el) => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
    ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '');
  const problems = [];
  const found = [];
  const collect = (node) => {
    node.querySelectorAll(selector).forEach(e => found.push(e));
    node.querySelectorAll('*').forEach(e => { if (e.shadowRoot) collect(e.shadowRoot); });
  };
  collect(root.shadowRoot || root);
  collect(root);
  let shown = 0;
  for (const el of new Set(found)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not laid out (a hidden column, a closed card)
    shown += 1;
    let left = r.left, right = r.right;
    const label = name(el).slice(0, 60) + ' ' + (el.innerText || '').trim().slice(0, 30);
    let inside = el !== root;
    for (let a = parentOf(el); a; a = parentOf(a)) {
      const ox = getComputedStyle(a).overflowX;
      const box = a.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;  // display: contents (slots, wrappers): no box of its own
      let scroller = inside && scrolls(ox);
      if (!scroller && a.classList && (a.classList.contains('tabulator-header')
                                       || a.classList.contains('tabulator-header-contents'))) {
        const table = a.closest('.tabulator');
        const holder = table && table.querySelector(':scope > .tabulator-tableholder');
        scroller = !!holder && scrolls(getComputedStyle(holder).overflowX) && holder.scrollWidth >= a.scrollWidth - 1;
      }
      if (scroller) {
        const from = left - box.left + a.scrollLeft, to = right - box.left + a.scrollLeft;
        if (from < -1 || to > Math.max(a.scrollWidth, a.clientWidth) + 1) {
          problems.push(`${label}: outside the scroll range of ${name(a)}`);
          break;
        }
        const w = Math.min(right - left, box.width);
        left = box.left; right = box.left + w;
      } else if (!inside || ox === 'hidden' || ox === 'clip') {
        if (left < box.left - 1 || right > box.right + 1) {
          problems.push(`${label}: [${left.toFixed(0)}, ${right.toFixed(0)}] cut by ${name(a)} ` +
                        `[${box.left.toFixed(0)}, ${box.right.toFixed(0)}]`);
          break;
        }
      }
      if (a === root) inside = false;
    }
    if (right > window.innerWidth + 1) {
      problems.push(`${label}: right edge ${right.toFixed(0)} beyond the window (${window.innerWidth})`);
    }
  }
  return shown ? problems : ['nothing laid out matches ' + selector];
}"""


def unreachable(locator, selector):
    """Problems (texts) of the elements matching `selector` under `locator` that no scrolling brings into view."""
    return locator.evaluate(f"(root, sel) => ({UNREACHABLE})([root, sel])", selector)


ASSETS = Path(__file__).resolve().parents[2] / "assets"


def save_screenshot(page, locator, name, ready=None, width=1100):
    """The README's picture `assets/<name>`, cropped to `locator`: the viewport is made tall enough that the whole
    element is laid out and drawn (plots render only once visible), and `ready` (a locator) is awaited first."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": size["height"]})
    box = locator.bounding_box()
    page.set_viewport_size({"width": width, "height": int(box["height"]) + 200})
    locator.scroll_into_view_if_needed()
    if ready is not None:
        expect(ready).to_be_visible()
    ASSETS.mkdir(exist_ok=True)
    locator.screenshot(path=str(ASSETS / name), animations="disabled")
    page.set_viewport_size(size)
