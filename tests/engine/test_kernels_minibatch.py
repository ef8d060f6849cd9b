"""Mini-batch kernel: one update per batch with the mean gradient, sparse one-hot rows, parallel = serial."""
import numpy as np
import pytest

import naive
from kernel_cases import design, layers64, network

from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.model.optimizer import Hyper, train_rows


def _mean_gradient(net, d, rows, loss):
    Ws, bs, codes = layers64(net)
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bs]
    for r in rows:
        x = naive.expand(d.num[r].astype(float), d.cat[r], net.sizes[0])
        w, b = naive.gradients(Ws, bs, codes, x, float(d.y[r]), loss, weight=float(d.w[r]))
        for k in range(len(Ws)):
            gW[k] += w[k] / len(rows)
            gb[k] += b[k] / len(rows)
    return gW, gb


@pytest.mark.parametrize("activation,loss,out,n_out", [("tanh", H.CROSSENTROPY, "softmax", 3),
                                                       ("rectifier", H.CROSSENTROPY, "softmax", 3),
                                                       ("maxout", H.GAUSSIAN, "linear", 1),
                                                       ("exprectifier", H.HUBER, "linear", 1)])
@pytest.mark.parametrize("threads", [1, 2])
def test_one_batch_step_is_the_mean_gradient(activation, loss, out, n_out, threads):
    net = network(activation, out, n_out, seed=4)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 6) if n_out == 3 else rng.normal(size=6)
    d = design(n=6, seed=4, y=y)
    d.w[2] = 0.5
    rows = np.array([5, 1, 2, 4])
    gW, gb = _mean_gradient(net, d, rows, loss)
    before = [net.weights(k).copy() for k in range(net.n_layers)], [net.biases(k).copy() for k in range(net.n_layers)]
    rate = 1e-3
    h = Hyper(loss=loss, adaptive_rate=False, rate=rate, rate_annealing=0.0, mini_batch_size=4, fast_mode=False)
    assert train_rows(net, d, rows, h, rng_seed=0, threads=threads) == 4
    for k in range(net.n_layers):
        kW = (before[0][k] - net.weights(k)) / rate
        kb = (before[1][k] - net.biases(k)) / rate
        np.testing.assert_allclose(kW, gW[k], atol=3e-3 * max(1e-3, np.abs(gW[k]).max()) + 1e-4, err_msg=f"W{k}")
        np.testing.assert_allclose(kb, gb[k], atol=3e-3 * max(1e-3, np.abs(gb[k]).max()) + 1e-4, err_msg=f"b{k}")


def test_batch_of_one_equals_the_row_kernel_with_adadelta():
    a = network("rectifier", "softmax", 3, seed=6)
    b = a.copy()
    d = design(n=5, seed=6)
    rows = np.arange(5)
    train_rows(a, d, rows, Hyper(loss=H.CROSSENTROPY, fast_mode=False), rng_seed=0, threads=1)
    # mini_batch_size=2 with one row per batch is not possible, so compare batch size 2 on duplicated rows:
    # a batch of two identical rows has the same mean gradient as that row alone.
    dup = np.repeat(rows, 2)
    train_rows(b, d, dup, Hyper(loss=H.CROSSENTROPY, fast_mode=False, mini_batch_size=2), rng_seed=0, threads=1)
    for k in range(a.n_layers):
        np.testing.assert_allclose(b.weights(k), a.weights(k), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b.biases(k), a.biases(k), rtol=1e-4, atol=1e-6)


def test_minibatch_serial_is_reproducible_and_parallel_matches_it():
    def run(threads):
        net = network("rectifier", "softmax", 3, hidden=(16, 8), seed=3, input_dropout=0.1,
                      hidden_dropout=[0.3, 0.2])
        d = design(n=200, seed=3)
        train_rows(net, d, np.arange(200), Hyper(loss=H.CROSSENTROPY, mini_batch_size=16), rng_seed=5,
                   threads=threads)
        return net
    a, b, c = run(1), run(1), run(2)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.B, b.B)
    np.testing.assert_allclose(c.W, a.W, rtol=1e-4, atol=1e-6)   # same masks, same math; only summation order


def test_untouched_one_hot_slots_keep_their_weights():
    net = network("tanh", "softmax", 3)
    d = design(n=8, seed=2)
    d.cat[:, 0] = 1  # slots 0 and 2 never active
    before = net.weights(0).copy()
    train_rows(net, d, np.arange(8), Hyper(loss=H.CROSSENTROPY, mini_batch_size=4), rng_seed=0, threads=2)
    assert np.array_equal(net.weights(0)[[0, 2]], before[[0, 2]])
    assert not np.array_equal(net.weights(0)[1], before[1])
