"""N-fold cross-validation with H2O's semantics (doc section 5.8).

Fold models train on the other folds with their holdout as validation frame (so early stopping and
overwrite_with_best_model run on the holdout). Cross-validation metrics are the metrics of the combined holdout
predictions; the summary table holds mean and sd over the folds' holdout metrics. The main model then trains on
all rows with `overwrite_with_best_model=False`, and, when early stopping or a runtime limit was on, for the mean
number of epochs the fold models trained (their last scoring row) with early stopping off.
"""
from __future__ import annotations

import uuid
import warnings
from typing import Callable

import numpy as np
import pandas as pd

from .errors import ParameterError
from .params import Message
from .model.metrics import make_metrics

FOLD_ASSIGNMENTS = ("AUTO", "Random", "Modulo", "Stratified")


def _canon_assignment(name):
    for a in FOLD_ASSIGNMENTS:
        if str(name or "AUTO").lower() == a.lower():
            return a
    raise _bad("fold_assignment", f"fold_assignment '{name}' is not one of {', '.join(FOLD_ASSIGNMENTS)}")


def assign_folds(frame, nfolds=0, fold_assignment="AUTO", fold_column=None, response=None, seed=0):
    """(fold index per row int32, number of folds). AUTO = Random (Stratified needs a categorical response)."""
    n = frame.nrows
    if fold_column:
        if fold_column not in frame.names:
            raise _bad("fold_column", f"fold_column '{fold_column}' is not a column of the training frame")
        if frame.is_enum(fold_column):
            codes = np.asarray(frame.codes(fold_column), np.int64)
            bad = codes < 0
        else:
            vals = np.asarray(frame.numeric(fold_column), np.float64)
            bad = ~np.isfinite(vals)
            codes = np.unique(vals[~bad], return_inverse=True)[1] if (~bad).any() else vals
            full = np.full(n, -1, np.int64)
            full[~bad] = codes
            codes = full
        if bad.any():
            raise _bad("fold_column", f"fold_column '{fold_column}' has {int(bad.sum())} missing values")
        used, folds = np.unique(codes, return_inverse=True)
        if len(used) < 2:
            raise _bad("fold_column", f"fold_column '{fold_column}' must have at least 2 distinct values")
        return folds.astype(np.int32), int(len(used))
    k = int(nfolds)
    if k < 2:
        raise _bad("nfolds", f"nfolds must be 0 or at least 2, got {k}")
    if k > n:
        raise _bad("nfolds", f"nfolds ({k}) cannot exceed the number of training rows ({n})")
    how = _canon_assignment(fold_assignment)
    rng = np.random.default_rng(int(seed) & 0xFFFFFFFFFFFF)
    if how == "Modulo":
        return (np.arange(n) % k).astype(np.int32), k
    if how == "Stratified":
        if response is None or not frame.is_enum(response):
            raise _bad("fold_assignment", "fold_assignment 'Stratified' needs a categorical response column")
        y = np.asarray(frame.codes(response), np.int64)
        folds = np.empty(n, np.int32)
        offset = 0
        for c in np.unique(y):
            rows = rng.permutation(np.flatnonzero(y == c))
            folds[rows] = (np.arange(len(rows)) + offset) % k
            offset = (offset + len(rows)) % k
        return folds, k
    return rng.integers(0, k, n).astype(np.int32), k


def summary_scalars(m) -> dict:
    """The per-fold numbers H2O shows in "Cross-Validation Metrics Summary" for a ModelMetrics."""
    s = m.scalars
    if m.category == "Binomial":
        t = m.thresholds
        row = t.loc[(t.threshold - s["default_threshold"]).abs().idxmin()]
        out = {"accuracy": row.accuracy, "auc": s["auc"], "err": 1 - row.accuracy, "err_count": row.fps + row.fns,
               "f0point5": row.f0point5, "f1": row.f1, "f2": row.f2, "lift_top_group": s["lift_top_group"],
               "logloss": s["logloss"], "max_per_class_error": 1 - row.min_per_class_accuracy,
               "mcc": row.absolute_mcc, "mean_per_class_accuracy": row.mean_per_class_accuracy,
               "mean_per_class_error": s["mean_per_class_error"], "mse": s["mse"], "pr_auc": s["pr_auc"],
               "precision": row.precision, "r2": s["r2"], "recall": row.recall, "rmse": s["rmse"],
               "specificity": row.specificity}
    elif m.category == "Multinomial":
        cm = m.confusion_matrix
        err = cm["Error"].iloc[:-1].astype(float)
        counts = cm.iloc[:-1, :-2].to_numpy(float)
        out = {"accuracy": 1 - s["classification_error"], "err": s["classification_error"],
               "err_count": float(counts.sum() - np.trace(counts)), "logloss": s["logloss"],
               "max_per_class_error": float(np.nanmax(err)), "mean_per_class_accuracy": 1 - s["mean_per_class_error"],
               "mean_per_class_error": s["mean_per_class_error"], "mse": s["mse"], "r2": s["r2"], "rmse": s["rmse"]}
    elif m.category == "Regression":
        out = {"mae": s["mae"], "mean_residual_deviance": s["mean_residual_deviance"], "mse": s["mse"],
               "r2": s["r2"], "residual_deviance": s["mean_residual_deviance"] * s["nobs"], "rmse": s["rmse"],
               "rmsle": s["rmsle"]}
    else:
        out = {"mse": s["mse"], "rmse": s["rmse"]}
    return {k: float(v) for k, v in out.items()}


