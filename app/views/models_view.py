"""Flow's getModels: a table of models; click one to open it; predict or delete the selected ones."""
from __future__ import annotations

import pandas as pd
import panel as pn

from ._common import button, run_routine, test_id, title


def models_table(ctx) -> pd.DataFrame:
    """One row per model; a damaged one says why in `status` (models load when opened, so a model file found
    damaged then is flagged from that moment) and can be deleted."""
    rows = [{"key": e.name, "algorithm": "Deep Learning", "status": f"damaged: {e.reason}" if e.damaged else "ok"}
            for e in ctx.app.workspace.list("model")]
    return pd.DataFrame(rows, columns=["key", "algorithm", "status"])


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

    def __panel__(self):
        ctx = self.ctx

        def each(fn):
            return lambda: [fn(k) for k in self.selected()]

        return pn.Column(
            title("Models", "🧊"), self.table,
            pn.Row(button("View", "models-view", each(lambda k: run_routine(ctx, "getModel", k))),
                   button("Predict...", "models-predict", each(lambda k: run_routine(ctx, "predict", model=k))),
                   button("Delete selected", "models-delete", each(lambda k: run_routine(ctx, "deleteModel", k)),
                          color="danger"),
                   button("Build a model...", "models-build", lambda: run_routine(ctx, "buildModel", "deeplearning")),
                   button("Import a model...", "models-import", lambda: run_routine(ctx, "importModel"))),
            css_classes=test_id("models-view"), sizing_mode="stretch_width")


def models_view(ctx):
    return ModelsView(ctx)
