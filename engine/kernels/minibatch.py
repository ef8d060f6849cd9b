"""Mini-batch training (``mini_batch_size > 1``): real matrix products, one update per batch.

H2O accepts ``mini_batch_size`` but silently trains one row per update; here a batch of B rows is forwarded and
backpropagated with float32 matrix products (numba ``np.dot`` -> BLAS sgemm), the gradient is the weighted
*mean* over the batch (H2O's mini-batch plumbing also divides by the batch size), and the configured optimizer
(ADADELTA, or manual rate / momentum / Nesterov, with L1/L2 and max_w2) makes one step per batch.

Threads (data parallel, two parallel regions per batch): the batch is split into one contiguous part per thread;
each part runs its forward and backward pass with single-threaded BLAS calls into its own gradient buffer
(``_batch_part``); then the weight rows are split into one chunk per thread, each chunk sums the parts'
gradients and applies the update. Few synchronisation points matter on a busy machine: a parallel region waits
for its slowest thread, and the earlier design (a BLAS call and a ``prange`` per layer, about 12 regions per
batch) ran 10x slower than one thread when the cores were shared. The caller keeps BLAS single-threaded while
the parallel variant runs (``optimizer.train_rows``, which uses it for every thread count: one thread is one part
and one chunk, the serial variant's math). The serial variant is one part and one chunk (bit-identical runs); it
serves ``optimizer.MINIBATCH_DATA_PARALLEL = False`` (the threads go to BLAS instead).

The first layer stays sparse: numeric inputs take one product ``X.T @ D``; one-hot slots are accumulated only
for the slots active in the batch, so gradient buffers never hold the one-hot rows. Sparse autoencoder
(``sparsity_beta``): each row of the batch (in batch order, rows of weight 0 skipped) moves a hidden unit's running
mean activation as in the row kernel, and the bias gradient of the batch gains the mean of the rows' pulls
``sparsity_beta * (running mean after the row - average_activation)`` (``_sparsity_pull``): with one row per
batch this is exactly the row kernel's term. Difference from the row kernel, by design: ``fast_mode`` skips a
weight row when its batch gradient is exactly zero.
"""
import types

import numpy as np
from numba import njit, prange
from numba.core.cpu_options import ParallelOptions

from .. import config
from .backward import hidden_delta, output_delta_units
from .forward import activate_units, dropout_units
from .hyper import (DIVERGED, H_AVERAGE_ACTIVATION, H_EPSILON, H_L1, H_L2, H_MAX_W2, H_RHO, H_SAMPLES,
                    H_SPARSITY_BETA, L_A_OFF, L_ACT, L_B_OFF, L_CHANNELS, L_FAN_IN, L_UNITS, L_W_OFF, L_Z_OFF,
                    O_FAST_MODE, O_SEED, OK, RULE_ADADELTA, RULE_ADADELTA_L1L2, RULE_MOMENTUM, RULE_NESTEROV,
                    SOFTMAX)
from .rng import next_u01, seed_stream
from .specialize import call_specialized
from .scratch import NO_SCALING, buffer_sizes, decode_row
from .updates import adadelta_bias, learning_rate, max_w2_rescale, momentum_at, update_row


@njit(**config.JIT)
def _width(lay, k):
    return lay[k, L_UNITS] * lay[k, L_CHANNELS]


@njit(**config.JIT)
def _rows(buf, stride, lo, hi, width):
    """Rows ``lo:hi`` of a per-row scratch buffer (row stride ``wmax``) as a contiguous ``[hi - lo, width]``
    matrix: each part owns ``buf[lo * wmax: hi * wmax]`` whatever the layer, so parts never overlap."""
    return buf[lo * stride:lo * stride + (hi - lo) * width].reshape((hi - lo, width))


@njit(**config.JIT)
def _gather_dropped(xr, scaling, cr, ncs, p_in, st, xb, cb):
    """One row's inputs with input dropout, drawn in the row kernel's order (categoricals, then numerics)."""
    for c in range(cr.shape[0]):
        s = cr[c]
        if s >= ncs:
            s = -1
        if s >= 0 and next_u01(st) < p_in:
            s = -1
        cb[c] = s
    decode_row(xr, scaling, xb)
    for j in range(xr.shape[0]):
        if next_u01(st) < p_in:
            xb[j] = np.float32(0.0)


