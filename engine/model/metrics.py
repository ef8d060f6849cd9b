"""Model metrics with H2O's definitions, as pure numpy functions of (y, predictions, weights).

Every function takes observation weights (None = 1) and returns a `ModelMetrics`: scalar metrics
(`.as_dict()`, attribute access `m.auc`) plus H2O's tables as pandas DataFrames (`m.tables[...]`,
e.g. `m.confusion_matrix`). Definitions follow H2O (`hex/ModelMetrics*.java`, `AUC2`, `GainsLift`):

* classification MSE is the weighted mean of `(1 - p[true class])**2`, r2 = 1 - MSE / var(class index);
* binomial thresholds: predicted positive when `p1 >= threshold`; the default threshold maximises F1;
* AUCPR is the trapezoid over the PR curve starting at (recall 0, precision 1);
* RMSLE is NaN as soon as any actual or prediction is <= -1 (log1p undefined), as H2O does.

H2O bins thresholds into 400 buckets; here AUC, AUCPR and the max criteria are exact (every distinct score is a
threshold); the *thresholds table* and the ROC points are thinned to at most about `MAX_THRESHOLD_ROWS` rows
(evenly over the distinct thresholds, always keeping the max-criteria rows; `idx` = index among all thresholds).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_THRESHOLD_ROWS = 400
LOGLOSS_EPS = 1e-15
# H2O's default gains/lift groups (gainslift_bins = -1): cumulative data fractions of the 16 groups.
GAINS_LIFT_FRACTIONS = (0.01, 0.02, 0.03, 0.04, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80,
                        0.90, 1.00)
CRITERIA = ("f1", "f2", "f0point5", "accuracy", "precision", "recall", "specificity", "absolute_mcc",
            "min_per_class_accuracy", "mean_per_class_accuracy", "tns", "fns", "fps", "tps", "tnr", "fnr", "fpr",
            "tpr")
CATEGORIES = ("Binomial", "Multinomial", "Regression", "AutoEncoder")


@dataclass
class ModelMetrics:
    """Scalars (`as_dict()`, attribute access) plus H2O's tables (pandas DataFrames) for one scored frame."""

    category: str
    scalars: dict
    tables: dict = field(default_factory=dict)
    description: str = ""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        d = self.__dict__
        if name in d.get("scalars", {}):
            return d["scalars"][name]
        if name in d.get("tables", {}):
            return d["tables"][name]
        if name == "aucpr" and "pr_auc" in d.get("scalars", {}):
            return d["scalars"]["pr_auc"]
        raise AttributeError(f"{self.category} metrics have no '{name}'")

    def __getitem__(self, name):
        return getattr(self, name)

    def get(self, name, default=float("nan")):
        try:
            return getattr(self, name)
        except AttributeError:
            return default

    def as_dict(self) -> dict:
        """The scalar metrics (JSON-able floats)."""
        return dict(self.scalars)

    def to_dict(self) -> dict:
        """Everything, JSON-able: scalars and tables (records + index) for persistence."""
        return {"category": self.category, "description": self.description, "scalars": _jsonable(self.scalars),
                "tables": {k: {"columns": [str(c) for c in t.columns], "index": [str(i) for i in t.index],
                               "data": _jsonable(t.astype(object).where(t.notna(), None).values.tolist())}
                           for k, t in self.tables.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelMetrics":
        tables = {}
        for k, t in d.get("tables", {}).items():
            df = pd.DataFrame(t["data"], columns=t["columns"], index=t["index"])
            tables[k] = df.infer_objects()
        scalars = {k: (float("nan") if v is None else v) for k, v in d["scalars"].items()}
        return cls(d["category"], scalars, tables, d.get("description", ""))

    def __repr__(self):
        lines = [f"ModelMetrics{self.category}: deeplearning"]
        if self.description:
            lines.append(f"** {self.description} **")
        lines.append("")
        for k, v in self.scalars.items():
            lines.append(f"{_LABELS.get(k, k)}: {v}")
        for k, t in self.tables.items():
            if k in ("thresholds", "roc"):
                continue
            lines += ["", f"{_TABLE_TITLES.get(k, k)}:", t.to_string(max_rows=20)]
        return "\n".join(lines)


_LABELS = {"mse": "MSE", "rmse": "RMSE", "mae": "MAE", "rmsle": "RMSLE", "r2": "R^2", "logloss": "LogLoss",
           "auc": "AUC", "pr_auc": "AUCPR", "gini": "Gini", "mean_per_class_error": "Mean Per-Class Error",
           "mean_residual_deviance": "Mean Residual Deviance", "classification_error": "Classification Error",
           "nobs": "Number of Observations", "lift_top_group": "Lift (top group)"}
_TABLE_TITLES = {"confusion_matrix": "Confusion Matrix (Act/Pred)", "max_criteria": "Maximum Metrics",
                 "gains_lift": "Gains/Lift Table", "hit_ratios": "Top-K Hit Ratios"}


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _weights(w, n):
    if w is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"weights have shape {w.shape}, expected ({n},)")
    return w


def _wmean(v, w):
    sw = w.sum()
    return float(np.dot(v, w) / sw) if sw > 0 else float("nan")


def _wvar(v, w):
    """Weighted population variance (sklearn's r2 denominator)."""
    m = _wmean(v, w)
    return _wmean((v - m) ** 2, w)


def _keep(y, w):
    """Rows that count: actual present and weight > 0 (H2O skips NA responses and zero weights)."""
    y = np.asarray(y, dtype=np.float64)
    return np.isfinite(y) & (w > 0)


# ----------------------------------------------------------------------------------------------------------------
# Binomial
# ----------------------------------------------------------------------------------------------------------------
def _sort_desc(y, p1, w):
    """Rows by descending score (stable), the one sort every binomial table is computed from."""
    order = np.argsort(-p1, kind="stable")
    return p1[order], y[order], w[order]


def _counts_sorted(ps, ys, ws):
    """(thresholds, tps, fps, fns, tns) at each distinct score of score-sorted rows (threshold = score).

    The negative side is summed from the tail so that exact zeros stay exactly zero."""
    pos_w, neg_w = ws * ys, ws * (1.0 - ys)
    last = np.r_[np.nonzero(np.diff(ps))[0], ps.size - 1]
    tail_pos = np.r_[np.cumsum(pos_w[::-1])[::-1], 0.0]
    tail_neg = np.r_[np.cumsum(neg_w[::-1])[::-1], 0.0]
    return ps[last], np.cumsum(pos_w)[last], np.cumsum(neg_w)[last], tail_pos[last + 1], tail_neg[last + 1]


def _binary_curve(y, p1, w):
    """(thresholds, tps, fps) over distinct scores."""
    thr, tps, fps, _, _ = _counts_sorted(*_sort_desc(y, p1, w))
    return thr, tps, fps


def _criteria(tps, fps, fns, tns):
    """H2O's threshold criteria (AUC2.ThresholdCriterion) as arrays over thresholds."""
    pos, neg = tps + fns, fps + tns
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tps + fps > 0, tps / (tps + fps), 1.0)
        recall = np.where(pos > 0, tps / pos, 0.0)
        specificity = np.where(neg > 0, tns / neg, 0.0)
        fpr = np.where(neg > 0, fps / neg, 0.0)

        def fbeta(b):
            d = b * b * precision + recall
            return np.where(d > 0, (1 + b * b) * precision * recall / d, 0.0)

        denom = np.sqrt((tps + fps) * (tps + fns) * (tns + fps) * (tns + fns))
        mcc = np.where(denom > 0, np.abs(tps * tns - fps * fns) / denom, 0.0)
        f1, f2, f05 = fbeta(1.0), fbeta(2.0), fbeta(0.5)
    tot = pos + neg
    return {"f1": f1, "f2": f2, "f0point5": f05, "accuracy": (tps + tns) / tot,
            "precision": precision, "recall": recall, "specificity": specificity, "absolute_mcc": mcc,
            "min_per_class_accuracy": np.minimum(recall, specificity),
            "mean_per_class_accuracy": (recall + specificity) / 2, "tns": tns, "fns": fns, "fps": fps, "tps": tps,
            "tnr": specificity, "fnr": 1 - recall, "fpr": fpr, "tpr": recall}


