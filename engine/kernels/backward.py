"""Backward pass of one row fused with the weight updates (H2O's per-row order, semantics doc 2.12).

Layers are processed from the output down. For each input row j of layer k the error sent to layer k-1 is read
from the *pre-update* weights, then that row is updated at once, so one row's update equals "compute every
gradient at the current weights, then step". With ``fast_mode`` (H2O's default) rows whose input activation is
exactly 0 are skipped (no L1/L2 or accumulator decay for them); inactive one-hot slots are always skipped, which
keeps the first layer's cost proportional to the active inputs.
"""
import math

import numpy as np
from numba import errors, njit, types
from numba.extending import overload

from .. import config
from .activations import derivative
from .hyper import (H_AVERAGE_ACTIVATION, H_EPSILON, H_L1, H_L2, H_MAX_W2, H_RHO, H_SPARSITY_BETA, L_A_OFF,
                    L_ACT, L_B_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_W_OFF, L_Z_OFF, MAXOUT, CROSSENTROPY,
                    O_FAST_MODE, QUADRATIC_SOFTMAX, RECTIFIER, RULE_ADADELTA, RULE_ADADELTA_L1L2, RULE_MOMENTUM,
                    RULE_NESTEROV, SPEC_AUTOENCODER, SPEC_LOSS, SPEC_MAX_W2, SPEC_SPARSITY)
from .forward import axpy
from .losses import linear_gradient, softmax_gradient
from .updates import (adadelta_bias, adadelta_plain, adadelta_row_then_forward, add_square_sums, learning_rate,
                      max_w2_rescale, momentum_at, update_row)


ONE = np.float32(1.0)  # a one-hot input's activation, typed like the numeric inputs: one update_row signature


@njit(**config.JIT_INLINE)
def all_finite(aa):
    for u in range(aa.shape[0]):
        if not math.isfinite(aa[u]):
            return False
    return True


def output_delta_units(code, hyp, spec, num_row, cat_row, y, weight, zz, aa, d):
    """d = weight * dE/dz of an output layer (activation ``code``) given its zz/aa; returns False when the output
    is not finite. ``spec`` (``hyper.spec_of``: the loss, plus SPEC_AUTOENCODER) must be a compile-time constant:
    only that loss's gradient compiles."""
    raise TypeError("output_delta_units runs inside compiled kernels only")


@overload(output_delta_units, prefer_literal=True)
def _output_delta_of_spec(code, hyp, spec, num_row, cat_row, y, weight, zz, aa, d):
    if not isinstance(spec, types.IntegerLiteral):
        raise errors.TypingError(f"output_delta_units needs a constant spec, got {spec}")
    loss = spec.literal_value & SPEC_LOSS  # a constant inside the implementations below
    if spec.literal_value & SPEC_AUTOENCODER:
        def impl(code, hyp, spec, num_row, cat_row, y, weight, zz, aa, d):
            if not all_finite(aa):
                return False
            n_num = num_row.shape[0]
            ncs = aa.shape[0] - n_num
            for u in range(ncs):
                d[u] = weight * linear_gradient(loss, 0.0, aa[u], hyp) * derivative(zz[u], aa[u], code)
            for c in range(cat_row.shape[0]):
                s = cat_row[c]
                if 0 <= s < ncs:
                    d[s] = weight * linear_gradient(loss, 1.0, aa[s], hyp) * derivative(zz[s], aa[s], code)
            for j in range(n_num):
                x = num_row[j]
                if not math.isfinite(x):
                    x = 0.0
                u = ncs + j
                d[u] = weight * linear_gradient(loss, x, aa[u], hyp) * derivative(zz[u], aa[u], code)
            return True
    elif loss in (CROSSENTROPY, QUADRATIC_SOFTMAX):
        def impl(code, hyp, spec, num_row, cat_row, y, weight, zz, aa, d):
            if not all_finite(aa):
                return False
            softmax_gradient(loss, aa, int(y), weight, d)
            return True
    else:
        def impl(code, hyp, spec, num_row, cat_row, y, weight, zz, aa, d):
            if not all_finite(aa):
                return False
            d[0] = weight * linear_gradient(loss, y, aa[0], hyp)
            return True
    return impl


