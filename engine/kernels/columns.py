"""Filling the design matrix: one pass per column, no temporaries (used by ``prep.DataInfo.transform``)."""
import numpy as np
from numba import njit

from .. import config


@njit(**config.JIT)
def standardize_into(out, b, x, impute, sub, mul):
    """``out[:, b] = (x - sub) * mul``, NaN (missing) replaced by ``impute`` first.

    The NumPy spelling makes three temporaries per column; on MNIST's 717 columns that was a third of a batch-256
    epoch's time outside the training kernels.
    """
    for i in range(x.shape[0]):
        v = x[i]
        if np.isnan(v):
            v = impute
        out[i, b] = (v - sub) * mul

