"""Epoch kernels, one row per update: a Hogwild! parallel variant and a reproducible serial variant.

Both are compiled once, at import, from the same Python body (umap's pattern). The parallel variant splits the
visit order ``rows`` into one contiguous block per thread; threads update the shared weights without locks
(Hogwild!, like H2O within a node), so results vary run to run. The serial variant visits the rows in order and is
bit-identical for the same seed. Dropout masks depend only on (seed, global sample index), so both variants draw
the same masks.

Arguments (grouped, see ``hyper.py``): ``net = (W, B, S_w, S_b, avg_act)`` float32 buffers updated in place;
``cfg = (lay, drop, hyp, opt)``; ``data = (num, cat, y, w, offset)`` (the Design arrays); ``rows`` int64 visit
order. Rows with weight <= 0 are skipped. Returns ``(rows trained, status)`` with status ``hyper.DIVERGED``
when an output became NaN/Inf (the kernel stops at once so the caller can raise a clear error).
"""
import numpy as np
from numba import njit, prange

from .. import config
from .backward import backward_row
from .forward import forward_row
from .hyper import DIVERGED, H_SAMPLES, O_SEED, OK
from .rng import seed_stream
from .scratch import row_scratch


def _sgd_rows(net, cfg, data, rows, n_threads):
    W, B, S_w, S_b, avg_act = net
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    n = rows.shape[0]
    K = lay.shape[0] - 1
    seed = opt[O_SEED]
    base = hyp[H_SAMPLES]
    chunk = (n + n_threads - 1) // n_threads
    counts = np.zeros(n_threads, np.int64)
    status = np.zeros(n_threads, np.int64)
    for t in prange(n_threads):
        xin, cin, z, a, mask, d_cur, d_prev, work, rng = row_scratch(lay, num.shape[1], cat.shape[1])
        lo = t * chunk
        hi = min(n, lo + chunk)
        for pos in range(lo, hi):
            r = rows[pos]
            weight = w[r]
            if not weight > 0.0:
                continue
            samples = base + pos
            seed_stream(rng, seed, np.int64(samples))
            forward_row(W, B, lay, drop, num[r], cat[r], off[r], True, K, rng, xin, cin, z, a, mask)
            if not backward_row(net, lay, drop, hyp, opt, num[r], cat[r], y[r], weight, samples, xin, cin, z, a,
                                mask, d_cur, d_prev, work):
                status[t] = DIVERGED
                break
            counts[t] += 1
    st = OK
    for t in range(n_threads):
        if status[t] != OK:
            st = status[t]
    return counts.sum(), st


sgd_rows_serial = njit(**config.JIT)(_sgd_rows)
sgd_rows_parallel = njit(parallel=True, **config.JIT)(_sgd_rows)
