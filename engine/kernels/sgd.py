"""Epoch kernels, one row per update: a reproducible serial kernel and a Hogwild! parallel variant of it.

The serial kernel visits the rows in order and is bit-identical for the same seed. The parallel variant splits the
visit order ``rows`` into one contiguous block per thread and runs the serial kernel on each block in its own
Python thread (the kernel releases the GIL); threads update the shared weights without locks (Hogwild!, like H2O
within a node), so results vary run to run. Dropout masks depend only on (seed, global sample index), so both
variants draw the same masks.

Why threads and not ``parallel=True``: one compiled kernel serves both variants. A ``prange`` copy of the same body
was about a fifth of a default model's compile time, and numba's cache keyed both copies by the one Python
function, so a process could load the serial machine code for the parallel variant or the reverse.

Arguments (grouped, see ``hyper.py``): ``net = (W, B, S_w, S_b, avg_act)`` float32 buffers updated in place;
``cfg = (lay, drop, hyp, opt)``; ``data = (num, cat, y, w, offset)`` (the Design arrays); ``rows`` int64 visit
order. Rows with weight <= 0 are skipped. Returns ``(rows trained, status)`` with status ``hyper.DIVERGED``
when an output became NaN/Inf (the kernel stops at once so the caller can raise a clear error).
"""
import numpy as np
from numba import njit

from .. import config
from ..threads import run_on_threads
from .backward import backward_row
from .forward import forward_row
from .hyper import DIVERGED, H_SAMPLES, O_SEED, OK
from .rng import seed_stream
from .specialize import call_specialized
from .scratch import row_scratch


@njit(**config.JIT)
def sgd_rows_of_rule(net, cfg, data, rows, n_threads, rule, spec):
    W, B, S_w, S_b, avg_act = net
    lay, drop, hyp, opt = cfg
    num, cat, y, w, off = data
    n = rows.shape[0]
    K = lay.shape[0] - 1
    seed = opt[O_SEED]
    base = hyp[H_SAMPLES]
    chunk = (n + n_threads - 1) // n_threads
    count = 0
    status = OK  # scalars, not per-block arrays: an array and its .sum() are two more helpers to compile
    for t in range(n_threads):
        xin, cin, z, a, mask, d_cur, d_prev, work, rng = row_scratch(lay, num.shape[1], cat.shape[1])
        lo = t * chunk
        hi = min(n, lo + chunk)
        for pos in range(lo, hi):
            r = rows[pos]
            weight = w[r]
            if not weight > 0.0:
                continue
            samples = base + pos
            seed_stream(rng, seed, np.int64(samples))
            forward_row(W, B, lay, drop, num[r], cat[r], off[r], True, K, rng, xin, cin, z, a, mask)
            if not backward_row(net, lay, drop, hyp, opt, rule, spec, num[r], cat[r], y[r], weight, samples, xin, cin,
                                z, a, mask, d_cur, d_prev, work):
                status = DIVERGED
                break
            count += 1
    return count, status


def sgd_rows_serial(net, cfg, data, rows, n_threads):
    """The rows in order, ``n_threads`` blocks one after the other; returns ``(rows trained, status)``."""
    return call_specialized(sgd_rows_of_rule, (net, cfg, data, rows, n_threads), cfg)


def sgd_rows_parallel(net, cfg, data, rows, n_threads):
    """Hogwild!: block t of ``rows`` (contiguous, like the serial kernel's ``n_threads`` blocks) trains on thread t,
    every thread writing the shared weights; same arguments and result as ``sgd_rows_serial``."""
    n = rows.shape[0]
    chunk = (n + n_threads - 1) // n_threads
    lay, drop, hyp, opt = cfg
    results = [(0, OK)] * n_threads

    def run(t):
        lo = min(n, t * chunk)
        own = hyp.copy()
        own[H_SAMPLES] = hyp[H_SAMPLES] + lo  # sample index of the block's first row: rates and dropout streams
        results[t] = sgd_rows_serial(net, (lay, drop, own, opt), data, rows[lo:min(n, lo + chunk)], 1)

    run_on_threads(n_threads, run, "deepbrook-hogwild")
    count = sum(int(c) for c, _ in results)
    status = next((s for _, s in results if s != OK), OK)
    return count, status
