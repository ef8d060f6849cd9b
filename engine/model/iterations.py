"""Rows per training iteration: H2O's ``computeTrainSamplesPerIteration`` (semantics doc 4.1).

Shared by the local trainer and the Dask backend so both size iterations by the same rules:

* ``0`` -> one epoch (``N`` rows); ``-1`` -> ``N``, or ``#nodes * N`` when the data is replicated on every node;
* ``k >= 1`` -> ``max(1, min(k, floor(epochs * N)))``;
* ``-2`` (auto) -> the rows that fit the time budget, then H2O's caps in H2O's order: at most 10 passes of what
  ``-1`` does, rounded down to whole epochs when within 20% of them, at most ``epochs * N / 10`` (so a run has at
  least 10 iterations, i.e. at least 10 scoring opportunities), at most ``AUTO_SECONDS`` of training on one node,
  at least 1, at most 100000 per node.
"""
from __future__ import annotations

import math

# H2O single node: 10 ms of "communication" at a target ratio of 1e-3 -> (0.01 / 1e-3 - 0.01) s of rows per
# iteration, and never more than 10 s of rows.
SINGLE_NODE_COMM_SECONDS = 0.01
SINGLE_NODE_RATIO = 1e-3
AUTO_SECONDS = SINGLE_NODE_COMM_SECONDS / SINGLE_NODE_RATIO - SINGLE_NODE_COMM_SECONDS
MAX_AUTO_SECONDS_SINGLE_NODE = 10.0
MAX_ROWS_PER_NODE = 100_000


def fixed_rows(tspi, n_train, epochs, n_workers=1, replicated=False):
    """The rows of one iteration for ``tspi`` in {0, -1, >= 1}."""
    tspi = int(tspi)
    if tspi == 0:
        return int(n_train)
    if tspi == -1:
        return int(n_train) * int(n_workers) if replicated else int(n_train)
    if tspi >= 1:
        return max(1, min(tspi, int(math.floor(epochs * n_train))))
    raise ValueError(f"train_samples_per_iteration must be -2, -1, 0 or >= 1, got {tspi}")


def auto_rows(rows, n_train, epochs, n_workers=1, seconds_per_row=None):
    """H2O's caps on an auto-tuned (``-2``) row count ``rows`` (the rows that fit the time budget).

    ``seconds_per_row`` (single node): the measured training time of one row; it caps the iteration at
    ``MAX_AUTO_SECONDS_SINGLE_NODE`` (H2O's "at most 10 seconds" on one node). ``None`` on several workers.
    """
    n = int(n_train)
    rows = min(float(rows), 10.0 * n * max(1, int(n_workers)))       # not more than 10x what -1 would do
    if rows > n and (rows % n) / n < 0.2:
        rows -= rows % n                                                # close to whole epochs: prettier scoring
    rows = min(rows, math.floor(epochs * n / 10))                       # at least 10 iterations in the run
    if seconds_per_row is not None and seconds_per_row > 0:
        rows = min(rows, MAX_AUTO_SECONDS_SINGLE_NODE / seconds_per_row)
    rows = max(1.0, rows)
    return int(min(MAX_ROWS_PER_NODE * max(1, int(n_workers)), rows))
