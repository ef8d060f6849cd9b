"""Optimizer settings packed for the kernels, and ``train_rows``: the low-level entry point.

``Hyper`` holds every scalar the update rules need (H2O names); ``Hyper.arrays(samples)`` packs them into the
kernels' ``hyp``/``opt`` arrays (layout in ``kernels/hyper.py``). ``train_rows`` trains given rows of a Design
into a Network in place; the trainer, the mini-batch path and the distributed backend all go through it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import threading

import numba
import numpy as np

from ..errors import TrainingError
from ..kernels import hyper as H

_REGRESSION_LOSS = {"gaussian": H.GAUSSIAN, "laplace": H.LAPLACE, "quantile": H.QUANTILE, "huber": H.HUBER,
                    "poisson": H.POISSON, "gamma": H.GAMMA, "tweedie": H.TWEEDIE}
_AE_LOSS = {"automatic": H.GAUSSIAN, "quadratic": H.GAUSSIAN, "absolute": H.LAPLACE, "huber": H.HUBER,
            "quantile": H.QUANTILE}
LOG_LINK = ("poisson", "gamma", "tweedie")


def _norm(s):
    return str(s).lower().replace("_", "").replace(" ", "") if s is not None else ""


def loss_code(problem, distribution, loss):
    """Kernel output-gradient code for a problem type ('binomial', 'multinomial', 'regression', 'autoencoder')."""
    d, l = _norm(distribution), _norm(loss)
    if problem in ("binomial", "multinomial"):
        return H.QUADRATIC_SOFTMAX if l == "quadratic" else H.CROSSENTROPY
    if problem == "autoencoder":
        return _AE_LOSS.get(l, H.GAUSSIAN)
    if d in ("", "auto"):
        return {"absolute": H.LAPLACE, "quantile": H.QUANTILE, "huber": H.HUBER}.get(l, H.GAUSSIAN)
    if d not in _REGRESSION_LOSS:
        raise ValueError(f"distribution {distribution!r} is not a regression distribution")
    return _REGRESSION_LOSS[d]


def batch_epsilon(epsilon, mini_batch_size):
    """ADADELTA's epsilon for mini-batches of ``mini_batch_size`` rows: ``epsilon * mini_batch_size``.

    ADADELTA's step starts near ``sqrt(epsilon)`` and grows by an epsilon-driven amount per *update*; a batch of B
    rows makes B times fewer updates per epoch, so with H2O's epsilon a user who only raises ``mini_batch_size``
    gets a network that has barely started moving (MNIST 10k rows, 5 epochs, [200,200]: test error 0.068 at one
    row per update, 0.131 at batch 256). Scaling epsilon by B scales the early step by about sqrt(B) (the
    square-root rule for adaptive methods at larger batches): 0.081 at batch 256, and measured on prostate,
    ecology and airlines too (docs/h2o-differences.md). Manual rates are not scaled.
    """
    return float(epsilon) * max(1, int(mini_batch_size))


def _declared(name):
    """Dataclass default taken from the parameter declarations (``engine/params``), never restated here."""
    from ..params import declared_default
    value = declared_default(name)
    if name == "max_w2":
        value = math.inf if value is None or value >= 3.4e38 else float(value)
    return dataclasses.field(default=value)


@dataclasses.dataclass
class Hyper:
    """Scalars of the update rules (H2O parameter names; defaults are the declared ones)."""

    loss: int = H.CROSSENTROPY
    autoencoder: bool = False
    adaptive_rate: bool = _declared("adaptive_rate")
    rho: float = _declared("rho")
    epsilon: float = _declared("epsilon")
    rate: float = _declared("rate")
    rate_annealing: float = _declared("rate_annealing")
    rate_decay: float = _declared("rate_decay")
    momentum_start: float = _declared("momentum_start")
    momentum_ramp: float = _declared("momentum_ramp")
    momentum_stable: float = _declared("momentum_stable")
    nesterov_accelerated_gradient: bool = _declared("nesterov_accelerated_gradient")
    l1: float = _declared("l1")
    l2: float = _declared("l2")
    max_w2: float = _declared("max_w2")
    huber_delta: float = 1.0  # threshold of the Huber training loss (not an H2O parameter)
    quantile_alpha: float = _declared("quantile_alpha")
    tweedie_power: float = _declared("tweedie_power")
    average_activation: float = _declared("average_activation")
    sparsity_beta: float = _declared("sparsity_beta")
    fast_mode: bool = _declared("fast_mode")
    mini_batch_size: int = _declared("mini_batch_size")

    @classmethod
    def from_params(cls, params, problem):
        """Build from (resolved) parameters: any object with H2O-named attributes."""
        g = lambda name, default: getattr(params, name, default)  # noqa: E731
        fields = {f.name: g(f.name, f.default) for f in dataclasses.fields(cls)
                  if f.name not in ("loss", "autoencoder", "huber_delta")}
        max_w2 = fields["max_w2"]
        fields["max_w2"] = math.inf if max_w2 is None or max_w2 >= 3.4e38 else float(max_w2)
        fields["mini_batch_size"] = int(fields["mini_batch_size"] or 1)
        if fields["adaptive_rate"]:
            fields["epsilon"] = batch_epsilon(fields["epsilon"], fields["mini_batch_size"])
        return cls(loss=loss_code(problem, g("distribution", "auto"), g("loss", "automatic")),
                   autoencoder=problem == "autoencoder", **fields)

    @property
    def has_momentum(self):
        return (not self.adaptive_rate) and (self.momentum_start != 0.0 or self.momentum_stable != 0.0)

    def arrays(self, samples=0.0, seed=0):
        """(hyp float64[H_NCOLS], opt int64[O_NCOLS]) for the kernels."""
        hyp = np.zeros(H.H_NCOLS, np.float64)
        hyp[H.H_RHO], hyp[H.H_EPSILON] = self.rho, self.epsilon
        hyp[H.H_RATE], hyp[H.H_RATE_ANNEALING], hyp[H.H_RATE_DECAY] = self.rate, self.rate_annealing, self.rate_decay
        hyp[H.H_MOMENTUM_START], hyp[H.H_MOMENTUM_RAMP] = self.momentum_start, self.momentum_ramp
        hyp[H.H_MOMENTUM_STABLE] = self.momentum_stable
        hyp[H.H_L1], hyp[H.H_L2] = self.l1, self.l2
        hyp[H.H_MAX_W2] = min(self.max_w2, 3.4e38)
        hyp[H.H_SAMPLES] = samples
        hyp[H.H_HUBER_DELTA], hyp[H.H_QUANTILE_ALPHA] = self.huber_delta, self.quantile_alpha
        hyp[H.H_TWEEDIE_POWER] = self.tweedie_power
        hyp[H.H_AVERAGE_ACTIVATION], hyp[H.H_SPARSITY_BETA] = self.average_activation, self.sparsity_beta
        opt = np.zeros(H.O_NCOLS, np.int64)
        opt[H.O_ADAPTIVE] = int(bool(self.adaptive_rate))
        opt[H.O_NESTEROV] = int(bool(self.nesterov_accelerated_gradient))
        opt[H.O_LOSS] = int(self.loss)
        opt[H.O_AUTOENCODER] = int(bool(self.autoencoder))
        opt[H.O_FAST_MODE] = int(bool(self.fast_mode))
        opt[H.O_SEED] = np.int64(np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF).view(np.int64))
        opt[H.O_MOMENTUM] = int(self.has_momentum)
        return hyp, opt


def design_arrays(design, codes=False):
    """The kernels' ``data`` tuple (num, cat, y, w, offset) from a Design, without copying what fits. A compact
    design's numeric inputs are decoded to float32 (a copy) unless ``codes``: then they stay uint8 codes, for the
    kernels that take the design's scaling (``input_scaling``) (mini-batch training, predictions)."""
    n = design.num.shape[0]
    if getattr(design, "num_scaling", None) is None:
        num = np.ascontiguousarray(design.num, np.float32)
    elif codes:
        num = np.ascontiguousarray(design.num, np.uint8)
    else:
        num = np.ascontiguousarray(design.numeric_inputs(), np.float32)
    cat = np.ascontiguousarray(design.cat, np.int32)
    if cat.ndim != 2 or cat.shape[0] != n:
        cat = np.full((n, 0), -1, np.int32)
    y = _vec(getattr(design, "y", None), n, 0.0)
    w = _vec(getattr(design, "w", None), n, 1.0)
    off = _vec(getattr(design, "offset", None), n, 0.0)
    return num, cat, y, w, off


