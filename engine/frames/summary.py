"""Frame and column summaries with H2O's fields (Flow's frame grid and column view)."""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from . import kernels as K
from .columns import NUMERIC_TYPES

# H2O's default summary percentiles.
PERCENTILES = (0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 0.333, 0.4, 0.5, 0.6, 0.667, 0.7, 0.75, 0.8, 0.9, 0.99, 0.999)
MAX_BINS = 1000
GRID_COLUMNS = ["label", "type", "missing", "zeros", "+inf", "-inf", "min", "max", "mean", "sigma", "cardinality"]


def frame_summary(frame):
    """{"name", "rows", "columns", "bytes", "column_summaries": {col: column summary}}."""
    names = frame.names
    workers = min(len(names), os.cpu_count() or 1, 4)
    if workers > 1 and frame.nrows > 100_000:
        with ThreadPoolExecutor(workers) as pool:  # kernels release the GIL
            stats = list(pool.map(lambda c: column_summary(frame, c), names))
    else:
        stats = [column_summary(frame, c) for c in names]
    return {"name": frame.name, "rows": frame.nrows, "columns": frame.ncols, "bytes": frame.nbytes,
            "column_summaries": dict(zip(names, stats))}


def column_summary(frame, col):
    """type, missing, zeros, pinf, ninf, min, max, mean, sigma, cardinality, percentiles, histogram, domain,
    invalid (values that were not valid for the type and became NA at parse)."""
    t = frame.type_of(col)
    a = frame.values(col)
    out = dict(label=col, type=t, missing=0, zeros=0, pinf=0, ninf=0, min=None, max=None, mean=None, sigma=None,
               cardinality=None, percentiles=None, histogram=None, domain=None,
               invalid=frame.invalid_counts.get(col, 0))
    if t in NUMERIC_TYPES:
        x = np.ascontiguousarray(a, dtype=np.float64)
        x.flags.writeable = False  # one compiled signature for every numeric column (read-only float64)
        out.update(_numeric(x, integral=t == "int"))
    elif t == "enum":
        out.update(_enum(a, frame.domain(col)))
    else:
        s = pd.Series(a, dtype=object)
        out["missing"] = int(s.isna().sum())
        out["cardinality"] = int(s.nunique(dropna=True))
    return out


def _numeric(a, integral):
    n, na, zeros, pinf, ninf, mn, mx, mean, sigma = K.rollups(a)
    out = dict(missing=int(na), zeros=int(zeros), pinf=int(pinf), ninf=int(ninf))
    if n == 0:
        return out
    out.update(min=float(mn), max=float(mx), mean=float(mean), sigma=float(sigma))
    if integral and mx - mn + 1 <= MAX_BINS:
        start, width, nbins = float(mn), 1.0, int(mx - mn) + 1
    else:
        nbins = MAX_BINS if mx > mn else 1
        start, width = float(mn), ((mx - mn) / nbins if mx > mn else 1.0)
        if integral:  # integer bins of equal whole width
            width = float(np.ceil((mx - mn + 1) / MAX_BINS))
            nbins = int((mx - mn) // width) + 1
    counts = K.histogram(a, start, width, nbins)
    out["histogram"] = {"start": start, "width": width, "breaks": (start + width * np.arange(nbins + 1)).tolist(),
                        "counts": counts.tolist()}
    exact_bins = integral and width == 1.0  # every value in bin k is start + k
    out["percentiles"] = dict(zip(PERCENTILES, _percentiles(a, counts, start, width, n, exact_bins)))
    return out


def _percentiles(a, counts, start, width, n, exact_bins):
    """Exact percentiles (linear interpolation between order statistics, numpy's default) from the histogram:
    only the bins holding the needed ranks are extracted and sorted (none when each bin holds one value)."""
    h = np.asarray(PERCENTILES) * (n - 1)
    ranks = np.unique(np.concatenate([np.floor(h), np.ceil(h)]).astype(np.int64))
    before = np.concatenate([[0], np.cumsum(counts)])  # values in bins < k
    bins = np.searchsorted(before, ranks, side="right") - 1
    if exact_bins:
        order = dict(zip(ranks.tolist(), (start + bins).tolist()))
    else:
        wanted = np.zeros(len(counts), np.bool_)
        wanted[bins] = True
        vals = np.sort(K.values_in_bins(a, start, width, len(counts), wanted, int(counts[wanted].sum())))
        offset = np.concatenate([[0], np.cumsum(np.where(wanted, counts, 0))])  # where a bin's values start
        order = dict(zip(ranks.tolist(), vals[offset[bins] + (ranks - before[bins])].tolist()))
    lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
    return [float(order[l] + (x - l) * (order[u] - order[l])) for l, u, x in zip(lo, hi, h)]


def _enum(codes, domain):
    """Level counts; min/max/mean/sigma of the level codes, as H2O's rollups report them for enum columns."""
    counts = np.bincount(codes[codes >= 0], minlength=len(domain)) if len(domain) else np.zeros(0, np.int64)
    out = dict(missing=int(np.count_nonzero(codes < 0)), zeros=int(counts[0]) if len(counts) else 0,
               cardinality=len(domain), histogram={"labels": list(domain), "counts": counts.tolist()},
               domain=list(zip(domain, counts.tolist())))
    n = int(counts.sum())
    if n:
        k = np.arange(len(counts), dtype=np.float64)
        mean = float(counts @ k / n)
        var = float(counts @ (k - mean) ** 2 / (n - 1)) if n > 1 else 0.0
        used = np.flatnonzero(counts)
        out.update(min=float(used[0]), max=float(used[-1]), mean=mean, sigma=float(np.sqrt(var)))
    return out


def summary_table(summary):
    """Flow's column-summary grid as a pandas DataFrame (one row per column)."""
    rows = []
    for c, s in summary["column_summaries"].items():
        rows.append([c, s["type"], s["missing"], s["zeros"], s["pinf"], s["ninf"], s["min"], s["max"], s["mean"],
                     s["sigma"], s["cardinality"]])
    return pd.DataFrame(rows, columns=GRID_COLUMNS)
