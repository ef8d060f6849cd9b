"""One row per update on several threads that share each row: every thread owns a slice of every layer.

Hogwild! threads each train their own rows and all write every weight, so on a dense network their cores pass
the same cache lines back and forth and two threads run no faster than one. Here all threads step through the
same rows together and split the work of each row instead (model parallelism inside a row):

- the first layer (most of the weights): thread t owns a range of its input rows, whole rows (long rows update
  faster than half rows). Each thread sums its rows' share of the pre-activations, a barrier, then every thread
  adds the shares in thread order and computes all of layer 0's activations itself;
- hidden layers k >= 1: thread t owns units ``lo:hi`` (the columns of W[k], their biases and activations); it needs
  the whole previous layer, hence a barrier before each of them but the first;
- the output layer: thread t owns the rows of W[K] that belong to its units of layer K-1; shares, a barrier, sum;
- backward: the output layer's own rows give each thread the error of its own units of layer K-1; a hidden
  layer k >= 1 gives the error shares of all units of layer k-1 (a barrier, then each thread adds the shares of
  the units it needs: its own, or all of layer 0's); the first layer's rows take the whole error of layer 0.
  Its bias belongs to thread 0: ADADELTA's bias rule needs the squared gradients of all its rows, which are
  ``delta**2 * sum(x**2)`` and thread 0 knows every input; only with l1/l2 (the sums no longer factor) or
  max_w2 (column norms over all rows) do the threads exchange shares, at one more barrier.

Every weight is written by one thread only, so the result equals the serial kernel's up to the order of
floating-point sums (with one thread the same arithmetic, equal to float32 rounding: the two compiled kernels may
contract a multiply-add differently), and is the same on every run with the same thread count.
Each thread's weights live in their own packed blocks (``engine/model/row_partition.py``), so no cache line is
written by two threads. Barriers per row: K (forward) + K - 1 (backward; one for the error exchange when K = 1)
+ 1 with max_w2, or ADADELTA with l1/l2.

``plan[k, t]`` = (W block offset, bias block offset, lo, hi, block columns), see ``P_*`` (lo:hi = input rows for
layer 0, units for hidden layers, rows for the output layer). ``shared`` holds what threads read from each
other, each written once per row from a private buffer (a cache line two threads keep writing inside a loop
would bounce between the cores): ``a`` own activations of hidden layers >= 1, ``err[t, k]`` error shares,
``zpart``/``z0part[parity, t]`` output and layer-0 shares (double-buffered by row parity: no barrier separates
one row's reads from the next row's writes), ``gpart``/``gpart0[t]`` squared-gradient and ``npart``/``npart0[t]``
column-norm shares of the output and first layers.
"""
import math

import numpy as np
from numba import njit

from .. import config
from .backward import (backprop_rows, bias_update, input_square_sum, input_updates, input_updates_then_forward,
                       output_delta_units, propagate_errors, sparsity_pull, step_rate)
from .forward import activate_units, dense_rows, drop_range, input_rows, record_inputs
from .hyper import (DIVERGED, H_AVERAGE_ACTIVATION, H_MAX_W2, H_SAMPLES, H_SPARSITY_BETA, L_A_OFF, L_ACT,
                    L_CHANNELS, L_FAN_IN, L_UNITS, L_Z_OFF, O_FAST_MODE, O_SEED, OK, RECTIFIER, RULE_ADADELTA,
                    RULE_ADADELTA_L1L2)
