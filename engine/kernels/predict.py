"""Scoring: forward passes in inference mode (dropout scaling).

``out[i, :]`` receives the activations of layer ``upto`` for row i (the output layer gives probabilities,
standardized/link-space regression values or the reconstruction; a hidden layer gives deep features).

Every prediction goes through ``predict_blocks`` (matrix products over blocks of ``BLOCK`` rows, always full
blocks), so a row's prediction is bit for bit the same whether it is scored alone, in a small frame or in a large
one. ``predict_rows_serial`` is the training kernels' own forward pass (one row at a time, the row kernel's
summation order); it serves as the tests' reference. The two agree to float32 rounding: the sums run in a different
order, which moves a probability by a few 1e-6 at most (``tests/engine/test_predict_paths.py`` bounds it).
"""
import numpy as np
from numba import njit

from .. import config
from .forward import activate_units, forward_row
from .hyper import L_A_OFF, L_ACT, L_B_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_W_OFF, SOFTMAX
from .scratch import decode_row, row_scratch


def _predict_rows(net, cfg, num, cat, off, upto, out):
    W, B = net[0], net[1]
    lay, drop = cfg[0], cfg[1]
    n = num.shape[0]
    units = lay[upto, L_UNITS]
    ao = lay[upto, L_A_OFF]
    xin, cin, z, a, mask, d_cur, d_prev, work, rng = row_scratch(lay, num.shape[1], cat.shape[1])
    for r in range(n):
        forward_row(W, B, lay, drop, num[r], cat[r], off[r], False, upto, rng, xin, cin, z, a, mask)
        for u in range(units):
            out[r, u] = a[ao + u]
    return out


predict_rows_serial = njit(**config.JIT)(_predict_rows)


BLOCK = 256


@njit(**config.JIT)
def predict_blocks(net, cfg, num, scaling, cat, off, rows, upto, out):
    """Same result as ``_predict_rows`` (up to float rounding), computed ``BLOCK`` rows at a time with one
    sgemm per layer: scoring a 10,000-row sample goes from matrix-vector to matrix-matrix speed.

    ``rows``: the input rows to score, in order (``out[i]`` is row ``rows[i]``), read in place, so a sample of a
    large design needs no copy; empty means every row of ``num``. ``scaling``: a compact design's ``num_scaling``
    for its uint8 codes, else ``scratch.NO_SCALING``.

    One-hot slots are added row by row (sparse first layer); numeric inputs take one product. The products always
    span a full block (the rows past the data are zeros or stale finite values, and a row of a product depends
    only on its own input row), so BLAS runs the same code path for every row wherever it sits."""
    W, B = net[0], net[1]
    lay, drop = cfg[0], cfg[1]
    p = num.shape[1]
    n = rows.shape[0] if rows.shape[0] > 0 else num.shape[0]
    nc = cat.shape[1]
    ncs = lay[0, L_FAN_IN] - p
    wmax = 0
    for k in range(upto + 1):  # conditionals, not max()/min(): each builtin call compiles a helper (cold start)
        w = lay[k, L_UNITS] * lay[k, L_CHANNELS]
        wmax = w if w > wmax else wmax
    # X, Z, A, A2 in one zeroed float32 allocation (np.empty + a loop: as scratch.row_scratch, no np.zeros helpers)
    nx = BLOCK * p
    nz = BLOCK * wmax
    buf = np.empty(nx + 3 * nz, np.float32)
    for i in range(nx + 3 * nz):
        buf[i] = 0.0
    X = buf[:nx].reshape((BLOCK, p))
    Z = buf[nx:nx + nz]
    A = buf[nx + nz:nx + 2 * nz]
    A2 = buf[nx + 2 * nz:]
    for start in range(0, n, BLOCK):
        bs = n - start if n - start < BLOCK else BLOCK
        for i in range(bs):
            r = rows[start + i] if rows.shape[0] > 0 else start + i
            decode_row(num[r], scaling, X[i])
        src = X
        for k in range(upto + 1):
            fan = lay[k, L_FAN_IN]
            units = lay[k, L_UNITS]
            width = units * lay[k, L_CHANNELS]
            woff = lay[k, L_W_OFF]
            boff = lay[k, L_B_OFF]
            Zk = Z[:BLOCK * width].reshape((BLOCK, width))
            r0 = ncs if k == 0 else 0  # layer 0's one-hot rows are added below; its numeric rows follow them
            if fan > r0:  # one np.dot call site: each one lowers BLAS's whole dispatch (cold start)
                np.dot(src, W[woff + r0 * width:woff + fan * width].reshape((fan - r0, width)), Zk)
            else:
                for i in range(BLOCK * width):  # a loop: slice assignment compiles a broadcasting helper
                    Z[i] = 0.0
            Ak = A[:BLOCK * units].reshape((BLOCK, units))
            code = lay[k, L_ACT]
            ratio = drop[k + 1]
            scale = np.float32(1.0 - ratio)
            for i in range(bs):
                zrow = Zk[i]
                for u in range(width):
                    zrow[u] += B[boff + u]
                r = rows[start + i] if rows.shape[0] > 0 else start + i
                if k == 0:
                    for c in range(nc):
                        s = cat[r, c]
                        if 0 <= s < ncs:
                            lo = woff + s * width
                            for u in range(width):
                                zrow[u] += W[lo + u]
                arow = out[start + i] if k == upto else Ak[i]  # the wanted layer goes straight to ``out``
                activate_units(zrow, arow, code, off[r] if k == lay.shape[0] - 1 else 0.0)
                if code != SOFTMAX and ratio > 0.0:  # test-time dropout scaling, as forward.dropout_units
                    for u in range(units):
                        arow[u] *= scale
            src = Ak
            A, A2 = A2, A
    return out
