"""Compare models (Flow's "inspect getModels [...]"): their metrics side by side and their scoring histories
overlaid on one plot, for a chosen metric.

`CompareState` holds the models and the chosen metric; `CompareView` draws one line per model (training solid,
validation dashed) from one ColumnDataSource each, and swaps their data on the session's event loop when the
metric changes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from ._common import test_id, title
from .model_params import as_dict
from .models_view import metric_columns, model_facts
from .plots import default_metric, history_metrics, history_points

COMPARE_SOURCE = "db-compare-source-"  # + model key: browser tests read each model's points by this name


def _engine():
    from deepbrook import engine

    return engine


def _history(model) -> pd.DataFrame:
    try:
        h = model.scoring_history()
    except Exception:  # a model without a history yet
        return pd.DataFrame()
    return h if isinstance(h, pd.DataFrame) else pd.DataFrame()


def _split(model) -> str:
    out = getattr(model, "output", None) or {}
    return next((s for k, s in (("validation_metrics", "validation"), ("cross_validation_metrics",
                                                                          "cross-validation"),
                                ("training_metrics", "training")) if out.get(k) is not None), "")


def comparison_table(models) -> pd.DataFrame:
    """Rows: facts (frame, response, problem, epochs, metrics' split) then main metrics; one column per model."""
    eng = _engine()
    metrics = metric_columns(models)
    cols = {}
    for m in models:
        facts = model_facts(m)
        params = as_dict(getattr(m, "params", None))
        column = {"training_frame": facts["training_frame"], "response_column": facts["response_column"],
                  "problem": facts["problem"], "hidden": str(params.get("hidden", "")),
                  "epochs": f"{(getattr(m, 'output', None) or {}).get('epochs', float('nan')):.4g}",
                  "metrics from": _split(m)}
        column.update({k: f"{eng.model_metric(m, k):.6g}" for k in metrics})
        cols[str(m.key)] = column
    table = pd.DataFrame(cols)
    table.insert(0, "", table.index)
    return table.reset_index(drop=True)


class CompareState(param.Parameterized):
    metric = param.Selector(default=None, objects=[], allow_None=True, doc="Scoring-history metric overlaid.")

    def __init__(self, models, **params):
        self.models = list(models)
        self.histories = {str(m.key): _history(m) for m in self.models}
        super().__init__(**params)
        names = list(dict.fromkeys(n for h in self.histories.values() for n in history_metrics(h)))
        self.param.metric.objects = names
        self.metric = default_metric(names)


class CompareView(pn.viewable.Viewer):
    def __init__(self, ctx, models, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = s = CompareState(models)
        self.table = pn.widgets.Tabulator(comparison_table(s.models), show_index=False, disabled=True,
                                          sizing_mode="stretch_width", css_classes=test_id("compare-metrics"))
        self.metric_select = pn.widgets.Select.from_param(s.param.metric, name="Metric", width=220,
                                                          css_classes=test_id("compare-metric"))
        fig = figure(width=640, height=340, x_axis_label="epochs", y_axis_label=s.metric or "",
                     tools="pan,wheel_zoom,box_zoom,reset,save", toolbar_location="right")
        self.sources, self._valid = {}, {}
        for i, key in enumerate(s.histories):
            color = Category10_10[i % 10]
            src = ColumnDataSource(history_points(s.histories[key], s.metric), name=f"{COMPARE_SOURCE}{key}")
            fig.line("x", "train", source=src, color=color, line_width=2, legend_label=f"{key} training")
            self._valid[key] = fig.line("x", "valid", source=src, color=color, line_width=2, line_dash="dashed",
                                        legend_label=f"{key} validation")
            fig.scatter("x", "train", source=src, color=color, fill_color="white", size=6)
            self.sources[key] = src
        fig.legend.click_policy = "hide"
        fig.legend.location = "top_right"
        fig.add_tools(HoverTool(tooltips=[("epochs", "@x"), ("training", "@train"), ("validation", "@valid")]))
        self.figure = fig
        self._show_validation()
        s.param.watch(self._on_metric, "metric")

    def set_metric(self, metric):
        """Redraw every model's line for `metric` (on the session's event loop)."""
        self.figure.yaxis.axis_label = metric or ""
        for key, src in self.sources.items():
            src.data = history_points(self.state.histories[key], metric)
        self._show_validation()

    def _show_validation(self):
        """A model's dashed validation line (and legend entry) only where it has validation scores."""
        for key, renderer in self._valid.items():
            has = bool(np.isfinite(np.asarray(self.sources[key].data["valid"], float)).any())
            renderer.visible = has
            for item in self.figure.legend.items:
                if renderer in item.renderers:
                    item.visible = has

    def _on_metric(self, event):
        pn.state.execute(lambda: self.set_metric(event.new), schedule="auto")

    def __panel__(self):
        return pn.Column(title(f"Compare {len(self.state.models)} models"), self.table, self.metric_select,
                         pn.pane.Bokeh(self.figure, css_classes=test_id("compare-plot")),
                         css_classes=test_id("compare-view"), sizing_mode="stretch_width")


def compare_view(ctx, models):
    return CompareView(ctx, models)
