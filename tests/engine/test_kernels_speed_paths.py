"""Speed paths (issue 7): batched scoring, the data-parallel mini-batch variant, the trainer's thread chooser."""
import numpy as np
import pytest
from kernel_cases import design, network

from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.kernels import minibatch
from deepbrook.engine.kernels.predict import predict_blocks, predict_rows_serial
from deepbrook.engine.kernels.scratch import NO_SCALING
from deepbrook.engine.model.optimizer import Hyper, design_arrays
from deepbrook.engine.model.network import Network
from deepbrook.engine.model.trainer import _PROBE_BATCHES, _REPROBE_BATCHES, ThreadChooser, Trainer


@pytest.mark.parametrize("activation,output,n_out,dropout", [("rectifier", "softmax", 3, None),
                                                              ("maxout", "linear", 1, None),
                                                              ("tanh", "softmax", 3, [0.3, 0.2])])
def test_block_scoring_equals_row_scoring(activation, output, n_out, dropout):
    net = network(activation, output, n_out, hidden_dropout=dropout)
    d = design(n=600, seed=3)       # more than two blocks of 256, the last one partial
    d.num[5, 1] = np.nan            # missing numeric -> 0
    d.cat[7, 0] = -1                # no active slot
    d.offset[:] = 0.25
    for upto in range(net.n_layers):
        units = int(net.lay[upto, H.L_UNITS])
        rows, blocks = np.zeros((600, units), np.float32), np.zeros((600, units), np.float32)
        predict_rows_serial(net.net, (net.lay, net.drop), d.num, d.cat, d.offset, upto, rows)
        predict_blocks(net.net, (net.lay, net.drop), d.num, NO_SCALING, d.cat, d.offset, np.zeros(0, np.int64), upto,
                       blocks)
        np.testing.assert_allclose(blocks, rows, rtol=1e-5, atol=1e-6, err_msg=f"layer {upto}")
        # a sample of rows, read in place (the Scorer's training sample), equals scoring a copy of those rows
        pick = np.array([599, 3, 5, 7, 300, 3], np.int64)
        sampled = np.zeros((len(pick), units), np.float32)
        predict_blocks(net.net, (net.lay, net.drop), d.num, NO_SCALING, d.cat, d.offset, pick, upto, sampled)
        np.testing.assert_allclose(sampled, rows[pick], rtol=1e-5, atol=1e-6, err_msg=f"layer {upto}, sampled")


def test_data_parallel_minibatch_variant_matches_the_serial_kernel():
    def run(kernel, parts):
        net = network("rectifier", "softmax", 3, hidden=(16, 8), seed=3, input_dropout=0.1,
                      hidden_dropout=[0.3, 0.2])
        d = design(n=203, seed=3)   # last batch partial
        hyp, opt = Hyper(loss=H.CROSSENTROPY, mini_batch_size=16).arrays(0.0, 5)
        n, status = kernel(net.net, (net.lay, net.drop, hyp, opt), design_arrays(d), np.arange(203), 16, parts)
        assert (n, status) == (203, H.OK)
        return net
    a = run(minibatch.minibatch_rows_serial, 1)
    for kernel, parts in ((minibatch.minibatch_rows_serial, 3), (minibatch.minibatch_rows_parallel, 2)):
        b = run(kernel, parts)      # same masks, same math; only the summation order of the parts differs
        np.testing.assert_allclose(b.W, a.W, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b.B, a.B, rtol=1e-4, atol=1e-6)


def test_thread_chooser_probes_each_option_then_runs_the_fastest():
    c = ThreadChooser([2, 1])
    speeds = {2: 1000.0, 1: 3000.0}
    first = []
    for _ in range(4):
        first.append(c.next())
        c.record(first[-1], speeds[first[-1]])
    assert first == [2, 1, 2, 1]  # in turns: the second chunk of the slower option is short
    assert c.share(1) == 1.0 and c.share(2) == ThreadChooser.PROBE_SHARE  # probes of the slower one are short
    picks = []
    for _ in range(16):
        t = c.next()
        c.record(t, speeds[t])
        picks.append(t)
    assert picks.count(1) >= 13 and 2 in picks       # mostly the faster option, the other re-measured
    speeds[2] = 9000.0                                 # the load changed: the chooser follows
    for _ in range(24):
        t = c.next()
        c.record(t, speeds[t])
    assert c.next() == 2
    assert c.share(2) == 1.0 and c.share(1) == ThreadChooser.PROBE_SHARE
    speeds[2] = 1000.0                                 # a collapse is believed at once, not averaged away
    c.record(2, speeds[2])
    assert c.speed[2] == 1000.0 and c.next() == 1
    c.record(1, speeds[1])
    speeds[2] = 9000.0                                 # it was brief: re-measured two chunks later, and chosen
    assert c.next() == 2
    c.record(2, speeds[2])
    assert c.next() == 2
    assert ThreadChooser([1]).next() == 1
    fresh = ThreadChooser([2, 1])
    assert fresh.share(2) == 1.0
    fresh.record(2, 5000.0)
    assert fresh.share(1) == ThreadChooser.PROBE_SHARE  # not measured yet while another option is


