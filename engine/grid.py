"""Grid search over DeepLearning hyper-parameters (H2O's Cartesian and RandomDiscrete strategies).

`GridSearch(DeepLearning, hyper_params={...}, search_criteria={...}, **fixed_params)`; `.train(...)` trains the
models one after the other, `.train_async(...)` does it on a background thread (a `Job`: progress, cancel,
result). Each model is a normal model with key `<grid_id>_model_<i>`; `get_grid(sort_by, decreasing)` returns the
leaderboard, sorted by a metric read from validation metrics if present, else cross-validation, else training.
RandomDiscrete honours `max_models`, `max_runtime_secs`, `seed` and H2O's grid early stopping (`stopping_rounds`,
`stopping_metric`, `stopping_tolerance` of search_criteria: the moving-average rule over the models' metrics).
"""
from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ParameterError, TrainingError
from .events import Listeners
from .params import Message
from .jobs import Job

log = logging.getLogger(__name__)

STRATEGIES = ("Cartesian", "RandomDiscrete")
# metric name (H2O's sort_by spelling, lower-case) -> (ModelMetrics scalar, decreasing by default)
SORT_METRICS = {"logloss": ("logloss", False), "auc": ("auc", True), "aucpr": ("pr_auc", True),
                "pr_auc": ("pr_auc", True), "mse": ("mse", False), "rmse": ("rmse", False), "mae": ("mae", False),
                "rmsle": ("rmsle", False), "r2": ("r2", True), "residual_deviance": ("mean_residual_deviance", False),
                "mean_residual_deviance": ("mean_residual_deviance", False),
                "mean_per_class_error": ("mean_per_class_error", False), "err": ("classification_error", False),
                "classification_error": ("classification_error", False), "gini": ("gini", True),
                "lift_top_group": ("lift_top_group", True), "accuracy": ("accuracy", True)}
# the metrics a leaderboard shows per problem (H2O's sort_by spelling), the first being the default sort
MAIN_METRICS = {"binomial": ("logloss", "auc", "aucpr", "mean_per_class_error", "rmse", "mse"),
                "multinomial": ("logloss", "mean_per_class_error", "err", "rmse", "mse"),
                "regression": ("residual_deviance", "rmse", "mse", "mae", "r2"),
                "autoencoder": ("mse", "rmse")}


def combinations(hyper_params: dict, search_criteria: dict | None = None) -> list[dict]:
    """The parameter sets to train, in order (Cartesian: product in the given key order; RandomDiscrete: a
    seeded random order of the same set, cut at max_models)."""
    if not hyper_params:
        raise _bad("hyper_params", "hyper_params must name at least one parameter with a list of values")
    sc = dict(search_criteria or {})
    strategy = next((s for s in STRATEGIES if s.lower() == str(sc.get("strategy", "Cartesian")).lower()), None)
    if strategy is None:
        raise _bad("search_criteria",
                   f"search_criteria strategy '{sc.get('strategy')}' is not Cartesian or RandomDiscrete")
    names = list(hyper_params)
    values = []
    for k in names:
        v = hyper_params[k]
        v = list(v) if isinstance(v, (list, tuple)) else [v]
        if not v:
            raise _bad(k, f"hyper_params['{k}'] has no values")
        values.append(v)
    combos = [dict(zip(names, c)) for c in itertools.product(*values)]
    if strategy == "RandomDiscrete":
        seed = sc.get("seed", -1)
        rng = np.random.default_rng(None if seed is None or int(seed) == -1 else int(seed))
        combos = [combos[i] for i in rng.permutation(len(combos))]
    max_models = int(sc.get("max_models", 0) or 0)
    if max_models > 0:
        combos = combos[:max_models]
    return combos


@dataclass
class GridFailure:
    params: dict
    error: str


class GridJob(Job):
    """A Job whose cancel also stops the model being trained right now (within a fraction of a second)."""

    def __init__(self, grid, description):
        super().__init__(description, dest=grid.grid_id)
        self.grid = grid

    def cancel(self):
        super().cancel()
        self.grid.cancel()