@njit(**config.JIT)
def _batch_part(W, B, cfg, data, scaling, rows, start, bs, lo, hi, bufs, Gt, Gbt, spec):
    """Forward + backward of batch rows ``lo:hi`` into this part's gradients ``Gt`` (dense rows) and ``Gbt``.

    Returns (rows with weight > 0, finite). Activations, masks and deltas are written into the batch-wide
    buffers at rows ``lo:hi`` only, so parts never touch each other's rows.
    """
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    Zb, Ab, Mb, X, C, Da, Db, Eb, rng = bufs
    K = lay.shape[0] - 1
    p = num.shape[1]
    nc = cat.shape[1]
    ncs = lay[0, L_FAN_IN] - p
    g0 = ncs * _width(lay, 0)
    batch = X.shape[0]
    stride = Da.shape[0] // batch
    p_in = drop[0]
    samples = hyp[H_SAMPLES] + start
    n_pos = 0
    any_drop = False
    for k in range(drop.shape[0]):
        any_drop = any_drop or drop[k] > 0.0
    # ---- gather the rows (input dropout drawn per row from its (seed, sample) stream, like the row kernel)
    for b in range(lo, hi):
        r = rows[start + b]
        if any_drop:
            seed_stream(rng[b], opt[O_SEED], np.int64(samples + b))
        if p_in > 0.0:
            _gather_dropped(num[r], scaling, cat[r], ncs, p_in, rng[b], X[b], C[b])
        else:
            decode_row(num[r], scaling, X[b])
            for c in range(nc):
                s = cat[r, c]
                C[b, c] = s if s < ncs else -1
        if w[r] > 0.0:
            n_pos += 1
    # ---- forward
    for k in range(K + 1):
        fan = lay[k, L_FAN_IN]
        units = lay[k, L_UNITS]
        width = _width(lay, k)
        woff = lay[k, L_W_OFF]
        boff = lay[k, L_B_OFF]
        zo = batch * lay[k, L_Z_OFF]
        ao = batch * lay[k, L_A_OFF]
        Zk = Zb[zo:zo + bs * width].reshape((bs, width))[lo:hi]
        Ak = Ab[ao:ao + bs * units].reshape((bs, units))[lo:hi]
        Mk = Mb[ao:ao + bs * units].reshape((bs, units))[lo:hi]
        if k == 0:
            if p > 0:
                np.dot(X[lo:hi], W[woff + ncs * width:woff + fan * width].reshape((p, width)), Zk)
            else:
                Zk[:, :] = 0.0
        else:
            po = batch * lay[k - 1, L_A_OFF]
            np.dot(Ab[po:po + bs * fan].reshape((bs, fan))[lo:hi], W[woff:woff + fan * width].reshape((fan, width)),
                   Zk)
        code = lay[k, L_ACT]
        for i in range(hi - lo):
            zrow = Zk[i]
            for u in range(width):
                zrow[u] += B[boff + u]
            if k == 0:
                for c in range(nc):
                    s = C[lo + i, c]
                    if s >= 0:
                        sl = woff + s * width
                        for u in range(width):
                            zrow[u] += W[sl + u]
            o = off[rows[start + lo + i]] if k == K else 0.0
            activate_units(zrow, Ak[i], code, o)
            if k < K and code != SOFTMAX:
                dropout_units(Ak[i], Mk[i], drop[k + 1], True, rng[lo + i])
    # ---- output delta (weighted mean over the whole batch)
    width = _width(lay, K)
    units = lay[K, L_UNITS]
    ZK = Zb[batch * lay[K, L_Z_OFF]:batch * lay[K, L_Z_OFF] + bs * width].reshape((bs, width))
    AK = Ab[batch * lay[K, L_A_OFF]:batch * lay[K, L_A_OFF] + bs * units].reshape((bs, units))
    D = _rows(Da, stride, lo, hi, width)
    for b in range(lo, hi):
        r = rows[start + b]
        wt = w[r] if w[r] > 0.0 else 0.0
        if not output_delta_units(lay[K, L_ACT], hyp, spec, num[r], cat[r], y[r], wt / bs, ZK[b], AK[b],
                                  D[b - lo]):
            return n_pos, False
    # ---- backward: this part's gradients, output layer first
    cur_is_a = True
    for k in range(K, -1, -1):
        fan = lay[k, L_FAN_IN]
        width = _width(lay, k)
        woff = lay[k, L_W_OFF]
        boff = lay[k, L_B_OFF]
        D = _rows(Da if cur_is_a else Db, stride, lo, hi, width)
        gb = Gbt[boff:boff + width]
        gb[:] = 0.0
        for i in range(hi - lo):  # row by row: contiguous, vectorized
            di = D[i]
            for u in range(width):
                gb[u] += di[u]
        if k > 0:
            po = batch * lay[k - 1, L_A_OFF]
            Aprev = Ab[po:po + bs * fan].reshape((bs, fan))[lo:hi]
            np.dot(Aprev.T, D, Gt[woff - g0:woff - g0 + fan * width].reshape((fan, width)))
            E = _rows(Eb, stride, lo, hi, fan)
            np.dot(D, W[woff:woff + fan * width].reshape((fan, width)).T, E)  # error of layer k-1, pre-update W
            pw = fan * lay[k - 1, L_CHANNELS]
            pz = batch * lay[k - 1, L_Z_OFF]
            Zp = Zb[pz:pz + bs * pw].reshape((bs, pw))[lo:hi]
            Mp = Mb[po:po + bs * fan].reshape((bs, fan))[lo:hi]
            Dp = _rows(Db if cur_is_a else Da, stride, lo, hi, pw)
            pcode = lay[k - 1, L_ACT]
            has_drop = drop[k] > 0.0
            for i in range(hi - lo):
                hidden_delta(pcode, E[i], Zp[i], Aprev[i], Mp[i], has_drop, Dp[i])
        elif p > 0:
            np.dot(X[lo:hi].T, D, Gt[0:p * width].reshape((p, width)))
        cur_is_a = not cur_is_a
    return n_pos, True


