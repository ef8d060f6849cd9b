"""The Python iteration loop (umap's split: Python drives iterations, numba trains the rows).

One iteration trains ``train_samples_per_iteration`` rows (H2O's sentinels, ``model/iterations.py``: 0 = one
epoch, -1 = all rows, N = N rows, -2 = auto: about 10 s of training at the speed measured on this machine, capped
at ``epochs * N / 10`` rows so a run has at least 10 iterations, and by H2O's other caps; the first -2 iteration is a
probe of at most ``_FIRST_CHUNK_ROWS`` rows that measures the speed) in chunks of about ``CHUNK_SECONDS`` so a cancel or ``max_runtime_secs`` takes effect within a fraction of a second. After each
iteration the scoring hook decides whether to score and whether to stop (``Scorer.after_iteration``).

Row order: each pass over the data is a fresh seeded permutation when ``shuffle_training_data`` is on, when an
iteration covers less than the whole data (tspi = -2 or N < rows: H2O then shuffles and samples each chunk every
iteration, FrameTask), or with ``reproducible`` and one-epoch iterations (H2O's auto-shuffle); otherwise rows are
visited in stored order, continuing where the last iteration stopped. Shuffling matters: MNIST in stored order
gives ~0.050 test error after one epoch, shuffled ~0.042.
"""
from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from typing import Any, Callable

import numpy as np

from ..errors import TrainingError
from .iterations import AUTO_SECONDS, auto_rows, fixed_rows
from .optimizer import Hyper, default_threads, numpy_blas_single, train_rows

CHUNK_SECONDS = 0.25
_FIRST_CHUNK_ROWS = 2000
_PROBE_BATCHES = 1  # one batch: the first turn only loads the kernel and warms the threads (its speed is replaced)
_REPROBE_BATCHES = 2  # later measurements of a slower option (ThreadChooser's re-measures)


@dataclasses.dataclass
class TrainingState:
    """What the trainer hands the scoring hook after each iteration (see docs/architecture.md)."""

    epochs: float
    iterations: int
    samples: float
    network: Any
    elapsed: float = 0.0
    train_design: Any = None
    valid_design: Any = None
    model: Any = None
    compute_seconds: float = 0.0  # time spent inside the training kernels (this run)


def cores_taken(threads):
    """True when the 1-minute load average says other work already fills the cores that ``threads`` threads of
    ours would need (load >= cores + threads: our own threads counted, all the cores are still taken)."""
    try:
        return os.getloadavg()[0] >= (os.cpu_count() or 1) + threads
    except OSError:  # no load average on this platform
        return False


