"""In Chromium: the page loads only from its own server, its CSP holds (no violation while the app works), and a
notebook with hostile markdown runs no script.

Before the fix the page fetched fonts.googleapis.com on every visit and markdown cells passed raw HTML through.
"""
import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.ui

VIOLATIONS = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI), true);"""


def cells(page):
    return page.locator(".db-cell")


def add_code_cell(page, text):
    """Insert a cell below the last one (command mode `b`), type `text`, run it; returns its locator."""
    n = cells(page).count()
    cells(page).nth(n - 1).locator(".db-editor textarea").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    expect(cells(page)).to_have_count(n + 1, timeout=30_000)
    expect(cells(page).nth(n)).to_have_class(re.compile(r"\bdb-selected\b"), timeout=30_000)
    page.keyboard.press("Enter")
    editor = cells(page).nth(n).locator(".db-editor textarea")
    expect(editor).to_be_focused(timeout=30_000)
    page.keyboard.type(text)
    page.keyboard.press("Control+Enter")
    return cells(page).nth(n)


def same_origin(url: str, origin: str) -> bool:
    if url.startswith(("blob:", "data:")):  # made by the page itself
        return url.startswith(f"blob:{origin}/") or url.startswith("data:")
    parts = urlsplit(url)
    return f"{parts.scheme.replace('ws', 'http')}://{parts.netloc}" == origin


def test_every_request_goes_to_the_app_and_the_csp_holds_while_training(page, server):
    url, _ = server
    origin = url.rstrip("/")
    requests, console = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(VIOLATIONS)
    page.goto(url, timeout=60_000)
    expect(page.locator(".db-model-builder")).to_have_count(1, timeout=90_000)  # the example ran
    # the widgets and plots of a trained model (Bokeh figures, Tabulator tables, cards) render under the policy
    build = add_code_cell(page, 'buildModel "deeplearning", {training_frame: "prostate.hex", response_column: '
                                '"CAPSULE", ignored_columns: ["ID"], hidden: [4], epochs: 1, model_id: "csp_probe"}')
    expect(build.locator(".db-job-view")).to_contain_text("DONE", timeout=120_000)
    model = add_code_cell(page, 'getModel "csp_probe"')
    expect(model.locator(".db-model-view .db-card-training-metrics")).to_have_count(1, timeout=60_000)
    expect(model.locator(".db-model-view canvas").first).to_be_visible(timeout=60_000)

    assert requests and any(r.startswith(origin + "/static/") for r in requests)
    assert [r for r in requests if not same_origin(r, origin)] == []  # no font, CDN or anything else
    assert page.evaluate("window.__cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m or "fonts.googleapis" in m] == []


HOSTILE = {"version": 1, "name": "hostile", "cells": [
    {"kind": "heading", "input": '# Quarterly results <img src="/no-such-image" onerror="window.__pwned = 1">'},
    {"kind": "markdown", "input": "stored-attack-marker <script>window.__pwned = 2</script> "
                                  '<img src="/no-such-image" onerror="window.__pwned = 3"> '
                                  '<a class="js-link" href="javascript:window.__pwned = 4">details</a> '
                                  '<svg><animate onbegin="window.__pwned = 5" attributeName="x" dur="1s"/></svg>'},
]}


def test_a_notebook_with_hostile_markdown_runs_no_script(app_page, tmp_path):
    page = app_page
    flow = tmp_path / "hostile.flow.json"
    flow.write_text(json.dumps(HOSTILE))
    page.locator(".db-upload input[type=file]").set_input_files(str(flow))
    marker = page.locator(".db-md-output").filter(has_text="stored-attack-marker")
    expect(marker).to_have_count(1, timeout=60_000)
    expect(page.locator(".db-md-output").filter(has_text="Quarterly results")).to_have_count(1)
    outputs = page.locator(".db-md-output")
    expect(outputs.locator("script")).to_have_count(0)
    expect(outputs.locator("[onerror], [onbegin], [onload]")).to_have_count(0)
    expect(outputs.locator("a[href^='javascript' i]")).to_have_count(0)
    expect(outputs.locator("a.js-link, a", has_text="details")).to_have_count(1)  # the link text stays
    images = outputs.locator("img")
    expect(images).to_have_count(2)
    # wait until every image has finished (loaded or failed: on a loaded machine that can take a while), then one
    # more task, so an onerror handler would have been queued and run by now
    page.wait_for_function("() => [...document.querySelectorAll('.db-md-output img')].every(img => img.complete)",
                           timeout=60_000)
    page.wait_for_function("() => new Promise(r => setTimeout(() => r(true), 0))")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    marker.locator("a", has_text="details").click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert re.match(r"https?://", page.url)  # clicking did not navigate to a javascript: URL
