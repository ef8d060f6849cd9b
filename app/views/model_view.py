"""Flow's model view for a Deep Learning model, live while its job runs.

`ModelViewState` holds what is shown (model, job, scoring history so far, chosen metric, parameter filter);
`ModelView` builds its figures once and, while the job runs, a periodic drain of the job's events streams the new
scoring rows into the plot (`ColumnDataSource.stream`) and swaps the variable importances; once the job ends the
layer and metrics sections are filled from the final model.
"""
from __future__ import annotations

import html
import io
import tempfile

import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import action_bar, routine_button, run_routine, test_id, title
from .confirm import ConfirmButton
from .cv_panel import cv_card
from .job_view import JobState, job_model_key
from .live import JobFeed, Poller, final_message, finished_status, is_running
from .metrics_panel import metrics_panel
from .model_params import params_table
from .permutation_panel import PermutationPanel
from .plots import ScoringHistoryPlot, VarimpPlot, default_metric, history_metrics

METRIC_SPLITS = (("training_metrics", "training"), ("validation_metrics", "validation"),
                 ("cross_validation_metrics", "cross-validation"))


def _frame_or_none(fn):
    try:
        out = fn()
    except Exception:  # a partial model may not have this output yet
        return None
    return out if isinstance(out, pd.DataFrame) else None


def running_job_for(ctx, model_key):
    """The running job building `model_key`, if any (a model view opened during training follows it)."""
    jobs = getattr(getattr(ctx, "app", None), "jobs", None)
    for job in (jobs.list() if jobs is not None else []):
        if is_running(job) and job_model_key(job) == model_key:
            return job
    return None


class ModelViewState(param.Parameterized):
    """What the model view shows; updated on the event loop only."""

    model_key = param.String()
    status = param.String(default="DONE", doc="The job's status; DONE (or CANCELLED) for a stored model.")
    history = param.DataFrame(default=None, allow_None=True, doc="Scoring history rows shown so far.")
    metric = param.Selector(default=None, objects=[], allow_None=True, doc="Scoring-history metric to plot.")
    show_all_params = param.Boolean(default=False, doc="All parameters, or only the modified ones.")

    def __init__(self, model=None, job=None, **params):
        self.job = job
        self.model = model if model is not None else getattr(job, "model", None)
        key = getattr(self.model, "key", None) or (job_model_key(job) if job is not None else "") or ""
        super().__init__(model_key=str(key), status=str(job.status) if job is not None else finished_status(self.model),
                         **params)
        self.reload_history()

    @property
    def live(self) -> bool:
        return self.job is not None and self.status in ("CREATED", "RUNNING")

    def current_model(self):
        if self.job is not None and getattr(self.job, "model", None) is not None:
            self.model = self.job.model
        return self.model

    def reload_history(self) -> pd.DataFrame:
        """Re-read the model's scoring history; returns only the rows not shown before."""
        model = self.current_model()
        hist = _frame_or_none(model.scoring_history) if model is not None else None
        hist = hist if hist is not None else pd.DataFrame()
        old = 0 if self.history is None else len(self.history)
        metrics = history_metrics(hist)
        self.history = hist
        if metrics != list(self.param.metric.objects):
            keep = self.metric if self.metric in metrics else default_metric(metrics)
            self.param.metric.objects = metrics  # a linked Select may jump to its first option here
            self.metric = keep
        return hist.iloc[old:] if len(hist) >= old else hist

    def params_shown(self) -> pd.DataFrame:
        model = self.current_model()
        table = params_table(getattr(model, "params", None))
        return table if self.show_all_params else table[table["modified"]].reset_index(drop=True)


