"""Flow's frame summary: size, a searchable paged column grid, a chosen column's histogram or domain, actions."""
from __future__ import annotations

import pandas as pd
import panel as pn
import param

from deepbrook.engine import DeepbrookError

from .. import safe_html as safe
from ._common import (action_bar, button, format_bytes, key_value_table, routine_button, run_routine, test_id, title,
                      warning_alert)
from .confirm import ConfirmButton
from .frame_info import domain_counts, histogram, summary_table
from .plots import domain_figure, histogram_figure

CONVERT_TYPES = ["enum", "numeric", "string"]
NUMERIC = ("int", "real", "time")


class FrameSummaryState(param.Parameterized):
    """The grid filter and the column drilled into."""

    search = param.String(default="", doc="Case-insensitive substring of column names.")
    column = param.Selector(default=None, objects=[], allow_None=True, doc="Column whose distribution is shown.")
    convert_to = param.Selector(default="enum", objects=CONVERT_TYPES, doc="Type the chosen column converts to.")
    grid = param.DataFrame(default=None, allow_None=True, doc="Rows of the column grid passing the search.")

    def __init__(self, frame, **params):
        self.frame = frame
        self.full_grid = summary_table(frame)
        super().__init__(**params)
        self.param.column.objects = list(frame.names)
        self.column = frame.names[0] if frame.ncols else None
        self._filter()

    @param.depends("search", watch=True)
    def _filter(self):
        g = self.full_grid
        self.grid = g[g["label"].str.contains(self.search, case=False, regex=False)].reset_index(drop=True) \
            if self.search else g

    @param.depends("column", watch=True, on_init=True)
    def _default_conversion(self):
        if self.column is not None:
            self.convert_to = "numeric" if self.frame.types[self.column] == "enum" else "enum"


class FrameSummaryView(pn.viewable.Viewer):
    def __init__(self, ctx, frame, warnings=(), **params):
        super().__init__(**params)
        self.ctx = ctx
        self.frame = frame
        self.warnings = list(warnings)  # what parsing had to say (renamed columns, values turned NA)
        self.state = s = FrameSummaryState(frame)
        self.search = pn.widgets.TextInput(value=s.search, placeholder="Search columns...",
                                           css_classes=test_id("frame-search"))
        # filter as the user types (value_input), not only on Enter or leaving the box (value)
        self.search.param.watch(lambda e: setattr(s, "search", e.new or ""), ["value_input", "value"])
        self.table = pn.widgets.Tabulator(s.grid, show_index=False, disabled=True, pagination="remote",
                                          page_size=20, sizing_mode="stretch_width", layout="fit_data_table",
                                          css_classes=test_id("frame-columns"))
        self.table.on_click(self._on_click)
        s.param.watch(lambda e: setattr(self.table, "value", e.new), "grid")
        self.column = pn.widgets.Select.from_param(s.param.column, name="Column",
                                                   css_classes=test_id("frame-column"), width=220)
        self.convert_to = pn.widgets.Select.from_param(s.param.convert_to, name="Convert to", width=140,
                                                       css_classes=test_id("frame-convert-to"))
        self.convert = button("Convert", "frame-convert", self.change_type)
        self.detail = pn.Column(sizing_mode="stretch_width", css_classes=test_id("frame-column-detail"))
        s.param.watch(self._render_detail, "column")
        self._render_detail()

    def _on_click(self, event):
        self.state.column = self.table.value.iloc[event.row]["label"]

    def change_type(self):
        return run_routine(self.ctx, "changeColumnType", frame=self.frame.name, column=self.state.column,
                           type=self.state.convert_to)

    def _render_detail(self, *_):
        col = self.state.column
        if col is None:
            self.detail.objects = []
            return
        t = self.frame.types[col]
        if t in NUMERIC:
            counts, edges = histogram(self.frame, col)
            fig = histogram_figure(counts, edges, title=f"{col}: distribution")
            self.detail.objects = [pn.pane.Bokeh(fig, css_classes=test_id("frame-histogram"))]
        elif t == "enum":
            dom = domain_counts(self.frame, col)
            top = dom.head(50)
            self.detail.objects = [
                pn.pane.Bokeh(domain_figure(top["level"], top["count"], title=f"{col}: domain"),
                              css_classes=test_id("frame-domain-plot")),
                pn.widgets.Tabulator(dom, show_index=False, disabled=True, pagination="remote", page_size=10,
                                     css_classes=test_id("frame-domain"), layout="fit_data_table")]
        else:
            self.detail.objects = [safe.Markdown(f"`{col}` is a {t} column: no distribution.")]

    def actions(self):
        ctx, name = self.ctx, self.frame.name
        return action_bar(
            routine_button(ctx, "View Data", "frame-view-data", "getFrameData", name),
            routine_button(ctx, "Split...", "frame-split", "splitFrame", name),
            routine_button(ctx, "Build Model...", "frame-build", "buildModel", "deeplearning",
                           {"training_frame": name}),
            routine_button(ctx, "Predict...", "frame-predict", "predict", frame=name),
            routine_button(ctx, "Export...", "frame-export", "exportFrame", name),
            ConfirmButton("Delete", "frame-delete", lambda: f"Delete frame '{name}'? This cannot be undone.",
                          lambda: run_routine(ctx, "deleteFrame", name)))

    def __panel__(self):
        f = self.frame
        return pn.Column(
            title(f.name, "▦"), self.actions(), warning_alert(self.warnings, "frame-warnings"),
            key_value_table({"Rows": f"{f.nrows:,}", "Columns": f"{f.ncols:,}", "Size": format_bytes(f.nbytes)},
                            "frame-size"),
            safe.Markdown("**Column summaries**", margin=(0, 5)), self.search, self.table,
            pn.Row(self.column, self.convert_to, self.convert), self.detail,
            css_classes=test_id("frame-summary"), sizing_mode="stretch_width")