def auc_from_curve(tps, fps, pos, neg):
    """Area under ROC by trapezoids over distinct thresholds (exact, ties handled like sklearn)."""
    if pos <= 0 or neg <= 0:
        return float("nan")
    tpr = np.r_[0.0, tps / pos]
    fpr = np.r_[0.0, fps / neg]
    return float(np.trapezoid(tpr, fpr))


def pr_auc_from_curve(tps, fps, pos):
    """H2O's pr_auc: trapezoids over (recall, precision) starting at (0, 1)."""
    if pos <= 0:
        return float("nan")
    precision = np.r_[1.0, np.where(tps + fps > 0, tps / np.maximum(tps + fps, 1e-300), 1.0)]
    recall = np.r_[0.0, tps / pos]
    return float(np.trapezoid(precision, recall))


def binary_auc(y, score, weights=None):
    """Weighted ROC AUC of a 0/1 target against a score (used for one-vs-rest multinomial AUC too)."""
    y = np.asarray(y, float)
    w = _weights(weights, y.size)
    _, tps, fps = _binary_curve(y, np.asarray(score, float), w)
    return auc_from_curve(tps, fps, float(np.dot(w, y)), float(np.dot(w, 1 - y)))


def binary_pr_auc(y, score, weights=None):
    y = np.asarray(y, float)
    w = _weights(weights, y.size)
    _, tps, fps = _binary_curve(y, np.asarray(score, float), w)
    return pr_auc_from_curve(tps, fps, float(np.dot(w, y)))


