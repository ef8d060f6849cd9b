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
