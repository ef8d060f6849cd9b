"""Slow, obviously-correct NumPy reference of the network maths (float64, dense inputs).

Used by the kernel tests: forward pass, per-row loss, backprop gradients, and every update rule written the
plain way. Layer k has ``W[k]`` of shape ``[fan_in, units * channels]`` (input-major, Maxout channels of unit u
at columns 2u and 2u+1) and ``b[k]``.
"""
import numpy as np

TANH, RECTIFIER, MAXOUT, EXPRECTIFIER, LINEAR, SOFTMAX = range(6)
CROSSENTROPY, QUADRATIC_SOFTMAX, GAUSSIAN, LAPLACE, QUANTILE, HUBER, POISSON, GAMMA, TWEEDIE = range(9)


def expand(num, cat, n_inputs):
    """Dense expanded input: one-hot slots (cat ids, -1 none) first, numerics (NaN/Inf -> 0) last."""
    x = np.zeros(n_inputs)
    for s in cat:
        if s >= 0:
            x[s] = 1.0
    num = np.where(np.isfinite(num), num, 0.0)
    x[n_inputs - len(num):] = num
    return x


def act(z, code):
    if code == TANH:
        return np.tanh(z)
    if code == RECTIFIER:
        return np.maximum(z, 0.0)
    if code == EXPRECTIFIER:
        return np.where(z >= 0, z, np.exp(z) - 1.0)
    if code == MAXOUT:
        return np.maximum(z[0::2], z[1::2])
    if code == SOFTMAX:
        e = np.exp(z - z.max())
        return e / e.sum()
    return z.copy()


def dact(z, a, code):
    """da/dz elementwise (Maxout and Softmax handled by the callers)."""
    if code == TANH:
        return 1.0 - a * a
    if code == RECTIFIER:
        return (z > 0).astype(float)
    if code == EXPRECTIFIER:
        return np.where(z >= 0, 1.0, np.exp(z))
    return np.ones_like(z)


def forward(Ws, bs, codes, x, offset=0.0, masks=None, test_ratios=None):
    """zs, activations (inputs first). ``masks[k]``: keep-mask of hidden layer k's units (training dropout);
    ``test_ratios[k]``: test-time scaling of hidden layer k."""
    a = [np.asarray(x, float)]
    zs = []
    for k, (W, b, code) in enumerate(zip(Ws, bs, codes)):
        z = a[-1] @ W + b
        if k == len(Ws) - 1 and code == LINEAR:
            z = z + offset
        zs.append(z)
        h = act(z, code)
        if masks is not None and k < len(Ws) - 1:
            h = h * masks[k]
        if test_ratios is not None and k < len(Ws) - 1:
            h = h * (1.0 - test_ratios[k])
        a.append(h)
    return zs, a


def linear_loss(code, y, f, alpha=0.5, delta=1.0, power=1.5):
    r = f - y
    if code == GAUSSIAN:
        return r * r
    if code == LAPLACE:
        return abs(r)
    if code == QUANTILE:
        return alpha * (y - f) if y > f else (1 - alpha) * (f - y)
    if code == HUBER:
        return r * r if abs(r) <= delta else 2 * delta * abs(r) - delta ** 2
    if code == POISSON:
        return 2 * (np.exp(f) - y * f)
    if code == GAMMA:
        return 2 * (y * np.exp(-f) + f)
    if code == TWEEDIE:
        return 2 * (-y * np.exp(f * (1 - power)) / (1 - power) + np.exp(f * (2 - power)) / (2 - power))
    raise ValueError(code)


def loss(out, target, code, autoencoder=False, x=None, **kw):
    """Per-row loss E of an output vector (softmax probabilities, linear value or reconstruction)."""
    if code == CROSSENTROPY:
        return -np.log(max(out[int(target)], 1e-15))
    if code == QUADRATIC_SOFTMAX:
        t = np.eye(len(out))[int(target)]
        return float(((out - t) ** 2).sum())
    if autoencoder:
        return sum(linear_loss(code, xi, oi, **kw) for xi, oi in zip(x, out))
    return linear_loss(code, target, out[0], **kw)