def gains_lift_table(y, p1, weights=None, gainslift_bins=-1):
    """H2O's gains/lift table: groups by descending score at quantile cut points.

    `gainslift_bins=-1` uses H2O's 16 default groups (1%, 2%, ... 100%); `n > 0` uses n equal groups; 0 = none.
    """
    y = np.asarray(y, float)
    return _gains_lift_sorted(*_sort_desc(y, np.asarray(p1, float), _weights(weights, y.size)), gainslift_bins)


def _gains_lift_sorted(ps, ys, ws, gainslift_bins):
    if gainslift_bins == 0:
        return None
    fracs = (np.asarray(GAINS_LIFT_FRACTIONS) if gainslift_bins is None or gainslift_bins < 0
             else np.arange(1, gainslift_bins + 1) / gainslift_bins)
    W, P = ws.sum(), float(np.dot(ws, ys))
    if W <= 0 or P <= 0:
        return None
    cw = np.cumsum(ws)
    idx = np.minimum(np.searchsorted(cw, fracs * W - 1e-9 * W), ps.size - 1)
    thresholds = np.unique(ps[idx])[::-1]          # distinct lower thresholds, descending
    ctp = np.cumsum(ws * ys)
    cpv = np.cumsum(ws * ps)
    # cumulative membership: every row whose score >= threshold (ties stay together, as H2O does)
    ends = np.searchsorted(-ps, -thresholds, side="right") - 1
    cum_w, cum_pos, cum_score = cw[ends], ctp[ends], cpv[ends]
    g_w = np.diff(np.r_[0.0, cum_w])
    g_pos = np.diff(np.r_[0.0, cum_pos])
    g_score = np.diff(np.r_[0.0, cum_score])
    rate = P / W
    resp = g_pos / g_w
    cresp = cum_pos / cum_w
    lift = resp / rate
    clift = cresp / rate
    neg_total = W - P
    cum_neg_frac = (cum_w - cum_pos) / neg_total if neg_total > 0 else np.zeros_like(cum_w)
    return pd.DataFrame({
        "group": np.arange(1, thresholds.size + 1), "cumulative_data_fraction": cum_w / W,
        "lower_threshold": thresholds, "lift": lift, "cumulative_lift": clift, "response_rate": resp,
        "score": g_score / g_w, "cumulative_response_rate": cresp, "cumulative_score": cum_score / cum_w,
        "capture_rate": g_pos / P, "cumulative_capture_rate": cum_pos / P, "gain": 100 * (lift - 1),
        "cumulative_gain": 100 * (clift - 1), "kolmogorov_smirnov": cum_pos / P - cum_neg_frac})


