"""Kernels against the NumPy reference: forward pass and the gradient of every activation x loss."""
import numpy as np
import pytest

from deepbrook.engine.kernels import hyper as H

import naive
from kernel_cases import N_CAT_SLOTS, design, layers64, network, predict, sgd_gradient

ACTIVATIONS = ["tanh", "rectifier", "maxout", "exprectifier"]
CLASSIFICATION = [H.CROSSENTROPY, H.QUADRATIC_SOFTMAX]
REGRESSION = [H.GAUSSIAN, H.LAPLACE, H.QUANTILE, H.HUBER, H.POISSON, H.GAMMA, H.TWEEDIE]
KW = dict(alpha=0.5, delta=1.0, power=1.5)


def _target(loss, rng):
    if loss in CLASSIFICATION:
        return float(rng.integers(0, 3))
    if loss in (H.POISSON, H.GAMMA, H.TWEEDIE):
        return float(rng.uniform(0.5, 3.0))
    return float(rng.normal())


def _case(activation, loss, seed=3):
    rng = np.random.default_rng(seed)
    classification = loss in CLASSIFICATION
    net = network(activation, "softmax" if classification else "linear", 3 if classification else 1, seed=seed)
    d = design(n=4, seed=seed, y=[_target(loss, rng) for _ in range(4)])
    return net, d


def _x(d, row, net):
    return naive.expand(d.num[row].astype(float), d.cat[row], net.sizes[0])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", CLASSIFICATION + REGRESSION)
def test_forward_matches_naive(activation, loss):
    net, d = _case(activation, loss)
    Ws, bs, codes = layers64(net)
    out = predict(net, d)
    for row in range(d.num.shape[0]):
        _, a = naive.forward(Ws, bs, codes, _x(d, row, net), d.offset[row])
        np.testing.assert_allclose(out[row], a[-1], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", CLASSIFICATION + REGRESSION)
def test_gradient_matches_naive_and_central_difference(activation, loss):
    net, d = _case(activation, loss)
    Ws, bs, codes = layers64(net)
    row = 1
    x, y = _x(d, row, net), float(d.y[row])
    gW, gb = naive.gradients(Ws, bs, codes, x, y, loss, **KW)
    kW, kb = sgd_gradient(net, d, row, loss)
    for k in range(len(Ws)):
        scale = max(1e-3, np.abs(gW[k]).max())
        np.testing.assert_allclose(kW[k], gW[k], atol=3e-3 * scale + 1e-4, err_msg=f"W[{k}]")
        np.testing.assert_allclose(kb[k], gb[k], atol=3e-3 * max(1e-3, np.abs(gb[k]).max()) + 1e-4)
    rng = np.random.default_rng(0)
    for k in range(len(Ws)):
        for _ in range(3):
            i, j = rng.integers(0, Ws[k].shape[0]), rng.integers(0, Ws[k].shape[1])
            num = naive.numeric_gradient(Ws, bs, codes, x, y, loss, k, i, j, **KW)
            assert abs(num - gW[k][i, j]) <= 1e-4 + 1e-3 * abs(num), (k, i, j, num, gW[k][i, j])
        num_b = naive.numeric_gradient(Ws, bs, codes, x, y, loss, k, 0, **KW)
        assert abs(num_b - gb[k][0]) <= 1e-4 + 1e-3 * abs(num_b)


@pytest.mark.parametrize("activation", ["tanh", "rectifier", "exprectifier"])
@pytest.mark.parametrize("loss", [H.GAUSSIAN, H.LAPLACE, H.HUBER])
def test_autoencoder_gradient(activation, loss):
    net = network(activation, activation, N_CAT_SLOTS + 3, hidden=(4,), seed=5)
    d = design(n=3, seed=5)
    Ws, bs, codes = layers64(net)
    x = _x(d, 2, net)
    gW, gb = naive.gradients(Ws, bs, codes, x, 0.0, loss, autoencoder=True, **KW)
    kW, kb = sgd_gradient(net, d, 2, loss, autoencoder=True)
    for k in range(len(Ws)):
        np.testing.assert_allclose(kW[k], gW[k], atol=3e-3 * max(1e-3, np.abs(gW[k]).max()) + 1e-4)
        np.testing.assert_allclose(kb[k], gb[k], atol=3e-3 * max(1e-3, np.abs(gb[k]).max()) + 1e-4)


def test_offset_of_any_sign_is_added_to_the_output():
    net, d = _case("tanh", H.GAUSSIAN)
    base = predict(net, d)[:, 0]
    d.offset[:] = [-2.0, -0.5, 0.5, 3.0]
    np.testing.assert_allclose(predict(net, d)[:, 0], base + d.offset, rtol=1e-5, atol=1e-5)


def test_observation_weight_scales_the_gradient():
    net, d = _case("tanh", H.GAUSSIAN)
    net2 = net.copy()
    g1, _ = sgd_gradient(net, d, 0, H.GAUSSIAN)
    d.w[0] = 2.5
    g2, _ = sgd_gradient(net2, d, 0, H.GAUSSIAN)
    np.testing.assert_allclose(g2[1], 2.5 * g1[1], rtol=1e-3, atol=1e-5)
    d.w[0] = 0.0
    from deepbrook.engine.model.optimizer import Hyper, train_rows
    assert train_rows(net2, d, np.array([0]), Hyper(loss=H.GAUSSIAN), rng_seed=0, threads=1) == 0
