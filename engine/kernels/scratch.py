"""Per-thread scratch buffers for the row kernels (allocated once per thread per call, never per row)."""
import numpy as np
from numba import njit

from .. import config
from .hyper import L_A_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_Z_OFF


@njit(**config.JIT)
def buffer_sizes(lay):
    """(z size, a size, widest layer, widest fan-in) of a network geometry."""
    K = lay.shape[0] - 1
    zs = lay[K, L_Z_OFF] + lay[K, L_UNITS] * lay[K, L_CHANNELS]
    as_ = lay[K, L_A_OFF] + lay[K, L_UNITS]
    wmax = 0
    for k in range(K + 1):
        wmax = max(wmax, lay[k, L_UNITS] * lay[k, L_CHANNELS], lay[k, L_FAN_IN])
    return zs, as_, wmax


@njit(**config.JIT)
def row_scratch(lay, n_num, n_cat):
    """xin, cin, z, a, mask, d_cur, d_prev, work (gradient sums | errors, see ``backward_row``), rng."""
    zs, as_, wmax = buffer_sizes(lay)
    return (np.zeros(n_num, np.float32), np.zeros(n_cat, np.int32), np.zeros(zs, np.float32),
            np.zeros(as_, np.float32), np.ones(as_, np.uint8), np.zeros(wmax, np.float32),
            np.zeros(wmax, np.float32), np.zeros(2 * wmax, np.float32), np.zeros(1, np.uint64))