class GridSearch:
    """H2O-style grid search; models are trained with `model(**fixed_params, **combination)`."""

    def __init__(self, model, hyper_params: dict, grid_id=None, search_criteria=None, **fixed_params):
        self.model_class = model
        self.hyper_params = dict(hyper_params)
        self.search_criteria = dict(search_criteria or {"strategy": "Cartesian"})
        self.grid_id = grid_id or f"Grid_DeepLearning_{int(time.time() * 1000) % 10**9}"
        self.fixed_params = fixed_params
        for k in self.hyper_params:
            if k in fixed_params:
                raise _bad(k, f"'{k}' is both a hyper-parameter and a fixed parameter of the grid")
        self.combinations = combinations(self.hyper_params, self.search_criteria)
        self.models = []
        self.model_params = []
        self.failures: list[GridFailure] = []
        self.progress = 0.0
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._listeners = Listeners()
        self.stopped_early = False
        self._current = None

    # ---- training ------------------------------------------------------------------------------------------
    def train(self, x=None, y=None, training_frame=None, validation_frame=None, **train_kw):
        """Train every combination (stopping at max_models / max_runtime_secs / cancel); returns self."""
        budget = float(self.search_criteria.get("max_runtime_secs", 0) or 0)
        t0 = time.time()
        total = len(self.combinations)
        for i, combo in enumerate(self.combinations):
            if self._cancel.is_set() or (budget > 0 and time.time() - t0 >= budget):
                break
            params = dict(self.fixed_params, **combo, model_id=f"{self.grid_id}_model_{i + 1}")
            if budget > 0:
                left = budget - (time.time() - t0)
                own = float(params.get("max_runtime_secs", 0) or 0)
                params["max_runtime_secs"] = left if own <= 0 else min(own, left)
            try:
                self._current = est = self.model_class(**params)
                m = est.train(x=x, y=y, training_frame=training_frame, validation_frame=validation_frame,
                              **train_kw)
            except (ParameterError, TrainingError, ValueError) as e:
                m = None
                log.warning("grid %s: model %d failed: %s", self.grid_id, i + 1, e)
                with self._lock:
                    self.failures.append(GridFailure(combo, str(e)))
            finally:
                self._current = None
            self.progress = (i + 1) / total
            if m is None:
                self._notify({"type": "failed", "params": combo, "error": self.failures[-1].error})
            else:
                with self._lock:
                    self.models.append(m)
                    self.model_params.append(combo)
                self._notify({"type": "model", "key": getattr(m, "key", None), "params": combo})
            if self._converged():
                self.stopped_early = True
                break
        self.progress = 1.0
        self._notify({"type": "done"})
        return self

    def _converged(self):
        """RandomDiscrete early stopping (search_criteria stopping_rounds / stopping_metric / stopping_tolerance):
        H2O's moving-average rule over the models' metric in build order."""
        from .model.stopping import STOPPING_METRICS, resolve_stopping_metric, stop_early
        sc = self.search_criteria
        k = int(sc.get("stopping_rounds", 0) or 0)
        if k <= 0 or str(sc.get("strategy", "")).lower() != "randomdiscrete" or not self.models:
            return False
        problem = getattr(self.models[0], "problem", None)
        name = resolve_stopping_metric(sc.get("stopping_metric", "AUTO"), problem)
        key = STOPPING_METRICS[name][0]
        if key == "mean_residual_deviance" and problem in ("binomial", "multinomial"):
            key = "logloss"
        values = [math.nan] + [_metric(m, key) for m in self.models]
        return stop_early(values, k, float(sc.get("stopping_tolerance", 0.001) or 0.0), name)

    def train_async(self, x=None, y=None, training_frame=None, validation_frame=None, **train_kw) -> GridJob:
        """Train in a background thread; returns a Job (progress, cancel, result() -> this GridSearch)."""
        job = GridJob(self, f"Grid search {self.grid_id}")

        def work(j):
            def progress(e):
                if e["type"] in ("model", "failed"):
                    j.set_progress(self.progress, model=e.get("key"), message=self.progress_text())
            unsubscribe = self.subscribe(progress)
            try:
                return self.train(x, y, training_frame, validation_frame, **train_kw)
            finally:
                unsubscribe()
        return job.start(work)

    def progress_text(self) -> str:
        """'Models: 2 of 4 built (1 failed).' for the job's progress line."""
        with self._lock:
            built, failed = len(self.models), len(self.failures)
        return f"Models: {built} of {len(self.combinations)} built" + (f" ({failed} failed)." if failed else ".")

    def cancel(self):
        """Stop after (and interrupt) the model being trained; models finished so far stay in the grid."""
        self._cancel.set()
        est = self._current
        if est is not None and getattr(est, "job", None) is not None:
            est.job.cancel()

    def subscribe(self, callback):
        """`callback(event)` after each model ({"type": "model", "key", "params"}), each failed combination
        ({"type": "failed", "params", "error"}) and at the end; returns an
        unsubscribe function."""
        return self._listeners.subscribe(callback)

    def _notify(self, event):
        self._listeners.notify(event)

    def get_grid(self, sort_by=None, decreasing=None, metrics=()) -> pd.DataFrame:
        """Leaderboard: hyper-parameter columns, model_ids, and the `sort_by` metric (then `metrics`), best first."""
        with self._lock:
            models, params = list(self.models), list(self.model_params)
        return leaderboard(models, params, list(self.hyper_params), sort_by, decreasing, metrics)

    @property
    def problem(self):
        return getattr(self.models[0], "problem", None) if self.models else None

    def sorted_models(self, sort_by=None, decreasing=None) -> list:
        board = self.get_grid(sort_by, decreasing)
        by_key = {getattr(m, "key", None): m for m in self.models}
        return [by_key[k] for k in board.model_ids]

    def __len__(self):
        return len(self.models)

    def __repr__(self):
        return f"GridSearch({self.grid_id}: {len(self.models)} models, {len(self.failures)} failed)\n" + \
            self.get_grid().to_string() if self.models else f"GridSearch({self.grid_id}: no models yet)"