from .rng import seed_stream
from .specialize import call_specialized
from .scratch import buffer_sizes
from .sync import barrier
from .updates import add_square_sums, learning_rate

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
def finish_output(pnet, plan, hyp, rule, t, n_threads, gpart, npart, dout, K, fan):
    """After a barrier: thread 0 takes the ADADELTA output-bias step (all threads' squared gradients), every
    thread applies max_w2 to its rows of the output layer (all threads' column norms)."""
    PW, PB, PSw, PSb, avg_act = pnet
    widthK = dout.shape[0]
    woff, boff, lo, hi = plan[K, t, 0], plan[K, t, 1], plan[K, t, 2], plan[K, t, 3]
    if t == 0 and (rule == RULE_ADADELTA or rule == RULE_ADADELTA_L1L2):
        g2 = np.zeros(widthK, np.float32)
        for s in range(n_threads):
            g2 += gpart[s]
        bias_update(PB[boff:boff + widthK], PSb[0, boff:boff + widthK], PSb[1, boff:boff + widthK], dout, g2, fan,
                    hyp, rule, 0.0, 0.0)
    if hyp[H_MAX_W2] < 3.0e38:
        total = np.zeros(widthK, np.float64)
        for s in range(n_threads):
            total += npart[s]
        scale_columns(PW[woff:woff + (hi - lo) * widthK], widthK, total, hyp[H_MAX_W2])