def frames_table(ctx) -> pd.DataFrame:
    """One row per frame; a damaged one (missing or unreadable files) says why in `status` and can be deleted."""
    rows = []
    for e in ctx.app.workspace.list("frame"):
        f, status = None, "ok"
        try:
            f = ctx.app.workspace.get(e.name)
        except DeepbrookError as err:
            status = f"damaged: {e.reason or err}"
        rows.append({"name": e.name, "rows": f.nrows if f else None, "columns": f.ncols if f else None,
                     "size": format_bytes(f.nbytes) if f else "", "status": status})
    return pd.DataFrame(rows, columns=["name", "rows", "columns", "size", "status"])


class FramesView(pn.viewable.Viewer):
    """Flow's getFrames: a checkbox table; click a name to open it; actions on the selected frames."""

    def __init__(self, ctx, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.table = pn.widgets.Tabulator(frames_table(ctx), show_index=False, disabled=True, selectable="checkbox",
                                          pagination="local", page_size=20, sizing_mode="stretch_width",
                                          css_classes=test_id("frames-table"))
        self.table.on_click(self._open)

    def selected(self) -> list[str]:
        return self.table.value.iloc[self.table.selection]["name"].tolist()

    def _open(self, event):
        if event.column == "name":
            run_routine(self.ctx, "getFrameSummary", self.table.value.iloc[event.row]["name"])

    def _delete_question(self):
        names = self.selected()
        return f"Delete {len(names)} frame(s): {', '.join(names)}? This cannot be undone." if names else None

    def _each(self, fn):
        for name in self.selected():
            fn(name)

    def __panel__(self):
        ctx = self.ctx
        return pn.Column(
            title("Frames", "▦"), self.table,
            pn.Row(button("View", "frames-view", lambda: self._each(lambda n: run_routine(ctx, "getFrameSummary", n))),
                   button("Build Model...", "frames-build", lambda: self._each(
                       lambda n: run_routine(ctx, "buildModel", "deeplearning", {"training_frame": n}))),
                   button("Predict...", "frames-predict",
                          lambda: self._each(lambda n: run_routine(ctx, "predict", frame=n))),
                   ConfirmButton("Delete selected", "frames-delete", self._delete_question,
                                 lambda: self._each(lambda n: run_routine(ctx, "deleteFrame", n))),
                   routine_button(ctx, "Import files...", "frames-import", "importFiles")),
            css_classes=test_id("frames-view"), sizing_mode="stretch_width")


def frame_summary_view(ctx, frame, warnings=()):
    return FrameSummaryView(ctx, frame, warnings)


def frames_view(ctx):
    return FramesView(ctx)
