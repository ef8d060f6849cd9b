"""Mini-batch training (``mini_batch_size > 1``): real matrix products, one update per batch.

H2O accepts ``mini_batch_size`` but silently trains one row per update; here a batch of B rows is forwarded and
backpropagated with float32 matrix products (numba ``np.dot`` -> BLAS sgemm), the gradient is the weighted
*mean* over the batch (H2O's mini-batch plumbing also divides by the batch size), and the configured optimizer
(ADADELTA, or manual rate / momentum / Nesterov, with L1/L2 and max_w2) makes one step per batch. Per-row work
(dropout, activations, output deltas) and the weight updates run in ``prange`` loops in the parallel variant.

The first layer stays sparse: numeric inputs take one product ``X.T @ D``; one-hot slots are accumulated only
for the slots active in the batch. Differences from the row kernel, by design: the sparse-autoencoder bias
term (``sparsity_beta``) is not applied (H2O does not support it with mini-batches either), and ``fast_mode``
skips a weight row when its batch gradient is exactly zero.
"""
import numpy as np
from numba import njit, prange

from .. import config
from .backward import hidden_delta, output_delta_units, update_row
from .forward import activate_units, dropout_units
from .hyper import (DIVERGED, H_EPSILON, H_L1, H_L2, H_MAX_W2, H_RHO, H_SAMPLES, L_A_OFF, L_ACT, L_B_OFF,
                    L_CHANNELS, L_FAN_IN, L_UNITS, L_W_OFF, L_Z_OFF, O_ADAPTIVE, O_FAST_MODE, O_MOMENTUM, O_SEED,
                    OK, SOFTMAX)
from .rng import next_u01, seed_stream
from .scratch import buffer_sizes
from .updates import adadelta_bias, learning_rate, max_w2_rescale, momentum_at