def confusion_table(cm, domain):
    """H2O's confusion-matrix layout: actual rows + Total, predicted columns + Error + Rate."""
    cm = np.asarray(cm, float)
    k = cm.shape[0]
    labels = [str(d) for d in domain]
    row_tot = cm.sum(axis=1)
    col_tot = cm.sum(axis=0)
    errs = row_tot - np.diag(cm)
    n, e = cm.sum(), errs.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        err_rate = np.where(row_tot > 0, errs / row_tot, np.nan)
    data = {labels[j]: np.r_[cm[:, j], col_tot[j]] for j in range(k)}
    data["Error"] = np.r_[err_rate, e / n if n > 0 else np.nan]
    data["Rate"] = [_rate(errs[i], row_tot[i]) for i in range(k)] + [_rate(e, n)]
    return pd.DataFrame(data, index=labels + ["Total"])


def _rate(e, t):
    if float(e).is_integer() and float(t).is_integer():
        return f"{int(e):,} / {int(t):,}"
    return f"{e:,.2f} / {t:,.2f}"


def _cm_from_labels(y, pred, w, k):
    cm = np.zeros((k, k))
    np.add.at(cm, (y.astype(np.int64), pred.astype(np.int64)), w)
    return cm


def _class_probs(y, probs, w):
    """Common prep of classification inputs; returns the kept (y int, probs, w)."""
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = _weights(w, y.size)
    keep = _keep(y, w) & np.all(np.isfinite(probs), axis=1)
    return y[keep].astype(np.int64), probs[keep], w[keep]


def _logloss_mse(y, probs, w):
    p_true = probs[np.arange(y.size), y]
    logloss = _wmean(-np.log(np.clip(p_true, LOGLOSS_EPS, 1.0)), w)
    mse = _wmean((1.0 - p_true) ** 2, w)
    var = _wvar(y.astype(float), w)
    r2 = 1.0 - mse / var if var > 0 else float("nan")
    return logloss, mse, r2


def binomial_metrics(y_true, predictions, weights=None, domain=("0", "1"), gainslift_bins=-1,
                     description="") -> ModelMetrics:
    """Binomial metrics; `predictions` is (n, 2) class probabilities or (n,) p(class 1)."""
    pr = np.asarray(predictions, dtype=np.float64)
    if pr.ndim == 1:
        pr = np.column_stack([1.0 - pr, pr])
    y, probs, w = _class_probs(y_true, pr, weights)
    p1 = probs[:, 1]
    yf = y.astype(float)
    pos, neg = float(np.dot(w, yf)), float(np.dot(w, 1 - yf))
    logloss, mse, r2 = _logloss_mse(y, probs, w)
    srt = _sort_desc(yf, p1, w)
    thr, tps, fps, fns, tns = _counts_sorted(*srt)
    crit = _criteria(tps, fps, fns, tns)
    auc = auc_from_curve(tps, fps, pos, neg)
    pr_auc = pr_auc_from_curve(tps, fps, pos)
    best = int(np.argmax(crit["f1"])) if thr.size else 0
    cm = np.array([[crit["tns"][best], crit["fps"][best]], [crit["fns"][best], crit["tps"][best]]])
    gl = _gains_lift_sorted(*srt, gainslift_bins)
    scalars = {"nobs": int(y.size), "mse": mse, "rmse": math.sqrt(mse), "r2": r2, "logloss": logloss, "auc": auc,
               "pr_auc": pr_auc, "gini": 2 * auc - 1,
               "mean_per_class_error": float(1 - crit["mean_per_class_accuracy"][best]),
               "classification_error": float(1 - crit["accuracy"][best]),
               "lift_top_group": float(gl["lift"].iloc[0]) if gl is not None else float("nan"),
               "default_threshold": float(thr[best])}
    thresholds = _thresholds_table(thr, crit)
    tables = {"confusion_matrix": confusion_table(cm, domain),
              "max_criteria": _max_criteria_table(thr, crit),
              "thresholds": thresholds,
              "roc": thresholds[["threshold", "fpr", "tpr", "idx"]].copy()}
    if gl is not None:
        tables["gains_lift"] = gl
    return ModelMetrics("Binomial", scalars, tables, description)


