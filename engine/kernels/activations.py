"""Hidden-layer nonlinearities: each forward rule sits next to its derivative.

Derivatives take the pre-activation ``z`` and the activation ``a`` so each rule uses whichever is cheaper.
Maxout (two channels per unit, like H2O) is a per-layer reduction and lives in ``forward.py``; its derivative
routes the error to the winning channel only.
"""
import math

from numba import njit

from .. import config
from .hyper import EXPRECTIFIER, RECTIFIER, TANH


@njit(**config.JIT_INLINE)
def activate(z, code):
    """a = f(z) for Tanh, Rectifier, ExpRectifier (ELU, alpha 1), Linear; Maxout's channel max is taken before."""
    if code == RECTIFIER:
        return z if z > 0.0 else 0.0
    if code == TANH:
        return math.tanh(z)
    if code == EXPRECTIFIER:
        return z if z >= 0.0 else math.expm1(z)
    return z


@njit(**config.JIT_INLINE)
def derivative(z, a, code):
    """da/dz given both z and a = f(z). ELU uses exp(z) = a + 1 (H2O uses exp(a), an approximation)."""
    if code == RECTIFIER:
        return 1.0 if z > 0.0 else 0.0
    if code == TANH:
        return 1.0 - a * a
    if code == EXPRECTIFIER:
        return 1.0 if z >= 0.0 else a + 1.0
    return 1.0  # LINEAR, and Maxout's winning channel
