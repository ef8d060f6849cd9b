"""Threads that share each row (kernels/partitioned.py) against the serial row kernel.

With one thread the partitioned kernel does the serial kernel's arithmetic in the same order; the two are separate
compiled kernels, and under fastmath LLVM may contract a multiply-add differently in each (seen: a kernel compiled in
this process against one loaded from numba's cache), so they agree to float32 rounding. With more threads only the
order of a few sums changes, and repeated runs of one kernel must be bit-identical (each weight has one writer,
reductions go in thread order).
"""
import threading

import numpy as np
import pytest

from deepbrook.engine.errors import TrainingError
from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.kernels import sgd
from deepbrook.engine.kernels.sync import barrier, sync_slots
from deepbrook.engine.model.network import Network
from deepbrook.engine.model.optimizer import Hyper, sharing_threads, train_rows
from deepbrook.engine.model.row_partition import RowPartition, partitioned_train
from kernel_cases import N_CAT_SLOTS, design

CASES = {
    "rectifier-adadelta-defaults-sparse-inputs": dict(activation="rectifier", hidden=[20, 16], hyper={},
                                                      zero_inputs=0.4),
    "rectifier-adadelta-dropout": dict(activation="rectifier", hidden=[20, 16], input_dropout=0.1,
                                       hidden_dropout=[0.2, 0.1], hyper={}),
    "tanh-one-layer-max_w2": dict(activation="tanh", hidden=[7], hyper=dict(max_w2=0.5)),
    "maxout-nesterov-max_w2": dict(activation="maxout", hidden=[9, 5], hidden_dropout=[0.1, 0.3],
                                   hyper=dict(adaptive_rate=False, rate=0.01, momentum_stable=0.9, max_w2=0.8)),
    "exprectifier-l1-l2-three-layers": dict(activation="exprectifier", hidden=[13, 11, 9],
                                            hyper=dict(adaptive_rate=False, rate=0.02, l1=1e-3, l2=1e-3)),
    "sparse-autoencoder": dict(activation="tanh", hidden=[12, 6], n_out=N_CAT_SLOTS + 3, output="tanh",
                               hyper=dict(loss=H.GAUSSIAN, autoencoder=True, sparsity_beta=0.2,
                                          average_activation=-0.1)),
    "regression-offset-huber": dict(activation="rectifier", hidden=[10, 6], n_out=1, output="linear",
                                    hyper=dict(loss=H.HUBER, adaptive_rate=False, rate=0.01)),
}


def _setup(case, n=300, seed=0):
    c = CASES[case]
    n_out = c.get("n_out", 3)
    rng = np.random.default_rng(seed)
    d = design(n=n, seed=seed, y=rng.normal(size=n) if n_out == 1 else None)
    if c.get("zero_inputs"):  # fast_mode skips these rows; the next row's forward share still needs some of them
        d.num[rng.random(d.num.shape) < c["zero_inputs"]] = 0.0
    if c["hyper"].get("autoencoder"):
        d = d._replace(y=np.zeros(n, np.float32))
    d = d._replace(offset=(rng.normal(size=n) * 0.1).astype(np.float32) if n_out == 1 else d.offset,
                   w=rng.choice([0.0, 0.5, 1.0, 2.0], size=n).astype(np.float32))
    net = Network.build(N_CAT_SLOTS + d.num.shape[1], c["hidden"], n_out, c["activation"], c.get("output", "softmax"),
                        input_dropout=c.get("input_dropout", 0.0), hidden_dropout=c.get("hidden_dropout"), seed=1)
    hyp, opt = Hyper(**c["hyper"]).arrays(samples=17.0, seed=5)
    cfg = (net.lay, net.drop, hyp, opt)
    data = (d.num, d.cat, d.y, d.w, d.offset)
    rows = rng.permutation(n).astype(np.int64)
    return net, cfg, data, rows


def _arrays(net):
    return [net.W, net.B, net.S_w, net.S_b, net.avg_act]


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_thread_matches_the_serial_kernel_to_rounding(case):
    net, cfg, data, rows = _setup(case)
    serial, part = net.copy(), net.copy()
    n_serial, st_serial = sgd.sgd_rows_serial(serial.net, cfg, data, rows, 1)
    n_part, st_part = partitioned_train(part, cfg, data, rows, 1)
    assert (n_part, st_part) == (n_serial, st_serial) and n_part == int((data[3] > 0).sum())
    for a, b in zip(_arrays(serial), _arrays(part)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)  # seen: 1.3e-6 relative, 6e-8 absolute


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("n_threads", [2, 3])
def test_shared_rows_match_the_serial_kernel_and_repeat_exactly(case, n_threads):
    net, cfg, data, rows = _setup(case)
    serial = net.copy()
    sgd.sgd_rows_serial(serial.net, cfg, data, rows, 1)
    runs = []
    for _ in range(2):
        part = net.copy()
        n, status = partitioned_train(part, cfg, data, rows, n_threads)
        assert status == H.OK and n == int((data[3] > 0).sum())
        runs.append(part)
    for a, b in zip(_arrays(serial), _arrays(runs[0])):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)
    for a, b in zip(_arrays(runs[0]), _arrays(runs[1])):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(net.W, runs[0].W)  # it trained


