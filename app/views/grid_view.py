"""Flow's grid output: a grid search's models as a table sorted by a chosen metric, live while the grid trains.

`GridViewState` reads a grid (the engine's GridSearch, or a `StoredGrid` rebuilt from the workspace's
`<grid_id>_model_<n>` models) into a leaderboard; `GridView` shows it above the grid job's progress, refreshes the
table as models finish, and writes routine calls for its actions: a model id opens `getModel`, "Compare" opens
`getModels [..]` on the checked rows.
"""
from __future__ import annotations

import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import button, run_routine, test_id, title
from .job_view import JobView
from .live import Poller, is_running
from .model_params import _same, as_dict


def _engine():
    from deepbrook import engine

    return engine


class StoredGrid:
    """A grid known only by its models in the workspace (the server restarted since it ran): its hyper-parameters
    are the gridable parameters whose values differ between those models."""

    def __init__(self, grid_id, models):
        eng = _engine()
        self.grid_id = grid_id
        self.models = sorted(models, key=lambda m: _model_number(m.key, grid_id))
        values = [_given(getattr(m, "params", None)) for m in self.models]
        names = [n for n in eng.DeepLearningParameters.param if n != "name" and eng.parameter_info(n).gridable]
        self.hyper_params = {n: None for n in names
                             if any(not _same(v.get(n), values[0].get(n)) for v in values[1:])}
        self.model_params = [{n: v.get(n) for n in self.hyper_params} for v in values]
        self.failures = []
        self.job = None

    @property
    def problem(self):
        return getattr(self.models[0], "problem", None) if self.models else None


def _given(params) -> dict:
    """The parameters as the user gave them (not the derived ones, e.g. dropout ratios per layer)."""
    given = getattr(params, "input", None)
    return dict(given) if given is not None else as_dict(params)


def _model_number(key, grid_id):
    tail = str(key)[len(grid_id) + len("_model_"):]
    return int(tail) if tail.isdigit() else 0


class GridViewState(param.Parameterized):
    """The leaderboard shown: the grid's models sorted by `sort_by` (its natural direction unless `decreasing`)."""

    grid_id = param.String()
    sort_by = param.Selector(default=None, objects=[], allow_None=True, doc="Metric the models are sorted by.")
    decreasing = param.Boolean(default=None, allow_None=True, doc="Sort direction; None: the metric's own.")
    table = param.DataFrame(default=None, allow_None=True, doc="hyper-parameters, model_ids, metrics; best first.")
    failures = param.List(default=[], doc="Combinations that failed, with their error.")

    def __init__(self, grid, sort_by=None, decreasing=None, **params):
        self.grid = grid
        super().__init__(grid_id=str(grid.grid_id), decreasing=decreasing, **params)
        self._wanted = sort_by  # the user's choice; until then the problem's default metric
        self.updating = False  # True while refresh() itself sets sort_by (not the user's choice)
        self.param.watch(self._chosen, "sort_by")
        self.refresh()

    def _chosen(self, event):
        if not self.updating:
            self._wanted = event.new

    def refresh(self):
        """Re-read the grid's models (call on the event loop)."""
        eng, grid = _engine(), self.grid
        models, params = list(grid.models), list(grid.model_params)[:len(grid.models)]
        metrics = list(eng.main_metrics(getattr(grid, "problem", None)))
        if list(self.param.sort_by.objects) != metrics:
            self.param.sort_by.objects = metrics
            wanted = (self._wanted or "").lower()
            self.updating = True  # widgets linked to sort_by follow (they would not with discarded events)
            try:
                self.sort_by = wanted if wanted in metrics else metrics[0]
            finally:
                self.updating = False
        table = eng.leaderboard(models, params, list(grid.hyper_params), self.sort_by, self.decreasing, metrics)
        self.table = table.rename(columns={"model_ids": "model_id"})
        self.failures = [f"{_combo_text(f.params)}: {f.error}" for f in getattr(grid, "failures", [])]


def _combo_text(combo) -> str:
    return ", ".join(f"{k}={v}" for k, v in (combo or {}).items())


