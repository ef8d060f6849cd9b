"""A cross-validated model's "Cross-Validation Metrics Summary" (H2O's table: mean, sd and each fold's holdout
value per metric) and its fold models, each opening `getModel` when kept (keep_cross_validation_models)."""
from __future__ import annotations

import pandas as pd
import panel as pn

from .. import safe_html as safe
from ._common import routine_button, test_id


def cv_summary_table(output) -> pd.DataFrame | None:
    """The summary with the metric names as a first column, or None for a model without cross-validation."""
    table = (output or {}).get("cross_validation_metrics_summary")
    if not isinstance(table, pd.DataFrame) or not len(table):
        return None
    out = table.reset_index()
    return out.rename(columns={out.columns[0]: "metric"})


def fold_model_keys(output) -> list[str]:
    """Keys of the fold models (models while trained here, keys once reloaded)."""
    return [m if isinstance(m, str) else str(getattr(m, "key", "")) for m in
            (output or {}).get("cross_validation_models") or []]


def cv_card(ctx, model):
    """The card, or None when the model was not cross-validated."""
    output = getattr(model, "output", None) or {}
    table = cv_summary_table(output)
    if table is None:
        return None
    kept = set(ctx.workspace.names("model")) if ctx is not None else set()
    keys = fold_model_keys(output)
    links = [routine_button(ctx, k, f"cv-fold-{i + 1}", "getModel", k) for i, k in enumerate(keys) if k in kept]
    note = "" if links or not keys else "The fold models were not kept (keep_cross_validation_models is off)."
    body = [pn.widgets.Tabulator(table, show_index=False, disabled=True, sizing_mode="stretch_width",
                                 css_classes=test_id("cv-summary"))]
    body.append(pn.Column(safe.Markdown(f"**Fold models** ({len(keys)} folds)", margin=(5, 5, 0, 5)),
                          pn.FlexBox(*links) if links else safe.Markdown(note), css_classes=test_id("cv-folds")))
    return pn.Card(*body, title="Cross-validation metrics summary", sizing_mode="stretch_width",
                   css_classes=test_id("card-cv-summary"))
