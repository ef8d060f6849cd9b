"""Flow's getModels: a comparison table of the models (training frame, response, main metrics, created); click one
to open it; compare, predict or delete the checked ones. `getModels ["a", "b"]` is the compare view."""
from __future__ import annotations

import pandas as pd
import panel as pn

from ._common import button, run_routine, test_id, title
from .confirm import ConfirmButton

INFO_COLUMNS = ["key", "algorithm", "training_frame", "response_column"]


def _engine():
    from deepbrook import engine

    return engine


def model_facts(model) -> dict:
    """Training frame, response and problem of a model (what the comparison table and view show)."""
    params = getattr(model, "params", None)
    get = (params.get if isinstance(params, dict) else lambda k, d=None: getattr(params, k, d))
    frame = get("training_frame")
    return {"training_frame": str(getattr(frame, "name", frame) or ""), "response_column": str(get("response_column")
                                                                                               or ""),
            "problem": str(getattr(model, "problem", "") or "")}


def metric_columns(models) -> list[str]:
    """The main metrics of every problem among `models`, in the engine's order, without repeats."""
    eng = _engine()
    problems = list(dict.fromkeys(getattr(m, "problem", None) for m in models))
    return list(dict.fromkeys(name for p in problems for name in eng.main_metrics(p)))


def models_table(ctx) -> pd.DataFrame:
    """One row per model with its main metrics (validation, else cross-validation, else training); a damaged one
    says why in `status` (found when the model is read) and can still be deleted."""
    eng = _engine()
    entries, models = ctx.app.workspace.list("model"), {}
    for e in entries:
        if not e.damaged:
            try:
                models[e.name] = ctx.app.workspace.get(e.name)
            except eng.DeepbrookError:
                pass
    entries = ctx.app.workspace.list("model")  # reading may have found some damaged
    metrics = metric_columns(models.values())
    rows = []
    for e in entries:
        m = models.get(e.name)
        row = {"key": e.name, "algorithm": "Deep Learning", "training_frame": "", "response_column": ""}
        if m is not None:
            row.update({k: v for k, v in model_facts(m).items() if k in row})
            row.update({k: eng.model_metric(m, k) for k in metrics})
        row.update(created=e.created[:19].replace("T", " "), status=f"damaged: {e.reason}" if e.damaged else "ok")
        rows.append(row)
    return pd.DataFrame(rows, columns=[*INFO_COLUMNS, *metrics, "created", "status"])


class ModelsView(pn.viewable.Viewer):
    def __init__(self, ctx, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.table = pn.widgets.Tabulator(models_table(ctx), show_index=False, disabled=True, selectable="checkbox",
                                          pagination="local", page_size=20, sizing_mode="stretch_width",
                                          css_classes=test_id("models-table"))
        self.table.on_click(self._open)

    def selected(self) -> list[str]:
        return self.table.value.iloc[self.table.selection]["key"].tolist()

    def _open(self, event):
        if event.column == "key":
            run_routine(self.ctx, "getModel", self.table.value.iloc[event.row]["key"])

    def _delete_question(self):
        keys = self.selected()
        return f"Delete {len(keys)} model(s): {', '.join(keys)}? This cannot be undone." if keys else None

    def _compare(self):
        keys = self.selected()
        if len(keys) >= 2:  # Flow offers Compare for two or more checked models
            run_routine(self.ctx, "getModels", keys)

    def __panel__(self):
        ctx = self.ctx

        def each(fn):
            return lambda: [fn(k) for k in self.selected()]

        return pn.Column(
            title("Models", "🧊"), self.table,
            pn.Row(button("View", "models-view", each(lambda k: run_routine(ctx, "getModel", k))),
                   button("Compare", "models-compare", self._compare),
                   button("Predict...", "models-predict", each(lambda k: run_routine(ctx, "predict", model=k))),
                   ConfirmButton("Delete selected", "models-delete", self._delete_question,
                                 each(lambda k: run_routine(ctx, "deleteModel", k))),
                   button("Build a model...", "models-build", lambda: run_routine(ctx, "buildModel", "deeplearning")),
                   button("Import a model...", "models-import", lambda: run_routine(ctx, "importModel"))),
            css_classes=test_id("models-view"), sizing_mode="stretch_width")


def models_view(ctx):
    return ModelsView(ctx)
