"""Update rules: learning-rate schedule, momentum ramp, ADADELTA, momentum / Nesterov, L1/L2, max_w2.

Each rule updates one contiguous weight row ``w[:]`` (the outgoing weights of one input of a layer, since
weights are input-major) with the gradient ``g[u] = a * delta[u] + l1 * sign(w[u]) + l2 * w[u]``; the loops are
plain and float32 so LLVM vectorizes them.

Where H2O's code and its documentation disagree we follow the documentation:
- the momentum really ramps from ``momentum_start`` to ``momentum_stable`` over ``momentum_ramp`` samples
  (H2O's training code evaluates the ramp at n = -1, so it never ramps);
- ``nesterov_accelerated_gradient`` is Nesterov's method (in the Bengio et al. 2013 form
  ``v' = m v - r g; w += -m v + (1 + m) v'``); H2O's code runs heavy-ball momentum under that name.
  Without Nesterov the classical heavy-ball rule ``v' = m v - r g; w += v'`` is used.
As in H2O the manual step is ``rate_t * (1 - m)`` with ``rate_t = rate * rate_decay**k / (1 + rate_annealing * n)``
for layer k (0 = input to first hidden).
"""
import math

import numpy as np
from numba import errors, njit, types
from numba.extending import overload

from .. import config
from .hyper import (H_EPSILON, H_L1, H_L2, H_MOMENTUM_RAMP, H_MOMENTUM_STABLE, H_MOMENTUM_START, H_RATE,
                    H_RATE_ANNEALING, H_RATE_DECAY, H_RHO, RULE_ADADELTA, RULE_ADADELTA_L1L2, RULE_MOMENTUM,
                    RULE_NESTEROV, RULE_PLAIN)


@njit(**config.JIT_INLINE)
def learning_rate(hyp, layer, samples):
    """Manual rate of ``layer`` after ``samples`` processed samples (annealing and per-layer decay)."""
    return hyp[H_RATE] * hyp[H_RATE_DECAY] ** layer / (1.0 + hyp[H_RATE_ANNEALING] * samples)


@njit(**config.JIT_INLINE)
def momentum_at(hyp, samples):
    """Linear ramp momentum_start -> momentum_stable over momentum_ramp samples, then stable."""
    ramp = hyp[H_MOMENTUM_RAMP]
    start = hyp[H_MOMENTUM_START]
    stable = hyp[H_MOMENTUM_STABLE]
    if ramp <= 0.0 or samples >= ramp:
        return stable
    return start + (stable - start) * samples / ramp


@njit(**config.JIT_INLINE)
def regularized(w, g, l1, l2):
    """g + l1 * sign(w) + l2 * w."""
    s = np.float32(w > 0) - np.float32(w < 0)
    return g + l1 * s + l2 * w


@njit(**config.JIT_INLINE)
def adadelta_step(w, eg2, edx2, u, g, rho, one_rho, eps):
    """ADADELTA step of weight ``u`` with gradient ``g`` (epsilon inside both roots, like H2O)."""
    e = rho * eg2[u] + one_rho * g * g
    eg2[u] = e
    dx = np.sqrt((edx2[u] + eps) / (e + eps)) * g
    edx2[u] = rho * edx2[u] + one_rho * dx * dx
    w[u] -= dx


@njit(**config.JIT_INLINE)
def adadelta_plain(w, eg2, edx2, a, delta, rho, eps):
    """ADADELTA on one row without l1/l2 and without squared-gradient sums: a caller whose gradients are
    ``a * delta`` adds ``delta**2 * sum(a**2)`` once for all its rows (``add_square_sums``), which saves a load, a
    store and a multiply-add per weight in the hottest loop."""
    a = np.float32(a)
    rho = np.float32(rho)
    one_rho = np.float32(1.0) - rho
    eps = np.float32(eps)
    for u in range(w.shape[0]):
        adadelta_step(w, eg2, edx2, u, a * delta[u], rho, one_rho, eps)