class GridView(pn.viewable.Viewer):
    """Grid id, the job's progress while it runs, the sorted table of models, and Compare / Predict actions."""

    def __init__(self, ctx, grid, job=None, sort_by=None, decreasing=None, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = GridViewState(grid, sort_by=sort_by, decreasing=decreasing)
        s = self.state
        self.job_view = JobView(ctx, job) if job is not None else None
        if self.job_view is not None:  # its View would open this same grid again
            self.job_view.show_view = False
            self.job_view.view.visible = False
        self.sort_select = pn.widgets.Select.from_param(s.param.sort_by, name="Sort by", width=220,
                                                        css_classes=test_id("grid-sort"))
        self.table = pn.widgets.Tabulator(s.table, show_index=False, disabled=True, selectable="checkbox",
                                          pagination="local", page_size=20, sizing_mode="stretch_width",
                                          css_classes=test_id("grid-table"))
        self.table.on_click(self._open)
        self.failures = safe.Alert("", alert_type="warning", visible=False, css_classes=test_id("grid-failures"))
        # a Select change arrives on a callback thread; the table's data may only change on the session's loop
        s.param.watch(lambda *_: None if s.updating else pn.state.execute(self._rerender, schedule="auto"),
                      ["sort_by", "decreasing"])
        self._render()
        self.job = job
        self._shown = len(grid.models)
        self.poller = Poller(ctx, self.tick) if is_running(job) else None

    def tick(self):
        """Refresh the table as models finish; False once the grid job ended (stops the poller)."""
        grid, running = self.state.grid, is_running(self.job)
        if len(grid.models) != self._shown or not running:
            self._shown = len(grid.models)
            self._rerender()
        return running

    def _rerender(self):
        self.state.refresh()
        self._render()

    def _render(self):
        s = self.state
        self.table.value = s.table
        self.failures.object = "\n".join(f"- {f}" for f in s.failures)
        self.failures.visible = bool(s.failures)

    def selected(self) -> list[str]:
        return self.table.value.iloc[self.table.selection]["model_id"].tolist()

    def _open(self, event):
        if event.column == "model_id":
            run_routine(self.ctx, "getModel", self.table.value.iloc[event.row]["model_id"])

    def __panel__(self):
        ctx = self.ctx
        compare = button("Compare selected", "grid-compare",
                         lambda: run_routine(ctx, "getModels", self.selected()) if self.selected() else None)
        predict = button("Predict...", "grid-predict",
                         lambda: [run_routine(ctx, "predict", model=k) for k in self.selected()])
        header = safe.Markdown(f"Grid ID: `{self.state.grid_id}`", css_classes=test_id("grid-id"), margin=(0, 5))
        parts = [title("Grid", "🧊"), header]
        if self.job_view is not None:
            parts.append(self.job_view)
        parts += [self.sort_select, self.table, self.failures, pn.Row(compare, predict)]
        return pn.Column(*parts, css_classes=test_id("grid-view"), sizing_mode="stretch_width")


def grid_view(ctx, grid, job=None, sort_by=None, decreasing=None):
    return GridView(ctx, grid, job, sort_by=sort_by, decreasing=decreasing)


def grids_table(grids) -> pd.DataFrame:
    rows = [{"grid_id": gid, "models": len(g.models), "failed": len(getattr(g, "failures", [])),
             "status": str(getattr(getattr(g, "job", None), "status", "DONE"))} for gid, g in grids.items()]
    return pd.DataFrame(rows, columns=["grid_id", "models", "failed", "status"])


class GridsView(pn.viewable.Viewer):
    """Flow's getGrids: one row per grid search; click a grid id to open it."""

    def __init__(self, ctx, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.table = pn.widgets.Tabulator(grids_table(dict(ctx.app.grids)), show_index=False, disabled=True,
                                          sizing_mode="stretch_width", css_classes=test_id("grids-table"))
        self.table.on_click(lambda e: run_routine(ctx, "getGrid", self.table.value.iloc[e.row]["grid_id"])
                            if e.column == "grid_id" else None)

    def __panel__(self):
        return pn.Column(title("Grids"), self.table, css_classes=test_id("grids-view"), sizing_mode="stretch_width")


def grids_view(ctx):
    return GridsView(ctx)
