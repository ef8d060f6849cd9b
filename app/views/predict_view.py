"""Flow's predict form and prediction result: choose a model and a frame; show predictions and their metrics."""
from __future__ import annotations

import panel as pn
import param

from .. import safe_html as safe
from ._common import button, error_alert, format_call, frame_names, model_names, run_routine, test_id, title
from .metrics_panel import metrics_panel


def _head(frame, n):
    h = frame.head(n)
    return h.as_pandas() if hasattr(h, "as_pandas") else h


class PredictState(param.Parameterized):
    model = param.Selector(default=None, objects=[], allow_None=True, doc="Model to score with.")
    frame = param.Selector(default=None, objects=[], allow_None=True, doc="Frame to score.")
    error = param.String(default="")


def has_response(model, frame) -> bool:
    params = getattr(model, "params", None)
    response = getattr(params, "response_column", None) if params is not None else None
    return response is not None and response in frame.names


class PredictView(pn.viewable.Viewer):
    def __init__(self, ctx, model_key=None, frame_name=None, predictions=None, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.predictions = predictions
        self.state = s = PredictState()
        s.param.model.objects = model_names(ctx)
        s.param.frame.objects = frame_names(ctx)
        s.model = model_key if model_key in s.param.model.objects else (s.param.model.objects or [None])[0]
        s.frame = frame_name if frame_name in s.param.frame.objects else (s.param.frame.objects or [None])[0]
        self.metrics = self._metrics(model_key, frame_name) if predictions is not None else None

    def _metrics(self, model_key, frame_name):
        """The model's performance on the frame when it holds the response (else None)."""
        ws = self.ctx.app.workspace
        try:
            model, frame = ws.get(model_key), ws.get(frame_name)
        except Exception:  # deleted meanwhile
            return None
        return model.model_performance(frame) if has_response(model, frame) else None

    def predict(self):
        s = self.state
        if s.model is None or s.frame is None:
            s.error = "choose a model and a frame"
            return None
        s.error = ""
        return run_routine(self.ctx, "predict", model=s.model, frame=s.frame)

    def __panel__(self):
        s = self.state
        err = error_alert(s.error, "predict-error")
        call = safe.Markdown(css_classes=test_id("predict-call"), margin=(0, 5))

        def show_call(*_):  # what Predict will write, current with the selects (server-confirmed choices)
            call.object = f"`{format_call('predict', model=s.model, frame=s.frame)}`" if s.model and s.frame else ""

        s.param.watch(show_call, ["model", "frame"])
        show_call()
        s.param.watch(lambda e: err.param.update(object=e.new, visible=bool(e.new)), "error")
        parts = [title("Predict", "⚡"),
                 pn.Row(pn.widgets.Select.from_param(s.param.model, name="Model", css_classes=test_id("predict-model")),
                        pn.widgets.Select.from_param(s.param.frame, name="Frame", css_classes=test_id("predict-frame"))),
                 err, call, button("Predict", "predict-button", self.predict, color="primary")]
        if self.predictions is not None:
            p = self.predictions
            parts += [safe.Markdown(f"**Predictions** `{p.name}`: {p.nrows:,} rows, {p.ncols} columns",
                                       css_classes=test_id("predictions-title")),
                      pn.widgets.Tabulator(_head(p, 100), show_index=False, disabled=True,
                                           pagination="local", page_size=10, sizing_mode="stretch_width",
                                           css_classes=test_id("predictions-table")),
                      pn.Row(button("View predictions frame", "predictions-view",
                                    lambda: run_routine(self.ctx, "getFrameSummary", p.name)),
                             button("View Data", "predictions-view-data",
                                    lambda: run_routine(self.ctx, "getFrameData", p.name)))]
            if "Reconstruction.MSE" in p.names:  # an autoencoder's anomaly scores: the sorted-error plot
                from .plots import reconstruction_error_figure

                parts.append(pn.pane.Bokeh(reconstruction_error_figure(p.numeric("Reconstruction.MSE")),
                                           css_classes=test_id("reconstruction-plot")))
            if self.metrics is not None:
                parts.append(pn.Card(metrics_panel(self.metrics, "prediction"), title="Prediction metrics",
                                     sizing_mode="stretch_width", css_classes=test_id("prediction-metrics")))
        return pn.Column(*parts, css_classes=test_id("predict-view"), sizing_mode="stretch_width")


def predict_view(ctx, model_key=None, frame_name=None, predictions=None):
    return PredictView(ctx, model_key, frame_name, predictions)