def total_loss(Ws, bs, codes, x, target, code, offset=0.0, autoencoder=False, **kw):
    _, a = forward(Ws, bs, codes, x, offset)
    return loss(a[-1], target, code, autoencoder, x, **kw)


def gradients(Ws, bs, codes, x, target, code, offset=0.0, autoencoder=False, weight=1.0, masks=None, **kw):
    """(dE/dW, dE/db) per layer by plain backprop (weight multiplies the loss)."""
    zs, a = forward(Ws, bs, codes, x, offset, masks)
    L = len(Ws)
    out, z = a[-1], zs[-1]
    if codes[-1] == SOFTMAX:
        t = np.eye(len(out))[int(target)]
        if code == CROSSENTROPY:
            d = out - t
        else:
            dEdp = 2 * (out - t)
            J = np.diag(out) - np.outer(out, out)
            d = J @ dEdp
    else:
        targets = x if autoencoder else [target]
        eps = 1e-6
        dEdf = np.array([(linear_loss(code, ti, fi + eps, **kw) - linear_loss(code, ti, fi - eps, **kw)) / (2 * eps)
                         for ti, fi in zip(targets, out)])
        d = dEdf * dact(z, out, codes[-1])
    d = d * weight
    gW, gb = [None] * L, [None] * L
    for k in range(L - 1, -1, -1):
        gW[k] = np.outer(a[k], d)
        gb[k] = d.copy()
        if k > 0:
            e = Ws[k] @ d
            pc = codes[k - 1]
            zp = zs[k - 1]
            if pc == MAXOUT:
                dp = np.zeros_like(zp)
                win = (zp[1::2] > zp[0::2]).astype(int)
                dp[2 * np.arange(len(e)) + win] = e
            else:
                dp = e * dact(zp, a[k], pc)
            if masks is not None:
                keep = masks[k - 1]
                if pc == MAXOUT:
                    keep = np.repeat(keep, 2)
                dp = dp * keep
            d = dp
    return gW, gb


def numeric_gradient(Ws, bs, codes, x, target, code, k, i, j=None, h=1e-5, **kw):
    """Central difference of the loss w.r.t. W[k][i, j] (or b[k][i] when j is None)."""
    arr = bs[k] if j is None else Ws[k]
    idx = i if j is None else (i, j)
    old = arr[idx]
    arr[idx] = old + h
    up = total_loss(Ws, bs, codes, x, target, code, **kw)
    arr[idx] = old - h
    dn = total_loss(Ws, bs, codes, x, target, code, **kw)
    arr[idx] = old
    return (up - dn) / (2 * h)


def reg(w, g, l1, l2):
    return g + l1 * np.sign(w) + l2 * w


def adadelta(w, eg2, edx2, g, rho, eps):
    """One ADADELTA step (epsilon inside both roots); returns new (w, eg2, edx2)."""
    eg2 = rho * eg2 + (1 - rho) * g * g
    r = np.sqrt((edx2 + eps) / (eg2 + eps))
    dx = r * g
    edx2 = rho * edx2 + (1 - rho) * dx * dx
    return w - dx, eg2, edx2


def adadelta_bias(b, eg2, edx2, g_b, g2_mean, rho, eps):
    """H2O's bias rule: accumulators fed the mean squared incoming-weight gradient."""
    eg2 = rho * eg2 + (1 - rho) * g2_mean
    r = np.sqrt((edx2 + eps) / (eg2 + eps))
    edx2 = rho * edx2 + (1 - rho) * r * r * g2_mean
    return b - r * g_b, eg2, edx2


def momentum_step(w, v, g, r, m, nesterov):
    v_new = m * v - r * g
    if nesterov:
        return w - m * v + (1 + m) * v_new, v_new
    return w + v_new, v_new


def rate_at(rate, annealing, decay, layer, samples):
    return rate * decay ** layer / (1 + annealing * samples)


def momentum_at(start, ramp, stable, samples):
    return stable if samples >= ramp else start + (stable - start) * samples / ramp


def max_w2(W, limit):
    s = (W ** 2).sum(axis=0)
    scale = np.where(s > limit, np.sqrt(limit / np.maximum(s, 1e-300)), 1.0)
    return W * scale
