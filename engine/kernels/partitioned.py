"""One row per update on several threads that share each row: every thread owns a slice of every layer.

Hogwild! threads each train their own rows and all write every weight, so on a dense network their cores pass
the same cache lines back and forth and two threads run no faster than one. Here all threads step through the
same rows together and split the work of each row instead (model parallelism inside a row):

- hidden layer k: thread t owns units ``lo:hi`` (the columns of W[k], the biases and activations of those units)
  and computes only their pre-activations; it needs the whole previous layer, hence one barrier per layer;
- the output layer: thread t owns the rows of W[K] that belong to its units of layer K-1; each thread sums its
  rows' share of the output, a barrier, then every thread adds the shares in thread order (same result in every
  thread) and computes the output error itself;
- backward: the output layer's own rows give each thread the error of its own units of layer K-1 directly;
  for a hidden layer k >= 1 each thread sums its columns' share of the error sent to layer k-1 (and updates
  those columns), a barrier, then adds the shares of its own units of layer k-1.

Every weight is written by one thread only, so the result equals the serial kernel's up to the order of
floating-point sums, and is the same on every run with the same thread count. Each thread's weights live in
their own packed blocks (``engine/model/row_partition.py``), so no cache line is written by two threads.
Barriers per row: 2 K - 1 for K weight layers, plus one when the output bias needs the other threads' squared
gradients (ADADELTA) or max_w2 needs their column norms and no hidden barrier comes later.

``plan[k, t]`` = (W block offset, bias block offset, lo, hi, block columns), see ``P_*``. ``shared`` holds the
buffers threads read from each other: the hidden layers' activations ``a``, ``err[t, k]`` error shares,
``zpart[parity, t]`` output shares (double-buffered by row parity: with one hidden layer no barrier separates
one row's reads from the next row's writes), ``gpart[t]`` squared-gradient and ``npart[t]`` column-norm shares
of the output layer. Each thread sums into private buffers and copies the result once: a cache line that two
threads keep writing inside a loop would bounce between the cores on every write.
"""
import math

import numpy as np
from numba import njit

from .. import config
from .backward import (backprop_rows, bias_update, input_updates, output_delta_units, propagate_error,
                       sparsity_pull, step_rate)
from .forward import activate_units, dense_rows, drop_range, input_rows
from .hyper import (DIVERGED, H_AVERAGE_ACTIVATION, H_MAX_W2, H_SAMPLES, H_SPARSITY_BETA, L_A_OFF, L_ACT,
                    L_CHANNELS, L_FAN_IN, L_UNITS, L_Z_OFF, O_ADAPTIVE, O_FAST_MODE, O_SEED, OK, RECTIFIER)
from .rng import seed_stream
from .scratch import buffer_sizes
from .sync import barrier
from .updates import learning_rate

P_W_OFF = 0
P_B_OFF = 1
P_LO = 2
P_HI = 3
P_COLS = 4
P_NCOLS = 5
STOPPED = -1  # status of a thread that left because another one aborted


@njit(**config.JIT)
def column_norms(Wb, cols, out):
    """out[u] += squared norm of column u of a ``[rows, cols]`` block."""
    rows = Wb.shape[0] // cols
    for j in range(rows):
        for u in range(cols):
            x = Wb[j * cols + u]
            out[u] += x * x


@njit(**config.JIT)
def scale_columns(Wb, cols, sq_norms, max_w2):
    """Scale the columns whose squared norm exceeds max_w2 down to max_w2 (H2O's max_w2 rule)."""
    s = np.ones(cols, np.float32)
    any_big = False
    for u in range(cols):
        if sq_norms[u] > max_w2:
            s[u] = np.float32(math.sqrt(max_w2 / sq_norms[u]))
            any_big = True
    if any_big:
        rows = Wb.shape[0] // cols
        for j in range(rows):
            for u in range(cols):
                Wb[j * cols + u] *= s[u]


@njit(**config.JIT)
def finish_output(pnet, plan, hyp, opt, t, n_threads, gpart, npart, dout, K, fan):
    """After a barrier: thread 0 takes the ADADELTA output-bias step (all threads' squared gradients), every
    thread applies max_w2 to its rows of the output layer (all threads' column norms)."""
    PW, PB, PSw, PSb, avg_act = pnet
    widthK = dout.shape[0]
    woff, boff, lo, hi = plan[K, t, 0], plan[K, t, 1], plan[K, t, 2], plan[K, t, 3]
    if t == 0 and opt[O_ADAPTIVE] == 1:
        g2 = np.zeros(widthK, np.float32)
        for s in range(n_threads):
            g2 += gpart[s]
        bias_update(PB[boff:boff + widthK], PSb[0, boff:boff + widthK], PSb[1, boff:boff + widthK], dout, g2, fan,
                    hyp, opt, 0.0, 0.0)
    if hyp[H_MAX_W2] < 3.0e38:
        total = np.zeros(widthK, np.float64)
        for s in range(n_threads):
            total += npart[s]
        scale_columns(PW[woff:woff + (hi - lo) * widthK], widthK, total, hyp[H_MAX_W2])