def test_thread_chooser_soon_re_measures_an_option_whose_first_turns_were_unlucky():
    # MNIST batch 256 in the benchmark: a burst of other work during the first turns made two threads measure as
    # slow as one, and the epoch ran on one thread (97k instead of 140k samples/s) with no re-measure in 10 chunks.
    c = ThreadChooser([2, 1])
    for _ in range(2):
        for t, s in ((2, 500.0), (1, 1000.0)):
            assert c.next() == t
            c.record(t, s)
    picks = []
    for _ in range(4):
        picks.append(c.next())
        c.record(picks[-1], {2: 3000.0, 1: 1000.0}[picks[-1]])
    assert picks[:2] == [1, 2] and picks[2:] == [2, 2]


def test_thread_chooser_re_measures_one_thread_late_when_more_threads_won_the_first_turns():
    # one thread does not get faster by itself; more threads that win are re-checked when they collapse (record)
    c = ThreadChooser([2, 1])
    speeds = {2: 3000.0, 1: 1000.0}
    picks = []
    for _ in range(4 + ThreadChooser.PROBE_EVERY):
        picks.append(c.next())
        c.record(picks[-1], speeds[picks[-1]])
    assert picks[:4] == [2, 1, 2, 1] and picks[4:-1] == [2] * (ThreadChooser.PROBE_EVERY - 1) and picks[-1] == 1


def test_thread_chooser_first_turns_per_option_and_one_for_one_thread_with_mini_batches():
    # mini-batches run one compiled kernel whatever the thread count: the first option's first turn loads it, so
    # one thread's first turn is a real measurement and a second one would only cost time
    c = ThreadChooser([2, 1], first_turns={1: 1})
    picks = []
    for _ in range(4):
        picks.append(c.next())
        c.record(picks[-1], {2: 3000.0, 1: 1000.0}[picks[-1]])
    assert picks == [2, 1, 2, 2] and c.seen == {2: 3, 1: 1}
    d = design(300, 3)
    net = network("rectifier", "softmax", 3, hidden=(8,))
    assert Trainer(net, d, Hyper(loss=H.CROSSENTROPY, mini_batch_size=32), threads=None).chooser.turns[1] == 1
    assert Trainer(net, d, Hyper(loss=H.CROSSENTROPY), threads=None).chooser.turns[1] == 2


def test_minibatch_first_chunk_of_each_thread_option_is_short():
    # Its measurement is replaced by the next one; a full-size chunk on an option that the load makes slow (a
    # multi-threaded BLAS on shared cores) cost a third of an epoch.
    rng = np.random.default_rng(0)
    design = type("D", (), {})()
    design.num = rng.normal(size=(5000, 8)).astype(np.float32)
    design.cat = np.full((5000, 0), -1, np.int32)
    design.y = rng.integers(0, 2, 5000).astype(np.float32)
    design.w = np.ones(5000, np.float32)
    design.offset = np.zeros(5000, np.float32)
    net = Network.build(8, [16], 2, "rectifier", "softmax", seed=1)
    trainer = Trainer(net, design, Hyper(loss=H.CROSSENTROPY, mini_batch_size=32), threads=None)
    trainer.chooser = ThreadChooser([2, 1])
    assert trainer.chunk_rows(2) == _PROBE_BATCHES * 32
    trainer.chooser.record(2, 1000.0)
    trainer.speed = 1000.0
    assert trainer.chunk_rows(1) == _PROBE_BATCHES * 32        # the other option's first turn is short too
    assert trainer.chunk_rows(2) == 1000 * 0.25 // 32 * 32     # a measured option: about CHUNK_SECONDS
    fast = Trainer(net, design, Hyper(loss=H.CROSSENTROPY, mini_batch_size=32), threads=None)
    fast.chooser = ThreadChooser([2, 1])
    fast.chooser.record(2, 100_000.0)
    fast.chooser.record(1, 400_000.0)
    # the second turn of the slower option stays short (its first turn's speed may be far from the truth) ...
    assert fast.chunk_rows(2) == 2 * _PROBE_BATCHES * 32
    assert fast.chunk_rows(1) == 400_000 * 0.25 // 32 * 32     # ... the faster one runs a full chunk
    fast.chooser.record(2, 100_000.0)
    assert fast.chunk_rows(2) == _REPROBE_BATCHES * 32            # later re-measures of the slower one: short too
    one_row = Trainer(net, design, Hyper(loss=H.CROSSENTROPY), threads=None)
    one_row.chooser = ThreadChooser([2, 1])
    assert one_row.chunk_rows(2) == 2000                        # one row per update: unchanged


