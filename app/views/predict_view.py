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


# What a prediction computes (Flow's predict options); the reconstruction errors only for autoencoders.
PREDICTIONS = {"Predictions": "predictions"}
RECONSTRUCTION = {"Reconstruction error (per row)": "reconstruction_error",
                  "Reconstruction error per feature": "reconstruction_error_per_feature"}
DEEP_FEATURES = {"Deep features of a hidden layer": "deep_features"}


class PredictState(param.Parameterized):
    model = param.Selector(default=None, objects=[], allow_None=True, doc="Model to score with.")
    frame = param.Selector(default=None, objects=[], allow_None=True, doc="Frame to score.")
    output = param.Selector(default="predictions", objects={**PREDICTIONS, **DEEP_FEATURES},
                            doc="What to compute: predictions, an autoencoder's reconstruction error, deep features.")
    hidden_layer = param.Selector(default=0, objects={"0": 0}, doc="Hidden layer (0 = first) for deep features.")
    error = param.String(default="")

    def options(self) -> dict:
        """The predict routine's options for the chosen output (Flow's and h2o's names)."""
        if self.output == "reconstruction_error":
            return {"reconstruction_error": True}
        if self.output == "reconstruction_error_per_feature":
            return {"reconstruction_error": True, "reconstruction_error_per_feature": True}
        if self.output == "deep_features":
            return {"deep_features_hidden_layer": self.hidden_layer}
        return {}

    def choose(self, options: dict):
        """Select the output that `options` (a predict call's) asks for, where the model offers it."""
        options = options or {}
        layer = options.get("deep_features_hidden_layer")
        if options.get("reconstruction_error_per_feature") is True:
            want = "reconstruction_error_per_feature"
        elif options.get("reconstruction_error") is True:
            want = "reconstruction_error"
        elif type(layer) is int and layer in list(self.param.hidden_layer.objects):
            want, self.hidden_layer = "deep_features", layer
        else:
            want = "predictions"
        if want in list(self.param.output.objects):
            self.output = want


def preferred_frame(model, frames: list, scores) -> str | None:
    """The frame the form starts on: the model's validation frame, else a held-out frame (a name with "test" or
    "valid"), else its training frame, else any frame holding its columns (`scores(name)`), else the first frame."""
    frames = [f for f in frames if isinstance(f, str)]
    params = getattr(model, "params", None)
    valid, train = (getattr(params, k, None) for k in ("validation_frame", "training_frame"))
    held_out = [f for f in frames if any(w in f.lower() for w in ("test", "valid")) and f != train]
    for name in [valid, *held_out, train, *frames]:
        if isinstance(name, str) and name in frames and scores(name):
            return name
    return frames[0] if frames else None


def model_outputs(model) -> tuple[dict, dict]:
    """(output choices, hidden-layer choices labelled with their width) the model offers."""
    hidden = list(getattr(getattr(model, "params", None), "hidden", None) or [])
    outputs = {**PREDICTIONS, **(RECONSTRUCTION if getattr(model, "problem", None) == "autoencoder" else {}),
               **(DEEP_FEATURES if hidden else {})}
    return outputs, {f"{i} ({units} units)": i for i, units in enumerate(hidden)} or {"0": 0}


def has_response(model, frame) -> bool:
    params = getattr(model, "params", None)
    response = getattr(params, "response_column", None) if params is not None else None
    return response is not None and response in frame.names


class PredictView(pn.viewable.Viewer):
    def __init__(self, ctx, model_key=None, frame_name=None, predictions=None, options=None, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.predictions = predictions
        self.state = s = PredictState()
        s.param.model.objects = model_names(ctx)
        s.param.frame.objects = frame_names(ctx)
        s.frame = frame_name if frame_name in s.param.frame.objects else None
        s.model = model_key if model_key in s.param.model.objects else (s.param.model.objects or [None])[0]
        self._model_changed(keep_frame=s.frame is not None)  # a frame asked for is kept, even one lacking columns
        s.param.watch(self._model_changed, "model")
        s.choose(options)
        self.metrics = self._metrics(model_key, frame_name) if predictions is not None and s.output == "predictions" \
            else None

    def _model(self):
        try:
            return self.ctx.app.workspace.get(self.state.model) if self.state.model is not None else None
        except Exception:  # deleted meanwhile: predictions only; predicting reports the missing model
            return None

    def _model_changed(self, *_, keep_frame=False):
        """Offer the outputs the chosen model can give (reconstruction error for autoencoders, its layers), and a
        frame it can score when the chosen one lacks its columns."""
        s = self.state
        model = self._model()
        outputs, layers = model_outputs(model)
        s.param.hidden_layer.objects = layers
        if s.hidden_layer not in layers.values():
            s.hidden_layer = next(iter(layers.values()))
        s.param.output.objects = outputs
        if s.output not in outputs.values():
            s.output = "predictions"
        if not keep_frame and (s.frame is None or not self._scores(model, s.frame)):
            s.frame = preferred_frame(model, list(s.param.frame.objects), lambda n: self._scores(model, n))

    def _scores(self, model, name) -> bool:
        """Whether frame `name` holds every column `model` reads (True when either is unknown)."""
        needed = getattr(getattr(model, "data_info", None), "sources", None)
        if not needed:
            return True
        try:
            return set(needed) <= set(self.ctx.app.workspace.get(name).names)
        except Exception:  # damaged or deleted meanwhile
            return False

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
        return run_routine(self.ctx, "predict", model=s.model, frame=s.frame, **s.options())

    def __panel__(self):
        s = self.state
        err = error_alert(s.error, "predict-error")
        call = safe.Markdown(css_classes=test_id("predict-call"), margin=(0, 5))

        def show_call(*_):  # what Predict will write, current with the selects (server-confirmed choices)
            call.object = f"`{format_call('predict', model=s.model, frame=s.frame, **s.options())}`" \
                if s.model and s.frame else ""

        layer = pn.widgets.Select.from_param(s.param.hidden_layer, name="Hidden layer",
                                             css_classes=test_id("predict-hidden-layer"),
                                             visible=s.output == "deep_features")
        s.param.watch(show_call, ["model", "frame", "output", "hidden_layer"])
        s.param.watch(lambda e: layer.param.update(visible=e.new == "deep_features"), "output")
        show_call()
        s.param.watch(lambda e: err.param.update(object=e.new, visible=bool(e.new)), "error")
        parts = [title("Predict", "⚡"),
                 pn.Row(pn.widgets.Select.from_param(s.param.model, name="Model", css_classes=test_id("predict-model")),
                        pn.widgets.Select.from_param(s.param.frame, name="Frame", css_classes=test_id("predict-frame"))),
                 pn.Row(pn.widgets.Select.from_param(s.param.output, name="Output",
                                                     css_classes=test_id("predict-output")), layer),
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


def predict_view(ctx, model_key=None, frame_name=None, predictions=None, options=None):
    """The predict form (with `predictions`: and their result); `options`: the predict call's output options."""
    return PredictView(ctx, model_key, frame_name, predictions, options)