class ModelView(pn.viewable.Viewer):
    """Header and actions, parameters, scoring history, variable importances, layer status and metrics."""

    def __init__(self, ctx, model=None, job=None, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.feed = JobFeed(job) if is_running(job) else None  # subscribe before the first read: no row lost
        self.state = ModelViewState(model=model, job=job)
        s = self.state
        self.scoring = ScoringHistoryPlot(metric=s.metric)
        self.scoring.set_history(s.history, s.metric)
        self.varimp = VarimpPlot()
        self.varimp.update(self._varimp())
        model = s.current_model()
        supervised = getattr(model, "problem", None) in ("binomial", "multinomial", "regression")
        self.permutation = PermutationPanel(ctx, model) if supervised and not s.live else None
        self.metric_select = pn.widgets.Select.from_param(s.param.metric, name="Metric", width=220,
                                                          css_classes=test_id("scoring-metric"))
        self.status = safe.Markdown(css_classes=test_id("model-status"), margin=(0, 5))
        self.params_toggle = pn.widgets.Toggle.from_param(s.param.show_all_params, name="Show all parameters",
                                                          css_classes=test_id("params-toggle"), width=180)
        self.params_table = pn.widgets.Tabulator(s.params_shown(), show_index=False, disabled=True,
                                                 pagination="local", page_size=25, sizing_mode="stretch_width",
                                                 css_classes=test_id("model-params"), hidden_columns=["modified"])
        self.history_table = pn.widgets.Tabulator(s.history, show_index=False, disabled=True, pagination="local",
                                                  page_size=15, sizing_mode="stretch_width",
                                                  css_classes=test_id("scoring-table"))
        self.layers = pn.Column(sizing_mode="stretch_width")
        self.metrics = pn.Column(sizing_mode="stretch_width")
        s.param.watch(self._on_metric, "metric")
        s.param.watch(lambda e: setattr(self.params_table, "value", s.params_shown()), "show_all_params")
        s.param.watch(self._render_status, "status")
        self._render_status()
        self._fill_final_sections()
        self.poller = Poller(ctx, self.tick) if self.feed is not None else None

    # ------------------------------------------------------------------ live updates (event loop only)
    def tick(self):
        """Drain the job's events: stream new scoring rows, refresh importances; False once the job ended."""
        events = self.feed.drain()
        s = self.state
        if events or not is_running(s.job):
            s.reload_history()
            hist = s.history
            # stream exactly the rows each display lacks (a metric switch may already have redrawn the plot)
            if len(hist.columns) and (self.scoring.n_points < len(hist) or len(self.history_table.value) < len(hist)):
                with pn.io.hold():
                    self.scoring.stream(hist.iloc[self.scoring.n_points:])
                    shown = self.history_table.value
                    if list(shown.columns) == list(hist.columns):
                        self.history_table.stream(hist.iloc[len(shown):], follow=False)
                    else:
                        self.history_table.value = hist
                    self.varimp.update(self._varimp())
        s.status = str(s.job.status)
        self._render_status()  # progress and counts change on every tick, not only the status
        if not is_running(s.job):
            self.feed.close()
            self._fill_final_sections()
            self.params_table.value = s.params_shown()
            return False
        return True

    def _varimp(self):
        model = self.state.current_model()
        return _frame_or_none(model.varimp) if model is not None else None

    def _on_metric(self, event):
        # a Select change arrives on a callback thread; Bokeh sources may only change on the session's event loop
        # (changed from a thread, the new points never reach the browser: the #18 "metric select does nothing")
        history = self.state.history
        pn.state.execute(lambda: self.scoring.set_history(history, event.new), schedule="auto")

    def _render_status(self, *_):
        """Live: the job's status, percent and latest counts; finished or stored: the model's final counts."""
        s = self.state
        if s.live:
            js = JobState(s.job, last_progress=self.feed.last_progress if self.feed is not None else None)
            self.status.object = f"Job **{js.status}**, {js.progress * 100:.0f}%" + (f": {js.message}" if js.message
                                                                                    else "")
            return
        model = s.current_model()
        line = final_message(model)
        status = s.status if s.job is not None else finished_status(model)
        self.status.object = f"{'Job' if s.job is not None else 'Model'} **{status}**" + (f": {line}" if line else "")

    def _fill_final_sections(self):
        """Layer status and metrics tables (from the model as it is now)."""
        model = self.state.current_model()
        summary = _frame_or_none(model.summary) if model is not None else None
        self.layers.objects = [] if summary is None else [pn.widgets.Tabulator(
            summary, show_index=False, disabled=True, sizing_mode="stretch_width", css_classes=test_id("layers"))]
        output = getattr(model, "output", None) or {}
        self.metrics.objects = [pn.Card(metrics_panel(output[k], split), title=f"{split.title()} metrics",
                                        sizing_mode="stretch_width", css_classes=test_id(f"card-{split}-metrics"))
                                for k, split in METRIC_SPLITS if output.get(k) is not None]
        cv = cv_card(self.ctx, model) if model is not None else None
        if cv is not None:  # the per-fold summary (mean, sd, each fold) and the fold models
            self.metrics.append(cv)

    # ------------------------------------------------------------------ actions
    def _download(self):
        """The saved model file (what save_model writes; load_model reads it back) for the FileDownload button."""
        with tempfile.TemporaryDirectory() as tmp:
            return io.BytesIO(self.state.current_model().save(tmp, filename="model").read_bytes())

    def actions(self) -> pn.Row:
        key = self.state.model_key
        predict = pn.widgets.Button(label="Predict...", css_classes=test_id("model-predict"))
        predict.on_click(lambda _e: run_routine(self.ctx, "predict", model=key))
        delete = ConfirmButton("Delete", "model-delete", lambda: f"Delete model '{key}'? This cannot be undone.",
                               lambda: run_routine(self.ctx, "deleteModel", key))
        download = pn.widgets.FileDownload(callback=self._download, filename=str(key), label="Download model",
                                           css_classes=test_id("model-download"), button_type="default")
        return action_bar(predict, download, delete)

    def __panel__(self):
        s = self.state
        algo = getattr(s.current_model(), "algo", "Deep Learning")
        header = safe.HTML(f"<table><tr><th style='text-align:right'><i>Model ID</i></th>"
                              f"<td class='db-model-id'>{s.model_key}</td></tr><tr><th style='text-align:right'>"
                              f"<i>Algorithm</i></th><td>{algo}</td></tr><tr><th style='text-align:right'>"
                              f"<i>Backend</i></th><td class='db-model-backend'>"
                              f"{html.escape(backend_text(s.current_model()))}</td></tr></table>")
        return pn.Column(
            title("Model", "🧊"), header, self.status, self.actions(),
            pn.Card(self.params_toggle, self.params_table, title="Model parameters", collapsed=True,
                    sizing_mode="stretch_width", css_classes=test_id("card-params")),
            pn.Card(self.metric_select, pn.pane.Bokeh(self.scoring.figure, css_classes=test_id("scoring-plot")),
                    title="Scoring history", sizing_mode="stretch_width", css_classes=test_id("card-scoring")),
            pn.Card(pn.pane.Bokeh(self.varimp.figure, css_classes=test_id("varimp-plot")),
                    title="Variable importances", sizing_mode="stretch_width", css_classes=test_id("card-varimp")),
            self._permutation_card(),
            pn.Card(self.layers, title="Status of neuron layers", sizing_mode="stretch_width",
                    css_classes=test_id("card-layers")),
            self.metrics,
            pn.Card(self.history_table, title="Scoring history table", collapsed=True, sizing_mode="stretch_width",
                    css_classes=test_id("card-scoring-table")),
            css_classes=test_id("model-view"), sizing_mode="stretch_width")


    def _permutation_card(self):
        """Permutation importance per original column (a model finished when the view opened, supervised)."""
        if self.permutation is None:
            return pn.Column(visible=False)
        return pn.Card(self.permutation, title="Permutation importance (per column)", collapsed=True,
                       sizing_mode="stretch_width", css_classes=test_id("card-permutation"))


def backend_text(model) -> str:
    """Where the model trained: the local threaded engine, or a Dask cluster and its workers."""
    info = (getattr(model, "output", None) or {}).get("backend") or {"backend": "local"}
    if info.get("backend") != "dask":
        return "local (threaded numba engine)"
    workers = info.get("workers") or []
    return f"dask at {info.get('scheduler')}: {len(workers)} workers ({', '.join(workers)})"


def model_view(ctx, model):
    """The model view; `model` may be a model or a running Job (then it follows the job live)."""
    if hasattr(model, "subscribe") and hasattr(model, "status"):
        return ModelView(ctx, job=model)
    job = running_job_for(ctx, getattr(model, "key", None))
    return ModelView(ctx, model=model, job=job)