def main_metrics(problem) -> tuple:
    """The metrics a leaderboard or a model comparison shows for `problem`, the default sort first."""
    return MAIN_METRICS.get(problem, ("mse", "rmse"))


def default_sort_metric(problem) -> str:
    """H2O's default grid ordering: logloss for classifiers, residual deviance for regression, else MSE."""
    return MAIN_METRICS.get(problem, ("mse",))[0]


def leaderboard(models, model_params, hyper_names, sort_by=None, decreasing=None, metrics=()) -> pd.DataFrame:
    """Hyper-parameter columns, `model_ids`, then `sort_by` and the other `metrics` (H2O's sort_by spelling, read
    as `model_metric` does), sorted best first by `sort_by` (its natural direction unless `decreasing` is given)."""
    problem = getattr(models[0], "problem", None) if models else None
    sort_by = (sort_by or default_sort_metric(problem)).lower()
    names = [sort_by, *(m.lower() for m in metrics if m.lower() != sort_by)]
    for name in names:
        if name not in SORT_METRICS:
            raise _bad("sort_by", f"sort_by '{name}' is not one of {', '.join(SORT_METRICS)}")
    if decreasing is None:
        decreasing = SORT_METRICS[sort_by][1]
    rows = []
    for m, p in zip(models, model_params):
        row = {k: _show(v) for k, v in (p or {}).items() if k in hyper_names}
        row["model_ids"] = getattr(m, "key", None)
        row.update({name: model_metric(m, name) for name in names})
        rows.append(row)
    df = pd.DataFrame(rows, columns=[*hyper_names, "model_ids", *names])
    if len(df):
        df[names] = df[names].astype(float)
        df = df.sort_values(sort_by, ascending=not decreasing, na_position="last", kind="stable")
        df = df.reset_index(drop=True)
    return df


def _show(v):
    return str(v) if isinstance(v, (list, tuple)) else v


def model_metric(model, name):
    """Metric `name` (H2O's sort_by spelling: logloss, auc, aucpr, rmse, err...) of a model, read from its
    validation metrics if present, else cross-validation, else training (NaN when it has none)."""
    key = SORT_METRICS[name.lower()][0] if name.lower() in SORT_METRICS else name
    return _metric(model, key)


def _metric(model, key):
    out = getattr(model, "output", {}) or {}
    for which in ("validation_metrics", "cross_validation_metrics", "training_metrics"):
        m = out.get(which)
        if m is None:
            continue
        if key == "accuracy":
            v = m.get("classification_error")
            return 1 - v if v is not None else math.nan
        v = m.get(key)
        return math.nan if v is None else float(v)
    return math.nan


def _bad(parameter, message):
    """A ParameterError whose `messages` name the parameter (like engine.params.validate)."""
    return ParameterError(message, [Message("error", parameter, message)])