@njit(**config.JIT_INLINE)
def adadelta_sums(w, eg2, edx2, a, delta, rho, eps, gsq):
    """ADADELTA on one row without l1/l2; adds each g**2 to ``gsq`` (the bias rule's input)."""
    a = np.float32(a)
    rho = np.float32(rho)
    one_rho = np.float32(1.0) - rho
    eps = np.float32(eps)
    for u in range(w.shape[0]):
        g = a * delta[u]
        adadelta_step(w, eg2, edx2, u, g, rho, one_rho, eps)
        gsq[u] += g * g


@njit(**config.JIT_INLINE)
def adadelta_l1l2(w, eg2, edx2, a, delta, l1, l2, rho, eps, gsq):
    """ADADELTA on one row with l1/l2; adds each g**2 to ``gsq``."""
    a = np.float32(a)
    rho = np.float32(rho)
    one_rho = np.float32(1.0) - rho
    eps = np.float32(eps)
    l1 = np.float32(l1)
    l2 = np.float32(l2)
    for u in range(w.shape[0]):
        g = regularized(w[u], a * delta[u], l1, l2)
        adadelta_step(w, eg2, edx2, u, g, rho, one_rho, eps)
        gsq[u] += g * g


@njit(**config.JIT_INLINE)
def adadelta_row_then_forward(w, eg2, edx2, a, delta, rho, eps, z, x_next):
    """``adadelta_plain``, then ``z += x_next * w`` with the updated row: the next row's forward share of this
    weight row in the same pass (the loop is bound by the divide and square root, so the extra multiply-add and
    the loads of ``z`` ride along for free)."""
    a = np.float32(a)
    rho = np.float32(rho)
    one_rho = np.float32(1.0) - rho
    eps = np.float32(eps)
    x_next = np.float32(x_next)
    for u in range(w.shape[0]):
        adadelta_step(w, eg2, edx2, u, a * delta[u], rho, one_rho, eps)
        z[u] += x_next * w[u]


@njit(**config.JIT_INLINE)
def add_square_sums(gsq, delta, sum_a2):
    """gsq += delta**2 * sum(a**2): the squared gradients ``(a * delta)**2`` of many rows, summed in one pass."""
    s = np.float32(sum_a2)
    for u in range(gsq.shape[0]):
        gsq[u] += delta[u] * delta[u] * s


@njit(**config.JIT)
def adadelta_bias(b, eg2, edx2, delta, gsq_mean, l1, l2, rho, eps):
    """H2O's bias rule: the accumulators see the mean squared incoming-weight gradient, the step the bias'."""
    rho = np.float32(rho)
    one_rho = np.float32(1.0) - rho
    eps = np.float32(eps)
    for u in range(b.shape[0]):
        g = regularized(b[u], delta[u], np.float32(l1), np.float32(l2))
        g2 = gsq_mean[u]
        e = rho * eg2[u] + one_rho * g2
        eg2[u] = e
        r = np.sqrt((edx2[u] + eps) / (e + eps))
        edx2[u] = rho * edx2[u] + one_rho * r * r * g2
        b[u] -= r * g


@njit(**config.JIT_INLINE)
def heavy_ball_row(w, v, a, delta, l1, l2, r, m):
    """Manual step ``r`` with heavy-ball momentum ``m``: ``v' = m v - r g; w += v'`` (``v`` holds the velocity)."""
    a = np.float32(a)
    r = np.float32(r)
    m = np.float32(m)
    l1 = np.float32(l1)
    l2 = np.float32(l2)
    for u in range(w.shape[0]):
        g = regularized(w[u], a * delta[u], l1, l2)
        v_new = m * v[u] - r * g
        v[u] = v_new
        w[u] += v_new


