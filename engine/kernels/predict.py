"""Batched scoring: forward passes in inference mode (dropout scaling), rows split across threads.

``n_threads`` comes from the caller (reading it inside the kernel would defeat caching).
``out[i, :]`` receives the activations of layer ``upto`` for row i (the output layer gives probabilities,
standardized/link-space regression values or the reconstruction; a hidden layer gives deep features).
Scoring has no shared writes, so the parallel variant is deterministic.
"""
from numba import njit, prange

from .. import config
from .forward import forward_row
from .hyper import L_A_OFF, L_UNITS
from .scratch import row_scratch


def _predict_rows(net, cfg, num, cat, off, upto, out, n_threads):
    W, B = net[0], net[1]
    lay, drop = cfg[0], cfg[1]
    n = num.shape[0]
    n_chunks = min(max(1, n // 256), 4 * n_threads)
    chunk = (n + n_chunks - 1) // n_chunks
    units = lay[upto, L_UNITS]
    ao = lay[upto, L_A_OFF]
    for t in prange(n_chunks):
        xin, cin, z, a, mask, d_cur, d_prev, gsq, rng = row_scratch(lay, num.shape[1], cat.shape[1])
        for r in range(t * chunk, min(n, (t + 1) * chunk)):
            forward_row(W, B, lay, drop, num[r], cat[r], off[r], False, upto, rng, xin, cin, z, a, mask)
            for u in range(units):
                out[r, u] = a[ao + u]
    return out


predict_rows_serial = njit(**config.JIT)(_predict_rows)
predict_rows_parallel = njit(parallel=True, **config.JIT)(_predict_rows)
