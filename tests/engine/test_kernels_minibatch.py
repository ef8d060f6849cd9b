"""Mini-batch kernel: one update per batch with the mean gradient, sparse one-hot rows, parallel = serial."""
import numpy as np
import pytest

import naive
from kernel_cases import N_CAT_SLOTS, design, layers64, network

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


# ---- sparse autoencoder (sparsity_beta) with mini-batches (issue 19 item 2)
def _sparse_ae_case():
    net = network("tanh", "tanh", N_CAT_SLOTS + 3, hidden=(4, 3), seed=7)
    net.avg_act[:] = np.linspace(-0.2, 0.3, net.avg_act.shape[0]).astype(np.float32)  # a run already under way
    d = design(n=6, seed=7)
    d.w[1] = 0.0                                                       # skipped row: no pull, no avg update
    return net, d


def _reference_sparse_step(net, d, rows, beta, target, loss):
    """NumPy: mean loss gradient over the batch, plus the biases' pull beta * mean_r(avg_r - target)."""
    Ws, bs, codes = layers64(net)
    avg = net.avg_act.astype(np.float64).copy()
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bs]
    pull = [np.zeros_like(b) for b in bs]
    offs = np.concatenate([[0], np.cumsum([b.size for b in bs])])   # hidden layers' activation offsets
    for r in rows:
        x = naive.expand(d.num[r].astype(float), d.cat[r], net.sizes[0])
        w, b = naive.gradients(Ws, bs, codes, x, 0.0, loss, autoencoder=True, weight=float(d.w[r]))
        for k in range(len(Ws)):
            gW[k] += w[k] / len(rows)
            gb[k] += b[k] / len(rows)
        if d.w[r] > 0:
            _, acts = naive.forward(Ws, bs, codes, x)
            for k in range(len(Ws) - 1):
                a = avg[offs[k]:offs[k + 1]]
                a[:] = 0.999 * a + 0.001 * acts[k + 1]
                pull[k] += beta * (a - target) / len(rows)
    return gW, gb, pull, avg


def test_minibatch_sparsity_matches_the_numpy_reference_and_the_loss_gradient():
    beta, target, rate, loss = 0.8, 0.05, 1e-3, H.GAUSSIAN
    net, d = _sparse_ae_case()
    rows = np.array([0, 1, 2, 3])
    gW, gb, pull, avg = _reference_sparse_step(net, d, rows, beta, target, loss)
    Ws, bs, codes = layers64(net)
    # gradient check of the reference's loss part: central differences of the batch's mean weighted loss
    for k in range(len(Ws)):
        for u in range(2):
            def batch_loss():
                return sum(float(d.w[r]) * naive.total_loss(Ws, bs, codes, naive.expand(
                    d.num[r].astype(float), d.cat[r], net.sizes[0]), 0.0, loss, autoencoder=True)
                    for r in rows) / len(rows)
            old = bs[k][u]
            bs[k][u] = old + 1e-5
            up = batch_loss()
            bs[k][u] = old - 1e-5
            dn = batch_loss()
            bs[k][u] = old
            assert abs((up - dn) / 2e-5 - gb[k][u]) <= 1e-6 + 1e-4 * abs(gb[k][u]), (k, u)
    before_W = [net.weights(k).copy() for k in range(net.n_layers)]
    before_b = [net.biases(k).copy() for k in range(net.n_layers)]
    h = Hyper(loss=loss, autoencoder=True, adaptive_rate=False, rate=rate, rate_annealing=0.0, mini_batch_size=4,
              fast_mode=False, sparsity_beta=beta, average_activation=target)
    assert train_rows(net, d, rows, h, rng_seed=0, threads=1) == 3
    for k in range(net.n_layers):
        kW = (before_W[k] - net.weights(k)) / rate
        kb = (before_b[k] - net.biases(k)) / rate
        np.testing.assert_allclose(kW, gW[k], atol=3e-3 * max(1e-3, np.abs(gW[k]).max()) + 1e-4, err_msg=f"W{k}")
        want = gb[k] + pull[k]
        np.testing.assert_allclose(kb, want, atol=3e-3 * max(1e-3, np.abs(want).max()) + 1e-4, err_msg=f"b{k}")
    assert np.abs(pull[0]).max() > 1e-3 * np.abs(gb[0]).max()      # the pull is not negligible in this case
    np.testing.assert_allclose(net.avg_act, avg, rtol=1e-5, atol=1e-7)


def test_minibatch_sparsity_with_one_row_per_batch_equals_the_row_kernel():
    from deepbrook.engine.kernels import minibatch
    from deepbrook.engine.model.optimizer import design_arrays
    a, d = _sparse_ae_case()
    b = a.copy()
    h = Hyper(loss=H.GAUSSIAN, autoencoder=True, fast_mode=False, sparsity_beta=0.5, average_activation=0.1)
    rows = np.array([0, 2, 3, 4, 5, 2])
    train_rows(a, d, rows, h, rng_seed=0, threads=1)                 # row kernel, ADADELTA
    hyp, opt = h.arrays(0.0, 0)
    n, status = minibatch.minibatch_rows_serial(b.net, (b.lay, b.drop, hyp, opt), design_arrays(d), rows, 1, 1)
    assert (n, status) == (6, H.OK)
    for k in range(a.n_layers):
        np.testing.assert_allclose(b.weights(k), a.weights(k), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b.biases(k), a.biases(k), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(b.avg_act, a.avg_act, rtol=1e-5, atol=1e-7)