def _max_criteria_table(thr, crit):
    rows = []
    for c in CRITERIA:
        i = int(np.argmax(crit[c]))
        rows.append((f"max {c}", float(thr[i]), float(crit[c][i]), i))
    return pd.DataFrame(rows, columns=["metric", "threshold", "value", "idx"])


def _thresholds_table(thr, crit):
    n = thr.size
    if n > MAX_THRESHOLD_ROWS:
        keep = set(np.linspace(0, n - 1, MAX_THRESHOLD_ROWS).astype(int).tolist())
        keep |= {int(np.argmax(crit[c])) for c in CRITERIA}
        sel = np.array(sorted(keep))
    else:
        sel = np.arange(n)
    df = pd.DataFrame({"threshold": thr[sel], **{c: crit[c][sel] for c in CRITERIA}})
    df["idx"] = sel
    return df


# ----------------------------------------------------------------------------------------------------------------
# Multinomial
# ----------------------------------------------------------------------------------------------------------------
def hit_ratios(y, probs, weights=None, k=10):
    """Top-k hit ratios for k = 1..min(k, n_classes): weighted fraction with the true class in the k best.

    Exact ties (saturated float32 probabilities) rank the lower class index first (a stable sort).
    """
    y = np.asarray(y, np.int64)
    probs = np.asarray(probs, float)
    w = _weights(weights, y.size)
    kmax = min(int(k), probs.shape[1])
    ranked = np.argsort(-probs, axis=1, kind="stable")[:, :kmax]
    hit_at = np.argmax(ranked == y[:, None], axis=1)
    found = (ranked == y[:, None]).any(axis=1)
    rank = np.where(found, hit_at, kmax)
    sw = w.sum()
    return pd.DataFrame({"k": np.arange(1, kmax + 1),
                         "hit_ratio": [float(np.dot(w, rank < j) / sw) for j in range(1, kmax + 1)]})


def multinomial_auc(y, probs, weights=None, auc_type="MACRO_OVR"):
    """Multinomial AUC and PR AUC for `auc_type` MACRO_OVR | WEIGHTED_OVR | MACRO_OVO | WEIGHTED_OVO.

    Returns (auc, pr_auc); NONE / AUTO give (NaN, NaN) like H2O's default for multinomial models.
    """
    t = (auc_type or "AUTO").upper()
    if t in ("NONE", "AUTO"):
        return float("nan"), float("nan")
    y = np.asarray(y, np.int64)
    w = _weights(weights, y.size)
    k = probs.shape[1]
    present = [c for c in range(k) if np.any(y == c)]
    prior = np.array([w[y == c].sum() for c in present])
    if t.endswith("OVR"):
        aucs = np.array([binary_auc((y == c).astype(float), probs[:, c], w) for c in present])
        praucs = np.array([binary_pr_auc((y == c).astype(float), probs[:, c], w) for c in present])
        wts = prior if t.startswith("WEIGHTED") else np.ones(len(present))
        return float(np.dot(aucs, wts) / wts.sum()), float(np.dot(praucs, wts) / wts.sum())
    if t.endswith("OVO"):
        aucs, praucs, wts = [], [], []
        for a_i, a in enumerate(present):
            for b_i in range(a_i + 1, len(present)):
                b = present[b_i]
                m = (y == a) | (y == b)
                ya = (y[m] == a).astype(float)
                pa = probs[m, a] / np.maximum(probs[m, a] + probs[m, b], 1e-300)
                aucs.append(0.5 * (binary_auc(ya, probs[m, a], w[m]) + binary_auc(1 - ya, probs[m, b], w[m])))
                praucs.append(0.5 * (binary_pr_auc(ya, pa, w[m]) + binary_pr_auc(1 - ya, 1 - pa, w[m])))
                wts.append(prior[a_i] + prior[b_i] if t.startswith("WEIGHTED") else 1.0)
        wts = np.asarray(wts)
        return float(np.dot(aucs, wts) / wts.sum()), float(np.dot(praucs, wts) / wts.sum())
    raise ValueError(f"auc_type '{auc_type}' is not one of AUTO, NONE, MACRO_OVR, WEIGHTED_OVR, MACRO_OVO, "
                     "WEIGHTED_OVO")


