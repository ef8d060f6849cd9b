"""One ModelMetrics object (engine/model/metrics.py) as Flow shows it: scalars, confusion matrix, ROC, gains/lift."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource

from .. import safe_html as safe
from ._common import action_bar, test_id
from .plots import gains_lift_figure, roc_figure

TABLE_TITLES = {"confusion_matrix": "Confusion Matrix (Act/Pred)", "max_criteria": "Maximum Metrics",
                "gains_lift": "Gains/Lift Table", "hit_ratios": "Top-K Hit Ratios",
                "thresholds": "Metrics for Thresholds"}


def scalars_table(metrics) -> pd.DataFrame:
    rows = [(k, v) for k, v in metrics.as_dict().items()
            if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v))]
    return pd.DataFrame(rows, columns=["metric", "value"])


def _table(df: pd.DataFrame, tid: str, page_size=20):
    show_index = not isinstance(df.index, pd.RangeIndex)
    return pn.widgets.Tabulator(df, disabled=True, show_index=show_index, pagination="local" if len(df) > page_size
                                else None, page_size=page_size, css_classes=test_id(tid), layout="fit_data_table")


def whole_counts(df: pd.DataFrame) -> pd.DataFrame:
    """A confusion matrix with its counts as integers where they are whole (weights can make them fractional)."""
    out = df.copy()
    for c in out.columns:
        v = out[c]
        if str(c) != "Error" and pd.api.types.is_float_dtype(v) and np.isfinite(v).all() and (v == v.round()).all():
            out[c] = v.astype(np.int64)
    return out


DEFAULT_CRITERION = "max f1"  # Flow's ROC criterion when the view opens


def criterion_picker(fig, roc: pd.DataFrame, max_criteria, split: str) -> list:
    """Flow's Criterion dropdown: marks the ROC point of the threshold that maximises the chosen criterion."""
    if max_criteria is None or not len(max_criteria) or "threshold" not in max_criteria:
        return []
    crit = max_criteria.set_index(max_criteria.columns[0])
    marker = ColumnDataSource({"fpr": [], "tpr": []})
    fig.scatter("fpr", "tpr", source=marker, size=12, color="red", fill_alpha=0.3)
    select = pn.widgets.Select(name="Criterion", options=[""] + [str(c) for c in crit.index], width=220,
                               css_classes=test_id(f"roc-criterion-{split}"))
    chosen = safe.Markdown("", css_classes=test_id(f"roc-threshold-{split}"), margin=(0, 5))
    thr = roc["threshold"].to_numpy(float)

    def mark(event):
        if not event.new:
            marker.data, chosen.object = {"fpr": [], "tpr": []}, ""
            return
        t = float(crit.loc[event.new, "threshold"])
        i = int(np.nanargmin(np.abs(thr - t)))
        marker.data = {"fpr": [float(roc["fpr"].iloc[i])], "tpr": [float(roc["tpr"].iloc[i])]}
        chosen.object = (f"{event.new} = {float(crit.loc[event.new, 'value']):.6g} at threshold {t:.6g} "
                         f"(fpr {marker.data['fpr'][0]:.4f}, tpr {marker.data['tpr'][0]:.4f})")

    select.param.watch(mark, "value")
    if DEFAULT_CRITERION in crit.index:
        select.value = DEFAULT_CRITERION
    return [select, chosen]


def metrics_panel(metrics, split: str) -> pn.Column:
    """Collapsible cards for `split` ("training"/"validation"/...) metrics; ROC and gains/lift for binomial."""
    tid = f"metrics-{split}"
    tables = getattr(metrics, "tables", {}) or {}
    roc = tables.get("roc")
    auc = metrics.get("auc") if hasattr(metrics, "get") else float("nan")
    plots = []
    if roc is not None and len(roc):
        fig = roc_figure(roc["fpr"], roc["tpr"], title=f"ROC curve, AUC = {auc:.6f}")
        plots.append(pn.Column(pn.pane.Bokeh(fig, css_classes=test_id(f"roc-{split}")),
                               *criterion_picker(fig, roc, tables.get("max_criteria"), split)))
    if tables.get("gains_lift") is not None:
        plots.append(pn.pane.Bokeh(gains_lift_figure(tables["gains_lift"], title="Gains/Lift"),
                                   css_classes=test_id(f"gains-lift-{split}")))
    body = [safe.Markdown(f"**{metrics.category}** {getattr(metrics, 'description', '')}", margin=(0, 5)),
            _table(scalars_table(metrics), f"{tid}-scalars")]
    if plots:
        body.append(action_bar(*plots))
    for name in ("confusion_matrix", "max_criteria", "gains_lift", "hit_ratios", "thresholds"):
        if tables.get(name) is not None:
            table = whole_counts(tables[name]) if name == "confusion_matrix" else tables[name]
            body.append(pn.Card(_table(table, f"{tid}-{name.replace('_', '-')}"),
                                title=TABLE_TITLES[name], collapsed=name in ("thresholds", "gains_lift"),
                                sizing_mode="stretch_width"))
    return pn.Column(*body, css_classes=test_id(tid), sizing_mode="stretch_width")
