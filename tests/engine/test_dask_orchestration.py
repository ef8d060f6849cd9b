"""Orchestration of distributed training (engine/distributed/) with a small pure-numpy stand-in trainer.

The stand-in has train_rows' signature, so these tests pin the Dask side (sharding, broadcast, weighted and elastic
averaging, the samples-per-iteration tuner, worker-death recovery) independently of the numba engine.
"""
import os
import sys
from typing import NamedTuple

import cloudpickle
import numpy as np
import pytest

from deepbrook.engine.distributed import make_iteration_step
from deepbrook.engine.distributed.sampling import iteration_seed, select_rows
from deepbrook.engine.distributed.state import average_into, elastic_update, state_arrays
from deepbrook.engine.distributed.step import _split_rows, _subset
from deepbrook.engine.distributed.tasks import ShardPlan, train_shard
from deepbrook.engine.distributed.tuning import SamplesTuner, fixed_rows
from deepbrook.engine.errors import ParameterError, TrainingError

distributed = pytest.importorskip("distributed")

# Workers cannot import test modules: ship this module's functions and classes by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


# ---- stand-in engine ---------------------------------------------------------------------------------------
class Design(NamedTuple):
    num: np.ndarray
    cat: np.ndarray
    y: np.ndarray
    w: np.ndarray
    offset: np.ndarray
    row_index: np.ndarray


class TinyNet:
    """Softmax regression with a momentum buffer (averaged like optimizer state) and an integer counter (not)."""

    def __init__(self, p, k, seed=0):
        self.W = np.random.default_rng(seed).normal(0.0, 0.01, (p, k)).astype(np.float32)
        self.b = np.zeros(k, np.float32)
        self.state = [np.zeros((p, k), np.float32), np.zeros(k, np.float32)]
        self.updates = np.zeros(1, np.int64)


class Hyper(NamedTuple):
    rate: float = 0.05
    rate_annealing: float = 1e-4
    fail: str = ""            # "error": raise inside training; a path: die once (os._exit) on shard 1
    die_after: float = 0.0


def softmax_rows(net, design, row_ids, hyper, rng_seed, samples_seen=0.0):
    """Per-row SGD with momentum 0.5, train_rows' contract: trains in place, returns rows trained."""
    if hyper.fail == "error":
        raise ValueError("bad input in the stand-in trainer")
    if hyper.fail and samples_seen >= hyper.die_after and design.row_index[0] > 0 and not os.path.exists(hyper.fail):
        open(hyper.fail, "w").close()
        os._exit(1)                                       # the worker process dies mid-iteration
    lr = hyper.rate / (1.0 + hyper.rate_annealing * samples_seen)
    for r in row_ids:
        x = design.num[r]
        z = x @ net.W + net.b
        p = np.exp(z - z.max())
        p /= p.sum()
        p[int(design.y[r])] -= 1.0
        net.state[0] = (0.5 * net.state[0] + np.outer(x, p)).astype(np.float32)
        net.state[1] = (0.5 * net.state[1] + p).astype(np.float32)
        net.W -= lr * net.state[0]
        net.b -= lr * net.state[1]
    net.updates += len(row_ids)
    return len(row_ids)


def accuracy(net, design):
    return float(np.mean(np.argmax(design.num @ net.W + net.b, axis=1) == design.y))


class Params(NamedTuple):
    train_samples_per_iteration: int = 0
    epochs: float = 1.0
    seed: int = 42
    replicate_training_data: bool = False
    single_node_mode: bool = False
    shuffle_training_data: bool = False
    elastic_averaging: bool = False
    elastic_averaging_moving_rate: float = 0.9
    elastic_averaging_regularization: float = 0.001
    target_ratio_comm_to_comp: float = 0.05
    reproducible: bool = False
    adaptive_rate: bool = False
    rate: float = 0.05


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    n = len(y)
    num = ((x - x.mean(0)) / (x.std(0) + 1e-6)).astype(np.float32)
    return Design(num, np.zeros((n, 0), np.int32), y.astype(np.float32), np.ones(n, np.float32),
                  np.zeros(n, np.float32), np.arange(n, dtype=np.int64))


def step_for(client, design, **params):
    return make_iteration_step("dask", client=client, design=design, params=Params(**params),
                               train_fn=softmax_rows)