def multinomial_metrics(y_true, predictions, weights=None, domain=None, max_hit_ratio_k=10, auc_type="AUTO",
                        description="") -> ModelMetrics:
    """Multinomial metrics from (n, k) class probabilities; label = argmax (first on ties)."""
    y, probs, w = _class_probs(y_true, predictions, weights)
    k = probs.shape[1]
    domain = [str(i) for i in range(k)] if domain is None else list(domain)
    logloss, mse, r2 = _logloss_mse(y, probs, w)
    pred = np.argmax(probs, axis=1)
    cm = _cm_from_labels(y, pred, w, k)
    row_tot = cm.sum(axis=1)
    present = row_tot > 0
    per_class_err = 1.0 - np.diag(cm)[present] / row_tot[present]
    auc, pr_auc = multinomial_auc(y, probs, w, auc_type)
    scalars = {"nobs": int(y.size), "mse": mse, "rmse": math.sqrt(mse), "r2": r2, "logloss": logloss,
               "classification_error": float(1 - np.trace(cm) / cm.sum()) if cm.sum() > 0 else float("nan"),
               "mean_per_class_error": float(per_class_err.mean()) if per_class_err.size else float("nan"),
               "auc": auc, "pr_auc": pr_auc}
    tables = {"confusion_matrix": confusion_table(cm, domain)}
    if max_hit_ratio_k and max_hit_ratio_k > 0:
        tables["hit_ratios"] = hit_ratios(y, probs, w, max_hit_ratio_k)
    return ModelMetrics("Multinomial", scalars, tables, description)