class ThreadChooser:
    """Picks the thread count for the next chunk from measured speeds (samples/s per option).

    On a machine whose cores are shared, parallel kernels can run far slower than one thread (a parallel region
    waits for its slowest thread, and threads that share a row wait for each other at every layer), and the best
    choice changes with the load. So: try each option on the first chunks (the first measurement of each is replaced by
    the second, it includes loading the compiled kernel), then run the fastest, re-measuring the others every
    ``PROBE_EVERY`` chunks (each chunk sized from its own option's speed). The options take their first two turns
    alternately: measured on MNIST batch 256 at load 2.3 on 2 cores, two full turns of a 2-thread BLAS (3-5k
    samples/s against 94k for one thread) took 0.35 s of a 1.0 s epoch before one thread was even measured. The
    math is the same for every option (Hogwild! vs in-order updates aside).
    """

    PROBE_EVERY = 16
    PROBE_SOON = 2      # re-measure the slower option this many chunks after the first turns or a collapse, then back off
    PROBE_SHARE = 0.25  # probes of an option that measured slower run this fraction of a chunk

    def __init__(self, options, busy=None, first_turns=None):
        self.options = list(dict.fromkeys(int(t) for t in options))
        self.speed = {t: None for t in self.options}
        self.seen = {t: 0 for t in self.options}
        # turns each option takes at the start (default 2: the first one's speed includes loading its kernel)
        self.turns = {t: int((first_turns or {}).get(t, 2)) for t in self.options}
        self.chunks = 0
        self.probe_every = self.PROBE_SOON  # the first turns can be unlucky (a brief burst of other work): re-measure
        self.probe_at = self.PROBE_SOON     # soon, then at doubling intervals up to PROBE_EVERY
        self.settled = False                # the first turns are done
        self.busy = busy  # busy(threads) -> True: other work holds the cores, don't probe that many threads now

    def _usable(self):
        """Options worth running now: multi-thread ones are left out while ``busy`` says the cores are taken
        (measured at load 14 on 2 cores: a 2-thread BLAS ran at 1.0 GFLOP/s against 11.5 with one thread, so even
        short probes of it cost more than the rest of the chunk's work)."""
        usable = [t for t in self.options if t == 1 or self.busy is None or not self.busy(t)]
        return usable or self.options

    def next(self):
        self.chunks += 1
        options = self._usable()
        unsure = [t for t in options if self.seen[t] < self.turns[t]]
        if unsure or len(options) == 1:  # the next probe counts from the last chunk that had a choice
            self.probe_at = self.chunks + self.probe_every
        if unsure:  # in turns (2, 1, 2, 1): an option's second chunk is sized knowing whether it is the slower one
            return min(unsure, key=lambda t: self.seen[t])
        best = max(options, key=lambda t: self.speed[t])
        if not self.settled:  # first turns done
            self.settled = True
            if len(options) > 1 and best == max(options):
                # the most threads won: its rival (fewer threads) does not get faster on its own, and a collapse of
                # the winner is re-measured anyway (record); the early re-measures cost ~1% of an MNIST epoch
                self.probe_every = self.PROBE_EVERY
                self.probe_at = self.chunks - 1 + self.PROBE_EVERY  # PROBE_EVERY chunks after its last turn
        if len(options) > 1 and self.chunks >= self.probe_at:
            others = [t for t in options if t != best]
            self.probe_every = min(self.PROBE_EVERY, 2 * self.probe_every)
            self.probe_at = self.chunks + self.probe_every
            return others[(self.chunks // self.PROBE_EVERY) % len(others)]
        return best

    def share(self, threads):
        """Chunk-size factor for ``threads``: 1 for the fastest measured option (or before any is measured),
        ``PROBE_SHARE`` for a probe of an option that is slower or not measured yet while another one is. On
        MNIST one epoch is about 16 chunks, so full-size probes of one thread cost about 7% of the epoch."""
        known = [s for s in self.speed.values() if s is not None]
        mine = self.speed.get(threads)
        if not known or (mine is not None and mine >= max(known)):
            return 1.0
        return self.PROBE_SHARE

    def record(self, threads, samples_per_s):
        """A new measurement: an option's first turns replace, later ones average, except a collapse (under half the
        estimate), which replaces at once: averaged, a 2-thread BLAS that fell from 77k to 15k samples/s when
        another process took a core still looked faster than one thread and got a full chunk at 4k samples/s.

        A collapse of the fastest option is often brief (another process's burst, BLAS threads of another library
        still spinning): it is re-measured ``PROBE_SOON`` chunks later, then at doubling intervals. Measured on
        MNIST batch 256 on 2 idle cores: one slow 2-thread chunk otherwise left the rest of the epoch (15 chunks)
        on one thread, at 97k instead of 145k samples/s."""
        old = self.speed[threads]
        self.seen[threads] += 1
        collapsed = old is not None and samples_per_s < 0.5 * old
        first = self.seen[threads] <= self.turns[threads]
        if collapsed and not first and all(s is None or old >= s for s in self.speed.values()):
            self.probe_every = self.PROBE_SOON
            self.probe_at = self.chunks + self.PROBE_SOON
        fresh = first or old is None or collapsed
        self.speed[threads] = samples_per_s if fresh else 0.5 * (old + samples_per_s)


class _NoScorer:
    """Scoring hook used when no Scorer is given: never scores, stops at the epoch target."""

    def __init__(self, epochs):
        self.epochs = epochs

    def after_iteration(self, state):
        from .scoring import ScoreOutcome
        done = state.epochs >= self.epochs - 1e-9
        return ScoreOutcome(False, done, "epochs" if done else None)

    def finish(self, state, reason):
        return False


class RowOrder:
    """Endless visit order over ``n`` rows: sequential, or a fresh seeded permutation per pass."""

    def __init__(self, eligible, shuffle, seed):
        # int32 ids where they fit: the order is two arrays as long as the data (the rows and a pass's permutation)
        self.rows = np.asarray(eligible, np.int32 if len(eligible) < 2**31 - 1 else np.int64)
        self.shuffle = shuffle
        self.rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 0x8734093])
        self.pos = 0
        self.order = self._next_pass()

    def _next_pass(self):
        return self.rng.permutation(self.rows) if self.shuffle else self.rows

    def take(self, k):
        parts = []
        while k > 0:
            if self.pos >= len(self.order):
                self.order, self.pos = self._next_pass(), 0
            m = min(k, len(self.order) - self.pos)
            parts.append(self.order[self.pos:self.pos + m])
            self.pos += m
            k -= m
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