def metrics_summary_table(fold_metrics) -> pd.DataFrame:
    """H2O layout: one row per metric; columns mean, sd (sample sd over folds), cv_1_valid, cv_2_valid, ..."""
    per_fold = [summary_scalars(m) for m in fold_metrics]
    names = list(per_fold[0])
    data = np.array([[f.get(k, np.nan) for f in per_fold] for k in names], dtype=np.float64)
    with warnings.catch_warnings():          # an all-NaN metric (e.g. RMSLE with negatives) stays NaN quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(data, axis=1, ddof=1) if data.shape[1] > 1 else np.full(len(names), np.nan)
        mean = np.nanmean(data, axis=1)
    table = pd.DataFrame({"mean": mean, "sd": sd}, index=names)
    for i in range(data.shape[1]):
        table[f"cv_{i + 1}_valid"] = data[:, i]
    return table


def _targets(model, design):
    if model.problem == "regression":
        return model.data_info.destandardize(design.y)
    return np.asarray(design.y, np.float64)


def _model_epochs(model) -> float:
    out = getattr(model, "output", {}) or {}
    h = out.get("scoring_history")
    if h is not None and len(h):
        return float(h.rows[-1]["epochs"])
    return float(out.get("epochs", 0.0))


def _metric_options(params):
    keys = ("gainslift_bins", "max_hit_ratio_k", "auc_type", "tweedie_power", "quantile_alpha", "huber_alpha")
    return {k: params[k] for k in keys if params.get(k) is not None}


def cross_validate(make_estimator: Callable, params: dict, x, y, training_frame, validation_frame=None,
                   model_id=None, cancel=None, on_progress=None, train_main: Callable | None = None):
    """Train the fold models and the main model; returns the main model with CV outputs attached.

    `make_estimator(**params)` builds an estimator with `.train(x, y, training_frame, validation_frame)`.
    `train_main(changes)`, when given, trains the main model with the caller's own parameters updated by `changes`
    (so the main model's parameters keep nfolds / fold_assignment as the user gave them, like H2O).
    Outputs added to `main.output`: `cross_validation_metrics`, `cross_validation_metrics_summary`,
    `cross_validation_models` (models if keep_cross_validation_models, else their keys),
    `cross_validation_predictions` (per-fold holdout predictions, if kept),
    `cross_validation_holdout_predictions` (DataFrame in training-row order, if kept),
    `cross_validation_fold_assignment` (DataFrame column `fold_assignment`, if kept), `cv_warnings`.
    """
    if params.get("checkpoint") is not None:
        raise _bad("nfolds", "nfolds must be 0 when restarting from a checkpoint: cross-validation cannot "
                   "continue a checkpointed model")
    fold_column = params.get("fold_column")
    seed = params.get("seed", -1)
    seed = int(np.random.default_rng().integers(0, 2**31)) if seed is None or int(seed) == -1 else int(seed)
    folds, k = assign_folds(training_frame, params.get("nfolds", 0), params.get("fold_assignment", "AUTO"),
                            fold_column, y, seed)
    if x is None:
        x = [c for c in training_frame.names if c not in (y, fold_column)]
    else:
        x = [c for c in x if c != fold_column]
    base = dict(params, nfolds=0, fold_column=None, fold_assignment="AUTO")
    key = model_id or params.get("model_id") or f"DeepLearning_model_{uuid.uuid4().hex[:10]}"
    n = training_frame.nrows
    models, fold_metrics, preds_per_fold = [], [], []
    holdout_pred = None
    all_y = np.full(n, np.nan)
    all_w = np.zeros(n)
    for f in range(k):
        if cancel is not None and cancel.is_set():
            raise_cancelled()
        hold_idx = np.flatnonzero(folds == f)
        train_idx = np.flatnonzero(folds != f)
        tr = training_frame.rows(train_idx)
        ho = training_frame.rows(hold_idx)
        fp = dict(base, model_id=f"{key}_cv_{f + 1}", seed=seed + f + 1)
        m = make_estimator(**fp).train(x=x, y=y, training_frame=tr, validation_frame=ho)
        models.append(m)
        design = m._design(ho, with_response=True)
        pred = np.asarray(m.predict_design(design))
        rows = hold_idx[np.asarray(design.row_index, np.int64)]
        if holdout_pred is None:
            holdout_pred = np.full((n,) + pred.shape[1:], np.nan)
        holdout_pred[rows] = pred
        all_y[rows] = _targets(m, design)
        all_w[rows] = design.w
        fold_metrics.append(m.output.get("validation_metrics") or make_metrics(
            m.problem, _targets(m, design), pred, design.w, m.data_info.response_domain,
            params.get("distribution", "gaussian"), **_metric_options(params)))
        preds_per_fold.append((rows, pred))
        if on_progress is not None:
            on_progress((f + 1) / (k + 1))
    first = models[0]
    dist = str(params.get("distribution") or "gaussian").lower()
    cv_metrics = make_metrics(first.problem, all_y, holdout_pred, all_w, first.data_info.response_domain,
                              "gaussian" if dist == "auto" else dist,
                              description=f"{k}-fold cross-validation on training data", **_metric_options(params))
    # main model (doc 5.8)
    main_params = dict(base, model_id=key, overwrite_with_best_model=False)
    warnings = []
    if int(params.get("stopping_rounds", 5) or 0) > 0 or float(params.get("max_runtime_secs", 0) or 0) > 0:
        epochs = float(np.mean([_model_epochs(m) for m in models]))
        main_params.update(epochs=epochs, stopping_rounds=0)
        warnings.append(f"Setting optimal _epochs to {epochs:g} for cross-validation main model based on early "
                        "stopping of cross-validation models.")
        warnings.append("Disabling convergence-based early stopping for cross-validation main model.")
    if cancel is not None and cancel.is_set():
        raise_cancelled()
    if train_main is not None:
        main = train_main({k: main_params[k] for k in ("model_id", "overwrite_with_best_model", "epochs",
                                                       "stopping_rounds") if k in main_params})
    else:
        main = make_estimator(**main_params).train(x=x, y=y, training_frame=training_frame,
                                                   validation_frame=validation_frame)
    out = main.output
    out["cross_validation_metrics"] = cv_metrics
    out["cross_validation_metrics_summary"] = metrics_summary_table(fold_metrics)
    out["cross_validation_fold_metrics"] = fold_metrics
    out["cv_warnings"] = warnings
    out["nfolds"] = k
    out["cross_validation_models"] = (models if params.get("keep_cross_validation_models", True)
                                      else [getattr(m, "key", None) for m in models])
    if params.get("keep_cross_validation_predictions", False):
        out["cross_validation_predictions"] = [_prediction_table(first, p, rows, n) for rows, p in preds_per_fold]
        out["cross_validation_holdout_predictions"] = _prediction_table(first, holdout_pred, np.arange(n), n)
    if params.get("keep_cross_validation_fold_assignment", False):
        out["cross_validation_fold_assignment"] = pd.DataFrame({"fold_assignment": folds})
    return main


