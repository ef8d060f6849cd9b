"""Scoring during training: H2O's schedule, the scoring history, early stopping and best-model tracking.

The trainer owns one `Scorer` and calls `after_iteration(state)` after every iteration and `finish(state, reason)`
once at the end. `state` is any object with the attributes of `trainer.TrainingState` (epochs, iterations, samples,
network; see docs/architecture.md, "Scoring, checkpoints, CV, grid").
The Scorer never touches the optimizer: it reads the model through `model.predict_design(design)` and copies
network arrays only for `overwrite_with_best_model`.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any, Callable, NamedTuple

import numpy as np
import pandas as pd

from ..events import Listeners
from ..prep.design import SampledRows
from . import metrics as M
from . import stopping as S

log = logging.getLogger(__name__)

# Scoring-history metric columns per problem type, in H2O's order: (column suffix, ModelMetrics scalar).
HISTORY_METRICS = {
    "binomial": [("rmse", "rmse"), ("logloss", "logloss"), ("r2", "r2"), ("auc", "auc"), ("pr_auc", "pr_auc"),
                 ("lift", "lift_top_group"), ("classification_error", "classification_error")],
    "multinomial": [("rmse", "rmse"), ("logloss", "logloss"), ("r2", "r2"),
                    ("classification_error", "classification_error"), ("auc", "auc"), ("pr_auc", "pr_auc")],
    "regression": [("rmse", "rmse"), ("deviance", "mean_residual_deviance"), ("mae", "mae"), ("r2", "r2")],
    "autoencoder": [("rmse", "rmse"), ("mse", "mse")],
}
BASE_COLUMNS = ["timestamp", "duration", "training_speed", "epochs", "iterations", "samples"]
# Extra fields every row dict carries for programs (not shown by `to_pandas()` unless `extra=True`).
# stopping_value: the stopping metric on validation (else training) metrics, what early stopping reads.
EXTRA_FIELDS = ["duration_s", "speed", "stopping_value", "stop_reason", "note"]
# H2O's columns for a custom_metric_func, shown only when the model has one.
CUSTOM_COLUMNS = ["training_custom", "validation_custom"]

STOP_REASONS = ("epochs", "early_stopping", "classification_stop", "regression_stop", "max_runtime_secs",
                "cancelled", "failed")


def history_columns(problem, has_validation) -> list:
    cols = list(BASE_COLUMNS)
    for prefix in ("training", "validation") if has_validation else ("training",):
        cols += [f"{prefix}_{c}" for c, _ in HISTORY_METRICS[problem]]
    return cols


def pretty_duration(seconds: float) -> str:
    """H2O's PrettyPrint.msecs: ' 5.259 sec', ' 1 min 3.005 sec', ' 1:02:03.005'."""
    if seconds < 60:
        return f"{seconds:6.3f} sec"
    if seconds < 3600:
        m, s = divmod(seconds, 60)
        return f"{int(m):2d} min {s:6.3f} sec"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):2d}:{int(m):02d}:{s:06.3f}"


def pretty_speed(rows_per_s):
    if rows_per_s is None or not math.isfinite(rows_per_s):
        return None
    return f"{rows_per_s:g} obs/sec" if rows_per_s <= 10 else f"{int(rows_per_s)} obs/sec"


