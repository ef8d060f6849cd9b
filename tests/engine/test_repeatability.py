"""What repeats bit for bit and what varies (issue 19 item 6; README "Repeatability" states the same)."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearning, import_file
from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.model.network import Network
from deepbrook.engine.model.optimizer import Hyper, default_threads, train_rows
from deepbrook.engine.model.trainer import Trainer

TIMING = {"timestamp", "duration", "training_speed"}


@pytest.fixture(scope="module")
def prostate(prostate_path):
    return import_file(str(prostate_path)).as_type("CAPSULE", "enum")


def _same_model(a, b, frame):
    for name in ("W", "B", "S_w", "S_b", "avg_act"):
        assert np.array_equal(getattr(a.network, name), getattr(b.network, name)), name
    pa, pb = a.predict(frame).as_pandas(), b.predict(frame).as_pandas()
    assert pa.equals(pb)
    ha, hb = a.scoring_history(), b.scoring_history()
    cols = [c for c in ha.columns if c not in TIMING]
    assert ha[cols].equals(hb[cols])


@pytest.mark.parametrize("mini_batch_size", [1, 16])
def test_reproducible_runs_with_a_seed_are_bit_identical(prostate, mini_batch_size):
    kw = dict(hidden=[64, 32], epochs=4, seed=11, reproducible=True, activation="RectifierWithDropout",
              input_dropout_ratio=0.1, mini_batch_size=mini_batch_size, ignored_columns=["ID"])
    a = DeepLearning(**kw).train(y="CAPSULE", training_frame=prostate)
    b = DeepLearning(**kw).train(y="CAPSULE", training_frame=prostate)
    _same_model(a, b, prostate)


def test_a_drawn_seed_is_recorded_and_repeats_the_run(prostate):
    kw = dict(hidden=[8], epochs=2, reproducible=True, ignored_columns=["ID"])
    a = DeepLearning(seed=-1, **kw).train(y="CAPSULE", training_frame=prostate)
    assert a.params.seed >= 0 and a.params.seed_drawn
    b = DeepLearning(seed=a.params.seed, **kw).train(y="CAPSULE", training_frame=prostate)
    _same_model(a, b, prostate)


def _wide_case():
    rng = np.random.default_rng(0)
    n, p = 400, 96
    net = Network.build(p, [32, 16], 3, "rectifier", "softmax", seed=3)
    design = type("D", (), {})()
    design.num = rng.normal(size=(n, p)).astype(np.float32)
    design.cat = np.full((n, 0), -1, np.int32)
    design.y = rng.integers(0, 3, n).astype(np.float32)
    design.w = np.ones(n, np.float32)
    design.offset = np.zeros(n, np.float32)
    return net, design


def test_without_reproducible_the_result_depends_on_the_thread_schedule():
    # Without reproducible=True the trainer picks, per chunk of rows, between all threads and one thread by
    # measured speed (which depends on the machine's load), so the schedule is not repeatable ...
    trainer = Trainer(*_wide_case(), Hyper(loss=H.CROSSENTROPY), threads=None)
    if default_threads() > 1:
        assert sorted(trainer.chooser.options) == [1, default_threads()]
    # ... and the thread count changes the float rounding: two threads sharing each row repeat each other bit
    # for bit, but differ from one thread in the last bits (summation order), a difference that training grows.
    runs = {}
    for threads in (1, 2, 2):
        net, design = _wide_case()
        train_rows(net, design, np.arange(400), Hyper(loss=H.CROSSENTROPY), rng_seed=1, threads=threads)
        runs.setdefault(threads, []).append(net.W.copy())
    assert np.array_equal(runs[2][0], runs[2][1])
    assert not np.array_equal(runs[1][0], runs[2][0])
    np.testing.assert_allclose(runs[1][0], runs[2][0], rtol=1e-3, atol=1e-4)


def test_without_reproducible_auto_iterations_follow_the_measured_speed():
    net, design = _wide_case()
    big = type("D", (), {})()
    big.num, big.cat, big.y, big.offset = design.num, design.cat, design.y, design.offset
    big.w = np.ones(400, np.float32)
    trainer = Trainer(net, big, Hyper(loss=H.CROSSENTROPY), epochs=10_000, threads=1)
    trainer.speed = 100.0                     # rows per second measured on a busy machine
    slow = trainer.iteration_rows()
    trainer.speed = 200.0
    assert trainer.iteration_rows() == 2 * slow   # so the scoring points (and early stopping) move with the load
