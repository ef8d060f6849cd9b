"""Small shared pieces of every view: routine buttons, headers, formatting, test ids.

Every action button writes a literal routine call into a new cell (Flow's replayable-notebook idea), so the
views never change the workspace themselves; `run_button` is the one place that wires that up.
"""
from __future__ import annotations

import html
import math

import panel as pn

from .. import safe_html as safe

pn.extension("tabulator")

CSS_PREFIX = "db-"


def test_id(name: str) -> list[str]:
    """Stable CSS classes browser tests find widgets by (`.db-<name>`)."""
    return [f"{CSS_PREFIX}{name}"]


def format_call(name, *args, **kwargs) -> str:
    """Routine call text; the notebook's parser owns the syntax, so its writer is reused."""
    from deepbrook.app.routines import format_call as _format_call

    return _format_call(name, *args, **kwargs)


def run_routine(ctx, name, *args, **kwargs) -> str:
    """Insert and run `name args...` as a new cell below; returns the code written."""
    code = format_call(name, *args, **kwargs)
    ctx.run_routine(code)
    return code


def button(label: str, tid: str, on_click, color="default", **kw) -> pn.widgets.Button:
    """A button with a stable test id whose click calls `on_click()` (no event argument)."""
    b = pn.widgets.Button(label=label, button_type=color, css_classes=test_id(tid), **kw)
    b.on_click(lambda _event: on_click())
    return b


def action_bar(*objects, **params) -> pn.FlexBox:
    """A row of buttons, plots or form parts that wraps onto the next line when the page is narrow: a plain Row
    runs past the cell's right edge, where nothing can be scrolled to (#18, 1024 px pages)."""
    return pn.FlexBox(*objects, flex_wrap="wrap", align_items="flex-start", **params)


def routine_button(ctx, label: str, tid: str, name, *args, color="default", **kwargs) -> pn.widgets.Button:
    """A button that runs one fixed routine call (View, Delete, Cancel...)."""
    return button(label, tid, lambda: run_routine(ctx, name, *args, **kwargs), color=color)


def title(text: str, icon: str = "") -> safe.Markdown:
    """A view's heading (`icon` is accepted but not drawn: servers often lack emoji fonts)."""
    return safe.Markdown(f"### {text}", margin=(0, 5))


def error_alert(text: str, tid: str = "error") -> safe.Alert:
    return safe.Alert(text, alert_type="danger", css_classes=test_id(tid), visible=bool(text))


def warning_alert(texts, tid: str = "warnings") -> safe.Alert:
    """Warnings worth reading (renamed columns, values turned NA); text from files is escaped, never markup."""
    body = "\n".join(f"- {html.escape(str(t))}" for t in texts)
    return safe.Alert(body, alert_type="warning", css_classes=test_id(tid), visible=bool(texts))


def format_duration(seconds) -> str:
    """Flow's 00:00:06.255 style; '' for unknown."""
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return ""
    ms = int(round(float(seconds) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def format_bytes(n) -> str:
    n = float(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}GB"


def key_value_table(rows: dict, tid: str) -> safe.HTML:
    """A small two-column table (Rows / Columns / Size, job fields...)."""
    import html

    body = "".join(f"<tr><th style='text-align:right;padding-right:12px;font-weight:normal;font-style:italic'>"
                   f"{html.escape(str(k))}</th><td class='{CSS_PREFIX}{tid}-{_slug(k)}'>{html.escape(str(v))}</td></tr>"
                   for k, v in rows.items())
    return safe.HTML(f"<table>{body}</table>", css_classes=test_id(tid))


def _slug(text) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(text).lower()).strip("-")


def frame_names(ctx) -> list[str]:
    """Frames a form may offer (damaged ones are listed by getFrames, not offered)."""
    return [e.name for e in ctx.app.workspace.list("frame") if not e.damaged]


def model_names(ctx) -> list[str]:
    return [e.name for e in ctx.app.workspace.list("model") if not e.damaged]
