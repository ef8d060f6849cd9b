"""Drives ``kernels/partitioned.py``: threads that share each row, each owning a slice of every layer.

``RowPartition`` splits the first layer's input rows (balanced by active inputs per row), each other hidden
layer's units evenly over the threads (the output layer follows the last hidden layer's split by rows) and packs every thread's weights, biases and optimizer state into its own blocks,
each starting on a fresh cache line: in the network's layout a split inside a 200-float row shares a cache line
between two threads on every other row, and those lines would bounce between cores on every update. A call packs
the network, trains, and copies the blocks back (a few MB, about a millisecond per call of ~0.25 s).

The threads are plain Python threads running the nogil kernel (the caller's thread is thread 0): unlike a
``prange``, every one of them is sure to run at once, which the kernel's spin barriers need. A thread that fails
for any reason sets the abort slot so the others stop at their next barrier instead of waiting forever.
"""
from __future__ import annotations

import numpy as np

from ..kernels import hyper as H
from ..threads import run_on_threads

_ALIGN = 16  # float32 per 64-byte cache line


def _aligned(n):
    return -(-int(n) // _ALIGN) * _ALIGN


def split_units(units, t, n):
    """Units ``lo:hi`` of thread ``t`` of ``n`` (contiguous, sizes differ by at most one)."""
    return units * t // n, units * (t + 1) // n


def input_rows_of(t, n, fan0, n_num, n_cat):
    """First-layer rows ``lo:hi`` of thread ``t``: one-hot slots come first (``fan0 - n_num`` of them), then the
    numerics. A row activates one slot per categorical column and every numeric, so the work is balanced over
    ``n_cat + n_num`` units of work: thread 0 takes all the slots and the boundaries fall among the numerics."""
    ncs = fan0 - n_num
    work = n_cat + n_num

    def bound(i):
        if i == 0:
            return 0
        if i == n:
            return fan0
        return ncs + min(n_num, max(0, work * i // n - n_cat))
    return bound(t), bound(t + 1)


class RowPartition:
    """The packed layout for a network geometry and a thread count, with pack / unpack of a Network."""

    def __init__(self, lay, n_threads, n_num=None, n_cat=0):
        from ..kernels.partitioned import P_B_OFF, P_COLS, P_HI, P_LO, P_NCOLS, P_W_OFF
        self.lay = np.asarray(lay, np.int64)
        self.n = int(n_threads)
        K = self.lay.shape[0] - 1
        fan0 = int(self.lay[0, H.L_FAN_IN])
        n_num = fan0 if n_num is None else int(n_num)
        plan = np.zeros((K + 1, self.n, P_NCOLS), np.int64)
        w_off = b_off = 0
        for k in range(K + 1):
            fan, units, ch = (int(self.lay[k, c]) for c in (H.L_FAN_IN, H.L_UNITS, H.L_CHANNELS))
            for t in range(self.n):
                if k == 0:  # input rows; thread 0 owns the bias
                    lo, hi = input_rows_of(t, self.n, fan0, n_num, n_cat)
                    cols, rows, bias = units * ch, hi - lo, units * ch if t == 0 else 0
                elif k < K:
                    lo, hi = split_units(units, t, self.n)
                    cols, rows, bias = (hi - lo) * ch, fan, (hi - lo) * ch
                else:  # output layer: rows of this thread's units of layer K-1; thread 0 owns the bias
                    lo, hi = (int(plan[K - 1, t, P_LO]), int(plan[K - 1, t, P_HI])) if K > 1 else \
                        split_units(fan, t, self.n)
                    cols, rows, bias = units * ch, hi - lo, units * ch if t == 0 else 0
                plan[k, t, P_W_OFF], plan[k, t, P_B_OFF] = w_off, b_off
                plan[k, t, P_LO], plan[k, t, P_HI], plan[k, t, P_COLS] = lo, hi, cols
                w_off += _aligned(rows * cols)
                b_off += _aligned(bias)
        self.plan, self.n_w, self.n_b = plan, w_off, b_off

    def _blocks(self):
        """(layer, thread, network slice of W as a (rows, cols) selector, packed W range, bias selector, packed
        bias range) for every block."""
        lay, plan = self.lay, self.plan
        K = lay.shape[0] - 1
        for k in range(K + 1):
            fan, units, ch = (int(lay[k, c]) for c in (H.L_FAN_IN, H.L_UNITS, H.L_CHANNELS))
            width, woff, boff = units * ch, int(lay[k, H.L_W_OFF]), int(lay[k, H.L_B_OFF])
            for t in range(self.n):
                pw, pb, lo, hi, cols = (int(v) for v in plan[k, t])
                if 0 < k < K:
                    w_sel = (slice(0, fan), slice(lo * ch, hi * ch))
                    b_sel = slice(boff + lo * ch, boff + hi * ch)
                else:  # first and output layers: rows; thread 0 owns the bias
                    w_sel = (slice(lo, hi), slice(0, width))
                    b_sel = slice(boff, boff + width) if t == 0 else slice(boff, boff)
                rows = w_sel[0].stop - w_sel[0].start
                yield (woff, fan, width, w_sel, slice(pw, pw + rows * cols), b_sel,
                       slice(pb, pb + b_sel.stop - b_sel.start))

    def pack(self, network):
        """(PW, PB, PSw, PSb, avg_act): the network's arrays in this partition's blocks."""
        PW = np.zeros(self.n_w, np.float32)
        PB = np.zeros(self.n_b, np.float32)
        PSw = np.zeros((2, self.n_w), np.float32)
        PSb = np.zeros((2, self.n_b), np.float32)
        for woff, fan, width, w_sel, pw, b_sel, pb in self._blocks():
            for src, dst in ((network.W, PW), (network.S_w[0], PSw[0]), (network.S_w[1], PSw[1])):
                dst[pw] = src[woff:woff + fan * width].reshape(fan, width)[w_sel].ravel()
            PB[pb] = network.B[b_sel]
            PSb[0, pb], PSb[1, pb] = network.S_b[0, b_sel], network.S_b[1, b_sel]
        return PW, PB, PSw, PSb, network.avg_act

    def unpack(self, packed, network):
        """Copy the packed blocks back into the network's arrays."""
        PW, PB, PSw, PSb, _ = packed
        for woff, fan, width, w_sel, pw, b_sel, pb in self._blocks():
            for dst, src in ((network.W, PW), (network.S_w[0], PSw[0]), (network.S_w[1], PSw[1])):
                view = dst[woff:woff + fan * width].reshape(fan, width)
                view[w_sel] = src[pw].reshape(w_sel[0].stop - w_sel[0].start, -1)
            network.B[b_sel] = PB[pb]
            network.S_b[0, b_sel], network.S_b[1, b_sel] = PSb[0, pb], PSb[1, pb]

    def shared_buffers(self):
        """Buffers the threads read from each other (see the kernel's docstring)."""
        from ..kernels.scratch import buffer_sizes
        zs, as_, wmax = (int(v) for v in buffer_sizes(self.lay))
        K = self.lay.shape[0] - 1
        widthK = int(self.lay[K, H.L_UNITS] * self.lay[K, H.L_CHANNELS])
        width0 = int(self.lay[0, H.L_UNITS] * self.lay[0, H.L_CHANNELS])
        wK, w0 = _aligned(widthK) + _ALIGN, _aligned(width0) + _ALIGN  # a cache line of gap between threads' rows
        return (np.zeros(as_, np.float32),
                np.zeros((self.n, K + 1, _aligned(wmax) + _ALIGN), np.float32),
                np.zeros((2, self.n, wK), np.float32)[:, :, :widthK],
                np.zeros((self.n, wK), np.float32)[:, :widthK], np.zeros((self.n, wK), np.float64)[:, :widthK],
                np.zeros((2, self.n, w0), np.float32)[:, :, :width0],
                np.zeros((self.n, w0), np.float32)[:, :width0], np.zeros((self.n, w0), np.float64)[:, :width0])


_PLANS: dict = {}


def partition_for(lay, n_threads, n_num, n_cat):
    """A cached RowPartition for this geometry, thread count and input layout."""
    key = (np.asarray(lay, np.int64).tobytes(), int(n_threads), int(n_num), int(n_cat))
    part = _PLANS.get(key)
    if part is None:
        part = _PLANS[key] = RowPartition(lay, n_threads, n_num, n_cat)
    return part


def partitioned_train(network, cfg, data, rows, n_threads):
    """Train ``rows`` into ``network`` with ``n_threads`` threads sharing each row; returns (rows, status)."""
    from ..kernels.partitioned import STOPPED, partitioned_rows
    from ..kernels.sync import ABORT, sync_slots
    part = partition_for(network.lay, n_threads, data[0].shape[1], data[1].shape[1])
    packed = part.pack(network)
    shared = part.shared_buffers()
    sync = np.zeros(sync_slots(part.n), np.int64)
    results = [(0, STOPPED)] * part.n

    def run(t):
        results[t] = partitioned_rows(packed, part.plan, cfg, data, rows, t, part.n, shared, sync)

    run_on_threads(part.n, run, "deepbrook-row", on_error=lambda: sync.__setitem__(ABORT, 1))
    part.unpack(packed, network)
    count, status = results[0]
    if any(s == STOPPED for _, s in results):
        raise RuntimeError("a training thread stopped early; the other threads were told to stop")
    return count, status