# ---- pure maths (no cluster) -----------------------------------------------------------------------------
def test_weighted_average_covers_weights_biases_and_optimizer_state_not_counters():
    a, b, out = TinyNet(3, 2, seed=1), TinyNet(3, 2, seed=2), TinyNet(3, 2, seed=3)
    a.state[0][:] = 1.0
    b.state[0][:] = 4.0
    out.updates[:] = 7
    average_into(out, [a, b], [1, 3])
    np.testing.assert_allclose(out.W, 0.25 * a.W + 0.75 * b.W, rtol=1e-6)
    np.testing.assert_allclose(out.state[0], 3.25)
    assert out.updates[0] == 7 and len(state_arrays(out)) == 4
    with pytest.raises(ValueError, match="at least one copy"):
        average_into(out, [a], [0])
    with pytest.raises(ValueError, match="shape"):
        average_into(out, [TinyNet(4, 2)], [1])


def test_elastic_consensus_step():
    center, avg = TinyNet(3, 2, seed=1), TinyNet(3, 2, seed=2)
    before = center.W.copy()
    elastic_update(center, avg, 0.9)
    np.testing.assert_allclose(center.W, 0.9 * avg.W + 0.1 * before, rtol=1e-6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        elastic_update(center, avg, 1.5)


def test_row_selection_passes_and_sampling():
    np.testing.assert_array_equal(select_rows(5, 5, False, 1), np.arange(5))        # one ordered pass
    shuffled = select_rows(50, 50, True, 1)
    assert sorted(shuffled) == list(range(50)) and not np.array_equal(shuffled, np.arange(50))
    part = select_rows(50, 20, False, 3)
    assert len(part) == 20 and len(set(part)) == 20                                   # fraction < 1: exact, distinct
    np.testing.assert_array_equal(part, select_rows(50, 20, False, 3))                # seeded
    more = select_rows(10, 25, False, 3)
    assert len(more) == 25 and np.bincount(more, minlength=10).min() == 2             # 2 passes + 5 sampled
    assert len(select_rows(0, 5, False, 1)) == 0
    assert iteration_seed(1, 2, 0) != iteration_seed(1, 2, 1) != iteration_seed(1, 3, 1)


def test_split_rows_is_exact_and_proportional():
    counts = _split_rows(101, [50, 50, 25])
    assert counts.sum() == 101 and list(counts) == [40, 41, 20] or sorted(counts) == [20, 40, 41]


def test_fixed_samples_per_iteration_rules():
    assert fixed_rows(0, 1000, 5, 2, False) == 1000
    assert fixed_rows(-1, 1000, 5, 2, False) == 1000
    assert fixed_rows(-1, 1000, 5, 2, True) == 2000
    assert fixed_rows(300, 1000, 5, 2, False) == 300
    assert fixed_rows(10**9, 1000, 0.5, 2, False) == 500
    with pytest.raises(ValueError, match="train_samples_per_iteration"):
        fixed_rows(-3, 1000, 5, 2, False)


def test_auto_tuner_follows_measured_ratio_with_h2o_bounds():
    t = SamplesTuner(-2, n_train=100_000, epochs=10, n_workers=2, replicated=False, target_ratio=0.05)
    # first measurement: 1 ms per row per worker, 50 ms communication -> (0.05/0.05 - 0.05)/1e-3 * 2 workers
    t.rows = 1000
    assert t.update(1000, 0.5, 0.05) == int((0.05 / 0.05 - 0.05) / 1e-3 * 2)
    rows = t.rows
    assert t.update(rows, 1.0, 0.052) == rows                       # within 20% of the target: unchanged
    assert t.update(rows, 1.0, 0.5) == 2 * rows                     # 10x too much communication: at most x2
    assert t.update(2 * rows, 1.0, 0.001) == rows                   # far too little: at most /2
    fresh = SamplesTuner(-2, n_train=10**6, epochs=10, n_workers=2, replicated=False, target_ratio=0.1)
    assert fresh.initial(0.1, 1e-4) == int((0.1 / 0.1 - 0.1) / 1e-4 * 2)   # H2O's (comm/ratio - comm)/time_per_row
    small = SamplesTuner(-2, n_train=1000, epochs=1, n_workers=2, replicated=False)
    assert small.initial(10.0, 1e-3) == 100                          # capped at epochs * N / 10
    with pytest.raises(ValueError, match="target_ratio_comm_to_comp"):
        SamplesTuner(-2, 10, 1, 1, False, target_ratio=0)


def test_backend_argument_errors(digits):
    assert make_iteration_step("local") is None
    with pytest.raises(ParameterError, match="backend"):
        make_iteration_step("spark")
    with pytest.raises(ParameterError, match="client=.*scheduler="):
        make_iteration_step("dask", design=digits, params=Params())
    with pytest.raises(ParameterError, match="client must be"):
        make_iteration_step("dask", client="tcp://x", design=digits, params=Params())


# ---- on a 2-worker LocalCluster --------------------------------------------------------------------------
def test_step_equals_averaging_of_shards_trained_locally(client, digits):
    net = TinyNet(64, 10)
    hyper = Hyper()
    step = step_for(client, digits, train_samples_per_iteration=600)
    try:
        assert step.n_workers == 2 and not step.replicated
        assert step.rows_for_iteration() == 600
        expected = TinyNet(64, 10)
        shards = [_subset(digits, r) for r in step.shard_rows]
        copies, rows = [], []
        orders = step.row_orders()                        # fresh row streams: the local trainer's RowOrder rules
        for s, count in enumerate(_split_rows(600, [len(r) for r in step.shard_rows])):
            plan = ShardPlan(int(count), iteration_seed(42, 1, s), False, 0.0, 0.05, 0.0, softmax_rows,
                             orders[s].take(int(count)))
            model, n, _ = train_shard(shards[s], expected, hyper, plan)
            copies.append(model)
            rows.append(n)
        average_into(expected, copies, rows)
        assert step(net, hyper, 600, 1) == 600
        np.testing.assert_allclose(net.W, expected.W, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(net.state[0], expected.state[0], rtol=1e-5, atol=1e-7)
        info = step.info()
        assert info["backend"] == "dask" and info["n_workers"] == 2 and len(info["workers"]) == 2
        assert info["samples_per_iteration"] == [600] and 0 <= info["comm_fraction"] <= 1
        assert info["weight_bytes"] == sum(a.nbytes for a in state_arrays(net))
    finally:
        step.close()


def test_training_converges_across_iterations(client, digits):
    net, hyper = TinyNet(64, 10), Hyper()
    before = accuracy(net, digits)
    step = step_for(client, digits, train_samples_per_iteration=0, shuffle_training_data=True)
    try:
        seen = 0
        for it in range(1, 4):
            seen += step(net, hyper, step.rows_for_iteration(), it, samples_seen=seen)
        assert seen == 3 * len(digits.y)
        assert before < 0.3 and accuracy(net, digits) > 0.9
    finally:
        step.close()


def test_replicated_and_single_node_modes(client, digits):
    step = step_for(client, digits, train_samples_per_iteration=-1, replicate_training_data=True)
    try:
        assert step.replicated and step.shuffle                       # H2O auto-shuffles replicated full passes
        assert all(len(r) == len(digits.y) for r in step.shard_rows)
        assert step.rows_for_iteration() == 2 * len(digits.y)
        net = TinyNet(64, 10)
        assert step(net, Hyper(), 400, 1) == 400
        assert accuracy(net, digits) > 0.5
    finally:
        step.close()
    single = step_for(client, digits, train_samples_per_iteration=100, replicate_training_data=True,
                      single_node_mode=True)
    try:
        assert single.n_workers == 1 and single.single_node and len(single.shard_rows[0]) == len(digits.y)
        assert single(TinyNet(64, 10), Hyper(), 100, 1) == 100
        assert single.info()["n_workers"] == 1
    finally:
        single.close()


def test_elastic_averaging_keeps_local_models_and_moves_the_centre(client, digits):
    step = step_for(client, digits, train_samples_per_iteration=400, elastic_averaging=True,
                    elastic_averaging_moving_rate=0.5, elastic_averaging_regularization=0.0)
    try:
        center, hyper = TinyNet(64, 10), Hyper()
        step(center, hyper, 400, 1)
        locals_1 = [f.result()[0] for _, f in sorted(step._local.items())]
        avg_1 = average_into(TinyNet(64, 10), locals_1, [200, 200])
        c1 = center.W.copy()
        np.testing.assert_allclose(c1, 0.5 * avg_1.W + 0.5 * TinyNet(64, 10).W, rtol=1e-5, atol=1e-7)
        step(center, hyper, 400, 2)
        # iteration 2 starts each worker from its own local model, not from the centre
        locals_2 = [f.result()[0] for _, f in sorted(step._local.items())]
        assert all(int(m.updates[0]) == 400 for m in locals_2)
        avg_2 = average_into(TinyNet(64, 10), locals_2, [200, 200])
        np.testing.assert_allclose(center.W, 0.5 * avg_2.W + 0.5 * c1, rtol=1e-5, atol=1e-7)
    finally:
        step.close()


def test_elastic_regularization_pulls_local_models_toward_the_centre(client, digits):
    def spread(reg):
        step = step_for(client, digits, train_samples_per_iteration=400, elastic_averaging=True,
                        elastic_averaging_regularization=reg)
        try:
            center = TinyNet(64, 10)
            for it in (1, 2):
                step(center, Hyper(), 400, it)
            return float(sum(np.abs(f.result()[0].W - center.W).sum() for f in step._local.values()))
        finally:
            step.close()
    assert spread(0.05) < 0.8 * spread(0.0)


def test_auto_tuning_measures_round_trip_and_adapts(client, digits):
    step = step_for(client, digits, train_samples_per_iteration=-2, epochs=50, target_ratio_comm_to_comp=0.5)
    try:
        net = TinyNet(64, 10)
        first = step.rows_for_iteration(None, net, Hyper())
        assert 1 <= first <= 50 * len(digits.y) / 10
        sizes = []
        for it in range(1, 4):
            step(net, Hyper(), step.rows_for_iteration(), it)
            sizes.append(step.rows_for_iteration())
        assert step.tuner.history[0][0] == first and len(step.tuner.history) == 3
        assert all(1 <= s <= 50 * len(digits.y) / 10 for s in sizes)
        assert 0 < step.info()["comm_fraction"] < 1
    finally:
        step.close()


def test_training_error_on_a_worker_is_raised_not_retried(client, digits):
    step = step_for(client, digits, train_samples_per_iteration=100)
    try:
        with pytest.raises(TrainingError, match="shard .* failed: ValueError"):
            step(TinyNet(64, 10), Hyper(fail="error"), 100, 1)
    finally:
        step.close()


def test_worker_death_mid_iteration_is_survived(client, digits, tmp_path):
    marker = str(tmp_path / "died")
    hyper = Hyper(fail=marker, die_after=800)
    step = step_for(client, digits, train_samples_per_iteration=400)
    try:
        net, seen = TinyNet(64, 10), 0
        for it in range(1, 6):
            seen += step(net, hyper, 400, it, samples_seen=seen)
        assert os.path.exists(marker)                               # a worker really died (iteration 3)
        assert seen == 5 * 400                                      # ... and its shard's rows were still trained
        events = step.info()["events"]
        assert len(events) >= 1 and events[0]["iteration"] == 3 and events[0]["event"] == "worker lost"
        assert "re-assigned" in step.pop_notes() and step.pop_notes() == ""
        assert accuracy(net, digits) > 0.8
    finally:
        step.close()


def test_cancel_abandons_the_iteration_and_keeps_the_model(client, digits):
    import threading
    step = step_for(client, digits, train_samples_per_iteration=600)
    try:
        net = TinyNet(64, 10)
        before = net.W.copy()
        step.cancel_event = threading.Event()
        step.cancel_event.set()
        assert step(net, Hyper(), 600, 1) == 0
        np.testing.assert_array_equal(net.W, before)
        step.cancel_event.clear()
        assert step(net, Hyper(), 600, 1) == 600 and step.iterations == 1
    finally:
        step.close()


def test_replicated_workers_share_one_row_stream_like_the_local_trainer(client, digits):
    """Replicated data: each iteration's rows are consecutive pieces of ONE stream of seeded passes (the local
    trainer's RowOrder), so the workers train disjoint rows and an epoch visits every row exactly once."""
    client.wait_for_workers(2, timeout=60)                 # a worker killed by an earlier test is restarted
    step = step_for(client, digits, train_samples_per_iteration=600, replicate_training_data=True)
    try:
        assert step.replicated and step.n_workers == 2
        n = step.n_train
        pieces = []
        for it in range(-(-n // 600)):
            a, b = step._iteration_rows(_split_rows(600, [len(r) for r in step.shard_rows]))
            assert len(a) == len(b) == 300
            if 600 * (it + 1) <= n:                            # inside one pass: the two workers' rows are disjoint
                assert not set(a) & set(b)
            pieces += [a, b]
        np.testing.assert_array_equal(np.sort(np.concatenate(pieces)[:n]), np.arange(n))
        assert not np.array_equal(np.concatenate(pieces)[:n], np.arange(n))   # a part of the data: shuffled
    finally:
        step.close()