@njit(**config.JIT)
def _sparsity_pull(Ab, lay, batch, bs, rows, start, w, avg_act, beta, target, Gb):
    """Sparse autoencoder bias pull for one batch, added to the bias gradient ``Gb`` (hidden layers, not Maxout).

    The running mean activation ``avg_act`` takes each row of weight > 0 in batch order
    (``avg <- 0.999 avg + 0.001 a``, the row kernel's rule); the gradient gains ``beta * mean(avg_r - target)``
    over the batch's ``bs`` rows (weight-0 rows contribute 0), the same mean the loss gradient takes."""
    K = lay.shape[0] - 1
    for k in range(K):
        if lay[k, L_CHANNELS] != 1:
            continue
        units = lay[k, L_UNITS]
        ao = lay[k, L_A_OFF]
        boff = lay[k, L_B_OFF]
        Ak = Ab[batch * ao:batch * ao + bs * units].reshape((bs, units))
        for u in range(units):
            avg = avg_act[ao + u]
            acc = 0.0
            for b in range(bs):
                if w[rows[start + b]] > 0.0:
                    avg = np.float32(0.999) * avg + np.float32(0.001) * Ak[b, u]
                    acc += avg - target
            avg_act[ao + u] = avg
            Gb[boff + u] += np.float32(beta * acc / bs)


@njit(**config.JIT)
def _update_plan(lay, p, n_chunks):
    """Dense weight rows (layer 0's numeric rows, then every row of the later layers) as (layer, row) pairs,
    split into ``n_chunks`` contiguous chunks of about equal element counts."""
    K = lay.shape[0] - 1
    R = p
    for k in range(1, K + 1):
        R += lay[k, L_FAN_IN]
    row_k = np.zeros(R, np.int64)
    row_j = np.zeros(R, np.int64)
    total = 0
    i = 0
    for k in range(K + 1):
        first = lay[0, L_FAN_IN] - p if k == 0 else 0
        for j in range(first, lay[k, L_FAN_IN]):
            row_k[i] = k
            row_j[i] = j
            total += _width(lay, k)
            i += 1
    bounds = np.full(n_chunks + 1, R, np.int64)
    bounds[0] = 0
    acc = 0
    c = 1
    for i in range(R):
        acc += _width(lay, row_k[i])
        while c < n_chunks and acc * n_chunks >= c * total:
            bounds[c] = i + 1
            c += 1
    return row_k, row_j, bounds