@njit(**config.JIT_INLINE)
def output_delta(lay, hyp, spec, num_row, cat_row, y, weight, z, a, d):
    """Output delta of one row from the flat scratch buffers."""
    K = lay.shape[0] - 1
    units = lay[K, L_UNITS]
    zz = z[lay[K, L_Z_OFF]:lay[K, L_Z_OFF] + units]
    aa = a[lay[K, L_A_OFF]:lay[K, L_A_OFF] + units]
    return output_delta_units(lay[K, L_ACT], hyp, spec, num_row, cat_row, y, weight, zz, aa, d)


@njit(**config.JIT)
def hidden_delta(code, e, zz, aa, mm, has_dropout, d_prev):
    """dE/dz of hidden units from their output errors e (Maxout: the winning channel only; dropped: 0).

    Non-Maxout units go in one branch-free pass over contiguous slices, so LLVM vectorizes it and the loads of cache
    lines that the big weight streams evicted overlap (per-unit calls waited for each line: 4 us of a 65 us
    MNIST row in the shared-row kernel).
    """
    if code == MAXOUT:
        for j in range(e.shape[0]):
            kept = (not has_dropout) or mm[j] == 1
            win = 0 if zz[2 * j] >= zz[2 * j + 1] else 1
            d_prev[2 * j + win] = e[j] if kept else 0.0
            d_prev[2 * j + 1 - win] = 0.0
        return
    for j in range(e.shape[0]):
        v = e[j] * np.float32(derivative(zz[j], aa[j], code))
        if has_dropout and mm[j] != 1:
            v = np.float32(0.0)
        d_prev[j] = v


@njit(**config.JIT_INLINE)
def input_square_sum(cin, xin, ncs, row_lo, row_hi):
    """Sum of the squared active inputs among rows ``row_lo:row_hi`` of the first layer (a one-hot slot counts 1)."""
    s = np.float32(0.0)
    for c in range(cin.shape[0]):
        if row_lo <= cin[c] < row_hi:
            s += np.float32(1.0)
    for j in range(xin.shape[0]):
        if row_lo <= ncs + j < row_hi:
            s += xin[j] * xin[j]
    return s


@njit(**config.JIT_INLINE)
def propagate_errors(lay, k, z, a, mask, drop_prev, d_prev, e, lo):
    """d_prev[j] = dE/dz of units ``j = lo .. lo + len(e) - 1`` of layer k-1 from their output errors
    ``e[j - lo]`` (``hidden_delta`` on those units' slices of the row's scratch buffers)."""
    ch = 2 if lay[k - 1, L_ACT] == MAXOUT else 1
    zo = lay[k - 1, L_Z_OFF] + ch * lo
    ao = lay[k - 1, L_A_OFF] + lo
    n = e.shape[0]
    hidden_delta(lay[k - 1, L_ACT], e, z[zo:zo + ch * n], a[ao:ao + n], mask[ao:ao + n], drop_prev > 0.0,
                 d_prev[ch * lo:ch * (lo + n)])


@njit(**config.JIT)
def backprop_rows(Wk, S0, S1, width, delta, a_prev, j_lo, j_hi, relu_below, fast, hyp, rule, r, m, g2, err):
    """Rows ``j_lo:j_hi`` of a ``[fan_in, width]`` block: ``err[j] = W[j] . delta`` at the pre-update weights,
    then row j takes its update (fused, one pass over W); ``g2`` += the updated rows' squared gradients. A
    Rectifier input at 0 (inactive or dropped) has derivative 0, so its error is 0 exactly and the dot product is
    skipped (the row kernel is memory-bound)."""
    sx2 = np.float32(0.0)
    for j in range(j_lo, j_hi):
        lo = j * width
        w = Wk[lo:lo + width]
        x = a_prev[j]
        if relu_below and x == 0.0:
            err[j] = 0.0
            if fast:
                continue
        else:
            e = np.float32(0.0)
            for u in range(width):
                e += w[u] * delta[u]
            err[j] = e
        if x != 0.0 or not fast:
            update_row(w, S0[lo:lo + width], S1[lo:lo + width], x, delta, hyp, rule, r, m, g2, False)
            sx2 += x * x
    if rule == RULE_ADADELTA:
        add_square_sums(g2, delta, sx2)


