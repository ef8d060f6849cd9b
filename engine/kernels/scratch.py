"""Per-thread scratch buffers for the row kernels (allocated once per thread per call, never per row).

Written for a short cold start: ``np.empty`` plus a fill loop (``np.zeros``/``np.ones`` each compile two more
numba helpers per dtype), one float32 allocation sliced into the six float32 buffers, no ``max()`` of tuples,
and inlined into the kernels (a separate kernel returning nine arrays compiles a large Python wrapper).
"""
import numpy as np
from numba import njit

from .. import config
from .hyper import L_A_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_Z_OFF

NO_SCALING = np.zeros((0, 0), np.float64)  # ``decode_row``'s scaling for a float32 design (read as stored)


@njit(**config.JIT_INLINE)
def buffer_sizes(lay):
    """(z size, a size, widest layer or fan-in) of a network geometry."""
    K = lay.shape[0] - 1
    zs = lay[K, L_Z_OFF] + lay[K, L_UNITS] * lay[K, L_CHANNELS]
    as_ = lay[K, L_A_OFF] + lay[K, L_UNITS]
    wmax = 0
    for k in range(K + 1):
        w = lay[k, L_UNITS] * lay[k, L_CHANNELS]
        wmax = w if w > wmax else wmax
        wmax = lay[k, L_FAN_IN] if lay[k, L_FAN_IN] > wmax else wmax
    return zs, as_, wmax


@njit(**config.JIT_INLINE)
def row_scratch(lay, n_num, n_cat):
    """xin, cin, z, a, mask, d_cur, d_prev, work (gradient sums | errors, see ``backward_row``), rng.

    All zero but ``mask`` (ones: no unit dropped)."""
    zs, as_, wmax = buffer_sizes(lay)
    # xin, z, a, d_cur, d_prev, work: slices of one float32 buffer, each starting a multiple of 16 floats (64 bytes,
    # a cache line) into it, as aligned as separate allocations were
    e0 = n_num
    s1 = (e0 + 15) & -16
    e1 = s1 + zs
    s2 = (e1 + 15) & -16
    e2 = s2 + as_
    s3 = (e2 + 15) & -16
    e3 = s3 + wmax
    s4 = (e3 + 15) & -16
    e4 = s4 + wmax
    s5 = (e4 + 15) & -16
    e5 = s5 + 2 * wmax
    f = np.empty(e5, np.float32)
    for i in range(e5):
        f[i] = 0.0
    cin = np.empty(n_cat, np.int32)
    for i in range(n_cat):
        cin[i] = 0
    mask = np.empty(as_, np.uint8)
    for i in range(as_):
        mask[i] = 1
    rng = np.empty(1, np.uint64)
    rng[0] = 0
    return f[:e0], cin, f[s1:e1], f[s2:e2], mask, f[s3:e3], f[s4:e4], f[s5:e5], rng


@njit(**config.JIT_INLINE)
def decode_row(xr, scaling, xb):
    """A design row's numeric inputs into the float32 buffer ``xb``: a compact design's uint8 codes decoded with
    ``scaling`` (rows sub, mul: the design fill's own float64 arithmetic, so the same bits), else as stored with
    NaN/Inf as missing, i.e. 0 (``x - x`` is 0 exactly when x is finite, and compiles for both dtypes). A float
    design passes a scaling without rows. Both loops vectorize."""
    if scaling.shape[0] > 0:
        sub = scaling[0]
        mul = scaling[1]
        for j in range(xr.shape[0]):
            xb[j] = np.float32((np.float64(xr[j]) - sub[j]) * mul[j])
    else:
        for j in range(xr.shape[0]):
            x = xr[j]
            xb[j] = x if x - x == 0 else np.float32(0.0)