def input_scaling(design):
    """A compact design's scaling (``prep.Design.num_scaling``) checked against its codes, else the empty scaling of
    a float32 design."""
    from ..kernels.scratch import NO_SCALING
    scaling = getattr(design, "num_scaling", None)
    if scaling is None:
        return NO_SCALING
    if design.num.dtype != np.uint8 or np.shape(scaling) != (2, design.num.shape[1]):
        raise ValueError(f"a compact design needs uint8 codes and a [2, {design.num.shape[1]}] scaling, got "
                         f"{design.num.dtype} codes and a scaling of shape {np.shape(scaling)}")
    return np.ascontiguousarray(scaling, np.float64)


def _vec(v, n, fill):
    if v is None or np.size(v) != n:
        return np.full(n, fill, np.float32)
    return np.ascontiguousarray(v, np.float32)


def default_threads():
    return numba.get_num_threads()


MINIBATCH_DATA_PARALLEL = True  # False: mini-batches give the threads to BLAS instead (see train_rows)
_BLAS = []


def _blas_controllers():
    """(controller of every loaded BLAS, the BLAS libraries loaded from numpy's wheel that scipy's kernels never call).

    Built once (it scans the loaded libraries). Where numpy and scipy share one BLAS (a distribution's OpenBLAS)
    the second list is empty."""
    if not _BLAS:
        import scipy
        import scipy.linalg.cython_blas  # noqa: F401 - the BLAS numba binds to must be loaded before the scan
        from threadpoolctl import ThreadpoolController
        ctl = ThreadpoolController().select(user_api="blas")
        numpy_dirs = tuple(os.path.dirname(np.__file__) + suffix + os.sep for suffix in ("", ".libs"))
        scipy_dirs = tuple(os.path.dirname(scipy.__file__) + suffix + os.sep for suffix in ("", ".libs"))
        numpy_only = [lc for lc in ctl.lib_controllers
                      if lc.filepath.startswith(numpy_dirs) and not lc.filepath.startswith(scipy_dirs)]
        _BLAS.append((ctl, numpy_only))
    return _BLAS[0]


