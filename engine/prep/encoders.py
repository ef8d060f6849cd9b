"""H2O's categorical pre-encoders (``categorical_encoding`` other than one-hot), fitted on training codes.

Each encoder turns the training codes of one enum column (levels 0..K-1, -1 = NA) into lookup tables indexed by
level with one extra trailing entry for NA/unseen, so that ``table[codes]`` encodes a whole column at once.

- binary (CategoricalBinaryEncoder): value ``level+1`` (NA -> 0) written in ``bit_length(K)`` bits, LSB first,
  columns ``col:0, col:1, ...``.
- label_encoder: the level index as a number (NA stays NA, so it is mean-imputed later).
- eigen: the level's coordinate on the first principal component of the one-hot matrix (see ``eigen_table``);
  one column ``col.Eigen``, NA stays NA.
- sort_by_response: the column stays categorical with its levels reordered by mean response (H2O does this in
  ModelBuilder and leaves the enum for the algorithm's own one-hot).
- enum_limited: columns with more than ``max_levels`` levels keep their ``max_levels`` most frequent levels and
  map every other training level to a new "other" level; column ``col.top_<max_levels>_levels``.
"""
import numpy as np


def binary_tables(n_levels):
    """[(suffix, table)] for the binary encoding of a K-level column; table has K+1 entries (last = NA)."""
    vals = np.append(np.arange(1, n_levels + 1, dtype=np.int64), 0)  # level j -> j+1, NA/unseen -> 0
    n_bits = max(int(n_levels).bit_length(), 1)
    return [(f":{b}", ((vals >> b) & 1).astype(np.float64)) for b in range(n_bits)]


def label_table(n_levels):
    """Level index as a number; NA/unseen -> NaN (imputed like any numeric NA)."""
    return np.append(np.arange(n_levels, dtype=np.float64), np.nan)


def level_counts(codes, n_levels, w=None):
    """(Weighted) count of each level among non-NA codes."""
    codes = np.asarray(codes)
    ok = codes >= 0
    return np.bincount(codes[ok], weights=None if w is None else np.asarray(w, np.float64)[ok],
                       minlength=n_levels).astype(np.float64)


def first_principal_axis(p):
    """Unit eigenvector of the largest eigenvalue of the one-hot covariance ``diag(p) - p p^T``.

    The matrix is diagonal plus rank one, so instead of an O(K^3) eigendecomposition (impossible for 70,000
    levels) the top eigenvalue is the root of the secular equation ``sum_i p_i^2 / (p_i - lam) = 1`` in
    ``(p_(2), p_(1))`` (found by bisection), and the eigenvector is ``v_i ~ p_i / (p_i - lam)``. When the two
    largest shares tie the eigenvalue is that share and the axis contrasts the first two tied levels.
    The sign makes the most frequent level positive.
    """
    p = np.asarray(p, dtype=np.float64)
    k = len(p)
    v = np.zeros(k)
    if k == 0:
        return v
    order = np.argsort(-p, kind="stable")
    p1 = p[order[0]]
    p2 = p[order[1]] if k > 1 else 0.0
    if k == 1 or p2 <= 0.0:
        v[order[0]] = 1.0
        return v
    if p1 == p2:
        v[order[0]], v[order[1]] = np.sqrt(0.5), -np.sqrt(0.5)
        return v
    nz = p > 0
    pn = p[nz]

    def secular(lam):
        return np.sum(pn * pn / (pn - lam)) - 1.0  # increases from -inf to +inf on (p2, p1)

    lo, hi = p2, p1
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if secular(mid) < 0:
            lo = mid
        else:
            hi = mid
    lam = 0.5 * (lo + hi)
    v[nz] = pn / (pn - lam)
    return v / np.linalg.norm(v)


def eigen_table(codes, n_levels, w=None):
    """Per-level coordinate on the first principal axis of the one-hot matrix; NA/unseen -> NaN.

    H2O (ToEigenVec) builds a normalised version of this matrix whose top eigenvalue is degenerate (1, with
    multiplicity K-1) and reads a row of the eigenvector matrix, so its numbers are not reproducible; the
    intent it documents, the projection of each one-hot row onto the first eigenvector, is what this returns.
    Values are rounded to float32 as H2O does.
    """
    counts = level_counts(codes, n_levels, w)
    total = counts.sum()
    p = counts / total if total > 0 else counts
    v = first_principal_axis(p).astype(np.float32).astype(np.float64)
    return np.append(v, np.nan)


def sort_by_response_order(codes, n_levels, y, w=None):
    """Level order (old level indices) by increasing mean response; levels without rows go last."""
    codes = np.asarray(codes)
    y = np.asarray(y, dtype=np.float64)
    ok = (codes >= 0) & ~np.isnan(y)
    ww = np.ones(ok.sum()) if w is None else np.asarray(w, np.float64)[ok]
    s = np.bincount(codes[ok], weights=ww * y[ok], minlength=n_levels)
    n = np.bincount(codes[ok], weights=ww, minlength=n_levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, s / np.where(n > 0, n, 1.0), np.inf)
    return np.argsort(mean, kind="stable")


def enum_limited_map(codes, n_levels, max_levels, w=None):
    """(level_of, kept) for enum_limited: old level -> new level, with index ``len(kept)`` = "other".

    Kept levels are the ``max_levels`` most frequent (ties by level order), listed in their original order.
    """
    counts = level_counts(codes, n_levels, w)
    kept = np.sort(np.argsort(-counts, kind="stable")[:max_levels])
    level_of = np.full(n_levels, len(kept), dtype=np.int32)
    level_of[kept] = np.arange(len(kept), dtype=np.int32)
    return level_of, kept