# ----------------------------------------------------------------------------------------------------------------
# Regression and autoencoder
# ----------------------------------------------------------------------------------------------------------------
def unit_deviance(y, mu, distribution="gaussian", tweedie_power=1.5, quantile_alpha=0.5, huber_delta=1.0):
    """Per-row deviance of H2O's distributions (`Distribution.deviance`), in original units."""
    d = (distribution or "gaussian").lower()
    y = np.asarray(y, float)
    mu = np.asarray(mu, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if d in ("gaussian", "auto", "bernoulli", "multinomial", "quasibinomial"):
            return (y - mu) ** 2
        if d == "poisson":
            ylogy = np.where(y > 0, y * np.log(y / mu), 0.0)
            return 2 * (ylogy - (y - mu))
        if d == "gamma":
            return 2 * (-np.log(y / mu) + (y - mu) / mu)
        if d == "tweedie":
            p = float(tweedie_power)
            return 2 * (np.power(np.maximum(y, 0), 2 - p) / ((1 - p) * (2 - p)) - y * np.power(mu, 1 - p) / (1 - p)
                        + np.power(mu, 2 - p) / (2 - p))
        if d == "laplace":
            return np.abs(y - mu)
        if d == "quantile":
            a = float(quantile_alpha)
            return np.where(y > mu, a * (y - mu), (1 - a) * (mu - y))
        if d == "huber":
            e = np.abs(y - mu)
            return np.where(e <= huber_delta, e * e, 2 * huber_delta * e - huber_delta * huber_delta)
    raise ValueError(f"distribution '{distribution}' has no deviance here (gaussian, poisson, gamma, tweedie, "
                     "laplace, quantile, huber)")


def huber_delta(y, mu, weights=None, huber_alpha=0.9):
    """H2O's metric-level Huber delta: the `huber_alpha` weighted quantile of |residual|."""
    r = np.abs(np.asarray(y, float) - np.asarray(mu, float))
    w = _weights(weights, r.size)
    order = np.argsort(r)
    cw = np.cumsum(w[order])
    i = min(int(np.searchsorted(cw, huber_alpha * cw[-1])), r.size - 1)
    return float(r[order][i])


def regression_metrics(y_true, predictions, weights=None, distribution="gaussian", tweedie_power=1.5,
                       quantile_alpha=0.5, huber_delta_value=None, huber_alpha=0.9, description="") -> ModelMetrics:
    """Regression metrics in original units; mean residual deviance for the model's distribution."""
    y = np.asarray(y_true, float)
    p = np.asarray(predictions, float).reshape(-1)
    w = _weights(weights, y.size)
    keep = _keep(y, w) & np.isfinite(p)
    y, p, w = y[keep], p[keep], w[keep]
    err = y - p
    mse = _wmean(err ** 2, w)
    var = _wvar(y, w)
    if np.any(y <= -1) or np.any(p <= -1):
        rmsle = float("nan")
    else:
        rmsle = math.sqrt(_wmean((np.log1p(p) - np.log1p(y)) ** 2, w))
    d = (distribution or "gaussian").lower()
    delta = huber_delta_value if huber_delta_value is not None else (
        huber_delta(y, p, w, huber_alpha) if d == "huber" else 1.0)
    dev = _wmean(unit_deviance(y, p, d, tweedie_power, quantile_alpha, delta), w)
    scalars = {"nobs": int(y.size), "mse": mse, "rmse": math.sqrt(mse), "mae": _wmean(np.abs(err), w),
               "rmsle": rmsle, "r2": 1 - mse / var if var > 0 else float("nan"), "mean_residual_deviance": dev}
    return ModelMetrics("Regression", scalars, {}, description)


def autoencoder_metrics(inputs, reconstruction, weights=None, description="") -> ModelMetrics:
    """Reconstruction MSE: weighted mean over rows of the per-row mean squared error (normalized space)."""
    x = np.asarray(inputs, float)
    r = np.asarray(reconstruction, float)
    per_row = np.mean((r - x) ** 2, axis=1)
    w = _weights(weights, per_row.size)
    keep = np.isfinite(per_row) & (w > 0)
    mse = _wmean(per_row[keep], w[keep])
    return ModelMetrics("AutoEncoder", {"nobs": int(keep.sum()), "mse": mse, "rmse": math.sqrt(mse)}, {},
                        description)


def make_metrics(problem, y_true, predictions, weights=None, domain=None, distribution="gaussian",
                 description="", **options) -> ModelMetrics:
    """Dispatch on the problem type ("binomial" | "multinomial" | "regression" | "autoencoder").

    `options`: gainslift_bins, max_hit_ratio_k, auc_type, tweedie_power, quantile_alpha, huber_alpha,
    huber_delta_value (unknown names are ignored so callers can pass resolved parameters).
    """
    p = problem.lower()
    pick = lambda *names: {k: options[k] for k in names if k in options and options[k] is not None}  # noqa: E731
    if p == "binomial":
        return binomial_metrics(y_true, predictions, weights, domain if domain is not None else ("0", "1"),
                                description=description, **pick("gainslift_bins"))
    if p == "multinomial":
        return multinomial_metrics(y_true, predictions, weights, domain, description=description,
                                   **pick("max_hit_ratio_k", "auc_type"))
    if p == "regression":
        return regression_metrics(y_true, predictions, weights, distribution, description=description,
                                  **pick("tweedie_power", "quantile_alpha", "huber_delta_value", "huber_alpha"))
    if p == "autoencoder":
        return autoencoder_metrics(y_true, predictions, weights, description=description)
    raise ValueError(f"unknown problem type '{problem}'")