@njit(**config.JIT_INLINE)
def nesterov_row(w, v, a, delta, l1, l2, r, m):
    """Manual step ``r`` with Nesterov momentum ``m`` (Bengio et al. 2013: ``v' = m v - r g; w += -m v + (1 + m)
    v'``)."""
    a = np.float32(a)
    r = np.float32(r)
    m = np.float32(m)
    l1 = np.float32(l1)
    l2 = np.float32(l2)
    one_m = np.float32(1.0) + m
    for u in range(w.shape[0]):
        g = regularized(w[u], a * delta[u], l1, l2)
        v_old = v[u]
        v_new = m * v_old - r * g
        v[u] = v_new
        w[u] += one_m * v_new - m * v_old


@njit(**config.JIT_INLINE)
def sgd_row(w, a, delta, l1, l2, r):
    """Plain manual step w -= r * g."""
    a = np.float32(a)
    r = np.float32(r)
    l1 = np.float32(l1)
    l2 = np.float32(l2)
    for u in range(w.shape[0]):
        w[u] -= r * regularized(w[u], a * delta[u], l1, l2)


def update_row(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
    """Apply update ``rule`` (``hyper.RULE_*``) to one weight row ``w`` with input activation ``x``; ``s0``/``s1``
    hold the rule's state (ADADELTA's accumulators, the momentum velocity), ``r``/``m`` the manual rate and
    momentum. ``sum_squares=False``: RULE_ADADELTA leaves the squared gradients to the caller (they factor, see
    ``adadelta_plain``); every other ADADELTA call adds them to ``gsq``.

    ``rule`` and ``sum_squares`` must be compile-time constants: the overload below picks the one loop they name,
    so no other rule's code is typed, lowered or optimized (compiled kernels exist per rule, ``rules.py``).
    """
    raise TypeError("update_row runs inside compiled kernels only")


@overload(update_row, inline="always", prefer_literal=True)
def _update_row_of_rule(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
    if not isinstance(rule, types.IntegerLiteral) or not isinstance(sum_squares, types.BooleanLiteral):
        raise errors.TypingError(f"update_row needs a constant rule and sum_squares, got {rule} and {sum_squares}")
    code = rule.literal_value
    if code == RULE_ADADELTA and not sum_squares.literal_value:
        def impl(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
            adadelta_plain(w, s0, s1, x, delta, hyp[H_RHO], hyp[H_EPSILON])
    elif code == RULE_ADADELTA:
        def impl(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
            adadelta_sums(w, s0, s1, x, delta, hyp[H_RHO], hyp[H_EPSILON], gsq)
    elif code == RULE_ADADELTA_L1L2:
        def impl(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
            adadelta_l1l2(w, s0, s1, x, delta, hyp[H_L1], hyp[H_L2], hyp[H_RHO], hyp[H_EPSILON], gsq)
    elif code == RULE_NESTEROV:
        def impl(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
            nesterov_row(w, s0, x, delta, hyp[H_L1], hyp[H_L2], r, m)
    elif code == RULE_MOMENTUM:
        def impl(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
            heavy_ball_row(w, s0, x, delta, hyp[H_L1], hyp[H_L2], r, m)
    elif code == RULE_PLAIN:
        def impl(w, s0, s1, x, delta, hyp, rule, r, m, gsq, sum_squares):
            sgd_row(w, x, delta, hyp[H_L1], hyp[H_L2], r)
    else:
        raise errors.TypingError(f"unknown update rule {code}")
    return impl


@njit(**config.JIT)
def max_w2_rescale(W, max_w2):
    """Scale each column (a unit's, or a maxout channel's, incoming weights) to squared norm <= max_w2."""
    n_in, n_out = W.shape
    s = np.zeros(n_out, dtype=np.float64)
    for j in range(n_in):
        for u in range(n_out):
            s[u] += W[j, u] * W[j, u]
    any_big = False
    for u in range(n_out):
        if s[u] > max_w2:
            s[u] = math.sqrt(max_w2 / s[u])
            any_big = True
        else:
            s[u] = 1.0
    if any_big:
        scale = s.astype(np.float32)
        for j in range(n_in):
            for u in range(n_out):
                W[j, u] *= scale[u]
