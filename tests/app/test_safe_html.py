"""Stored XSS: a notebook's markdown, headings and echoed names reach the browser only as sanitized HTML.

The check reads what Panel would send to the browser (the `text` of every Bokeh HTML model of the rendered
notebook) and parses it: no <script>/<iframe>/<object>, no on* handler, no javascript: URL.
"""
from html import unescape
from html.parser import HTMLParser

import panel as pn
from panel.models.markup import HTML as BokehHTML

from deepbrook.app import safe_html
from deepbrook.app.context import AppState
from deepbrook.app.notebook import Notebook
from deepbrook.app.notebook_view import NotebookView

IMG = '<img src="x" onerror="window.__pwned = 1">'
ATTACKS = [
    IMG,
    "<script>window.__pwned = 2</script>",
    '<a href="javascript:window.__pwned = 3">click</a>',
    '<a href="JaVaScRiPt:window.__pwned = 4">click</a>',
    '<svg onload="window.__pwned = 5"></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<div style="position:fixed;top:0" onmouseover="window.__pwned = 6">cover</div>',
    '<form action="https://evil.example/"><input name="password"></form>',
]


class ActiveContent(HTMLParser):
    """Collects every construct that could run script or load another site's page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "form", "base", "meta", "link"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "vbscript:")):
                self.found.append(f"{tag} {name}={value}")
            if name == "style" and "position" in (value or ""):
                self.found.append(f"{tag} style={value}")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def browser_html(viewable) -> list[str]:
    """The HTML each pane of `viewable` sends to the browser."""
    root = pn.Column(viewable).get_root()
    return [unescape(m.text) for m in root.references() if isinstance(m, BokehHTML)]


def test_clean_html_removes_script_handlers_and_javascript_links_but_keeps_formatting():
    for attack in ATTACKS:
        assert active_content(safe_html.clean_html(attack)) == [], attack
    kept = safe_html.clean_html('<b>bold</b> <a href="https://h2o.ai/">docs</a> <code>x</code>'
                                '<table><tr><td class="db-x" style="text-align:right">1</td></tr></table>')
    assert "<b>bold</b>" in kept and 'href="https://h2o.ai/"' in kept and "<code>x</code>" in kept
    assert 'class="db-x"' in kept and 'style="text-align:right"' in kept
    assert active_content(kept) == []


def test_markdown_cells_and_headings_of_an_opened_notebook_render_no_active_content():
    """A notebook file (as saved by another user) with hostile markdown and heading cells, opened and rendered."""
    state = AppState()
    hostile = {"name": "shared", "cells": [
        *({"kind": "markdown", "input": f"Read me **now** {attack}"} for attack in ATTACKS),
        {"kind": "heading", "input": f"# Results {IMG}"},
        {"type": "md", "input": f"flow markdown {IMG}"},            # H2O Flow's own .flow cell kinds too
        {"type": "h2", "input": f"flow heading <script>window.__pwned = 7</script>"},
    ]}
    state.workspace.put("shared", hostile)
    nb = Notebook(state)
    nb.open("shared")
    assert [c.status for c in nb.cells] == ["ok"] * len(nb.cells)
    html = browser_html(NotebookView(nb))
    rendered = "\n".join(html)
    assert "Read me <strong>now</strong>" in rendered and "<h1" in rendered  # the markdown itself still renders
    assert [found for h in html for found in active_content(h)] == []


def test_names_echoed_by_views_render_no_active_content():
    """A routine's own output (not only its error) that repeats user text: titles, captions, tables, alerts."""
    pane = pn.Column(safe_html.Markdown(f"**Imported** `{IMG}` and {IMG}"),
                     safe_html.Alert(f"no frame named {IMG}", alert_type="danger"),
                     safe_html.HTML(f"<table><tr><td>{IMG}</td></tr></table>"))
    html = browser_html(pane)
    assert len(html) == 3 and [found for h in html for found in active_content(h)] == []
    assert any("<code>&lt;img" in h for h in html)  # inside backticks it is shown as text, as written


def test_jupyter_notebook_view_is_sanitized_too():
    from deepbrook.app.jupyter import notebook

    view = notebook({"cells": [{"kind": "markdown", "input": f"in Jupyter {IMG}"}]}, app=AppState())
    html = browser_html(view)
    assert any("in Jupyter" in h for h in html)
    assert [found for h in html for found in active_content(h)] == []
