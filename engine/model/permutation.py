"""Permutation variable importance per ORIGINAL column, as H2O's ``model.permutation_importance`` defines it.

H2O (docs "Permutation Variable Importance"): score the model on a frame (metric ``orig``); for each feature, shuffle
that one column (Fisher-Yates), score again (``perm``); H2O's importance is ``abs(perm - orig)``. Deepbrook keeps
the sign: the importance is how much WORSE the metric gets (``orig - perm`` for AUC/PR_AUC, ``perm - orig`` for the
error metrics). With ``abs`` a column whose shuffling improves the score (a column the model overfits, e.g. planted
noise scored on held-out rows) looks important; signed, it gets ~0 or a negative value and ranks last.
``metric="AUTO"`` is AUC for binomial, logloss for multinomial, RMSE for regression. ``n_samples`` rows are drawn
first (-1 = all rows), ``n_repeats`` shuffles per feature, ``seed=-1`` draws a seed.

Unlike the Gedeon table (one row per one-hot slot, which summed per column inflates many-level columns: a 12-level
noise column outranked the informative ones), this measures what the model loses without the column's information,
so it is comparable across columns of any type or cardinality.
"""
from __future__ import annotations

import numpy as np

from ..errors import DeepbrookError, ParameterError
from .varimp import varimp_table

# metric name (as H2O spells it) -> (ModelMetrics scalar, problems where it is defined, higher is better)
METRICS = {"AUC": ("auc", ("binomial",), True), "PR_AUC": ("pr_auc", ("binomial",), True),
           "logloss": ("logloss", ("binomial", "multinomial"), False),
           "mean_per_class_error": ("mean_per_class_error", ("binomial", "multinomial"), False),
           "MSE": ("mse", ("binomial", "multinomial", "regression"), False),
           "RMSE": ("rmse", ("binomial", "multinomial", "regression"), False),
           "MAE": ("mae", ("regression",), False)}
AUTO_METRIC = {"binomial": "AUC", "multinomial": "logloss", "regression": "RMSE"}


def _metric_name(metric, problem):
    if str(metric).upper() == "AUTO":
        return AUTO_METRIC[problem]
    by_upper = {k.upper(): k for k in METRICS}
    name = by_upper.get(str(metric).upper())
    if name is None:
        raise ParameterError(f"metric: '{metric}' is not one of AUTO, {', '.join(METRICS)}",
                             [("error", "metric", "unknown metric")])
    if problem not in METRICS[name][1]:
        ok = [k for k, (_, probs, _) in METRICS.items() if problem in probs]
        raise ParameterError(f"metric: {name} is not defined for {problem} models; use AUTO or one of {ok}",
                             [("error", "metric", "not for this problem")])
    return name


def _features(info, features):
    sources = list(info.sources)
    if features is None:
        return sources
    features = [features] if isinstance(features, str) else list(features)
    unknown = [f for f in features if f not in sources]
    if unknown:
        raise ParameterError(f"features: '{unknown[0]}' is not a predictor of this model (predictors: "
                             f"{', '.join(sources)})", [("error", "features", f"unknown feature {unknown[0]}")])
    return list(dict.fromkeys(features))


def permutation_importance(model, frame, metric="AUTO", n_samples=10000, n_repeats=1, features=None, seed=-1):
    """Metric change per original column when that column is shuffled (H2O's definition, see the module doc).

    Returns a pandas DataFrame sorted by decreasing importance: ``variable``, ``relative_importance`` (the mean
    metric loss over the repeats, may be negative), ``scaled_importance`` (relative to the largest), ``percentage``
    (share of the sum of the positive importances; 0 for the others), ``std`` (spread over the repeats, ddof=1;
    0 for one repeat) and, with ``n_repeats > 1``, one column ``run_<i>`` per repeat (H2O's table for repeated
    runs). ``df.attrs`` holds ``metric``, ``baseline`` (the
    metric on the unshuffled rows), ``n_samples`` (rows used) and ``seed``.
    """
    problem = getattr(model, "problem", None)
    if problem not in AUTO_METRIC:
        raise DeepbrookError("permutation_importance needs a supervised model (binomial, multinomial or "
                             f"regression); this one is {problem}")
    name = _metric_name(metric, problem)
    n_repeats = int(n_repeats)
    if n_repeats < 1:
        raise ParameterError(f"n_repeats must be >= 1, got {n_repeats}", [("error", "n_repeats", ">= 1")])
    n_samples = int(n_samples)
    if n_samples == 0 or n_samples < -1:
        raise ParameterError(f"n_samples must be -1 (all rows) or >= 1, got {n_samples}",
                             [("error", "n_samples", "-1 or >= 1")])
    info = model.data_info
    cols = _features(info, features)
    missing = [c for c in list(info.sources) + [info.response_column] if c not in frame]
    if missing:
        raise ParameterError(f"frame '{frame.name}' lacks column '{missing[0]}' that the model needs",
                             [("error", "frame", f"missing column {missing[0]}")])
    if int(seed) == -1:
        from ..params.resolve import draw_seed
        seed = draw_seed()
    rng = np.random.default_rng(int(seed))
    if 0 < n_samples < frame.nrows:
        frame = frame.rows(np.sort(rng.choice(frame.nrows, n_samples, replace=False)))
    key, _, higher_is_better = METRICS[name]
    sign = 1.0 if higher_is_better else -1.0

    def score(f):
        return float(model.model_performance(f)[key])

    baseline = score(frame)
    runs = np.zeros((len(cols), n_repeats))
    for i, col in enumerate(cols):
        rest = frame.drop(col)
        for r in range(n_repeats):
            shuffled = rest.with_columns(frame[col].rows(rng.permutation(frame.nrows)))
            runs[i, r] = sign * (baseline - score(shuffled))  # > 0: the model does worse without the column
    table = varimp_table(runs.mean(axis=1), cols)
    positive = table["relative_importance"].clip(lower=0.0)
    table["percentage"] = positive / positive.sum() if positive.sum() > 0 else 0.0
    order = [cols.index(v) for v in table["variable"]]
    table["std"] = runs[order].std(axis=1, ddof=1) if n_repeats > 1 else 0.0
    if n_repeats > 1:
        for r in range(n_repeats):
            table[f"run_{r + 1}"] = runs[order, r]
    table.attrs.update(metric=name, baseline=baseline, n_samples=int(frame.nrows), seed=int(seed))
    return table

