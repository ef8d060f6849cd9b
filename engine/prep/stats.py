"""Column statistics for standardization: (weighted) mean, sample sd, min and max ignoring NaN."""
import numpy as np

from ..frames.views import readonly
from ..kernels.columns import nan_moments, small_int_moments


def moments(x):
    """(count, mean, sum of squared deviations, min, max) of the non-NaN values of a column of any numeric dtype."""
    x = readonly(np.asarray(x))  # one compiled signature per dtype, writable or not
    if x.dtype.kind in "iu" and x.dtype.itemsize <= 2:
        return small_int_moments(x)
    return nan_moments(x)


def stats_from_moments(m):
    """(mean, sd, min, max) from ``moments()``' (count, mean, sum of squared deviations, min, max)."""
    n, mean, ss, lo, hi = m
    if n == 0:
        return np.nan, np.nan, np.nan, np.nan
    return float(mean), float(np.sqrt(ss / (n - 1))) if n > 1 else 0.0, float(lo), float(hi)


def column_stats(x, w=None):
    """(mean, sd, min, max) of the non-NaN values of ``x``; weighted when ``w`` is given.

    The weighted sd treats weights as frequencies (sum(w*(x-m)^2) / (sum(w)-1)), which equals the usual
    sample sd when all weights are 1. Empty input gives NaN statistics.
    """
    if w is None:
        return stats_from_moments(moments(x))
    x = np.asarray(x, dtype=np.float64)
    ok = ~np.isnan(x)
    w = np.asarray(w, dtype=np.float64)
    ok &= w > 0
    v = x[ok]
    if v.size == 0:
        return np.nan, np.nan, np.nan, np.nan
    lo, hi = float(v.min()), float(v.max())
    ww = w[ok]
    wsum = float(ww.sum())
    mean = float(np.dot(ww, v) / wsum)
    ss = float(np.dot(ww, (v - mean) ** 2))
    sd = float(np.sqrt(ss / (wsum - 1.0))) if wsum > 1.0 else float(np.sqrt(ss / wsum))
    return mean, sd, lo, hi


def safe_inverse(scale):
    """1/scale, with 1 where the scale is 0 or not finite (constant columns pass through unscaled)."""
    scale = float(scale)
    return 1.0 / scale if np.isfinite(scale) and scale > 0 else 1.0