def test_pack_then_unpack_restores_every_array():
    net, _, _, _ = _setup("maxout-nesterov-max_w2")
    rng = np.random.default_rng(3)
    for arr in _arrays(net)[:4]:
        arr[...] = rng.normal(size=arr.shape)
    part = RowPartition(net.lay, 3)
    out = net.copy()
    for arr in _arrays(out)[:4]:
        arr[...] = 0.0
    part.unpack(part.pack(net), out)
    for a, b in zip(_arrays(net), _arrays(out)):
        np.testing.assert_array_equal(a, b)


def test_every_thread_block_starts_on_its_own_cache_line():
    part = RowPartition(Network.geometry(717, [200, 200], 10, "rectifier", "softmax"), 2, n_num=717, n_cat=0)
    assert (part.plan[:, :, 0] % 16 == 0).all() and (part.plan[:, :, 1] % 16 == 0).all()
    assert part.plan[0, 0, 2:4].tolist() == [0, 358] and part.plan[0, 1, 2:4].tolist() == [358, 717]  # input rows
    assert part.plan[1, 0, 2:4].tolist() == [0, 100] and part.plan[1, 1, 2:4].tolist() == [100, 200]  # units
    assert part.plan[2, 1, 2:4].tolist() == [100, 200]  # output rows follow the last hidden layer's units


def test_first_layer_rows_balance_active_inputs():
    # 3 categorical columns (one active slot each, 5,000 slots in all) and 7 numerics: 10 active rows per sample
    part = RowPartition(Network.geometry(5007, [64, 64], 2, "rectifier", "softmax"), 2, n_num=7, n_cat=3)
    (lo0, hi0), (lo1, hi1) = part.plan[0, 0, 2:4].tolist(), part.plan[0, 1, 2:4].tolist()
    assert (lo0, hi1) == (0, 5007) and hi0 == lo1 == 5000 + 2  # thread 0: all slots + 2 numerics; thread 1: 5


def test_divergence_is_reported_by_every_thread_at_once():
    net, _, data, rows = _setup("regression-offset-huber")
    hyp, opt = Hyper(adaptive_rate=False, rate=1e10, loss=H.GAUSSIAN).arrays()
    data = data[:2] + (np.full_like(data[2], 1e30),) + data[3:]
    n, status = partitioned_train(net, (net.lay, net.drop, hyp, opt), data, rows, 3)
    assert status == H.DIVERGED and n < len(rows)


def test_wide_networks_train_through_shared_rows_and_report_divergence():
    d = design(n=40, n_num=64, seed=1, y=np.full(40, 1e30))
    net = Network.build(N_CAT_SLOTS + d.num.shape[1], [64, 64], 1, "rectifier", "linear", seed=1)
    assert sharing_threads(net.lay, 2) == 2
    with pytest.raises(TrainingError, match="diverged"):
        train_rows(net, d, np.arange(40), Hyper(adaptive_rate=False, rate=1e10, loss=H.GAUSSIAN), rng_seed=0,
                   threads=2)


def test_barrier_orders_writes_and_an_abort_releases_the_waiters():
    sync = np.zeros(sync_slots(2), np.int64)
    out = []
    waiter = threading.Thread(target=lambda: out.append(barrier(sync, 1, 2, 1)))
    waiter.start()
    assert barrier(sync, 0, 2, 1) and (waiter.join() or out == [True])
    # thread 0 never arrives at barrier 2: an abort must free thread 1 with False
    waiter = threading.Thread(target=lambda: out.append(barrier(sync, 1, 2, 2)))
    waiter.start()
    sync[0] = 1
    waiter.join(timeout=10)
    assert not waiter.is_alive() and out == [True, False]


def test_threads_share_rows_as_far_as_the_layers_are_wide_enough():
    wide = Network.geometry(717, [200, 200], 10, "rectifier", "softmax")
    narrow = Network.geometry(717, [200, 8], 10, "rectifier", "softmax")
    few_inputs = Network.geometry(7, [200, 200], 10, "rectifier", "softmax")
    assert sharing_threads(wide, 2) == 2 and sharing_threads(wide, 64) == 22 and sharing_threads(wide, 1) == 1
    assert sharing_threads(narrow, 2) < 2 and sharing_threads(few_inputs, 2) < 2  # Hogwild!
