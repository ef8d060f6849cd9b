"""Forward pass of one row: sparse first layer, hidden layers with dropout, output layer.

Weights live in one flat float32 buffer; layer k occupies ``W[woff : woff + fan_in * width]`` as a row-major
``[fan_in, width]`` matrix (input-major), so one input's outgoing weights are one contiguous row. The first layer
visits only the active inputs: the row's one-hot slots (``cat``, -1 = none) and its non-zero numerics, so a
categorical column costs one row-add whatever its number of levels. Hidden layers skip zero activations too.

Dropout follows H2O (semantics doc 2.9): in training, inputs and hidden units are dropped (set to 0, no
rescaling); at test time hidden activations of a dropout layer are multiplied by ``1 - ratio``; inputs are never
rescaled. NaN/Inf numeric inputs count as missing, i.e. 0 in standardized space (H2O's scoring imputation).
"""
import math

import numpy as np
from numba import njit

from .. import config
from .activations import activate
from .hyper import (L_A_OFF, L_ACT, L_B_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_W_OFF, L_Z_OFF, LINEAR,
                    MAXOUT, SOFTMAX)
from .losses import softmax
from .rng import next_u01


@njit(**config.JIT_INLINE)
def axpy(z, x, row):
    """z += x * row (float32, vectorized)."""
    x = np.float32(x)
    for u in range(z.shape[0]):
        z[u] += x * row[u]


@njit(**config.JIT_INLINE)
def copy_bias(zz, B, boff):
    """zz[:] = B[boff:boff + len(zz)] as a loop: numba's array-to-array slice assignment compiles a broadcasting
    helper with its error messages (seconds of a cold start) for what is a plain copy."""
    for u in range(zz.shape[0]):
        zz[u] = B[boff + u]


@njit(**config.JIT)
def record_inputs(num_row, cat_row, ncs, p_in, rng, xin, cin):
    """The row's inputs after cleaning and input dropout: one-hot slots in ``cin`` (-1 = none), numerics in ``xin``
    (NaN/Inf -> 0). Draws the dropout of every input in order, so every caller consumes the row's random stream
    the same way. ``ncs`` = one-hot slots (the first layer's first rows)."""
    for c in range(cat_row.shape[0]):
        s = cat_row[c]
        if s >= ncs:
            s = -1
        if s >= 0 and p_in > 0.0 and next_u01(rng) < p_in:
            s = -1
        cin[c] = s
    for j in range(num_row.shape[0]):
        x = num_row[j]
        if not math.isfinite(x):
            x = 0.0
        if p_in > 0.0 and next_u01(rng) < p_in:
            x = 0.0
        xin[j] = x


@njit(**config.JIT)
def add_input_rows(Wk, width, xin, cin, ncs, zz, row_lo, row_hi):
    """zz += the active inputs' rows ``row_lo:row_hi`` of the first layer; ``Wk`` holds those rows only."""
    for c in range(cin.shape[0]):
        s = cin[c]
        if row_lo <= s < row_hi:
            b = s - row_lo
            axpy(zz, 1.0, Wk[b * width:(b + 1) * width])
    for j in range(xin.shape[0]):
        x = xin[j]
        r = ncs + j
        if x != 0.0 and row_lo <= r < row_hi:
            b = r - row_lo
            axpy(zz, x, Wk[b * width:(b + 1) * width])


@njit(**config.JIT_INLINE)
def input_rows(Wk, width, num_row, cat_row, ncs, p_in, rng, xin, cin, zz, row_lo, row_hi):
    """zz += the active inputs' rows ``row_lo:row_hi`` of the first layer (``Wk`` holds those rows only), after
    ``record_inputs`` filled xin/cin. Inlined: compiled on its own, this two-call wrapper took 0.2 s of a cold
    start (its own module, with both callees linked and optimized once more)."""
    record_inputs(num_row, cat_row, ncs, p_in, rng, xin, cin)
    add_input_rows(Wk, width, xin, cin, ncs, zz, row_lo, row_hi)


@njit(**config.JIT)
def dense_rows(Wk, width, a_prev, zz):
    """zz += a_prev @ Wk for a ``[fan_in, width]`` block (zero activations skipped; zz holds the bias)."""
    for j in range(a_prev.shape[0]):
        x = a_prev[j]
        if x != 0.0:
            axpy(zz, x, Wk[j * width:(j + 1) * width])