def test_thread_chooser_leaves_multi_thread_options_out_while_the_cores_are_taken():
    load = {"busy": True}
    c = ThreadChooser([2, 1], busy=lambda threads: load["busy"])
    picks = []
    for _ in range(20):
        picks.append(c.next())
        c.record(picks[-1], 3000.0)
    assert picks == [1] * 20 and c.speed[2] is None and c.share(1) == 1.0
    load["busy"] = False                               # the other work finished: two threads get measured
    picks = []
    for _ in range(2):
        picks.append(c.next())
        c.record(picks[-1], 9000.0)
    assert picks == [2, 2] and c.next() == 2


def _numpy_blas_threads():
    from threadpoolctl import threadpool_info
    import os
    numpy_libs = os.path.dirname(np.__file__) + ".libs"
    return [i["num_threads"] for i in threadpool_info() if i["filepath"].startswith(numpy_libs)]


def test_numpy_blas_runs_one_thread_while_a_model_trains_and_is_restored_after():
    # numpy's OpenBLAS (the wheel's own copy, not the one the kernels call) left its threads spinning after the
    # scorer's importances product and took a core from the kernels' BLAS for the next chunk.
    from deepbrook.engine.model.optimizer import _blas_controllers, numpy_blas_single
    assert _blas_controllers()[1], "the pinned numpy wheel vendors its own BLAS"
    before = _numpy_blas_threads()
    outer, inner = numpy_blas_single(), numpy_blas_single()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)          # two trainings overlapping: the first one out restores nothing
    assert set(_numpy_blas_threads()) == {1}
    inner.__exit__(None, None, None)
    assert _numpy_blas_threads() == before
    seen = []
    d = design(600, 6)
    net = network("rectifier", "softmax", 3, hidden=(16,), n_num=6)
    Trainer(net, d, Hyper(loss=H.CROSSENTROPY, mini_batch_size=32), epochs=2,
            on_progress=lambda p, state: seen.extend(_numpy_blas_threads())).run()
    assert seen and set(seen) == {1} and _numpy_blas_threads() == before


def test_kernels_blas_threads_sleep_soon_after_a_call_unless_the_user_chose():
    # scipy's OpenBLAS (the kernels') reads the timeout when it loads, after the engine's config: its threads kept
    # spinning ~0.1 s after each training chunk and slowed the scoring that followed.
    import os
    import subprocess
    import sys
    code = ("import deepbrook.engine, os, scipy.linalg.cython_blas; print(os.environ['OPENBLAS_THREAD_TIMEOUT'])")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["20"]
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OPENBLAS_THREAD_TIMEOUT": "26"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["26"]


def test_specialized_calls_reuse_the_signature_of_arguments_typed_alike():
    # the signature is looked up by what numba's typeof looks at, not rebuilt per call; arguments that type
    # differently (a read-only array, another dtype or layout) get their own signature
    from numba import typeof
    from deepbrook.engine.kernels.specialize import _shape_of_types
    a = np.zeros((4, 3), np.float32)
    ro = a.copy()
    ro.flags.writeable = False
    variants = [a, ro, a.astype(np.float64), np.asfortranarray(a), a[:, ::2], a[0], 5, 2**63, 1.5, (a, 3)]
    keys = [_shape_of_types(v) for v in variants]
    assert len(set(keys)) == len(variants)
    assert len({str(typeof(v)) for v in variants}) == len(variants)
    assert _shape_of_types(np.ones((9, 2), np.float32)) == _shape_of_types(a)  # shapes do not matter
    assert typeof(np.ones((9, 2), np.float32)) == typeof(a)


def test_mini_batches_on_one_thread_run_the_parallel_kernel_with_one_part_and_more_threads_are_capped():
    # the chooser's one-thread option runs the same compiled kernel as its all-threads option (one compile per
    # install), with one part: the serial variant's math, in order
    import numba
    from deepbrook.engine.model.optimizer import numba_threads, train_rows
    before = numba.get_num_threads()
    with numba_threads(1):
        assert numba.get_num_threads() == 1
    with numba_threads(10 ** 6):  # more than numba started: capped, not an error
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS
    assert numba.get_num_threads() == before
    d = design(300, 6)
    hyper = Hyper(loss=H.CROSSENTROPY, mini_batch_size=32)
    hyp, opt = hyper.arrays(0.0, 5)
    nets = [network("rectifier", "softmax", 3, hidden=(16, 8), n_num=6, seed=4) for _ in range(3)]
    train_rows(nets[0], d, np.arange(300), hyper, 5, threads=1)
    minibatch.minibatch_rows_serial(nets[1].net, (nets[1].lay, nets[1].drop, hyp, opt), design_arrays(d),
                                    np.arange(300), 32, 1)
    assert train_rows(nets[2], d, np.arange(300), hyper, 5, threads=10 ** 6) == 300
    np.testing.assert_allclose(nets[0].W, nets[1].W, rtol=1e-5, atol=1e-7)
    assert np.isfinite(nets[2].W).all() and not np.array_equal(nets[2].W, network(
        "rectifier", "softmax", 3, hidden=(16, 8), n_num=6, seed=4).W)