@njit(**config.JIT)
def partitioned_rows(pnet, plan, cfg, data, rows, t, n_threads, shared, sync):
    """Thread ``t`` of ``n_threads``: train ``rows`` (all threads get the same rows) into the packed network.

    Returns (rows trained, status): ``OK``, ``DIVERGED`` (the output became NaN/Inf; every thread sees it at the
    same row) or ``STOPPED`` (another thread aborted).
    """
    PW, PB, PSw, PSb, avg_act = pnet
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    A, err, zpart, gpart, npart = shared
    K = lay.shape[0] - 1
    n_num = num.shape[1]
    widthK = lay[K, L_UNITS] * lay[K, L_CHANNELS]
    codeK = lay[K, L_ACT]
    aoK1 = lay[K - 1, L_A_OFF]
    adaptive = opt[O_ADAPTIVE] == 1
    fast = opt[O_FAST_MODE] == 1
    max_w2 = hyp[H_MAX_W2]
    beta = hyp[H_SPARSITY_BETA]
    seed = opt[O_SEED]
    base = hyp[H_SAMPLES]
    zs, as_, wmax = buffer_sizes(lay)
    xin = np.zeros(n_num, np.float32)
    cin = np.zeros(cat.shape[1], np.int32)
    zK = np.zeros(widthK, np.float32)
    aK = np.zeros(lay[K, L_UNITS], np.float32)
    d_cur = np.zeros(wmax, np.float32)
    d_next = np.zeros(wmax, np.float32)
    gsq = np.zeros(wmax, np.float32)
    ebuf = np.zeros(wmax, np.float32)
    norms = np.zeros(wmax, np.float64)
    dout = np.zeros(widthK, np.float32)
    rng = np.zeros(1, np.uint64)
    Z = np.zeros(zs, np.float32)  # private: only A crosses threads, and a line two threads write row after row
    M = np.ones(as_, np.uint8)    # (the boundary of two unit ranges, summed into 700 times) would bounce
    zp = np.zeros(widthK, np.float32)
    gK = np.zeros(widthK, np.float32)
    gen = 0
    count = 0
    late_barrier = K == 1 and (adaptive or max_w2 < 3.0e38)
    for pos in range(rows.shape[0]):
        r = rows[pos]
        weight = w[r]
        if not weight > 0.0:
            continue
        samples = base + pos
        seed_stream(rng, seed, np.int64(samples))
        # ---- forward: own units of every hidden layer
        for k in range(K):
            woff, boff, lo, hi, cols = plan[k, t, 0], plan[k, t, 1], plan[k, t, 2], plan[k, t, 3], plan[k, t, 4]
            ch = lay[k, L_CHANNELS]
            fan = lay[k, L_FAN_IN]
            zo = lay[k, L_Z_OFF]
            ao = lay[k, L_A_OFF]
            zz = Z[zo + lo * ch:zo + hi * ch]
            zz[:] = PB[boff:boff + cols]
            Wk = PW[woff:woff + fan * cols]
            if k == 0:
                input_rows(Wk, cols, num[r], cat[r], fan - n_num, drop[0], rng, xin, cin, zz)
            else:
                gen += 1
                if not barrier(sync, t, n_threads, gen):
                    return count, STOPPED
                dense_rows(Wk, cols, A[lay[k - 1, L_A_OFF]:lay[k - 1, L_A_OFF] + fan], zz)
            activate_units(zz, A[ao + lo:ao + hi], lay[k, L_ACT], 0.0)
            if drop[k + 1] > 0.0:
                units = lay[k, L_UNITS]
                drop_range(A[ao:ao + units], M[ao:ao + units], drop[k + 1], rng, lo, hi)
        # ---- output: this thread's rows' share, then every thread adds the shares in thread order
        woff, boff, lo, hi = plan[K, t, 0], plan[K, t, 1], plan[K, t, 2], plan[K, t, 3]
        parity = count % 2
        if t == 0:
            zp[:] = PB[boff:boff + widthK]
        else:
            zp[:] = 0.0
        WK = PW[woff:woff + (hi - lo) * widthK]
        dense_rows(WK, widthK, A[aoK1 + lo:aoK1 + hi], zp)
        zpart[parity, t, :] = zp
        gen += 1
        if not barrier(sync, t, n_threads, gen):
            return count, STOPPED
        zK[:] = zpart[parity, 0]
        for s in range(1, n_threads):
            zK += zpart[parity, s]
        activate_units(zK, aK, codeK, off[r])
        if not output_delta_units(codeK, hyp, opt, num[r], cat[r], y[r], weight, zK, aK, d_cur):
            return count, DIVERGED
        count += 1
        # ---- backward: output layer, own rows (their errors are this thread's units of layer K-1)
        m = step_rate(hyp, opt, samples)
        rate = 0.0 if adaptive else learning_rate(hyp, K, samples) * (1.0 - m)
        gK[:] = 0.0
        backprop_rows(WK, PSw[0, woff:woff + (hi - lo) * widthK], PSw[1, woff:woff + (hi - lo) * widthK], widthK,
                      d_cur[:widthK], A[aoK1 + lo:aoK1 + hi], 0, hi - lo, lay[K - 1, L_ACT] == RECTIFIER, fast,
                      hyp, opt, rate, m, gK, ebuf)
        for j in range(lo, hi):
            propagate_error(lay, K, Z, A, M, drop[K], d_next, j, ebuf[j - lo])
        gpart[t, :] = gK
        if max_w2 < 3.0e38:
            npart[t, :] = 0.0
            column_norms(WK, widthK, npart[t])
        if t == 0 and not adaptive:
            PB_K = PB[boff:boff + widthK]
            bias_update(PB_K, PSb[0, boff:boff + widthK], PSb[1, boff:boff + widthK], d_cur[:widthK], gK, 1, hyp,
                        opt, rate, m)
        out_pending = adaptive or max_w2 < 3.0e38
        dout[:] = d_cur[:widthK]
        d_cur, d_next = d_next, d_cur
        # ---- backward: hidden layers, own columns
        for k in range(K - 1, -1, -1):
            woff, boff, lo, hi, cols = plan[k, t, 0], plan[k, t, 1], plan[k, t, 2], plan[k, t, 3], plan[k, t, 4]
            ch = lay[k, L_CHANNELS]
            fan = lay[k, L_FAN_IN]
            rate = 0.0 if adaptive else learning_rate(hyp, k, samples) * (1.0 - m)
            delta = d_cur[lo * ch:hi * ch]
            g2 = gsq[:cols]
            g2[:] = 0.0
            Wk = PW[woff:woff + fan * cols]
            S0 = PSw[0, woff:woff + fan * cols]
            S1 = PSw[1, woff:woff + fan * cols]
            if k > 0:
                ap = lay[k - 1, L_A_OFF]
                backprop_rows(Wk, S0, S1, cols, delta, A[ap:ap + fan], 0, fan, lay[k - 1, L_ACT] == RECTIFIER, fast,
                              hyp, opt, rate, m, g2, err[t, k])
            else:
                input_updates(Wk, S0, S1, cols, delta, cin, xin, fan - n_num, fast, hyp, opt, rate, m, g2)
            if beta > 0.0 and ch == 1:
                ao = lay[k, L_A_OFF]
                sparsity_pull(delta, avg_act[ao + lo:ao + hi], A[ao + lo:ao + hi], beta, hyp[H_AVERAGE_ACTIVATION])
            bias_update(PB[boff:boff + cols], PSb[0, boff:boff + cols], PSb[1, boff:boff + cols], delta, g2, fan, hyp,
                        opt, rate, m)
            if max_w2 < 3.0e38:
                norms[:cols] = 0.0
                column_norms(Wk, cols, norms[:cols])
                scale_columns(Wk, cols, norms[:cols], max_w2)
            if k > 0:
                gen += 1
                if not barrier(sync, t, n_threads, gen):
                    return count, STOPPED
                lo1, hi1 = plan[k - 1, t, 2], plan[k - 1, t, 3]
                for j in range(lo1, hi1):
                    e = err[0, k, j]
                    for s in range(1, n_threads):
                        e += err[s, k, j]
                    propagate_error(lay, k, Z, A, M, drop[k], d_next, j, e)
                d_cur, d_next = d_next, d_cur
                if out_pending:
                    finish_output(pnet, plan, hyp, opt, t, n_threads, gpart, npart, dout, K, lay[K, L_FAN_IN])
                    out_pending = False
        if out_pending:
            if late_barrier:
                gen += 1
                if not barrier(sync, t, n_threads, gen):
                    return count, STOPPED
            finish_output(pnet, plan, hyp, opt, t, n_threads, gpart, npart, dout, K, lay[K, L_FAN_IN])
    return count, OK