class ScoringHistory:
    """Thread-safe list of scoring rows (dicts) with listeners; `to_pandas()` gives H2O's table."""

    def __init__(self, problem, has_validation, rows=None, stop_reason=None):
        self.problem = problem
        self.has_validation = bool(has_validation)
        self.columns = history_columns(problem, has_validation)
        self._rows = [dict(r) for r in rows or []]
        self._listeners = Listeners()
        self._lock = threading.Lock()
        self.stop_reason = stop_reason

    def placeholder(self, timestamp=None):
        """H2O's row 0 for supervised models: epochs/iterations/samples 0, metrics NaN."""
        row = {c: float("nan") for c in self.columns}
        row.update(timestamp=_stamp(timestamp or time.time()), duration=pretty_duration(0.0), training_speed=None,
                   epochs=0.0, iterations=0, samples=0.0, duration_s=0.0, speed=float("nan"), stop_reason=None,
                   note=None, stopping_value=float("nan"))
        self.append(row)

    def append(self, row: dict):
        """Add a row and notify listeners (a failing listener is logged and never stops training)."""
        with self._lock:
            self._rows.append(dict(row))
        self._listeners.notify(row, copy=dict)

    def subscribe(self, callback: Callable[[dict], Any]) -> Callable[[], None]:
        """Call `callback(row_dict)` for each new row (from the training thread); returns an unsubscribe."""
        return self._listeners.subscribe(callback)

    def set_last(self, **fields):
        with self._lock:
            if self._rows:
                self._rows[-1].update(fields)

    @property
    def rows(self) -> list:
        with self._lock:
            return [dict(r) for r in self._rows]

    def __len__(self):
        with self._lock:
            return len(self._rows)

    def values(self, column) -> list:
        with self._lock:
            return [r.get(column, float("nan")) for r in self._rows]

    def to_pandas(self, extra=False) -> pd.DataFrame:
        rows = self.rows
        custom = [c for c in CUSTOM_COLUMNS if any(c in r for r in rows)]  # custom_metric_func was given
        cols = self.columns + custom + (EXTRA_FIELDS if extra else [])
        return pd.DataFrame([[r.get(c) for c in cols] for r in rows], columns=cols)

    def to_dict(self) -> dict:
        return {"problem": self.problem, "has_validation": self.has_validation, "stop_reason": self.stop_reason,
                "rows": M._jsonable(self.rows)}

    @classmethod
    def from_dict(cls, d) -> "ScoringHistory":
        rows = [{k: (float("nan") if v is None and k not in ("training_speed", "stop_reason", "note") else v)
                 for k, v in r.items()} for r in d["rows"]]
        return cls(d["problem"], d["has_validation"], rows, d.get("stop_reason"))


def _stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


class ScoreOutcome(NamedTuple):
    scored: bool
    stop: bool
    reason: str | None


def _param(params, name, default=None):
    if params is None:
        return default
    v = params.get(name, default) if isinstance(params, dict) else getattr(params, name, default)
    return default if v is None else v


# ---- network snapshots (generic: every float ndarray attribute, or list/tuple of them) ----------------------------
def snapshot_arrays(network) -> dict:
    """Deep copies of the network's float arrays keyed by attribute name (for overwrite_with_best_model)."""
    out = {}
    for name, v in sorted(vars(network).items()):
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            out[name] = v.copy()
        elif isinstance(v, (list, tuple)) and v and all(isinstance(a, np.ndarray) and a.dtype.kind == "f"
                                                        for a in v):
            out[name] = [a.copy() for a in v]
    return out


def restore_arrays(network, snap: dict):
    """Copy a snapshot back into the network's arrays in place (views into flat buffers stay valid)."""
    for name, v in snap.items():
        cur = getattr(network, name)
        if isinstance(v, list):
            for a, b in zip(cur, v):
                a[...] = b
        else:
            cur[...] = v