def raise_cancelled():
    from .errors import TrainingError
    raise TrainingError("cross-validation was cancelled")


def _prediction_table(model, pred, rows, n):
    """H2O's prediction columns (predict + one per class, integer-like levels prefixed with 'p') for `rows`;
    other rows are 0 like H2O's per-fold prediction frames."""
    domain = model.data_info.response_domain
    if model.problem in ("binomial", "multinomial"):
        cols = [f"p{d}" if _intlike(d) else str(d) for d in domain]
        full = np.zeros((n, len(domain)))
        full[rows] = pred if pred.shape[0] == len(rows) else pred[rows]
        df = pd.DataFrame(full, columns=cols)
        df.insert(0, "predict", [domain[i] for i in np.argmax(full, axis=1)])
        return df
    full = np.zeros(n)
    full[rows] = pred if pred.shape[0] == len(rows) else pred[rows]
    return pd.DataFrame({"predict": full})


def _intlike(s):
    try:
        float(s)
        return True
    except (TypeError, ValueError):
        return False


def wants_cv(p) -> bool:
    """True when the merged estimator parameters ask for cross-validation (nfolds > 0 or a fold_column)."""
    return int(p.get("nfolds") or 0) > 0 or bool(p.get("fold_column"))


def train_cv(estimator, p: dict, job=None):
    """Estimator hook: `p` are DeepLearning._merged parameters (frames, response, ignored_columns inside)."""
    tf, vf = p["training_frame"], p.get("validation_frame")
    y = p.get("response_column")
    ignored = set(p.get("ignored_columns") or [])
    special = {y, p.get("fold_column"), p.get("weights_column"), p.get("offset_column")}
    x = [c for c in tf.names if c not in ignored and c not in special]
    params = {k: v for k, v in p.items()
              if k not in ("training_frame", "validation_frame", "ignored_columns", "response_column")}
    runtime = getattr(estimator, "runtime", {}) or {}

    def make(**kw):
        return type(estimator)(**kw, **runtime)

    def train_main(changes):
        from .estimator import build_model
        from .jobs import Job
        return build_model({**p, **changes}, tf, vf, job if job is not None else Job("cross-validation main"),
                           runtime)
    return cross_validate(make, params, x, y, tf, vf, model_id=p.get("model_id"),
                          cancel=job.cancel_event if job is not None else None,
                          on_progress=job.set_progress if job is not None else None, train_main=train_main)


def _bad(parameter, message):
    """A ParameterError whose `messages` name the parameter (like engine.params.validate)."""
    return ParameterError(message, [Message("error", parameter, message)])