@contextlib.contextmanager
def blas_threads(n):
    """Run the block with the BLAS that numba's ``np.dot`` calls (scipy's) limited to ``n`` threads (other BLAS
    libraries get the same limit; OpenMP runtimes are left alone)."""
    ctl = _blas_controllers()[0]
    if all(info.get("num_threads") == n for info in ctl.info()):
        yield
        return
    with ctl.limit(limits=n):
        yield


@contextlib.contextmanager
def numba_threads(n):
    """Run the block's numba parallel regions on ``n`` threads (numba's setting is per calling thread; more than
    numba started is capped)."""
    n = max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))
    before = numba.get_num_threads()
    if n == before:
        yield
        return
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@contextlib.contextmanager
def numpy_blas_single():
    """Run the block with numpy's own BLAS (not the one the kernels call) on one thread.

    Why: after a multi-threaded call, OpenBLAS's worker threads keep spinning for a while (about 0.1 s) and take a
    core from the training kernels' BLAS, a separate library with its own threads. Measured on MNIST batch 256 on 2
    idle cores: the training chunk after a scoring (the Gedeon importances' float64 product runs in numpy) trained
    at 50-75k samples/s instead of 145k, and the thread chooser then dropped to one thread for the rest of the
    epoch. The scorer's products are small, so one thread costs them nothing measurable."""
    libs = _blas_controllers()[1]
    with _NUMPY_BLAS_LOCK:  # concurrent trainings: the first one in sets one thread, the last one out restores
        if not _NUMPY_BLAS_HELD:
            _NUMPY_BLAS_SAVED[:] = [lc.num_threads for lc in libs]
            for lc in libs:
                lc.set_num_threads(1)
        _NUMPY_BLAS_HELD.append(True)
    try:
        yield
    finally:
        with _NUMPY_BLAS_LOCK:
            _NUMPY_BLAS_HELD.pop()
            if not _NUMPY_BLAS_HELD:
                for lc, n in zip(libs, _NUMPY_BLAS_SAVED):
                    lc.set_num_threads(n)


_NUMPY_BLAS_LOCK = threading.Lock()
_NUMPY_BLAS_HELD = []
_NUMPY_BLAS_SAVED = []


MIN_UNITS_PER_THREAD = 8    # columns of a hidden layer >= 1 that each sharing thread owns
MIN_INPUTS_PER_THREAD = 32  # first-layer rows that each sharing thread owns


