"""Every Markdown and HTML the app shows goes through one sanitizer (nh3, the Rust `ammonia` allow-list).

Markdown cells, headings, error messages and views echo text that users (or a shared notebook file, or a file
name) wrote, and Panel's panes pass raw HTML through: `<script>` and `<img onerror=...>` would run in the app's
origin, for everyone who opens the notebook. `Markdown`, `HTML` and `Alert` here are Panel's panes whose HTML is
sanitized just before it goes to the browser: no scripts, event handlers, iframes, forms or `javascript:` links;
formatting, tables, links and code stay. The app uses these instead of `pn.pane.*` (tests/test_architecture.py).
"""
from __future__ import annotations

from html import escape, unescape

import nh3
import panel as pn

# ammonia's defaults plus what Markdown and our own views write: classes (code highlighting, test ids) and a few
# inline styles (alignment, colour, font) on any element. Links and images keep their own attributes.
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"class", "style", "title", "lang", "align"}
_STYLES = {"text-align", "font-style", "font-weight", "font", "font-size", "font-family", "color", "background",
           "background-color", "border-radius", "padding", "padding-right", "margin", "white-space"}
_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    """`html` with everything that can run script or load from elsewhere by itself removed."""
    return nh3.clean(str(html), attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES, filter_style_properties=_STYLES,
                     link_rel="noopener noreferrer")


class _Sanitized:
    """Mixin: the pane's HTML (escaped once for Bokeh's `text` property) is sanitized on the way out."""

    def _transform_object(self, obj):
        out = super()._transform_object(obj)
        out["object"] = escape(clean_html(unescape(out["object"])))
        return out


class Markdown(_Sanitized, pn.pane.Markdown):
    """`pn.pane.Markdown` whose rendered HTML is sanitized."""


class HTML(_Sanitized, pn.pane.HTML):
    """`pn.pane.HTML` whose HTML is sanitized."""


class Alert(_Sanitized, pn.pane.Alert):
    """`pn.pane.Alert` (Markdown in a coloured box) whose rendered HTML is sanitized."""
