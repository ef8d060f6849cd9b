"""Dropout masks and test-time scaling, reproducibility, NaN/Inf inputs, divergence."""
import numpy as np
import pytest

import naive
from kernel_cases import design, layers64, network, predict

from deepbrook.engine.errors import TrainingError
from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.kernels.forward import forward_row
from deepbrook.engine.kernels.rng import next_u01, seed_stream
from deepbrook.engine.kernels.scratch import row_scratch
from deepbrook.engine.model.optimizer import Hyper, train_rows


def _forward_train(net, d, row, index):
    xin, cin, z, a, mask, *_, rng = row_scratch(net.lay, d.num.shape[1], d.cat.shape[1])
    seed_stream(rng, 42, index)
    forward_row(net.W, net.B, net.lay, net.drop, d.num[row], d.cat[row], 0.0, True, net.n_layers - 1, rng, xin,
                cin, z, a, mask)
    return xin, cin, a, mask


def test_hidden_dropout_masks_and_test_time_scaling():
    net = network("rectifier", "softmax", 3, hidden=(2000, 50), hidden_dropout=[0.3, 0.5])
    d = design(n=3, seed=1)
    xin, cin, a, mask = _forward_train(net, d, 0, 0)
    h1 = slice(0, 2000)
    kept = mask[h1].astype(bool)
    assert 0.65 < kept.mean() < 0.75
    Ws, bs, codes = layers64(net)
    x = naive.expand(d.num[0].astype(float), d.cat[0], net.sizes[0])
    zs, ref = naive.forward(Ws, bs, codes, x)
    np.testing.assert_allclose(a[h1][kept], ref[1][kept], rtol=1e-5, atol=1e-5)
    assert (a[h1][~kept] == 0).all()                     # non-inverted: dropped -> 0, kept not rescaled
    masks = [mask[0:2000].astype(float), mask[2000:2050].astype(float)]
    _, ref_masked = naive.forward(Ws, bs, codes, x, masks=masks)
    np.testing.assert_allclose(a[2050:2053], ref_masked[-1], rtol=1e-4, atol=1e-6)
    # inference: every hidden activation of a dropout layer is scaled by (1 - ratio)
    _, ref_test = naive.forward(Ws, bs, codes, x, test_ratios=[0.3, 0.5])
    np.testing.assert_allclose(predict(net, d, upto=0)[0], ref_test[1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(predict(net, d)[0], ref_test[-1], rtol=1e-4, atol=1e-6)


def test_input_dropout_drops_inputs_and_is_not_rescaled_at_test_time():
    net = network("tanh", "softmax", 3, n_num=4000, hidden=(4,), input_dropout=0.2)
    rng = np.random.default_rng(0)
    d = design(n=2, n_num=4000, seed=2)
    d.num[:] = rng.uniform(1, 2, size=d.num.shape)
    xin, cin, a, mask = _forward_train(net, d, 0, 5)
    dropped = xin == 0
    assert 0.17 < dropped.mean() < 0.23
    np.testing.assert_array_equal(xin[~dropped], d.num[0][~dropped])
    Ws, bs, codes = layers64(net)
    _, ref = naive.forward(Ws, bs, codes, naive.expand(d.num[1].astype(float), d.cat[1], net.sizes[0]))
    np.testing.assert_allclose(predict(net, d)[1], ref[-1], rtol=1e-4, atol=1e-5)


def test_dropout_streams_depend_only_on_seed_and_index():
    from deepbrook.engine.kernels import rng as R
    s1, s2 = np.zeros(1, np.uint64), np.zeros(1, np.uint64)
    R.seed_stream(s1, 7, 123)
    R.seed_stream(s2, 7, 123)
    assert next_u01(s1) == next_u01(s2)
    R.seed_stream(s2, 7, 124)
    u = np.array([next_u01(s2) for _ in range(20000)])
    assert 0.0 <= u.min() and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01


def _train(seed, threads, dropout=True):
    net = network("rectifier", "softmax", 3, hidden=(16, 8), seed=seed, input_dropout=0.1 if dropout else 0.0,
                  hidden_dropout=[0.2, 0.2] if dropout else None)
    d = design(n=300, seed=seed)
    train_rows(net, d, np.random.default_rng(seed).permutation(300), Hyper(loss=H.CROSSENTROPY), rng_seed=seed,
               threads=threads)
    return net


def test_reproducible_serial_training_is_bit_identical():
    a, b = _train(11, 1), _train(11, 1)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.B, b.B) and np.array_equal(a.S_w, b.S_w)
    c = _train(12, 1)
    assert not np.array_equal(a.W, c.W)


def test_hogwild_kernel_trains_every_row():
    net = network("rectifier", "softmax", 3, hidden=(16, 8))
    d = design(n=301, seed=3)
    assert train_rows(net, d, np.arange(301), Hyper(loss=H.CROSSENTROPY), rng_seed=1, threads=2) == 301
    assert net.is_finite() is None


def test_nan_and_inf_inputs_count_as_missing():
    net = network("tanh", "softmax", 3)
    d = design(n=3, seed=4)
    d.num[0, 1], d.num[1, 0], d.num[2, 2] = np.nan, np.inf, -np.inf
    clean = d._replace(num=np.where(np.isfinite(d.num), d.num, 0).astype(np.float32))
    np.testing.assert_array_equal(predict(net, d), predict(net, clean))
    train_rows(net, d, np.arange(3), Hyper(loss=H.CROSSENTROPY), rng_seed=0, threads=1)
    assert net.is_finite() is None and np.isfinite(predict(net, d)).all()


def test_diverging_rate_raises_a_clear_error():
    net = network("rectifier", "linear", 1, hidden=(20, 20))
    d = design(n=200, seed=5, y=np.random.default_rng(0).normal(size=200) * 1e3)
    h = Hyper(loss=H.GAUSSIAN, adaptive_rate=False, rate=50.0, rate_annealing=0.0)
    with pytest.raises(TrainingError, match="diverged"):
        train_rows(net, d, np.tile(np.arange(200), 5), h, rng_seed=0, threads=1)
