"""Bokeh figures of the model and frame views, built once and then fed through their ColumnDataSources.

Live views never redraw a figure: the scoring history grows with `ColumnDataSource.stream` and the variable
importances swap `source.data` (they change wholesale at each scoring), both on the session's event loop.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool, Whisker
from bokeh.plotting import figure

TRAIN_COLOR = "#1f77b4"  # Flow's training line
VALID_COLOR = "#ff7f0e"  # Flow's validation line
NOT_METRICS = {"speed"}
SCORING_SOURCE = "db-scoring-source"  # browser tests read the streamed point count by this name
GAINS_LIFT = "db-gains-lift"  # and measure the axis labels of this figure
METRIC_PREFERENCE = ("logloss", "deviance", "rmse", "mse", "classification_error")


def history_metrics(history: pd.DataFrame) -> list[str]:
    """Metric names with a training column in a scoring history (training_logloss -> logloss)."""
    return [c[len("training_"):] for c in history.columns
            if c.startswith("training_") and c[len("training_"):] not in NOT_METRICS]


def default_metric(metrics) -> str | None:
    for m in METRIC_PREFERENCE:
        if m in metrics:
            return m
    return metrics[0] if metrics else None


def history_x(history: pd.DataFrame) -> str:
    return "epochs" if "epochs" in history.columns else "iterations" if "iterations" in history.columns else None


def history_points(history: pd.DataFrame, metric: str | None) -> dict:
    """x, train, valid columns of the plot for one metric (NaN where a split has no value)."""
    n = len(history)
    xcol = history_x(history)
    x = history[xcol].to_numpy(dtype=float) if xcol else np.arange(n, dtype=float)

    def col(name):
        return history[name].to_numpy(dtype=float) if metric and name in history.columns else np.full(n, np.nan)

    return {"x": x, "train": col(f"training_{metric}"), "valid": col(f"validation_{metric}")}


class ScoringHistoryPlot:
    """Training (blue) and validation (orange) lines with points for one selectable metric."""

    def __init__(self, metric=None, width=520, height=300):
        self.metric = metric
        self.source = ColumnDataSource({"x": np.array([], float), "train": np.array([], float),
                                        "valid": np.array([], float)}, name=SCORING_SOURCE)
        fig = figure(width=width, height=height, x_axis_label="epochs", y_axis_label=metric or "",
                     tools="pan,wheel_zoom,box_zoom,reset,save", toolbar_location="right")
        self._valid_renderers = []
        for col, color, label in (("train", TRAIN_COLOR, "training"), ("valid", VALID_COLOR, "validation")):
            rs = [fig.line("x", col, source=self.source, color=color, line_width=2, legend_label=label),
                  fig.scatter("x", col, source=self.source, color=color, fill_color="white", size=7,
                              legend_label=label)]
            if col == "valid":
                self._valid_renderers = rs
        fig.legend.location = "top_right"
        fig.legend.click_policy = "hide"
        fig.add_tools(HoverTool(tooltips=[("epochs", "@x"), ("training", "@train"), ("validation", "@valid")]))
        self.figure = fig

    @property
    def n_points(self) -> int:
        return len(self.source.data["x"])

    def set_history(self, history: pd.DataFrame, metric=None):
        """Replace all points (first draw, or the metric changed)."""
        self.metric = metric or self.metric
        self.figure.yaxis.axis_label = self.metric or ""
        self.source.data = history_points(history, self.metric)
        self._show_validation()

    def _show_validation(self):
        """The validation line (and its legend entry) only when the model has validation scores."""
        has = bool(np.isfinite(np.asarray(self.source.data["valid"], float)).any())
        for r in self._valid_renderers:
            if r.visible != has:
                r.visible = has
        for item in self.figure.legend.items:
            if getattr(item.label, "value", None) == "validation" and item.visible != has:
                item.visible = has

    def stream(self, new_rows: pd.DataFrame):
        """Append scored rows without redrawing the figure."""
        if len(new_rows):
            self.source.stream(history_points(new_rows, self.metric))
            self._show_validation()


class VarimpPlot:
    """Horizontal bars of scaled importance, most important on top (Flow's Variable Importances)."""

    def __init__(self, top=20, width=520, height=360):
        self.top = top
        self.source = ColumnDataSource({"variable": [], "scaled_importance": []})
        fig = figure(y_range=[], width=width, height=height, x_axis_label="scaled importance",
                     tools="save,reset", toolbar_location="right", x_range=(0, 1.05))
        fig.hbar(y="variable", right="scaled_importance", height=0.7, source=self.source, color=TRAIN_COLOR)
        fig.add_tools(HoverTool(tooltips=[("variable", "@variable"), ("scaled", "@scaled_importance{0.000}")]))
        self.figure = fig

    def update(self, varimp: pd.DataFrame | None):
        if varimp is None or not len(varimp):
            return
        df = varimp.sort_values("scaled_importance", ascending=False).head(self.top)
        names = [str(v) for v in df["variable"]]
        self.figure.y_range.factors = names[::-1]
        self.source.data = {"variable": names, "scaled_importance": df["scaled_importance"].to_numpy(float)}


class PermutationPlot:
    """Horizontal bars of permutation importance (metric lost when a column is shuffled), whiskers = +-1 sd over
    the repeats; most important on top. Bars may go left of 0 (the model did better with the column shuffled)."""

    def __init__(self, top=20, width=520, height=300):
        self.top = top
        self.source = ColumnDataSource({"variable": [], "importance": [], "lower": [], "upper": []})
        fig = figure(y_range=[], width=width, height=height, x_axis_label="metric lost when shuffled",
                     tools="save,reset", toolbar_location="right")
        fig.hbar(y="variable", right="importance", height=0.7, source=self.source, color=TRAIN_COLOR)
        fig.add_layout(Whisker(source=self.source, base="variable", lower="lower", upper="upper",
                               dimension="width"))
        fig.add_tools(HoverTool(tooltips=[("variable", "@variable"), ("importance", "@importance{0.0000}")]))
        self.figure = fig

    def update(self, table: pd.DataFrame | None):
        if table is None or not len(table):
            return
        df = table.head(self.top)
        names = [str(v) for v in df["variable"]]
        imp = df["relative_importance"].to_numpy(float)
        sd = df["std"].to_numpy(float) if "std" in df else np.zeros_like(imp)
        self.figure.y_range.factors = names[::-1]
        self.source.data = {"variable": names, "importance": imp, "lower": imp - sd, "upper": imp + sd}


def roc_figure(fpr, tpr, title="", width=360, height=340):
    """ROC curve with the chance diagonal in red, as Flow draws it."""
    fig = figure(width=width, height=height, x_axis_label="fpr", y_axis_label="tpr", title=title,
                 x_range=(0, 1), y_range=(0, 1.02), tools="save,reset")
    fig.line([0, 1], [0, 1], color="red")
    order = np.argsort(np.asarray(fpr, float), kind="stable")
    fig.line(np.asarray(fpr, float)[order], np.asarray(tpr, float)[order], color=TRAIN_COLOR, line_width=2)
    return fig


def gains_lift_figure(table: pd.DataFrame, title="", width=360, height=340):
    """Cumulative capture rate (black) and cumulative lift (green) against the cumulative data fraction.

    Flow's y label ("cumulative_capture_rate, cumulative_lift") is longer than the plot is tall and ran off the
    canvas; the legend names both lines, so the label is short. Browser tests find the figure by its name."""
    fig = figure(width=width, height=height, x_axis_label="cumulative data fraction", title=title,
                 y_axis_label="capture rate, lift", tools="save,reset", name=GAINS_LIFT, min_border_left=50)
    x = table["cumulative_data_fraction"].to_numpy(float)
    fig.line(x, table["cumulative_capture_rate"].to_numpy(float), color="black", line_width=2,
             legend_label="cumulative capture rate")
    fig.line(x, table["cumulative_lift"].to_numpy(float), color="green", line_width=2, legend_label="cumulative lift")
    fig.legend.label_text_font_size = "11px"
    return fig


def histogram_figure(counts, edges, title="", width=460, height=260):
    """Column distribution bars from bin counts and edges."""
    counts = np.asarray(counts, float)
    edges = np.asarray(edges, float)
    fig = figure(width=width, height=height, title=title, tools="save,reset", y_axis_label="count")
    fig.quad(top=counts, bottom=0, left=edges[:-1], right=edges[1:], color=TRAIN_COLOR, line_color="white")
    return fig


def domain_figure(levels, counts, title="", width=460, height=260):
    """Level counts of an enum column, most frequent first."""
    levels = [str(v) for v in levels]
    fig = figure(x_range=levels, width=width, height=height, title=title, tools="save,reset", y_axis_label="count")
    fig.vbar(x=levels, top=np.asarray(counts, float), width=0.8, color=TRAIN_COLOR)
    fig.xaxis.major_label_orientation = 0.8
    return fig


def reconstruction_error_figure(mse, title="Reconstruction error, sorted", width=520, height=300):
    """Per-row reconstruction MSE in increasing order (H2O's anomaly plot): the anomalies rise at the right end."""
    y = np.sort(np.asarray(mse, float)[np.isfinite(np.asarray(mse, float))])
    fig = figure(width=width, height=height, title=title, x_axis_label="row (sorted by error)",
                 y_axis_label="Reconstruction.MSE", tools="pan,wheel_zoom,box_zoom,reset,save")
    source = ColumnDataSource({"rank": np.arange(len(y), dtype=float), "mse": y}, name="db-reconstruction-source")
    fig.line("rank", "mse", source=source, color=TRAIN_COLOR, line_width=2)
    fig.scatter("rank", "mse", source=source, color=TRAIN_COLOR, size=4)
    return fig
