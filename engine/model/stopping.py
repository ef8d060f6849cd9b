"""Early stopping exactly as H2O's `ScoreKeeper.stopEarly` (moving averages over the last 2k scorings).

`stopping_metric` names are H2O's; each maps to a scalar of `ModelMetrics`, a direction and whether the metric is
bounded below by 0 (then a reference average of exactly 0 stops at once).
"""
from __future__ import annotations

import math

# H2O name -> (ModelMetrics scalar, more_is_better, bounded_below_by_zero)
STOPPING_METRICS = {
    "deviance": ("mean_residual_deviance", False, False),
    "logloss": ("logloss", False, True),
    "MSE": ("mse", False, True),
    "RMSE": ("rmse", False, True),
    "MAE": ("mae", False, True),
    "RMSLE": ("rmsle", False, True),
    "AUC": ("auc", True, True),
    "AUCPR": ("pr_auc", True, True),
    "lift_top_group": ("lift_top_group", True, False),
    "misclassification": ("classification_error", False, True),
    "mean_per_class_error": ("mean_per_class_error", False, True),
    # custom_metric_func's value (model/custom_metric.py), lower or higher is better
    "custom": ("custom", False, False),
    "custom_increasing": ("custom", True, False),
}
_CANON = {k.lower(): k for k in STOPPING_METRICS}


def resolve_stopping_metric(metric, problem) -> str:
    """AUTO -> logloss (classification) / deviance (regression) / MSE (autoencoder); other names canonicalised."""
    if metric is None or str(metric).upper() == "AUTO":
        return {"binomial": "logloss", "multinomial": "logloss", "regression": "deviance"}.get(problem, "MSE")
    name = _CANON.get(str(metric).lower())
    if name is None:
        raise ValueError(f"stopping_metric '{metric}' is not one of AUTO, {', '.join(STOPPING_METRICS)}")
    return name


def metric_value(metrics, stopping_metric, problem=None) -> float:
    """The value of `stopping_metric` in a ModelMetrics (or dict of scalars); NaN when unavailable.

    `deviance` for a classifier reads the logloss (H2O reports no residual deviance for classifiers).
    """
    if metrics is None:
        return float("nan")
    name = resolve_stopping_metric(stopping_metric, problem)
    key = STOPPING_METRICS[name][0]
    scalars = metrics if isinstance(metrics, dict) else metrics.scalars
    if key == "mean_residual_deviance" and key not in scalars:
        key = "logloss"
    v = scalars.get(key, float("nan"))
    return float("nan") if v is None else float(v)


def more_is_better(stopping_metric) -> bool:
    return STOPPING_METRICS[resolve_stopping_metric(stopping_metric, None)][1]


def loss_for_best(value, stopping_metric) -> float:
    """H2O `Model.loss()`: lower is better; AUC/AUCPR use 1 - value; lift is used as is ([H2O-BUG] kept)."""
    name = resolve_stopping_metric(stopping_metric, None)
    return 1.0 - value if name in ("AUC", "AUCPR") else value


def stop_early(values, k, tolerance, stopping_metric) -> bool:
    """H2O's rule over the per-row metric `values` of the scoring history (row 0 = placeholder included).

    Needs len(values) - 1 >= 2k; compares the best of the last k moving averages (window k) with the one before.
    """
    if k is None or k <= 0:
        return False
    vals = [float("nan") if v is None else float(v) for v in values]
    if len(vals) - 1 < 2 * k:
        return False
    name = resolve_stopping_metric(stopping_metric, None)
    _, bigger, bounded = STOPPING_METRICS[name]
    tail = vals[len(vals) - 2 * k:]
    ma = [sum(tail[i:i + k]) / k for i in range(k + 1)]
    if any(math.isnan(m) for m in ma):
        return False
    ref, recent = ma[0], ma[1:]
    best = max(recent) if bigger else min(recent)
    if bounded and ref == 0:
        return True
    if _sign(max(ma)) != _sign(min(ma)) or _sign(best) != _sign(ref):
        return False
    ratio = best / ref if ref != 0 else float("nan")
    if math.isnan(ratio):
        return False
    improved = ratio > 1 + tolerance if bigger else ratio < 1 - tolerance
    return not improved


def _sign(x):
    return (x > 0) - (x < 0)
