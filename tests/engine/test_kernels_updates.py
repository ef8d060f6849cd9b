"""Update rules against hand-written steps: ADADELTA (incl. H2O's bias rule), momentum ramp, Nesterov, max_w2."""
import numpy as np
import pytest

import naive
from kernel_cases import design, layers64, network

from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.model.optimizer import Hyper, train_rows


def _active_rows(a_prev):
    return a_prev != 0.0


def _naive_steps(net, d, rows, step):
    """Apply ``step(k, Ws, bs, gW, gb, active, samples)`` for each row in order on float64 copies."""
    Ws, bs, codes = layers64(net)
    for i, row in enumerate(rows):
        x = naive.expand(d.num[row].astype(float), d.cat[row], net.sizes[0])
        _, a = naive.forward(Ws, bs, codes, x)
        gW, gb = naive.gradients(Ws, bs, codes, x, float(d.y[row]), H.CROSSENTROPY)
        for k in range(len(Ws)):
            step(k, Ws, bs, gW, gb, _active_rows(a[k]), i)
    return Ws, bs


def test_adadelta_two_rows_match_hand_computed_steps():
    net = network("tanh", "softmax", 3)
    d = design(n=4, seed=7)
    rho, eps = 0.95, 1e-6
    state = {}

    def step(k, Ws, bs, gW, gb, active, i):
        eg, ed, ebg, ebd = state.setdefault(k, [np.zeros_like(Ws[k]), np.zeros_like(Ws[k]),
                                                np.zeros_like(bs[k]), np.zeros_like(bs[k])])
        w, eg2, edx2 = naive.adadelta(Ws[k], eg, ed, gW[k], rho, eps)
        Ws[k][active] = w[active]
        eg[active], ed[active] = eg2[active], edx2[active]
        g2_mean = (gW[k][active] ** 2).sum(axis=0) / Ws[k].shape[0]
        bs[k][:], ebg[:], ebd[:] = naive.adadelta_bias(bs[k], ebg, ebd, gb[k], g2_mean, rho, eps)

    Ws, bs = _naive_steps(net, d, [0, 2], step)
    train_rows(net, d, np.array([0, 2]), Hyper(loss=H.CROSSENTROPY, rho=rho, epsilon=eps), rng_seed=0, threads=1)
    for k in range(net.n_layers):
        np.testing.assert_allclose(net.weights(k), Ws[k], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(net.biases(k), bs[k], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(net.state(k)[0], state[k][0], rtol=1e-3, atol=1e-9)


@pytest.mark.parametrize("nesterov", [True, False])
def test_momentum_ramp_and_nesterov_match_hand_computed_steps(nesterov):
    net = network("rectifier", "softmax", 3)
    d = design(n=4, seed=8)
    hp = dict(rate=0.05, rate_annealing=0.1, rate_decay=0.5, momentum_start=0.5, momentum_ramp=4.0,
              momentum_stable=0.9, l1=1e-3, l2=1e-2)
    vel = {}

    def step(k, Ws, bs, gW, gb, active, i):
        m = naive.momentum_at(hp["momentum_start"], hp["momentum_ramp"], hp["momentum_stable"], i)
        r = naive.rate_at(hp["rate"], hp["rate_annealing"], hp["rate_decay"], k, i) * (1 - m)
        v, vb = vel.setdefault(k, [np.zeros_like(Ws[k]), np.zeros_like(bs[k])])
        g = naive.reg(Ws[k], gW[k], hp["l1"], hp["l2"])
        w, v_new = naive.momentum_step(Ws[k], v, g, r, m, nesterov)
        Ws[k][active], v[active] = w[active], v_new[active]
        bs[k][:], vb[:] = naive.momentum_step(bs[k], vb, naive.reg(bs[k], gb[k], hp["l1"], hp["l2"]), r, m,
                                              nesterov)

    Ws, bs = _naive_steps(net, d, [1, 3, 0], step)
    h = Hyper(loss=H.CROSSENTROPY, adaptive_rate=False, nesterov_accelerated_gradient=nesterov, **hp)
    train_rows(net, d, np.array([1, 3, 0]), h, rng_seed=0, threads=1)
    for k in range(net.n_layers):
        np.testing.assert_allclose(net.weights(k), Ws[k], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(net.biases(k), bs[k], rtol=1e-4, atol=1e-6)


def test_momentum_really_ramps():
    from deepbrook.engine.kernels.updates import momentum_at
    h, _ = Hyper(momentum_start=0.1, momentum_ramp=100.0, momentum_stable=0.9).arrays()
    assert momentum_at(h, 0.0) == pytest.approx(0.1)
    assert momentum_at(h, 50.0) == pytest.approx(0.5)
    assert momentum_at(h, 1e6) == pytest.approx(0.9)


def test_max_w2_caps_each_units_incoming_squared_norm():
    net = network("rectifier", "softmax", 3)
    for k in range(net.n_layers):
        net.weights(k)[:] *= 10.0
    d = design(n=4, seed=9)
    limit = 0.5
    train_rows(net, d, np.array([0]), Hyper(loss=H.CROSSENTROPY, adaptive_rate=False, rate=1e-3,
                                           rate_annealing=0.0, max_w2=limit), rng_seed=0, threads=1)
    for k in range(net.n_layers):
        norms = (net.weights(k).astype(float) ** 2).sum(axis=0)
        assert norms.max() <= limit * (1 + 1e-4)
    from deepbrook.engine.kernels.updates import max_w2_rescale
    M = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)
    M[:, 2] *= 0.01  # a column below the limit stays as it is
    expected = naive.max_w2(M.astype(float), 1.5)
    max_w2_rescale(M, 1.5)
    np.testing.assert_allclose(M, expected, rtol=1e-5)


def test_sparse_first_layer_touches_only_active_slots():
    net = network("tanh", "softmax", 3)
    d = design(n=2, seed=10)
    d.num[0, 1] = 0.0
    before = net.weights(0).copy()
    train_rows(net, d, np.array([0]), Hyper(loss=H.CROSSENTROPY), rng_seed=0, threads=1)
    changed = np.flatnonzero(np.any(net.weights(0) != before, axis=1))
    active = sorted({int(d.cat[0, 0]), int(d.cat[0, 1]), 5 + 0, 5 + 2})
    assert changed.tolist() == active
