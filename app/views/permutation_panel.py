"""Permutation importance panel of the model view: per ORIGINAL column, computed on demand on a chosen frame.

The Gedeon table above it is H2O's, one row per one-hot slot; this panel answers "which columns does the model
need" (``DeepLearningModel.permutation_importance``, H2O's definition with the sign kept). It reads the workspace
and changes nothing in it, so it computes in place instead of writing a routine cell.
"""
from __future__ import annotations

import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import error_alert, frame_names, test_id
from .plots import PermutationPlot

METRICS = ("AUTO", "AUC", "PR_AUC", "logloss", "mean_per_class_error", "MSE", "RMSE", "MAE")


class PermutationState(param.Parameterized):
    """The request (frame and H2O's options) and its result."""

    frame = param.Selector(default=None, objects=[], allow_None=True, doc="Frame whose columns are shuffled.")
    metric = param.Selector(default="AUTO", objects=list(METRICS))
    n_samples = param.Integer(default=10000, bounds=(-1, None), doc="Rows drawn from the frame (-1 = all).")
    n_repeats = param.Integer(default=3, bounds=(1, 50), doc="Shuffles per column (their spread is the whisker).")
    seed = param.Integer(default=42)
    table = param.DataFrame(default=None, allow_None=True)
    error = param.String(default="")


def default_frame(model, names):
    """The model's validation frame if it is in the workspace, else its training frame, else the first one."""
    params = getattr(model, "params", None)
    given = getattr(params, "input", None) or {}
    for key in ("validation_frame", "training_frame"):
        name = given.get(key) if hasattr(given, "get") else None
        if name in names:
            return name
    return names[0] if names else None


class PermutationPanel(pn.viewable.Viewer):
    def __init__(self, ctx, model, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.model = model
        self.state = s = PermutationState()
        names = frame_names(ctx)
        s.param.frame.objects = names
        s.frame = default_frame(model, names)
        self.plot = PermutationPlot()

    def compute(self):
        s = self.state
        if s.frame is None:
            s.error = "choose a frame that holds the model's columns and response"
            return None
        try:
            frame = self.ctx.app.workspace.get(s.frame)
            table = self.model.permutation_importance(frame, metric=s.metric, n_samples=s.n_samples,
                                                      n_repeats=s.n_repeats, seed=s.seed)
        except Exception as exc:  # a clear engine message (ParameterError...) shown in the panel
            s.error = str(exc)
            return None
        s.error = ""
        s.table = table
        self.plot.update(table)
        return table

    def __panel__(self):
        s = self.state
        widgets = pn.Row(
            pn.widgets.Select.from_param(s.param.frame, name="Frame", width=200, css_classes=test_id("perm-frame")),
            pn.widgets.Select.from_param(s.param.metric, name="Metric", width=160, css_classes=test_id("perm-metric")),
            pn.widgets.IntInput.from_param(s.param.n_samples, name="Rows (n_samples)", width=130),
            pn.widgets.IntInput.from_param(s.param.n_repeats, name="Repeats", width=90,
                                           css_classes=test_id("perm-repeats")),
            pn.widgets.IntInput.from_param(s.param.seed, name="Seed", width=90))
        go = pn.widgets.Button(label="Compute", button_type="primary", css_classes=test_id("perm-compute"))
        go.on_click(lambda _e: self.compute())
        err = pn.bind(lambda text: error_alert(text, "perm-error"), s.param.error)
        table = pn.bind(lambda t: pn.widgets.Tabulator(
            _shown(t), show_index=False, disabled=True, sizing_mode="stretch_width", css_classes=test_id("perm-table"))
            if t is not None else safe.Markdown("Shuffle each column of a frame and measure how much worse the "
                                                   "model scores (H2O's permutation importance)."), s.param.table)
        return pn.Column(widgets, go, err, pn.pane.Bokeh(self.plot.figure, css_classes=test_id("perm-plot")), table,
                         sizing_mode="stretch_width", css_classes=test_id("perm-panel"))


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[[c for c in ("variable", "relative_importance", "std", "scaled_importance", "percentage")
                  if c in table.columns]]
