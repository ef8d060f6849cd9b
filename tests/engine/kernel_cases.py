"""Small networks and one-row designs shared by the kernel tests."""
from collections import namedtuple

import numpy as np

from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.kernels.predict import predict_rows_serial
from deepbrook.engine.model.network import Network
from deepbrook.engine.model.optimizer import Hyper, train_rows

Design = namedtuple("Design", "num cat y w offset row_index")

N_CAT_SLOTS = 5  # two categorical columns: slots 0-2 and 3-4


def design(n=8, n_num=3, seed=0, y=None):
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(n, n_num)).astype(np.float32)
    cat = np.stack([rng.integers(0, 3, n), rng.integers(3, 5, n)], axis=1).astype(np.int32)
    if y is None:
        y = rng.integers(0, 3, n).astype(np.float32)
    return Design(num, cat, np.asarray(y, np.float32), np.ones(n, np.float32), np.zeros(n, np.float32),
                  np.arange(n))


def network(activation, output, n_out, hidden=(6, 4), n_num=3, seed=1, **kw):
    return Network.build(N_CAT_SLOTS + n_num, list(hidden), n_out, activation, output, seed=seed, **kw)


def layers64(net):
    Ws = [net.weights(k).astype(np.float64) for k in range(net.n_layers)]
    bs = [net.biases(k).astype(np.float64) for k in range(net.n_layers)]
    codes = [int(c) for c in net.lay[:, H.L_ACT]]
    return Ws, bs, codes


def predict(net, d, upto=None):
    upto = net.n_layers - 1 if upto is None else upto
    out = np.zeros((d.num.shape[0], int(net.lay[upto, H.L_UNITS])), np.float32)
    predict_rows_serial(net.net, (net.lay, net.drop), d.num, d.cat, d.offset, upto, out)
    return out


def sgd_gradient(net, d, row, loss, autoencoder=False, rate=1e-3, **hyper):
    """Gradient the kernel applied to one row, read back from a plain SGD step (W_before - W_after) / rate."""
    before = [net.weights(k).copy() for k in range(net.n_layers)], [net.biases(k).copy() for k in range(net.n_layers)]
    h = Hyper(loss=loss, autoencoder=autoencoder, adaptive_rate=False, rate=rate, rate_annealing=0.0, **hyper)
    assert train_rows(net, d, np.array([row]), h, rng_seed=0, threads=1) == 1
    gW = [(b - net.weights(k)) / rate for k, b in enumerate(before[0])]
    gb = [(b - net.biases(k)) / rate for k, b in enumerate(before[1])]
    return gW, gb
