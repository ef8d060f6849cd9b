"""Per-row losses E and their output gradients dE/dz, each pair side by side.

Conventions (one row, before the observation weight): squared error is ``(f - y)**2`` (no 1/2, like H2O, whose
Linear layer uses ``-2 * negHalfGradient``), cross-entropy is ``-log p_t``. For poisson, gamma and tweedie ``f``
is the log-link output. Huber uses ``delta`` in the (standardized) output units (H2O trains with delta = 1).
Softmax + Quadratic uses the full softmax Jacobian (H2O keeps only its diagonal, which is not the gradient).
"""
import math

from numba import njit

from .. import config
from .hyper import (CROSSENTROPY, GAMMA, GAUSSIAN, H_HUBER_DELTA, H_QUANTILE_ALPHA, H_TWEEDIE_POWER, HUBER,
                    LAPLACE, POISSON, QUANTILE, TWEEDIE)


@njit(**config.JIT)
def linear_loss(code, y, f, hyp):
    """E(y, f) for one linear output."""
    r = f - y
    if code == GAUSSIAN:
        return r * r
    if code == LAPLACE:
        return abs(r)
    if code == QUANTILE:
        alpha = hyp[H_QUANTILE_ALPHA]
        return alpha * (y - f) if y > f else (1.0 - alpha) * (f - y)
    if code == HUBER:
        d = hyp[H_HUBER_DELTA]
        return r * r if abs(r) <= d else 2.0 * d * abs(r) - d * d
    if code == POISSON:
        return 2.0 * (math.exp(f) - y * f)
    if code == GAMMA:
        return 2.0 * (y * math.exp(-f) + f)
    if code == TWEEDIE:
        p = hyp[H_TWEEDIE_POWER]
        return 2.0 * (-y * math.exp(f * (1.0 - p)) / (1.0 - p) + math.exp(f * (2.0 - p)) / (2.0 - p))
    return r * r


@njit(**config.JIT_INLINE)
def linear_gradient(code, y, f, hyp):
    """dE/df for one linear output (the distribution's ``-2 * negHalfGradient``)."""
    r = f - y
    if code == GAUSSIAN:
        return 2.0 * r
    if code == LAPLACE:
        return 1.0 if f > y else -1.0
    if code == QUANTILE:
        alpha = hyp[H_QUANTILE_ALPHA]
        return -alpha if y > f else 1.0 - alpha
    if code == HUBER:
        d = hyp[H_HUBER_DELTA]
        if abs(r) <= d:
            return 2.0 * r
        return 2.0 * d if r > 0 else -2.0 * d
    if code == POISSON:
        return 2.0 * (math.exp(f) - y)
    if code == GAMMA:
        return 2.0 * (1.0 - y * math.exp(-f))
    if code == TWEEDIE:
        p = hyp[H_TWEEDIE_POWER]
        return 2.0 * (math.exp(f * (2.0 - p)) - y * math.exp(f * (1.0 - p)))
    return 2.0 * r


@njit(**config.JIT)
def softmax(z, p):
    """p = softmax(z) with max subtraction (z and p may be the same array)."""
    m = z[0]
    for i in range(1, z.shape[0]):
        if z[i] > m:
            m = z[i]
    s = 0.0
    for i in range(z.shape[0]):
        e = math.exp(z[i] - m)
        p[i] = e
        s += e
    for i in range(z.shape[0]):
        p[i] = p[i] / s


@njit(**config.JIT)
def softmax_loss(code, p, target):
    """E for a softmax output with class index ``target``."""
    if code == CROSSENTROPY:
        return -math.log(max(p[target], 1e-15))
    s = 0.0
    for i in range(p.shape[0]):
        t = 1.0 if i == target else 0.0
        s += (p[i] - t) ** 2
    return s


@njit(**config.JIT)
def softmax_gradient(code, p, target, scale, g):
    """g = scale * dE/dz for a softmax output (z = pre-activation)."""
    if code == CROSSENTROPY:
        for i in range(p.shape[0]):
            t = 1.0 if i == target else 0.0
            g[i] = scale * (p[i] - t)
        return
    dot = 0.0
    for i in range(p.shape[0]):
        t = 1.0 if i == target else 0.0
        dot += (p[i] - t) * p[i]
    for i in range(p.shape[0]):
        t = 1.0 if i == target else 0.0
        g[i] = scale * 2.0 * p[i] * ((p[i] - t) - dot)