@njit(**config.JIT)
def input_updates(Wk, S0, S1, width, delta, cin, xin, ncs, fast, hyp, rule, r, m, g2, row_lo, row_hi):
    """Update the active inputs' rows ``row_lo:row_hi`` (one-hot slots ``cin``, numerics ``xin``) of the first
    layer; ``Wk``, ``S0``, ``S1`` hold those rows only. ``g2`` += their squared gradients.

    One-hot slots first, then numerics, through one ``update_row`` call site: the rule's row update is inlined
    where it is called, and a second site doubled this kernel's compile time (cold start, issue 20)."""
    nc = cin.shape[0]
    for i in range(nc + xin.shape[0]):
        if i < nc:
            row = np.int64(cin[i])
            x = ONE
            active = row_lo <= row < row_hi
        else:
            row = ncs + (i - nc)
            x = xin[i - nc]
            active = (x != 0.0 or not fast) and row_lo <= row < row_hi
        if active:
            lo = (row - row_lo) * width
            update_row(Wk[lo:lo + width], S0[lo:lo + width], S1[lo:lo + width], x, delta, hyp, rule, r, m, g2,
                       False)
    if rule == RULE_ADADELTA:
        add_square_sums(g2, delta, input_square_sum(cin, xin, ncs, row_lo, row_hi))


@njit(**config.JIT)
def input_updates_then_forward(Wk, S0, S1, width, delta, cin, xin, ncs, fast, hyp, cin2, xin2, z2, row_lo, row_hi):
    """``input_updates`` for ADADELTA without l1/l2 (RULE_ADADELTA) fused with the next row's forward share:
    ``z2 += `` the next row's active inputs (``cin2``/``xin2``) times their rows ``row_lo:row_hi`` *after* this
    row's update, which is what the forward of the next row reads. Saves a pass over the first layer's weights
    per row. The caller adds the squared gradients (``add_square_sums``) and the next row's bias."""
    rho = hyp[H_RHO]
    eps = hyp[H_EPSILON]
    for j in range(xin.shape[0]):
        rr = ncs + j
        if not row_lo <= rr < row_hi:
            continue
        x = xin[j]
        x2 = xin2[j]
        lo = (rr - row_lo) * width
        w = Wk[lo:lo + width]
        if x != 0.0 or not fast:
            adadelta_row_then_forward(w, S0[lo:lo + width], S1[lo:lo + width], x, delta, rho, eps, z2, x2)
        elif x2 != 0.0:
            axpy(z2, x2, w)
    for c in range(cin.shape[0]):  # one-hot rows: all updates first (a slot can be active in both rows)
        s = cin[c]
        if row_lo <= s < row_hi:
            lo = (s - row_lo) * width
            adadelta_plain(Wk[lo:lo + width], S0[lo:lo + width], S1[lo:lo + width], 1.0, delta, rho, eps)
    for c in range(cin2.shape[0]):
        s = cin2[c]
        if row_lo <= s < row_hi:
            lo = (s - row_lo) * width
            axpy(z2, 1.0, Wk[lo:lo + width])


def max_w2_step(W2d, max_w2, spec):
    """``max_w2_rescale`` when the constant ``spec`` has SPEC_MAX_W2; without it the call compiles to nothing."""
    raise TypeError("max_w2_step runs inside compiled kernels only")


@overload(max_w2_step, inline="always", prefer_literal=True)
def _max_w2_step_of_spec(W2d, max_w2, spec):
    if spec.literal_value & SPEC_MAX_W2:
        def impl(W2d, max_w2, spec):
            max_w2_rescale(W2d, max_w2)
    else:
        def impl(W2d, max_w2, spec):
            pass
    return impl


def sparsity_step(delta, avg_act, a_k, beta, target, spec):
    """``sparsity_pull`` when the constant ``spec`` has SPEC_SPARSITY; without it the call compiles to nothing."""
    raise TypeError("sparsity_step runs inside compiled kernels only")


@overload(sparsity_step, inline="always", prefer_literal=True)
def _sparsity_step_of_spec(delta, avg_act, a_k, beta, target, spec):
    if spec.literal_value & SPEC_SPARSITY:
        def impl(delta, avg_act, a_k, beta, target, spec):
            sparsity_pull(delta, avg_act, a_k, beta, target)
    else:
        def impl(delta, avg_act, a_k, beta, target, spec):
            pass
    return impl


@njit(**config.JIT)
def sparsity_pull(delta, avg_act, a_k, beta, target):
    """Sparse autoencoder: a running mean activation per hidden unit pulls that unit's bias toward ``target``."""
    for u in range(delta.shape[0]):
        avg = 0.999 * avg_act[u] + 0.001 * a_k[u]
        avg_act[u] = avg
        delta[u] += beta * (avg - target)


