"""Class balancing (H2O ``balance_classes``) and the matching probability correction at prediction.

H2O (MRUtils.sampleFrameStratified, called once before training) replicates each training row
``floor(f_c) + Bernoulli(frac(f_c))`` times, where ``f_c`` is the factor of the row's class:
the user's ``class_sampling_factors`` or, automatically, ``(N / n_classes) / count_c`` divided by the smallest
such factor (so the majority class keeps 1.0). When the expected row count exceeds
``max_after_balance_size * N`` every factor is scaled down to meet that cap. Predictions are then mapped back to
the original class priors (GenModel.correctProbabilities): ``p_c *= prior_c / sampled_c``, renormalised.
"""
import numpy as np

from ..errors import ParameterError


def class_distribution(y, n_classes, w=None):
    """Weighted class counts of integer labels ``y`` (NaN/negative labels ignored)."""
    y = np.asarray(y)
    ok = ~np.isnan(y) if y.dtype.kind == "f" else np.ones(len(y), bool)
    yi = y[ok].astype(np.int64)
    ok2 = (yi >= 0) & (yi < n_classes)
    weights = None if w is None else np.asarray(w, dtype=np.float64)[ok][ok2]
    return np.bincount(yi[ok2], weights=weights, minlength=n_classes).astype(np.float64)


def sampling_factors(counts, class_sampling_factors=None, max_after_balance_size=5.0, n_rows=None):
    """Per-class replication factors, capped so that sum(f * counts) <= max_after_balance_size * n_rows."""
    counts = np.asarray(counts, dtype=np.float64)
    n_rows = counts.sum() if n_rows is None else n_rows
    k = len(counts)
    if class_sampling_factors is not None:
        f = np.asarray(class_sampling_factors, dtype=np.float64).ravel()
        if len(f) != k:
            raise ParameterError(f"class_sampling_factors must have {k} elements (one per class of the response), "
                                 f"got {len(f)}")
        if np.any(~np.isfinite(f)) or np.any(f < 0):
            raise ParameterError("class_sampling_factors must be finite and non-negative")
    else:
        total = counts.sum()
        with np.errstate(divide="ignore"):
            f = np.where(counts > 0, (total / k) / counts, 1.0)  # empty classes are ignored (factor 1)
        f = f / f[counts > 0].min() if np.any(counts > 0) else f
    if max_after_balance_size is None or not max_after_balance_size > 0:
        raise ParameterError(f"max_after_balance_size must be > 0, got {max_after_balance_size}")
    expected = float(np.dot(f, counts))
    cap = float(int(float(max_after_balance_size) * n_rows))  # H2O: (long)(max_after_balance_size * N)
    if expected > cap > 0:
        f = f * (cap / expected)
    return f


def balance_rows(y, n_classes, class_sampling_factors=None, max_after_balance_size=5.0, seed=None, w=None):
    """Indices (int64, sorted) of the balanced training rows, and the per-class factors used.

    ``y`` holds class indices (float or int; NaN rows are dropped). Counts for the automatic factors use the
    weights when given (as H2O's ClassDist does); the sampling itself is uniform per row.
    """
    y = np.asarray(y)
    counts = class_distribution(y, n_classes, w)
    ok = ~np.isnan(y) if y.dtype.kind == "f" else np.ones(len(y), bool)
    rows = np.flatnonzero(ok)
    f = sampling_factors(counts, class_sampling_factors, max_after_balance_size, n_rows=len(rows))
    fr = f[y[rows].astype(np.int64)]
    base = np.floor(fr)
    rng = np.random.default_rng(None if seed is None else int(seed) & 0xFFFFFFFFFFFFFFFF)
    reps = base.astype(np.int64) + (rng.random(len(rows)) < (fr - base))
    return np.repeat(rows, reps), f


def correct_probabilities(probs, prior, sampled):
    """Map class probabilities learnt on resampled data back to the original priors (returns a new array).

    Classes whose prior or sampled share is 0 keep their probability, as in GenModel.correctProbabilities.
    """
    p = np.array(probs, dtype=np.float64, copy=True)
    prior = np.asarray(prior, dtype=np.float64)
    sampled = np.asarray(sampled, dtype=np.float64)
    ratio = np.where((prior != 0) & (sampled != 0), prior / np.where(sampled != 0, sampled, 1.0), 1.0)
    p *= ratio
    s = p.sum(axis=-1, keepdims=True)
    np.divide(p, s, out=p, where=s > 0)
    return p.astype(np.asarray(probs).dtype if np.asarray(probs).dtype.kind == "f" else np.float64, copy=False)