def _minibatch_rows(net, cfg, data, rows, batch, n_threads):
    W, B, S_w, S_b, avg_act = net
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    n = rows.shape[0]
    K = lay.shape[0] - 1
    p = num.shape[1]
    nc = cat.shape[1]
    ncs = lay[0, L_FAN_IN] - p
    seed = opt[O_SEED]
    base = hyp[H_SAMPLES]
    adaptive = opt[O_ADAPTIVE] == 1
    fast = opt[O_FAST_MODE] == 1
    zs, as_, wmax = buffer_sizes(lay)
    Zb = np.zeros(batch * zs, np.float32)
    Ab = np.zeros(batch * as_, np.float32)
    Mb = np.ones(batch * as_, np.uint8)
    X = np.zeros((batch, p), np.float32)
    C = np.full((batch, max(nc, 1)), -1, np.int32)
    Da = np.zeros(batch * wmax, np.float32)
    Db = np.zeros(batch * wmax, np.float32)
    rng = np.zeros((batch, 1), np.uint64)
    slot_pos = np.full(max(ncs, 1), -1, np.int64)
    touched = np.zeros(max(batch * nc, 1), np.int64)
    Gc = np.zeros((max(batch * nc, 1), wmax), np.float32)
    n_chunks = max(1, 2 * n_threads)
    gsq2 = np.zeros((n_chunks, wmax), np.float32)
    gsq = np.zeros(wmax, np.float32)
    gb = np.zeros(wmax, np.float32)
    trained = 0
    status = OK
    p_in = drop[0]
    for start in range(0, n, batch):
        bs = min(batch, n - start)
        samples = base + start
        # ---- gather the batch (input dropout drawn per row, like the row kernel)
        n_pos = 0
        for b in prange(bs):
            r = rows[start + b]
            st = rng[b]
            seed_stream(st, seed, np.int64(samples + b))
            for c in range(nc):
                s = cat[r, c]
                if s >= ncs:
                    s = -1
                if s >= 0 and p_in > 0.0 and next_u01(st) < p_in:
                    s = -1
                C[b, c] = s
            for j in range(p):
                x = num[r, j]
                if not np.isfinite(x):
                    x = np.float32(0.0)
                if p_in > 0.0 and next_u01(st) < p_in:
                    x = np.float32(0.0)
                X[b, j] = x
            if w[r] > 0.0:
                n_pos += 1
        Xb = X[:bs]
        # ---- forward
        for k in range(K + 1):
            fan = lay[k, L_FAN_IN]
            units = lay[k, L_UNITS]
            width = units * lay[k, L_CHANNELS]
            woff = lay[k, L_W_OFF]
            boff = lay[k, L_B_OFF]
            zo = batch * lay[k, L_Z_OFF]
            ao = batch * lay[k, L_A_OFF]
            Zk = Zb[zo:zo + bs * width].reshape((bs, width))
            Ak = Ab[ao:ao + bs * units].reshape((bs, units))
            Mk = Mb[ao:ao + bs * units].reshape((bs, units))
            if k == 0:
                Zk[:, :] = np.dot(Xb, W[woff + ncs * width:woff + fan * width].reshape((p, width)))
            else:
                po = batch * lay[k - 1, L_A_OFF]
                Zk[:, :] = np.dot(Ab[po:po + bs * fan].reshape((bs, fan)), W[woff:woff + fan * width].reshape((fan, width)))
            code = lay[k, L_ACT]
            for b in prange(bs):
                zrow = Zk[b]
                for u in range(width):
                    zrow[u] += B[boff + u]
                if k == 0:
                    for c in range(nc):
                        s = C[b, c]
                        if s >= 0:
                            lo = woff + s * width
                            for u in range(width):
                                zrow[u] += W[lo + u]
                o = off[rows[start + b]] if k == K else 0.0
                activate_units(zrow, Ak[b], code, o)
                if k < K and code != SOFTMAX:
                    dropout_units(Ak[b], Mk[b], drop[k + 1], True, rng[b])
        # ---- output delta (weighted mean over the batch)
        units = lay[K, L_UNITS]
        width = units * lay[K, L_CHANNELS]
        ZK = Zb[batch * lay[K, L_Z_OFF]:batch * lay[K, L_Z_OFF] + bs * width].reshape((bs, width))
        AK = Ab[batch * lay[K, L_A_OFF]:batch * lay[K, L_A_OFF] + bs * units].reshape((bs, units))
        D = Da[:bs * width].reshape((bs, width))
        bad = 0
        for b in prange(bs):
            r = rows[start + b]
            wt = w[r] if w[r] > 0.0 else 0.0
            if not output_delta_units(lay[K, L_ACT], hyp, opt, num[r], cat[r], y[r], wt / bs, ZK[b], AK[b], D[b]):
                bad += 1
        if bad > 0:
            status = DIVERGED
            break
        m = 0.0
        if not adaptive and opt[O_MOMENTUM] == 1:
            m = momentum_at(hyp, samples)
        cur_is_a = True
        # ---- backward + updates, output layer first
        for k in range(K, -1, -1):
            fan = lay[k, L_FAN_IN]
            width = lay[k, L_UNITS] * lay[k, L_CHANNELS]
            woff = lay[k, L_W_OFF]
            boff = lay[k, L_B_OFF]
            D = (Da if cur_is_a else Db)[:bs * width].reshape((bs, width))
            Wk = W[woff:woff + fan * width].reshape((fan, width))
            r_k = 0.0 if adaptive else learning_rate(hyp, k, samples) * (1.0 - m)
            if k > 0:
                po = batch * lay[k - 1, L_A_OFF]
                Aprev = Ab[po:po + bs * fan].reshape((bs, fan))
                G = np.dot(Aprev.T, D)
                E = np.dot(D, Wk.T)  # error for layer k-1 from the pre-update weights
                pw = fan * lay[k - 1, L_CHANNELS]
                pz = batch * lay[k - 1, L_Z_OFF]
                Zp = Zb[pz:pz + bs * pw].reshape((bs, pw))
                Mp = Mb[po:po + bs * fan].reshape((bs, fan))
                Dp = (Db if cur_is_a else Da)[:bs * pw].reshape((bs, pw))
                pcode = lay[k - 1, L_ACT]
                has_drop = drop[k] > 0.0
                for b in prange(bs):
                    hidden_delta(pcode, E[b], Zp[b], Aprev[b], Mp[b], has_drop, Dp[b])
                n_upd = fan
                first = 0
            else:
                G = np.dot(Xb.T, D)
                n_upd = p
                first = ncs
            gsq2[:, :width] = 0.0
            chunk = (n_upd + n_chunks - 1) // n_chunks
            for t in prange(n_chunks):
                g2 = gsq2[t, :width]
                for j in range(t * chunk, min(n_upd, (t + 1) * chunk)):
                    grow = G[j]
                    if fast:
                        nz = False
                        for u in range(width):
                            if grow[u] != 0.0:
                                nz = True
                                break
                        if not nz:
                            continue
                    lo = woff + (first + j) * width
                    update_row(W[lo:lo + width], S_w[0, lo:lo + width], S_w[1, lo:lo + width], 1.0, grow, hyp, opt,
                               r_k, m, g2)
            if k == 0 and nc > 0:
                nt = 0
                for b in range(bs):
                    for c in range(nc):
                        s = C[b, c]
                        if s >= 0:
                            q = slot_pos[s]
                            if q < 0:
                                q = nt
                                slot_pos[s] = q
                                touched[q] = s
                                Gc[q, :width] = 0.0
                                nt += 1
                            for u in range(width):
                                Gc[q, u] += D[b, u]
                tchunk = (nt + n_chunks - 1) // n_chunks
                for t in prange(n_chunks):
                    g2 = gsq2[t, :width]
                    for q in range(t * tchunk, min(nt, (t + 1) * tchunk)):
                        lo = woff + touched[q] * width
                        update_row(W[lo:lo + width], S_w[0, lo:lo + width], S_w[1, lo:lo + width], 1.0,
                                   Gc[q, :width], hyp, opt, r_k, m, g2)
                for q in range(nt):
                    slot_pos[touched[q]] = -1
            for u in range(width):
                s2 = np.float32(0.0)
                sb = np.float32(0.0)
                for t in range(n_chunks):
                    s2 += gsq2[t, u]
                for b in range(bs):
                    sb += D[b, u]
                gsq[u] = s2 / fan
                gb[u] = sb
            b_k = B[boff:boff + width]
            if adaptive:
                adadelta_bias(b_k, S_b[0, boff:boff + width], S_b[1, boff:boff + width], gb[:width], gsq[:width],
                              hyp[H_L1], hyp[H_L2], hyp[H_RHO], hyp[H_EPSILON])
            else:
                update_row(b_k, S_b[0, boff:boff + width], S_b[1, boff:boff + width], 1.0, gb[:width], hyp, opt,
                           r_k, m, gsq)
            if hyp[H_MAX_W2] < 3.0e38:
                max_w2_rescale(Wk, hyp[H_MAX_W2])
            cur_is_a = not cur_is_a
        trained += n_pos
    return trained, status


minibatch_rows_serial = njit(**config.JIT)(_minibatch_rows)
minibatch_rows_parallel = njit(parallel=True, **config.JIT)(_minibatch_rows)