def bias_update(b, Sb0, Sb1, delta, g2, fan, hyp, rule, r, m):
    """Bias step of update ``rule`` (a compile-time constant, see ``updates.update_row``); ADADELTA's uses the mean
    squared incoming-weight gradient ``g2 / fan`` (H2O's rule)."""
    raise TypeError("bias_update runs inside compiled kernels only")


@overload(bias_update, prefer_literal=True)
def _bias_update_of_rule(b, Sb0, Sb1, delta, g2, fan, hyp, rule, r, m):
    if rule.literal_value in (RULE_ADADELTA, RULE_ADADELTA_L1L2):
        def impl(b, Sb0, Sb1, delta, g2, fan, hyp, rule, r, m):
            inv = np.float32(1.0 / fan)
            for u in range(g2.shape[0]):
                g2[u] *= inv
            adadelta_bias(b, Sb0, Sb1, delta, g2, hyp[H_L1], hyp[H_L2], hyp[H_RHO], hyp[H_EPSILON])
    else:
        def impl(b, Sb0, Sb1, delta, g2, fan, hyp, rule, r, m):
            update_row(b, Sb0, Sb1, ONE, delta, hyp, rule, r, m, g2, True)
    return impl


@njit(**config.JIT_INLINE)
def step_rate(hyp, rule, samples):
    """Momentum at ``samples`` (0 with ADADELTA or without momentum)."""
    m = 0.0
    if rule == RULE_MOMENTUM or rule == RULE_NESTEROV:
        m = momentum_at(hyp, samples)
    return m


@njit(**config.JIT_INLINE)
def backward_row(net, lay, drop, hyp, opt, rule, spec, num_row, cat_row, y, weight, samples, xin, cin, z, a, mask,
                 d_cur, d_prev, work):
    """Backpropagate one row and update all weights in place; returns False if the output diverged.

    ``work`` (2 x the widest layer) holds the squared-gradient sums of a layer and the errors sent below it.
    """
    W, B, S_w, S_b, avg_act = net
    half = work.shape[0] // 2
    gsq, err = work[:half], work[half:]
    K = lay.shape[0] - 1
    if not output_delta(lay, hyp, spec, num_row, cat_row, y, weight, z, a, d_cur):
        return False
    adaptive = rule == RULE_ADADELTA or rule == RULE_ADADELTA_L1L2
    fast = opt[O_FAST_MODE] == 1
    m = step_rate(hyp, rule, samples)
    beta = hyp[H_SPARSITY_BETA]
    cap = hyp[H_MAX_W2]
    for k in range(K, -1, -1):
        fan = lay[k, L_FAN_IN]
        width = lay[k, L_UNITS] * lay[k, L_CHANNELS]
        woff = lay[k, L_W_OFF]
        boff = lay[k, L_B_OFF]
        delta = d_cur[:width]
        r = 0.0 if adaptive else learning_rate(hyp, k, samples) * (1.0 - m)
        g2 = gsq[:width]
        g2[:] = 0.0
        Wk = W[woff:woff + fan * width]
        S0 = S_w[0, woff:woff + fan * width]
        S1 = S_w[1, woff:woff + fan * width]
        if k > 0:
            ao = lay[k - 1, L_A_OFF]
            backprop_rows(Wk, S0, S1, width, delta, a[ao:ao + fan], 0, fan, lay[k - 1, L_ACT] == RECTIFIER, fast,
                          hyp, rule, r, m, g2, err)
            propagate_errors(lay, k, z, a, mask, drop[k], d_prev, err[:fan], 0)
        else:
            input_updates(Wk, S0, S1, width, delta, cin, xin, fan - num_row.shape[0], fast, hyp, rule, r, m, g2, 0,
                          fan)
        if beta > 0.0 and k < K and lay[k, L_CHANNELS] == 1:
            ao = lay[k, L_A_OFF]
            sparsity_step(delta, avg_act[ao:ao + width], a[ao:ao + width], beta, hyp[H_AVERAGE_ACTIVATION], spec)
        bias_update(B[boff:boff + width], S_b[0, boff:boff + width], S_b[1, boff:boff + width], delta, g2, fan,
                    hyp, rule, r, m)
        if cap < 3.0e38:
            max_w2_step(Wk.reshape((fan, width)), cap, spec)
        d_cur, d_prev = d_prev, d_cur
    return True
