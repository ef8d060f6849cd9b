"""Batched scoring: forward passes in inference mode (dropout scaling), rows split across threads.

``n_threads`` comes from the caller (reading it inside the kernel would defeat caching).
``out[i, :]`` receives the activations of layer ``upto`` for row i (the output layer gives probabilities,
standardized/link-space regression values or the reconstruction; a hidden layer gives deep features).
Scoring has no shared writes, so the parallel variant is deterministic.
"""
import numpy as np
from numba import njit, prange

from .. import config
from .forward import activate_units, dropout_units, forward_row
from .hyper import L_A_OFF, L_ACT, L_B_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_W_OFF, SOFTMAX
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
        xin, cin, z, a, mask, d_cur, d_prev, work, rng = row_scratch(lay, num.shape[1], cat.shape[1])
        for r in range(t * chunk, min(n, (t + 1) * chunk)):
            forward_row(W, B, lay, drop, num[r], cat[r], off[r], False, upto, rng, xin, cin, z, a, mask)
            for u in range(units):
                out[r, u] = a[ao + u]
    return out


predict_rows_serial = njit(**config.JIT)(_predict_rows)
predict_rows_parallel = njit(parallel=True, **config.JIT)(_predict_rows)


BLOCK = 256


@njit(**config.JIT)
def predict_blocks(net, cfg, num, cat, off, upto, out):
    """Same result as ``_predict_rows`` (up to float rounding), computed ``BLOCK`` rows at a time with one
    sgemm per layer: scoring a 10,000-row sample goes from matrix-vector to matrix-matrix speed.

    One-hot slots are added row by row (sparse first layer); numeric inputs take one product."""
    W, B = net[0], net[1]
    lay, drop = cfg[0], cfg[1]
    n, p = num.shape
    nc = cat.shape[1]
    ncs = lay[0, L_FAN_IN] - p
    wmax = 0
    for k in range(upto + 1):
        wmax = max(wmax, lay[k, L_UNITS] * lay[k, L_CHANNELS])
    X = np.zeros((BLOCK, p), np.float32)
    Z = np.zeros(BLOCK * wmax, np.float32)
    A = np.zeros(BLOCK * wmax, np.float32)
    A2 = np.zeros(BLOCK * wmax, np.float32)
    mask = np.ones(wmax, np.uint8)
    rng = np.zeros(1, np.uint64)
    for start in range(0, n, BLOCK):
        bs = min(BLOCK, n - start)
        for i in range(bs):
            for j in range(p):
                x = num[start + i, j]
                X[i, j] = x if np.isfinite(x) else np.float32(0.0)
        src = X[:bs]
        for k in range(upto + 1):
            fan = lay[k, L_FAN_IN]
            units = lay[k, L_UNITS]
            width = units * lay[k, L_CHANNELS]
            woff = lay[k, L_W_OFF]
            boff = lay[k, L_B_OFF]
            Zk = Z[:bs * width].reshape((bs, width))
            if k == 0:
                if p > 0:
                    np.dot(src, W[woff + ncs * width:woff + fan * width].reshape((p, width)), Zk)
                else:
                    Zk[:, :] = 0.0
            else:
                np.dot(src, W[woff:woff + fan * width].reshape((fan, width)), Zk)
            Ak = A[:bs * units].reshape((bs, units))
            code = lay[k, L_ACT]
            for i in range(bs):
                zrow = Zk[i]
                for u in range(width):
                    zrow[u] += B[boff + u]
                if k == 0:
                    for c in range(nc):
                        s = cat[start + i, c]
                        if 0 <= s < ncs:
                            lo = woff + s * width
                            for u in range(width):
                                zrow[u] += W[lo + u]
                activate_units(zrow, Ak[i], code, off[start + i] if k == lay.shape[0] - 1 else 0.0)
                if code != SOFTMAX:
                    dropout_units(Ak[i], mask[:units], drop[k + 1], False, rng)
            if k == upto:
                out[start:start + bs, :] = Ak
            else:
                src = Ak
                A, A2 = A2, A
    return out