class Trainer:
    """Trains ``network`` on ``design`` until the epoch target, a stop from the scoring hook, a timeout or cancel.

    Parameters
    ----------
    network : Network, updated in place.
    design : training Design.
    hyper : Hyper (update rules).
    epochs : float, total epochs to reach (counted from ``samples`` already done).
    train_samples_per_iteration : int (0, -1, -2 or N).
    seed : int, drives row order and dropout streams.
    threads : 1 = reproducible serial kernel; N = N threads (sharing each row, Hogwild! for narrow layers, or BLAS
        threads for mini-batches);
        None = per chunk, all numba threads or one, whichever measures faster (ThreadChooser).
    scorer : object with ``after_iteration(state) -> ScoreOutcome`` and ``finish(state, reason)``.
    cancel : threading.Event checked between chunks.
    on_progress : callback(progress 0..1, state) after each chunk (must not block).
    step : optional distributed iteration step (``engine/distributed``); replaces ``train_rows`` per iteration.
    """

    def __init__(self, network, design, hyper: Hyper, *, epochs=10.0, train_samples_per_iteration=-2, seed=0,
                 threads=None, shuffle=False, max_runtime_secs=0.0, scorer=None, cancel=None,
                 on_progress: Callable | None = None, samples=0.0, iterations=0, valid_design=None, model=None,
                 step=None):
        self.network = network
        self.design = design
        self.hyper = hyper
        self.epochs = float(epochs)
        self.seed = int(seed)
        self.threads = default_threads() if threads is None else int(threads)
        # threads=None: choose between all threads and one thread by measured speed (ThreadChooser)
        # mini-batches: every option runs the same compiled kernel (``optimizer.train_rows``), loaded by the first
        # option's first turn, so one thread's first turn measures it already
        self.chooser = ThreadChooser([self.threads, 1] if threads is None and self.threads > 1 else [self.threads],
                                     busy=cores_taken, first_turns={1: 1} if hyper.mini_batch_size > 1 else None)
        self.max_runtime_secs = float(max_runtime_secs or 0.0)
        self.scorer = scorer if scorer is not None else _NoScorer(self.epochs)
        self.cancel = cancel if cancel is not None else threading.Event()
        self.on_progress = on_progress
        self.step = step
        self.step_notes = []  # distributed events not yet written into a scoring-history row
        positive = np.asarray(design.w) > 0
        ids = np.int32 if len(positive) < 2**31 - 1 else np.int64  # RowOrder keeps them as they are
        eligible = np.arange(len(positive), dtype=ids) if positive.all() else np.flatnonzero(positive).astype(ids)
        if len(eligible) == 0:
            raise TrainingError("no training rows with a positive weight (check weights_column and the response)")
        self.n_rows = len(eligible)
        self.tspi = int(train_samples_per_iteration)
        if self.tspi == -2 or 0 < self.tspi < 0.999 * self.n_rows or (self.tspi in (0, -1) and threads == 1):
            shuffle = True
        self.order = RowOrder(eligible, shuffle, seed)
        self.state = TrainingState(samples / self.n_rows, int(iterations), float(samples), network,
                                   train_design=design, valid_design=valid_design, model=model)
        self.speed = None  # measured rows/s
        self.stop_reason = None

    # ------------------------------------------------------------------ sizes
    @property
    def total_samples(self):
        return self.epochs * self.n_rows

    def iteration_rows(self):
        remaining = max(0.0, self.total_samples - self.state.samples)
        if self.tspi == -2:
            # first iteration: a probe that measures the speed (H2O guesses it from Linpack); then H2O's auto size
            rows = _FIRST_CHUNK_ROWS if self.speed is None else self.speed * AUTO_SECONDS
            n = auto_rows(rows, self.n_rows, self.epochs,
                          seconds_per_row=None if self.speed is None else 1.0 / self.speed)
        else:
            n = fixed_rows(self.tspi, self.n_rows, self.epochs)  # one node: the data is never replicated
        return int(max(1, min(n, math.ceil(remaining))))

    def chunk_rows(self, threads=None):
        """Rows for about CHUNK_SECONDS at the speed measured for ``threads`` (else the overall speed).

        Mini-batches: an option's first chunk is ``_PROBE_BATCHES`` batches. Its measurement is replaced by the
        next one anyway, and on a busy machine a multi-threaded BLAS can run 5-10x slower than one thread
        (measured: 3.3 vs 26 GFLOP/s at load 16 on 2 cores), so a full-size first chunk of that option cost
        a third of a batch-256 MNIST epoch. The second chunk of an option that measured slower than another is
        at most twice that: its first turn also pays the threads' wake-up, so a collapsed 2-thread BLAS can look
        5x faster than it is (measured at load 2.7: 26k samples/s, then 1,488 rows at 8.7k, 0.17 s). Later
        re-measures of the slower option are ``_REPROBE_BATCHES`` batches: a quarter chunk of one thread on MNIST is
        a whole 6,000-row iteration, 19 ms slower than two threads."""
        mb = max(1, self.hyper.mini_batch_size)
        probing = mb > 1 and len(self.chooser.options) > 1
        seen = self.chooser.seen.get(threads, 2)
        if probing and seen == 0:
            return _PROBE_BATCHES * mb
        speed = self.chooser.speed.get(threads) or self.speed
        if speed is None:
            return _FIRST_CHUNK_ROWS
        share = self.chooser.share(threads)
        rows = max(mb, int(speed * CHUNK_SECONDS * share) // mb * mb)
        if probing and share < 1.0:  # a fraction of a chunk can still be a whole iteration (6,000 MNIST rows)
            rows = min(rows, (2 * _PROBE_BATCHES if seen == 1 else _REPROBE_BATCHES) * mb)
        return rows

    # ------------------------------------------------------------------ loop
    def run(self):
        """Train; returns the stop reason ("epochs", "early_stopping", ..., "cancelled", "max_runtime_secs")."""
        with numpy_blas_single():  # the scorer's numpy products must not leave BLAS threads spinning (optimizer.py)
            return self._run()

    def _run(self):
        t0 = time.perf_counter()
        reason = None
        try:
            while reason is None:
                if self.state.samples >= self.total_samples - 1e-9:
                    reason = "epochs"
                    break
                reason = self._iteration(t0)
                self.state.iterations += 1
                self.state.elapsed = time.perf_counter() - t0
                bad = self.network.is_finite()
                if bad is not None:
                    raise TrainingError(f"training diverged: weights of layer {bad + 1} became NaN/Inf after "
                                        f"{self.state.samples:.0f} samples; lower the learning rate or set max_w2")
                if reason is not None:
                    break
                outcome = self.scorer.after_iteration(self.state)
                if outcome.scored and self.step_notes and hasattr(self.scorer, "history"):
                    self.scorer.history.set_last(note="; ".join(self.step_notes))  # e.g. a lost Dask worker
                    self.step_notes = []
                if outcome.stop:
                    reason = outcome.reason or "epochs"
        except BaseException:
            self.stop_reason = "failed"
            try:
                self.scorer.finish(self.state, "failed")
            finally:
                raise
        self.stop_reason = reason
        self.scorer.finish(self.state, reason)
        return reason

    def _iteration(self, t0):
        """Train one iteration in chunks; returns a stop reason when cancelled or out of time, else None."""
        todo = self.iteration_rows()
        if self.step is not None:  # distributed (engine/distributed): multi-node tspi, averaged copies
            self.step.cancel_event = self.cancel
            remaining = math.ceil(self.total_samples - self.state.samples)
            todo = int(max(1, min(self.step.rows_for_iteration(todo, self.network, self.hyper), remaining)))
            rows = self.step(self.network, self.hyper, todo, self.state.iterations + 1, self.seed,
                             samples_seen=self.state.samples)
            self._advance(rows)
            note = self.step.pop_notes()
            if note:
                self.step_notes.append(note)
            return self._interrupt(t0)
        while todo > 0:
            threads = self.chooser.next()
            k = min(todo, self.chunk_rows(threads))
            rows = self.order.take(k)
            tc = time.perf_counter()
            n = train_rows(self.network, self.design, rows, self.hyper, self.seed, samples_seen=self.state.samples,
                           threads=threads)
            dt = time.perf_counter() - tc
            self.state.compute_seconds += dt
            if dt > 0:
                s = k / dt
                self.chooser.record(threads, s)
                self.speed = s if self.speed is None else 0.5 * (self.speed + s)
            self._advance(n if n else k)
            todo -= k
            stop = self._interrupt(t0)
            if stop:
                return stop
        return None

    def _advance(self, rows):
        self.state.samples += rows
        self.state.epochs = self.state.samples / self.n_rows
        if self.on_progress is not None:
            self.on_progress(min(1.0, self.state.samples / self.total_samples), self.state)

    def _interrupt(self, t0):
        if self.cancel.is_set():
            return "cancelled"
        if self.max_runtime_secs > 0 and time.perf_counter() - t0 >= self.max_runtime_secs:
            return "max_runtime_secs"
        return None