@njit(**config.JIT_INLINE)
def input_layer(W, B, lay, num_row, cat_row, p_in, rng, xin, cin, z):
    """Pre-activation of layer 0 from the active inputs; records the (post-dropout) inputs in xin/cin."""
    fan = lay[0, L_FAN_IN]
    width = lay[0, L_UNITS] * lay[0, L_CHANNELS]
    woff = lay[0, L_W_OFF]
    zz = z[lay[0, L_Z_OFF]:lay[0, L_Z_OFF] + width]
    copy_bias(zz, B, lay[0, L_B_OFF])
    input_rows(W[woff:woff + fan * width], width, num_row, cat_row, fan - num_row.shape[0], p_in, rng, xin, cin,
               zz, 0, fan)


@njit(**config.JIT_INLINE)
def dense_layer(W, B, lay, k, z, a):
    """Pre-activation of layer k >= 1 from the previous layer's activations (zero activations skipped)."""
    fan = lay[k, L_FAN_IN]
    width = lay[k, L_UNITS] * lay[k, L_CHANNELS]
    woff = lay[k, L_W_OFF]
    zz = z[lay[k, L_Z_OFF]:lay[k, L_Z_OFF] + width]
    copy_bias(zz, B, lay[k, L_B_OFF])
    dense_rows(W[woff:woff + fan * width], width, a[lay[k - 1, L_A_OFF]:lay[k - 1, L_A_OFF] + fan], zz)


@njit(**config.JIT)
def activate_units(zz, aa, code, offset):
    """aa = f(zz + offset on a linear output); Maxout takes the larger of each unit's two channels."""
    units = aa.shape[0]
    if code == SOFTMAX:
        softmax(zz, aa)
    elif code == MAXOUT:
        for u in range(units):
            aa[u] = max(zz[2 * u], zz[2 * u + 1])
    else:
        if code == LINEAR and offset != 0.0:
            for u in range(units):
                zz[u] += offset
        for u in range(units):
            aa[u] = activate(zz[u], code)


@njit(**config.JIT)
def drop_range(aa, mm, ratio, rng, lo, hi):
    """Draw a keep flag for every unit of the layer, apply those of units ``lo:hi``.

    Drawing all of them keeps the row's random stream in step for threads that each own a range of units.
    """
    for u in range(aa.shape[0]):
        keep = next_u01(rng) >= ratio
        if lo <= u < hi:
            mm[u] = 1 if keep else 0
            if not keep:
                aa[u] = 0.0


@njit(**config.JIT_INLINE)
def dropout_units(aa, mm, ratio, train, rng):
    """Training: drop each unit with probability ``ratio`` (kept ones not rescaled, ``mm`` = keep flags);
    inference: scale by ``1 - ratio``."""
    if ratio <= 0.0:
        return
    if train:
        drop_range(aa, mm, ratio, rng, 0, aa.shape[0])
    else:
        s = np.float32(1.0 - ratio)
        for u in range(aa.shape[0]):
            aa[u] *= s


@njit(**config.JIT_INLINE)
def activate_layer(lay, k, ratio, train, offset, rng, z, a, mask):
    """Activations of layer k of one row (flat scratch buffers), then its dropout."""
    units = lay[k, L_UNITS]
    ao = lay[k, L_A_OFF]
    zz = z[lay[k, L_Z_OFF]:lay[k, L_Z_OFF] + units * lay[k, L_CHANNELS]]
    code = lay[k, L_ACT]
    activate_units(zz, a[ao:ao + units], code, offset)
    if code != SOFTMAX:
        dropout_units(a[ao:ao + units], mask[ao:ao + units], ratio, train, rng)


@njit(**config.JIT_INLINE)
def forward_row(W, B, lay, drop, num_row, cat_row, offset, train, upto, rng, xin, cin, z, a, mask):
    """Forward one row through layers 0..upto (inclusive).

    ``drop[0]`` is the input dropout ratio, ``drop[k + 1]`` the dropout ratio of layer k's outputs (0 for the
    output layer). ``train`` switches between dropping units and test-time scaling.
    """
    p_in = drop[0] if train else 0.0
    input_layer(W, B, lay, num_row, cat_row, p_in, rng, xin, cin, z)
    n_layers = lay.shape[0]
    for k in range(upto + 1):
        if k > 0:
            dense_layer(W, B, lay, k, z, a)
        off = offset if k == n_layers - 1 else 0.0
        activate_layer(lay, k, drop[k + 1], train, off, rng, z, a, mask)