@njit(**config.JIT)
def _update_chunk(W, S_w, lay, hyp, rule, Gw, parts, g0, row_k, row_j, first, last, rates, m, fast, g, g2):
    """Update dense weight rows ``first:last`` of the plan with the sum of the parts' gradients."""
    g2[:] = 0.0
    for i in range(first, last):
        k = row_k[i]
        width = _width(lay, k)
        lo = lay[k, L_W_OFF] + row_j[i] * width
        gi = lo - g0
        if parts == 1:  # the part's own buffer (no copy)
            gr = Gw[0, gi:gi + width]
        else:  # one pass per part: a loop over parts inside the unit loop does not vectorize (4x slower)
            gr = g[:width]
            g0r = Gw[0, gi:gi + width]
            g1r = Gw[1, gi:gi + width]
            for u in range(width):
                gr[u] = g0r[u] + g1r[u]
            for t in range(2, parts):
                gt = Gw[t, gi:gi + width]
                for u in range(width):
                    gr[u] += gt[u]
        if fast:
            nz = False
            for u in range(width):
                nz |= gr[u] != np.float32(0.0)  # no short-circuit: the loop stays vectorized
            if not nz:
                continue
        boff = lay[k, L_B_OFF]
        update_row(W[lo:lo + width], S_w[0, lo:lo + width], S_w[1, lo:lo + width], 1.0, gr, hyp, rule,
                   rates[k], m, g2[boff:boff + width], True)