@njit(**config.JIT)
def partitioned_rows_of_rule(pnet, plan, cfg, data, rows, t, n_threads, shared, sync, rule, spec):
    """``partitioned_rows`` for update ``rule`` and model ``spec`` (compile-time constants)."""
    PW, PB, PSw, PSb, avg_act = pnet
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    A, err, zpart, gpart, npart, z0part, gpart0, npart0 = shared
    K = lay.shape[0] - 1
    n_num = num.shape[1]
    widthK = lay[K, L_UNITS] * lay[K, L_CHANNELS]
    width0 = lay[0, L_UNITS] * lay[0, L_CHANNELS]
    units0 = lay[0, L_UNITS]
    fan0 = lay[0, L_FAN_IN]
    ncs = fan0 - n_num
    zo0, ao0 = lay[0, L_Z_OFF], lay[0, L_A_OFF]
    codeK = lay[K, L_ACT]
    aoK1 = lay[K - 1, L_A_OFF]
    adaptive = rule == RULE_ADADELTA or rule == RULE_ADADELTA_L1L2
    factored = rule == RULE_ADADELTA
    fast = opt[O_FAST_MODE] == 1
    max_w2 = hyp[H_MAX_W2]
    capped = max_w2 < 3.0e38
    beta = hyp[H_SPARSITY_BETA]
    seed = opt[O_SEED]
    base = hyp[H_SAMPLES]
    zs, as_, wmax = buffer_sizes(lay)
    xin = np.zeros(n_num, np.float32)
    cin = np.zeros(cat.shape[1], np.int32)
    xin2 = np.zeros(n_num, np.float32)  # the next row's inputs when its forward share rides on this row's update
    cin2 = np.zeros(cat.shape[1], np.int32)
    # ADADELTA without l1/l2, max_w2 or input dropout (H2O's defaults): the next row's first-layer share is summed
    # while this row updates those weights (``input_updates_then_forward``), one pass over them instead of two
    fuse = adaptive and factored and not capped and not drop[0] > 0.0
    Z = np.zeros(zs, np.float32)   # this thread's pre-activations, activations and masks: all of layer 0,
    Al = np.zeros(as_, np.float32)  # its own units of the other hidden layers
    M = np.ones(as_, np.uint8)
    zK = np.zeros(widthK, np.float32)
    aK = np.zeros(lay[K, L_UNITS], np.float32)
    zp = np.zeros(widthK, np.float32)
    gK = np.zeros(widthK, np.float32)
    dout = np.zeros(widthK, np.float32)
    zp0 = np.zeros(width0, np.float32)
    g0 = np.zeros(width0, np.float32)
    d_cur = np.zeros(wmax, np.float32)
    d_next = np.zeros(wmax, np.float32)
    gsq = np.zeros(wmax, np.float32)
    ebuf = np.zeros(wmax, np.float32)
    norms = np.zeros(wmax, np.float64)
    rng = np.zeros(1, np.uint64)
    w0, b0, rlo, rhi = plan[0, t, 0], plan[0, t, 1], plan[0, t, 2], plan[0, t, 3]
    W0 = PW[w0:w0 + (rhi - rlo) * width0]
    gen = 0
    count = 0
    ahead = False  # zp0 already holds this row's first-layer share (summed during the previous row's update)
    for pos in range(rows.shape[0]):
        r = rows[pos]
        weight = w[r]
        if not weight > 0.0:
            continue
        samples = base + pos
        seed_stream(rng, seed, np.int64(samples))
        parity = count % 2
        # ---- forward, layer 0: this thread's input rows' share, then all of layer 0 in every thread
        if ahead:
            xin, xin2 = xin2, xin
            cin, cin2 = cin2, cin
            if t == 0:
                zp0 += PB[b0:b0 + width0]
        else:
            if t == 0:
                zp0[:] = PB[b0:b0 + width0]
            else:
                zp0[:] = 0.0
            input_rows(W0, width0, num[r], cat[r], ncs, drop[0], rng, xin, cin, zp0, rlo, rhi)
        z0part[parity, t, :] = zp0
        gen += 1
        if not barrier(sync, t, n_threads, gen):
            return count, STOPPED
        z0 = Z[zo0:zo0 + width0]
        z0[:] = z0part[parity, 0]
        for s in range(1, n_threads):
            z0 += z0part[parity, s]
        activate_units(z0, Al[ao0:ao0 + units0], lay[0, L_ACT], 0.0)
        if drop[1] > 0.0:
            drop_range(Al[ao0:ao0 + units0], M[ao0:ao0 + units0], drop[1], rng, 0, units0)
        # ---- forward, hidden layers >= 1: own units
        for k in range(1, K):
            woff, boff, lo, hi, cols = plan[k, t, 0], plan[k, t, 1], plan[k, t, 2], plan[k, t, 3], plan[k, t, 4]
            ch = lay[k, L_CHANNELS]
            fan = lay[k, L_FAN_IN]
            zo, ao, ap = lay[k, L_Z_OFF], lay[k, L_A_OFF], lay[k - 1, L_A_OFF]
            zz = Z[zo + lo * ch:zo + hi * ch]
            zz[:] = PB[boff:boff + cols]
            if k == 1:
                dense_rows(PW[woff:woff + fan * cols], cols, Al[ap:ap + fan], zz)
            else:
                gen += 1
                if not barrier(sync, t, n_threads, gen):
                    return count, STOPPED
                dense_rows(PW[woff:woff + fan * cols], cols, A[ap:ap + fan], zz)
            activate_units(zz, Al[ao + lo:ao + hi], lay[k, L_ACT], 0.0)
            if drop[k + 1] > 0.0:
                units = lay[k, L_UNITS]
                drop_range(Al[ao:ao + units], M[ao:ao + units], drop[k + 1], rng, lo, hi)
            if k + 1 < K:
                A[ao + lo:ao + hi] = Al[ao + lo:ao + hi]
        # ---- forward, output: this thread's rows' share, then every thread adds the shares in thread order
        woff, boff, lo, hi = plan[K, t, 0], plan[K, t, 1], plan[K, t, 2], plan[K, t, 3]
        if t == 0:
            zp[:] = PB[boff:boff + widthK]
        else:
            zp[:] = 0.0
        WK = PW[woff:woff + (hi - lo) * widthK]
        dense_rows(WK, widthK, Al[aoK1 + lo:aoK1 + hi], zp)
        zpart[parity, t, :] = zp
        gen += 1
        if not barrier(sync, t, n_threads, gen):
            return count, STOPPED
        zK[:] = zpart[parity, 0]
        for s in range(1, n_threads):
            zK += zpart[parity, s]
        activate_units(zK, aK, codeK, off[r])
        if not output_delta_units(codeK, hyp, spec, num[r], cat[r], y[r], weight, zK, aK, d_cur):
            return count, DIVERGED
        count += 1
        # ---- backward, output layer: own rows (their errors belong to this thread's units of layer K-1)
        m = step_rate(hyp, rule, samples)
        rate = 0.0 if adaptive else learning_rate(hyp, K, samples) * (1.0 - m)
        gK[:] = 0.0
        backprop_rows(WK, PSw[0, woff:woff + (hi - lo) * widthK], PSw[1, woff:woff + (hi - lo) * widthK], widthK,
                      d_cur[:widthK], Al[aoK1 + lo:aoK1 + hi], 0, hi - lo, lay[K - 1, L_ACT] == RECTIFIER, fast,
                      hyp, rule, rate, m, gK, ebuf)
        gpart[t, :] = gK
        if capped:
            norms[:widthK] = 0.0
            column_norms(WK, widthK, norms[:widthK])
            npart[t, :] = norms[:widthK]
        if t == 0 and not adaptive:
            bias_update(PB[boff:boff + widthK], PSb[0, boff:boff + widthK], PSb[1, boff:boff + widthK],
                        d_cur[:widthK], gK, 1, hyp, rule, rate, m)
        out_pending = adaptive or capped
        dout[:] = d_cur[:widthK]
        if K > 1:
            propagate_errors(lay, K, Z, Al, M, drop[K], d_next, ebuf[:hi - lo], lo)
        else:  # layer 0 needs the error of all its units: exchange the shares
            err[t, K, lo:hi] = ebuf[:hi - lo]
            gen += 1
            if not barrier(sync, t, n_threads, gen):
                return count, STOPPED
            for s in range(n_threads):
                slo, shi = plan[K, s, 2], plan[K, s, 3]
                propagate_errors(lay, K, Z, Al, M, drop[K], d_next, err[s, K, slo:shi], slo)
            finish_output(pnet, plan, hyp, rule, t, n_threads, gpart, npart, dout, K, lay[K, L_FAN_IN])
            out_pending = False
        d_cur, d_next = d_next, d_cur
        # ---- backward, hidden layers >= 1: own columns
        for k in range(K - 1, 0, -1):
            woff, boff, lo, hi, cols = plan[k, t, 0], plan[k, t, 1], plan[k, t, 2], plan[k, t, 3], plan[k, t, 4]
            ch = lay[k, L_CHANNELS]
            fan = lay[k, L_FAN_IN]
            rate = 0.0 if adaptive else learning_rate(hyp, k, samples) * (1.0 - m)
            delta = d_cur[lo * ch:hi * ch]
            g2 = gsq[:cols]
            g2[:] = 0.0
            Wk = PW[woff:woff + fan * cols]
            ap = lay[k - 1, L_A_OFF]
            a_prev = Al[ap:ap + fan] if k == 1 else A[ap:ap + fan]
            backprop_rows(Wk, PSw[0, woff:woff + fan * cols], PSw[1, woff:woff + fan * cols], cols, delta, a_prev, 0,
                          fan, lay[k - 1, L_ACT] == RECTIFIER, fast, hyp, rule, rate, m, g2, ebuf)
            err[t, k, :fan] = ebuf[:fan]
            if beta > 0.0 and ch == 1:
                ao = lay[k, L_A_OFF]
                sparsity_pull(delta, avg_act[ao + lo:ao + hi], Al[ao + lo:ao + hi], beta, hyp[H_AVERAGE_ACTIVATION])
            bias_update(PB[boff:boff + cols], PSb[0, boff:boff + cols], PSb[1, boff:boff + cols], delta, g2, fan, hyp,
                        rule, rate, m)
            if capped:
                norms[:cols] = 0.0
                column_norms(Wk, cols, norms[:cols])
                scale_columns(Wk, cols, norms[:cols], max_w2)
            gen += 1
            if not barrier(sync, t, n_threads, gen):
                return count, STOPPED
            lo1, hi1 = (plan[k - 1, t, 2], plan[k - 1, t, 3]) if k > 1 else (0, units0)
            etot = ebuf[lo1:hi1]  # the shares summed in one vectorized pass (their lines come from other cores)
            etot[:] = err[0, k, lo1:hi1]
            for s in range(1, n_threads):
                etot += err[s, k, lo1:hi1]
            propagate_errors(lay, k, Z, Al, M, drop[k], d_next, etot, lo1)
            d_cur, d_next = d_next, d_cur
            if out_pending:
                finish_output(pnet, plan, hyp, rule, t, n_threads, gpart, npart, dout, K, lay[K, L_FAN_IN])
                out_pending = False
        # ---- backward, layer 0: own input rows take the whole error of layer 0
        rate = 0.0 if adaptive else learning_rate(hyp, 0, samples) * (1.0 - m)
        delta0 = d_cur[:width0]
        g0[:] = 0.0
        nxt = pos + 1
        while nxt < rows.shape[0] and not w[rows[nxt]] > 0.0:
            nxt += 1
        ahead = fuse and nxt < rows.shape[0]
        if ahead:
            record_inputs(num[rows[nxt]], cat[rows[nxt]], ncs, 0.0, rng, xin2, cin2)
            zp0[:] = 0.0
            input_updates_then_forward(W0, PSw[0, w0:w0 + (rhi - rlo) * width0], PSw[1, w0:w0 + (rhi - rlo) * width0],
                                       width0, delta0, cin, xin, ncs, fast, hyp, cin2, xin2, zp0, rlo, rhi)
        else:
            input_updates(W0, PSw[0, w0:w0 + (rhi - rlo) * width0], PSw[1, w0:w0 + (rhi - rlo) * width0], width0,
                          delta0, cin, xin, ncs, fast, hyp, rule, rate, m, g0, rlo, rhi)
        if capped:
            norms[:width0] = 0.0
            column_norms(W0, width0, norms[:width0])
            npart0[t, :] = norms[:width0]
        if (adaptive and not factored) or capped:
            gpart0[t, :] = g0
            gen += 1
            if not barrier(sync, t, n_threads, gen):
                return count, STOPPED
            if t == 0 and adaptive and not factored:
                g0[:] = gpart0[0]
                for s in range(1, n_threads):
                    g0 += gpart0[s]
            if capped:
                total = norms[:width0]
                total[:] = npart0[0]
                for s in range(1, n_threads):
                    total += npart0[s]
                scale_columns(W0, width0, total, max_w2)
        if t == 0 and factored:  # thread 0 knows every input: the squared gradients of all rows, no barrier
            g0[:] = 0.0
            add_square_sums(g0, delta0, input_square_sum(cin, xin, ncs, 0, fan0))
        if t == 0:  # the layer-0 bias belongs to thread 0 (it adds it to its share of the pre-activations)
            if beta > 0.0 and lay[0, L_CHANNELS] == 1:
                sparsity_pull(delta0, avg_act[ao0:ao0 + units0], Al[ao0:ao0 + units0], beta, hyp[H_AVERAGE_ACTIVATION])
            bias_update(PB[b0:b0 + width0], PSb[0, b0:b0 + width0], PSb[1, b0:b0 + width0], delta0, g0, fan0, hyp,
                        rule, rate, m)
    return count, OK


def partitioned_rows(pnet, plan, cfg, data, rows, t, n_threads, shared, sync):
    """Thread ``t`` of ``n_threads``: train ``rows`` (all threads get the same rows) into the packed network.

    Returns (rows trained, status): ``OK``, ``DIVERGED`` (the output became NaN/Inf; every thread sees it at the
    same row) or ``STOPPED`` (another thread aborted).
    """
    return call_specialized(partitioned_rows_of_rule, (pnet, plan, cfg, data, rows, t, n_threads, shared, sync), cfg)