def sharing_threads(lay, n_threads):
    """How many of ``n_threads`` threads should share each row (``kernels/partitioned.py``); < 2 = Hogwild!.

    Threads split the first layer by input rows and the other hidden layers by units; a thread needs enough of
    each to outweigh the barriers. Measured on MNIST (717 inputs), 2 threads against one: [200,200] 1.7x,
    [16,16] 1.7x, [400,400] 1.75x, [1000] 1.6x.
    """
    if n_threads < 2:
        return 1
    cap = int(lay[0, H.L_FAN_IN]) // MIN_INPUTS_PER_THREAD
    for k in range(1, lay.shape[0] - 1):
        cap = min(cap, int(lay[k, H.L_UNITS]) // MIN_UNITS_PER_THREAD)
    return min(int(n_threads), cap)


def train_rows(network, design, row_ids, hyper, rng_seed, samples_seen=0.0, threads=None):
    """Train the rows ``row_ids`` of ``design`` (in that order) into ``network``'s arrays in place.

    ``threads=1`` (or ``None`` with one numba thread) runs the reproducible serial kernel; more threads share
    each row (every thread owns a slice of every layer: in-order updates, the same result on every run with the
    same thread count) as far as the hidden layers are wide enough (``sharing_threads``), else run Hogwild!. ``mini_batch_size > 1`` in ``hyper`` uses the mini-batch kernels. ``samples_seen`` feeds rate
    annealing, the momentum ramp and the dropout streams. Returns the number of rows trained (rows with
    weight <= 0 are skipped). Raises ``TrainingError`` when an output becomes NaN/Inf (diverging rate).
    """
    from ..kernels import sgd  # lazy: compiled kernels load on first use

    rows = np.ascontiguousarray(row_ids, np.int64)
    data = design_arrays(design, codes=hyper.mini_batch_size > 1)  # the row kernels read float32 inputs
    hyp, opt = hyper.arrays(samples_seen, rng_seed)
    cfg = (network.lay, network.drop, hyp, opt)
    n_threads = default_threads() if threads is None else max(1, int(threads))
    if hyper.mini_batch_size > 1:
        from ..kernels import minibatch
        # a batch never holds more rows than are given: the buffers are sized by it (10**9 would not fit memory)
        batch = int(min(hyper.mini_batch_size, max(1, rows.shape[0])))
        scaling = input_scaling(design)
        # Data parallel: one part of each batch per numba thread, single-threaded BLAS in each part, so the
        # elementwise work (gather, activations, deltas, the update's row chunks) runs on every thread too. Measured
        # on MNIST [200,200], 2 idle cores, 2026-12-07 (4 epochs each, interleaved): batch 256 172-175k samples/s
        # in the kernels against 145k with the threads given to BLAS instead (one numba thread doing the
        # elementwise work while both BLAS threads wait: ~19% of its time), batch 32 95k against 78k. (Earlier
        # versions of the variant measured 86-128k.) With another process on a core both collapse (a parallel
        # region or a 2-thread sgemm waits for its slowest thread); the trainer's ThreadChooser then runs one
        # thread. ``MINIBATCH_DATA_PARALLEL = False`` gives the threads to BLAS instead.
        # One thread runs the same compiled kernel with one part (the same math as the serial variant, in order):
        # the first mini-batch model of an install compiles one kernel, not two (14 s more when the chooser's
        # one-thread turns ran the serial variant).
        if MINIBATCH_DATA_PARALLEL:
            with blas_threads(1), numba_threads(n_threads):
                n, status = minibatch.minibatch_rows_parallel(network.net, cfg, data, rows, batch, n_threads,
                                                              scaling)
        else:
            with blas_threads(n_threads):
                n, status = minibatch.minibatch_rows_serial(network.net, cfg, data, rows, batch, 1, scaling)
    elif sharing_threads(network.lay, n_threads) > 1:
        from .row_partition import partitioned_train
        n, status = partitioned_train(network, cfg, data, rows, sharing_threads(network.lay, n_threads))
    elif n_threads > 1:
        n, status = sgd.sgd_rows_parallel(network.net, cfg, data, rows, n_threads)
    else:
        n, status = sgd.sgd_rows_serial(network.net, cfg, data, rows, 1)
    if status != H.OK:
        raise TrainingError(
            f"training diverged after {samples_seen + n:.0f} samples: the network output became NaN/Inf. "
            "Lower the learning rate (rate, or epsilon/rho with adaptive_rate), add max_w2 (e.g. 10) or l2, "
            "or check the inputs for extreme values.")
    return int(n)
