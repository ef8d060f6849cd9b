"""Flow's getPredictions: the predictions made on this server, each with the model and frame that made it."""
from __future__ import annotations

import pandas as pd
import panel as pn

from .. import safe_html as safe
from ._common import routine_button, test_id, title


class PredictionsView(pn.viewable.Viewer):
    def __init__(self, ctx, rows, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.rows = list(rows)

    def __panel__(self):
        table = pd.DataFrame(self.rows, columns=["predictions_frame", "model", "frame"])
        views = [routine_button(self.ctx, f"View {name}", "predictions-view", "getFrameSummary", name)
                 for name, _, _ in self.rows]
        body = [pn.widgets.Tabulator(table, show_index=False, disabled=True, sizing_mode="stretch_width",
                                     css_classes=test_id("predictions-table")), pn.FlexBox(*views)] if self.rows \
            else [safe.Markdown("No predictions yet: run `predict model: \"m\", frame: \"f\"`.")]
        return pn.Column(title("Predictions"), *body, css_classes=test_id("predictions-view"),
                         sizing_mode="stretch_width")


def predictions_view(ctx, rows):
    """rows: (predictions frame, model key, frame name) for each prediction to list."""
    return PredictionsView(ctx, rows)
