"""numba kernels for frames: the int-or-real test at parse time, and for summaries one pass for H2O's rollup
stats, one for the histogram, one to pull out the few histogram bins that hold the wanted percentiles (exact
percentiles without sorting the column)."""
import numpy as np
from numba import njit

from .. import config


@njit(**config.JIT)
def rollups(x):
    """(n_finite, n_na, zeros, pinf, ninf, min, max, mean, sigma) like H2O's RollupStats: infinities are
    counted apart and left out of min/max/mean/sigma; sigma is the sample standard deviation."""
    n = 0
    na = 0
    zeros = 0
    pinf = 0
    ninf = 0
    mn = np.inf
    mx = -np.inf
    s = 0.0
    for i in range(x.shape[0]):
        d = np.float64(x[i])
        if np.isnan(d):
            na += 1
        elif d == np.inf:
            pinf += 1
        elif d == -np.inf:
            ninf += 1
        else:
            n += 1
            if d == 0.0:
                zeros += 1
            if d < mn:
                mn = d
            if d > mx:
                mx = d
            s += d
    mean = s / n if n > 0 else np.nan
    ss = 0.0
    if n > 1:
        for i in range(x.shape[0]):
            d = np.float64(x[i])
            if np.isfinite(d):
                ss += (d - mean) * (d - mean)
    sigma = np.sqrt(ss / (n - 1)) if n > 1 else (0.0 if n == 1 else np.nan)
    return n, na, zeros, pinf, ninf, mn, mx, mean, sigma


@njit(**config.JIT_INLINE)
def _bin(d, start, width, nbins):
    b = np.int64((d - start) / width)
    if b < 0:
        return 0
    if b >= nbins:
        return nbins - 1
    return b


@njit(**config.JIT)
def histogram(x, start, width, nbins):
    """Counts of the finite values in nbins equal bins [start + k*width, start + (k+1)*width)."""
    counts = np.empty(nbins, np.int64)  # np.empty + a loop: np.zeros compiles two more helpers (cold start)
    for b in range(nbins):
        counts[b] = 0
    for i in range(x.shape[0]):
        d = np.float64(x[i])
        if np.isfinite(d):
            counts[_bin(d, start, width, nbins)] += 1
    return counts


@njit(**config.JIT)
def values_in_bins(x, start, width, nbins, wanted, size):
    """The finite values whose bin is marked in ``wanted``, in column order (size = how many there are).

    The caller sorts them with NumPy: numba's ``np.sort`` compiles a tree of helpers (a second of a cold start)."""
    out = np.empty(size, np.float64)
    k = 0
    for i in range(x.shape[0]):
        d = np.float64(x[i])
        if np.isfinite(d) and wanted[_bin(d, start, width, nbins)]:
            out[k] = d
            k += 1
    return out[:k]


@njit(**config.JIT)
def integral_range(x):
    """(all finite values integral, any NaN/inf, min, max of the finite values) in one pass."""
    integral = True
    special = False
    mn = np.inf
    mx = -np.inf
    for i in range(x.shape[0]):
        d = x[i]
        if not np.isfinite(d):
            special = True
            continue
        if integral and d != np.floor(d):
            integral = False
        if d < mn:
            mn = d
        if d > mx:
            mx = d
    return integral, special, mn, mx
