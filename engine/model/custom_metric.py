"""H2O's custom metric functions (``custom_metric_func``): an object with ``map``, ``reduce`` and ``metric``.

H2O's contract (``water.udf.CMetricFunc``), called here the same way:
  ``map(preds, act, weight, offset, model) -> list`` once per scored row, where ``preds`` is
  ``[label, p_0, ..., p_k-1]`` for classifiers and ``[prediction]`` for regression, and ``act`` is
  ``[class index]`` or ``[actual value]``; ``reduce(left, right) -> list`` folds the mapped rows;
  ``metric(list) -> float`` gives the value, reported as ``custom`` in the metrics and the scoring history and
  usable as ``stopping_metric="custom"`` (lower is better) or ``"custom_increasing"``.
The object comes from the caller's own program (the Python API); Deepbrook never loads metric code from a file,
a workspace or a notebook cell, so the persisted model keeps only the metric's name.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import TrainingError

METHODS = ("map", "reduce", "metric")


def metric_name(func) -> str:
    """The metric's display name: its ``name`` attribute, else its class name."""
    return str(getattr(func, "name", None) or type(func).__name__)


def check_metric(func):
    """TypeError naming the missing method when ``func`` does not follow the map/reduce/metric contract."""
    for method in METHODS:
        if not callable(getattr(func, method, None)):
            raise TypeError(f"custom_metric_func {metric_name(func)!r} has no {method}() method "
                            "(H2O's contract: map(preds, act, weight, offset, model), reduce(l, r), metric(l))")


def evaluate(func, problem, target, pred, weights=None, offsets=None, threshold=0.5, model=None) -> float:
    """The custom metric over scored rows: ``target`` as for the built-in metrics (class index or response
    units), ``pred`` the model's probabilities (n, k) or predictions (n,)."""
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    n = target.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    off = np.zeros(n) if offsets is None else np.asarray(offsets, dtype=np.float64)
    if problem in ("binomial", "multinomial"):
        labels = (pred[:, 1] >= threshold).astype(int) if problem == "binomial" and pred.shape[1] == 2 \
            else np.argmax(pred, axis=1)
        rows = np.column_stack([labels, pred])
    else:
        rows = pred.reshape(n, -1)
    acc = None
    try:
        for i in range(n):
            if w[i] == 0 or not math.isfinite(target[i]):
                continue
            mapped = func.map(rows[i].tolist(), [float(target[i])], float(w[i]), float(off[i]), model)
            acc = mapped if acc is None else func.reduce(acc, mapped)
        value = func.metric(acc if acc is not None else [])
    except Exception as e:  # noqa: BLE001 - the user's metric failed: say which and why
        raise TrainingError(f"custom_metric_func {metric_name(func)!r} failed: {type(e).__name__}: {e}") from e
    return float(value)