def _same_shapes(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        xs = [x] if isinstance(x, np.ndarray) else x
        ys = [y] if isinstance(y, np.ndarray) else y
        if len(xs) != len(ys) or any(p.shape != q.shape for p, q in zip(xs, ys)):
            return False
    return True


# ---- sampling ------------------------------------------------------------------------------------------------
def sample_rows(n, size, seed, y=None, stratified=False) -> np.ndarray | None:
    """Row indices of a scoring sample (None = all rows): `size` rows drawn once without replacement with `seed`.

    Stratified keeps each class's share (largest remainders), as H2O's stratified validation sampling does.
    """
    if size is None or size <= 0 or size >= n:
        return None
    rng = np.random.default_rng(seed)
    if stratified and y is not None:
        yk = np.nan_to_num(np.asarray(y, np.float64), nan=-1).astype(np.int64)
        classes, counts = np.unique(yk, return_counts=True)
        quota = counts * size / n
        take = np.floor(quota).astype(int)
        rest = size - take.sum()
        take[np.argsort(-(quota - take), kind="stable")[:rest]] += 1
        idx = [rng.choice(np.nonzero(yk == c)[0], t, replace=False) for c, t in zip(classes, take) if t > 0]
        return np.sort(np.concatenate(idx))
    return np.sort(rng.choice(n, size, replace=False))


def _expanded_inputs(design, n_inputs):
    """Dense [n, n_inputs] input matrix (one-hot slots then numerics) for autoencoder reconstruction error."""
    n = len(design.y)
    p_num = design.num.shape[1]
    x = np.zeros((n, n_inputs), dtype=np.float64)
    n_slots = n_inputs - p_num
    if design.cat.size:
        rows, cols = np.nonzero(design.cat >= 0)
        x[rows, design.cat[rows, cols]] = 1.0
    x[:, n_slots:] = design.numeric_inputs() if hasattr(design, "numeric_inputs") else design.num
    return x


class _ScoreSet:
    """A sampled design with its metric target computed once (original-unit response or expanded inputs)."""

    def __init__(self, design, problem, model, description):
        self.design = design
        self.description = description
        if problem == "autoencoder":
            inputs = design.copy() if isinstance(design, SampledRows) else design
            n_inputs = getattr(getattr(model, "data_info", None), "n_inputs", None)
            if n_inputs is None:
                n_inputs = inputs.num.shape[1] + int(inputs.cat.max(initial=-1) + 1)
            self.target = _expanded_inputs(inputs, n_inputs)
        elif problem == "regression":
            info = getattr(model, "data_info", None)
            to_orig = getattr(info, "destandardize", None)
            y = np.asarray(design.y, np.float64)
            if callable(to_orig):
                self.target = np.asarray(to_orig(y), np.float64)
            else:
                mean = getattr(info, "response_mean", 0.0) or 0.0
                sd = getattr(info, "response_sd", 1.0) or 1.0
                self.target = y * sd + mean
        else:
            self.target = np.asarray(design.y, np.float64)


class Scorer:
    """Owns the scoring schedule, metrics, history, variable importances, stopping and the best model.

    `model`: has `predict_design(design)`, optionally `problem`, `data_info`, `output` (dict, updated live) and
    `network`. `params`: resolved parameters (object or dict; H2O names). `clock`: injectable for tests.
    """

    def __init__(self, model, params, train_design, valid_design=None, *, history=None, clock=time.time,
                 time_offset=0.0, start_samples=0.0, varimp_fn=None, summary_fn=None, custom_metric=None):
        self.model = model
        self.custom_metric = custom_metric      # map/reduce/metric object (custom_metric.py), or None
        self.params = params
        self.clock = clock
        self.problem = _param(params, "problem", None) or getattr(model, "problem", None)
        if self.problem not in HISTORY_METRICS:
            raise ValueError(f"Scorer needs a problem type in {list(HISTORY_METRICS)}, got {self.problem!r}")
        self.stopping_metric = S.resolve_stopping_metric(_param(params, "stopping_metric", "AUTO"), self.problem)
        info = getattr(model, "data_info", None)
        self.domain = list(getattr(info, "response_domain", None) or []) or None
        seed = int(_param(params, "seed", 0)) & 0xFFFFFFFF
        n_tr = len(train_design.y)
        idx = sample_rows(n_tr, int(_param(params, "score_training_samples", 10000)), seed)
        tr = train_design if idx is None else SampledRows.of(train_design, idx)
        self.train = _ScoreSet(tr, self.problem, model, _describe("training", idx, n_tr))
        self.valid = None
        if valid_design is not None:
            n_va = len(valid_design.y)
            strat = str(_param(params, "score_validation_sampling", "Uniform")).lower() == "stratified"
            vidx = sample_rows(n_va, int(_param(params, "score_validation_samples", 0)), seed + 1,
                               valid_design.y, strat and self.problem in ("binomial", "multinomial"))
            va = valid_design if vidx is None else SampledRows.of(valid_design, vidx)
            self.valid = _ScoreSet(va, self.problem, model, _describe("validation", vidx, n_va))
        if history is None:
            history = ScoringHistory(self.problem, valid_design is not None)
            if self.problem != "autoencoder":
                history.placeholder(clock())
        self.history = history
        self.varimp_fn = varimp_fn
        self.unseen_na_slots = _unseen_na_slots(info, train_design)
        self.summary_fn = summary_fn
        self.t0 = clock()
        self.time_offset = float(time_offset)      # training time of a checkpointed model
        self.last_score_start = 0.0
        self.last_score_duration = 0.0
        self.scoring_time = 0.0
        self.samples_at_start = float(start_samples)  # samples of a checkpointed model (speed counts this run)
        self.last_scored_samples = None
        self.train_metrics = None
        self.valid_metrics = None
        self.best = None                            # (loss, snapshot dict)
        self.stop_reason = None
        self.lock = threading.Lock()

    # ---- public API -------------------------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        """Seconds of this run so far (without a checkpoint's earlier time)."""
        return self.clock() - self.t0

    def after_iteration(self, state) -> ScoreOutcome:
        """Score if the schedule says so; return whether training must stop and why."""
        now = self.clock()
        epochs_target = float(_param(self.params, "epochs", 10.0))
        done = float(state.epochs) >= epochs_target - 1e-9
        max_rt = float(_param(self.params, "max_runtime_secs", 0.0))
        timed_out = max_rt > 0 and now - self.t0 >= max_rt
        since = now - self.last_score_start
        due = (self.last_score_start == 0.0 or bool(_param(self.params, "score_each_iteration", False))
               or (since > float(_param(self.params, "score_interval", 5.0))
                   and self.last_score_duration / max(since, 1e-12) < float(_param(self.params, "score_duty_cycle",
                                                                                    0.1))))
        if not (done or timed_out or due):
            return ScoreOutcome(False, False, None)
        self._score(state, final=done or timed_out)
        reason = None
        if not (done or timed_out):
            reason = self._check_stops()
            if reason is None and max_rt > 0 and self.clock() - self.t0 >= max_rt:
                reason = "max_runtime_secs"
        elif timed_out and not done:
            reason = "max_runtime_secs"
        else:
            reason = "epochs"
        return ScoreOutcome(True, reason is not None, reason)

    def finish(self, state, reason):
        """End of training: final scoring if the last iteration was not scored, best-model restore, outputs."""
        reason = reason or "epochs"
        if reason not in ("failed",) and self.last_scored_samples != float(state.samples):
            self._score(state, final=True)
        restored = False
        if (bool(_param(self.params, "overwrite_with_best_model", True)) and reason not in ("max_runtime_secs",
                                                                                             "cancelled", "failed")
                and int(_param(self.params, "nfolds", 0)) == 0 and self.best is not None
                and getattr(state, "network", None) is not None):
            last_loss = self._loss()
            best_loss, snap = self.best
            if best_loss < last_loss and _same_shapes(snap, snapshot_arrays(state.network)):
                restore_arrays(state.network, snap)
                restored = True
                self._score(state, final=True, note="best model restored (overwrite_with_best_model)")
        self.stop_reason = reason
        self.history.stop_reason = reason
        self.history.set_last(stop_reason=reason)
        out = getattr(self.model, "output", None)
        if isinstance(out, dict):
            out["stop_reason"] = reason
            out["best_model_restored"] = restored
        return restored

    # ---- internals --------------------------------------------------------------------------------------------
    def _metrics(self, ss: _ScoreSet):
        pred = np.asarray(self.model.predict_design(ss.design))
        p = self.params
        opts = {k: _param(p, k) for k in ("gainslift_bins", "max_hit_ratio_k", "auc_type", "tweedie_power",
                                          "quantile_alpha", "huber_alpha")}
        if opts.get("auc_type") is None:
            opts["auc_type"] = _param(p, "multinomial_auc_type", None)
        dist = str(_param(p, "distribution", "gaussian")).lower()
        if dist == "auto":
            dist = "gaussian"
        m = M.make_metrics(self.problem, ss.target, pred, ss.design.w, self.domain, dist,
                           description=ss.description, **opts)
        if self.custom_metric is not None:
            add_custom_metric(m, self.custom_metric, self.problem, ss.target, pred, ss.design, self.model)
        return m

    def _score(self, state, final=False, note=None):
        start = self.clock()
        self.last_score_start = start
        train_m = self._metrics(self.train)
        valid_m = self._metrics(self.valid) if self.valid is not None else None
        row = self._row(state, start, train_m, valid_m, note)
        out = getattr(self.model, "output", None)
        with self.lock:
            self.train_metrics, self.valid_metrics = train_m, valid_m
        if isinstance(out, dict):
            out["training_metrics"] = train_m
            out["validation_metrics"] = valid_m
            out["scoring_history"] = self.history
            if bool(_param(self.params, "variable_importances", True)) and self.varimp_fn is not None:
                try:
                    out["variable_importances"] = self.varimp_fn(self.model, zero_slots=self.unseen_na_slots)
                except Exception:  # noqa: BLE001 - importances are a report, never a reason to stop training
                    log.exception("variable importances failed")
            if self.summary_fn is not None:
                try:
                    out["model_summary"] = self.summary_fn(self.model)
                except Exception:  # noqa: BLE001
                    log.exception("model summary failed")
        self.last_score_duration = self.clock() - start
        self.scoring_time += self.last_score_duration
        self.last_scored_samples = float(state.samples)
        if not final and note is None and bool(_param(self.params, "overwrite_with_best_model", True)) \
                and getattr(state, "network", None) is not None:
            loss = self._loss()
            if math.isfinite(loss) and (self.best is None or loss < self.best[0]):
                self.best = (loss, snapshot_arrays(state.network))
        self.history.append(row)

    def _row(self, state, start, train_m, valid_m, note):
        elapsed = start - self.t0
        trained = float(state.samples) - self.samples_at_start
        train_time = elapsed - self.scoring_time
        speed = trained / train_time if train_time > 0 and trained > 0 else float("nan")
        row = {"timestamp": _stamp(start), "duration": pretty_duration(self.time_offset + elapsed),
               "training_speed": pretty_speed(speed), "epochs": float(state.epochs),
               "iterations": int(state.iterations), "samples": float(state.samples),
               "duration_s": self.time_offset + elapsed, "speed": speed, "stop_reason": None, "note": note,
               "stopping_value": S.metric_value(valid_m if valid_m is not None else train_m,
                                                self.stopping_metric, self.problem)}
        for prefix, m in (("training", train_m), ("validation", valid_m)):
            if prefix == "validation" and not self.history.has_validation:
                continue
            for col, key in HISTORY_METRICS[self.problem]:
                row[f"{prefix}_{col}"] = m.get(key) if m is not None else float("nan")
            if self.custom_metric is not None:
                row[f"{prefix}_custom"] = m.get("custom") if m is not None else float("nan")
        return row

    def _loss(self):
        m = self.valid_metrics if self.valid_metrics is not None else self.train_metrics
        return S.loss_for_best(S.metric_value(m, self.stopping_metric, self.problem), self.stopping_metric)

    def _check_stops(self):
        """classification_stop / regression_stop on training metrics, then H2O's convergence rule."""
        tm = self.train_metrics
        if self.problem in ("binomial", "multinomial"):
            cs = float(_param(self.params, "classification_stop", 0.0))
            if cs >= 0 and tm.get("classification_error") <= cs:
                return "classification_stop"
        elif self.problem == "regression":
            rs = float(_param(self.params, "regression_stop", 1e-6))
            if rs >= 0 and tm.get("mse") <= rs:
                return "regression_stop"
        k = int(_param(self.params, "stopping_rounds", 5))
        if k > 0 and S.stop_early(self.history.values("stopping_value"), k,
                                  float(_param(self.params, "stopping_tolerance", 0.0)), self.stopping_metric):
            return "early_stopping"
        return None


def add_custom_metric(metrics, func, problem, target, pred, design, model):
    """Put the custom metric's value (``custom``) and name (``custom_metric_name``) into ``metrics``."""
    from .custom_metric import evaluate, metric_name
    threshold = 0.5
    if problem == "binomial":
        t = metrics.get("default_threshold")
        threshold = float(t) if t is not None and math.isfinite(t) else 0.5
    metrics.scalars["custom"] = evaluate(func, problem, target, pred, design.w, getattr(design, "offset", None),
                                         threshold, model)
    metrics.scalars["custom_metric_name"] = metric_name(func)
    metrics.scalars["custom_metric_value"] = metrics.scalars["custom"]
    return metrics


def _unseen_na_slots(info, design):
    """Mask of the categorical missing(NA) slots never active in training (H2O zeroes their importance)."""
    slots = getattr(info, "missing_slots", None)
    n_inputs = getattr(info, "n_inputs", None)
    if slots is None or n_inputs is None or getattr(info, "hashed", False) or design.cat.size == 0:
        return None
    counts = np.zeros(int(n_inputs), dtype=np.int64)
    for r0 in range(0, design.cat.shape[0], 1 << 16):  # in row chunks: no int64 copy of the whole matrix
        block = design.cat[r0:r0 + (1 << 16)]
        counts += np.bincount(block[block >= 0], minlength=int(n_inputs))
    mask = np.zeros(int(n_inputs), dtype=bool)
    slots = np.asarray(slots, dtype=np.int64)
    mask[slots[counts[slots] == 0]] = True
    return mask


def _describe(what, idx, n):
    if idx is None:
        return f"Metrics reported on full {what} frame"
    return f"Metrics reported on temporary {what} frame with {len(idx)} samples"