def _minibatch_rows(net, cfg, data, scaling, rows, batch, n_threads, rule, spec):
    W, B, S_w, S_b, avg_act = net
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    n = rows.shape[0]
    K = lay.shape[0] - 1
    p = num.shape[1]
    nc = cat.shape[1]
    width0 = _width(lay, 0)
    ncs = lay[0, L_FAN_IN] - p
    g0 = ncs * width0
    n_parts = max(1, min(n_threads, batch))
    n_chunks = max(1, n_threads)
    adaptive = rule == RULE_ADADELTA or rule == RULE_ADADELTA_L1L2
    fast = opt[O_FAST_MODE] == 1
    zs, as_, wmax = buffer_sizes(lay)
    bufs = (np.zeros(batch * zs, np.float32), np.zeros(batch * as_, np.float32), np.ones(batch * as_, np.uint8),
            np.zeros((batch, p), np.float32), np.full((batch, max(nc, 1)), -1, np.int32),
            np.zeros(batch * wmax, np.float32), np.zeros(batch * wmax, np.float32),
            np.zeros(batch * wmax, np.float32), np.zeros((batch, 1), np.uint64))
    C = bufs[4]
    Gw = np.zeros((n_parts, max(W.shape[0] - g0, 1)), np.float32)
    Gb = np.zeros((n_parts, B.shape[0]), np.float32)
    n_pos = np.zeros(n_parts, np.int64)
    finite = np.ones(n_parts, np.bool_)
    row_k, row_j, bounds = _update_plan(lay, p, n_chunks)
    grow = np.zeros((n_chunks, wmax), np.float32)
    gsq2 = np.zeros((n_chunks, B.shape[0]), np.float32)
    rates = np.zeros(K + 1, np.float64)
    slot_pos = np.full(max(ncs, 1), -1, np.int64)
    touched = np.zeros(max(batch * nc, 1), np.int64)
    Gc = np.zeros((max(batch * nc, 1), width0), np.float32)
    gsq = np.zeros(wmax, np.float32)
    gb = np.zeros(wmax, np.float32)
    trained = 0
    status = OK
    for start in range(0, n, batch):
        bs = min(batch, n - start)
        samples = hyp[H_SAMPLES] + start
        parts = min(n_parts, bs)
        step = (bs + parts - 1) // parts
        # ---- region 1: each part's forward/backward into its own gradient buffers
        for t in prange(parts):
            n_pos[t], finite[t] = _batch_part(W, B, cfg, data, scaling, rows, start, bs, t * step,
                                              min(bs, (t + 1) * step), bufs, Gw[t], Gb[t], spec)
        ok = True
        for t in range(parts):
            trained += n_pos[t]
            ok = ok and finite[t]
        if not ok:
            status = DIVERGED
            break
        if hyp[H_SPARSITY_BETA] > 0.0:
            _sparsity_pull(bufs[1], lay, batch, bs, rows, start, w, avg_act, hyp[H_SPARSITY_BETA],
                           hyp[H_AVERAGE_ACTIVATION], Gb[0])
        m = 0.0
        if rule == RULE_MOMENTUM or rule == RULE_NESTEROV:
            m = momentum_at(hyp, samples)
        for k in range(K + 1):
            rates[k] = 0.0 if adaptive else learning_rate(hyp, k, samples) * (1.0 - m)
        # ---- region 2: sum the parts' gradients row by row and update the dense weight rows
        for ch in prange(n_chunks):
            _update_chunk(W, S_w, lay, hyp, rule, Gw, parts, g0, row_k, row_j, bounds[ch], bounds[ch + 1], rates, m,
                          fast, grow[ch], gsq2[ch])
        # ---- one-hot rows of layer 0: only the slots active in this batch (serial: at most batch * nc rows)
        if nc > 0:
            D0 = bufs[5] if K % 2 == 0 else bufs[6]  # layer 0's deltas, part t's rows at [lo_t * wmax, ...)
            g2 = gsq2[0, lay[0, L_B_OFF]:lay[0, L_B_OFF] + width0]
            nt = 0
            for b in range(bs):
                lo_t = (b // step) * step
                d0 = D0[lo_t * wmax + (b - lo_t) * width0:lo_t * wmax + (b - lo_t + 1) * width0]
                for c in range(nc):
                    s = C[b, c]
                    if s >= 0:
                        q = slot_pos[s]
                        if q < 0:
                            q = nt
                            slot_pos[s] = q
                            touched[q] = s
                            Gc[q, :] = 0.0
                            nt += 1
                        for u in range(width0):
                            Gc[q, u] += d0[u]
            woff = lay[0, L_W_OFF]
            for q in range(nt):
                lo = woff + touched[q] * width0
                update_row(W[lo:lo + width0], S_w[0, lo:lo + width0], S_w[1, lo:lo + width0], 1.0, Gc[q], hyp,
                           rule, rates[0], m, g2, True)
                slot_pos[touched[q]] = -1
        # ---- biases (H2O's ADADELTA bias rule sees the layer's mean squared weight gradient), max_w2
        for k in range(K + 1):
            fan = lay[k, L_FAN_IN]
            width = _width(lay, k)
            boff = lay[k, L_B_OFF]
            for u in range(width):
                s2 = np.float32(0.0)
                for c in range(n_chunks):
                    s2 += gsq2[c, boff + u]
                sb = np.float32(0.0)
                for t in range(parts):
                    sb += Gb[t, boff + u]
                gsq[u] = s2 / fan
                gb[u] = sb
            b_k = B[boff:boff + width]
            if adaptive:
                adadelta_bias(b_k, S_b[0, boff:boff + width], S_b[1, boff:boff + width], gb[:width], gsq[:width],
                              hyp[H_L1], hyp[H_L2], hyp[H_RHO], hyp[H_EPSILON])
            else:
                update_row(b_k, S_b[0, boff:boff + width], S_b[1, boff:boff + width], 1.0, gb[:width], hyp, rule,
                           rates[k], m, gsq, True)
            if hyp[H_MAX_W2] < 3.0e38:
                woff = lay[k, L_W_OFF]
                max_w2_rescale(W[woff:woff + fan * width].reshape((fan, width)), hyp[H_MAX_W2])
    return trained, status


def _named(fn, name):
    """A copy of ``fn`` under another name: numba's cache files are named after the function, and the serial and
    parallel compilations of one Python function would share (and load each other's machine code from) one."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name
    return copy


minibatch_rows_serial_of_rule = njit(**config.JIT)(_named(_minibatch_rows, "minibatch_rows_serial_of_rule"))
# The two ``prange`` loops become parallel regions; numba's other parallel rewrites (array expressions and
# allocations as gufuncs) only add compile time here (9.7 s against 14.9 s for this kernel, measured in one process
# with its callees compiled). Fusion stays on: without it the same kernel measured 130k instead of 189k samples/s
# (MNIST [200,200], batch 256, 2 threads).
# (an options object: numba pops the keys of a dict it is given, and the kernel's next signature compiled with all
# rewrites on)
PARALLEL_OPTIONS = ParallelOptions({"prange": True, "fusion": True, "numpy": False, "setitem": False,
                                    "reduction": False, "comprehension": False, "stencil": False,
                                    "inplace_binop": False})
minibatch_rows_parallel_of_rule = njit(parallel=PARALLEL_OPTIONS, **config.JIT)(
    _named(_minibatch_rows, "minibatch_rows_parallel_of_rule"))


def minibatch_rows_serial(net, cfg, data, rows, batch, n_threads, scaling=NO_SCALING):
    """One part and one chunk per batch, in order (bit-identical runs); returns ``(rows trained, status)``.
    ``scaling``: a compact design's ``prep.Design.num_scaling``, with ``data``'s uint8 codes."""
    return call_specialized(minibatch_rows_serial_of_rule, (net, cfg, data, scaling, rows, batch, n_threads), cfg)


def minibatch_rows_parallel(net, cfg, data, rows, batch, n_threads, scaling=NO_SCALING):
    """``n_threads`` parts and chunks per batch on numba's threads; same arguments and result as the serial one."""
    return call_specialized(minibatch_rows_parallel_of_rule, (net, cfg, data, scaling, rows, batch, n_threads), cfg)
