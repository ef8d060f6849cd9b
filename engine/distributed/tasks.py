"""Worker-side task: train one shard's rows on a private copy of the broadcast network.

Plain Python, importable from the installed package, so Dask never pickles a numba dispatcher (which would lose its
on-disk cache and recompile in every worker; stack-recipe.md section 7).
"""
import functools
import importlib
import inspect
import time
from typing import NamedTuple

from .sampling import select_rows
from .state import clone, elastic_pull

ENGINE_TRAIN_ROWS = "deepbrook.engine.model.optimizer:train_rows"


class ShardPlan(NamedTuple):
    """What one worker does in one iteration (small; sent with every task)."""

    n_rows: int                        # rows to train on this shard this iteration
    seed: int                          # row selection and the engine's own randomness (dropout)
    shuffle: bool                      # shuffle_training_data (or its automatic cases)
    elastic_regularization: float = 0.0  # > 0: elastic averaging, the broadcast network is the centre
    elastic_rate: float = 0.005        # learning rate of the fallback pull (the engine's ``rate``)
    samples_seen: float = 0.0          # rows trained before this iteration (rate annealing, momentum, dropout)
    train_fn: object = ENGINE_TRAIN_ROWS  # "module:function" or a picklable callable like train_rows:
    #   fn(network, design, row_ids, hyper, rng_seed, samples_seen=0.0) -> rows trained, network updated in place
    row_ids: object = None             # the driver's explicit rows of the shard (int64); None: ``select_rows``


def n_rows_of(design):
    """Rows of a ``Design`` (or any tuple of per-row arrays)."""
    rows = getattr(design, "row_index", None)
    return len(rows) if rows is not None else len(design[0])


@functools.lru_cache(maxsize=8)
def _import(path):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _resolve(train_fn):
    return _import(train_fn) if isinstance(train_fn, str) else train_fn


def _accepts_center(fn):
    try:
        return "center" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def train_shard(shard, network, hyper, plan, local=None):
    """Train ``plan.n_rows`` rows of ``shard``; return ``(trained_network, rows_trained, compute_seconds)``.

    ``network`` is the broadcast model (with elastic averaging: the consensus centre). ``local`` is this worker's
    previous result under elastic averaging (its own model carried across iterations), else None.
    """
    start = time.perf_counter()
    fn = _resolve(plan.train_fn)
    model = clone(local[0] if local is not None else network)
    row_ids = plan.row_ids if plan.row_ids is not None else \
        select_rows(n_rows_of(shard), plan.n_rows, plan.shuffle, plan.seed)
    reg = plan.elastic_regularization
    if reg > 0 and _accepts_center(fn):
        rows = fn(model, shard, row_ids, hyper, plan.seed, samples_seen=plan.samples_seen, center=network)
    else:
        rows = fn(model, shard, row_ids, hyper, plan.seed, samples_seen=plan.samples_seen)
        if reg > 0:
            # The engine has no per-gradient elastic term: apply its integrated effect, n SGD steps of the pull
            # rate * reg * (w - C) toward the centre (docs/distributed.md, "Elastic averaging").
            elastic_pull(model, network, (1.0 - min(plan.elastic_rate * reg, 1.0)) ** len(row_ids))
    rows = len(row_ids) if rows is None else int(rows)
    return model, rows, time.perf_counter() - start


def probe(shard, network, hyper, plan):
    """Measure one worker: train 1 row (loads the compiled kernels), then time ``plan.n_rows`` rows on a throwaway
    copy. Returns ``(network, seconds_per_row)``; sending the network back makes the round trip a real transfer."""
    fn = _resolve(plan.train_fn)
    model = clone(network)
    n_shard = n_rows_of(shard)
    fn(model, shard, select_rows(n_shard, 1, True, plan.seed), hyper, plan.seed, samples_seen=plan.samples_seen)
    rows = select_rows(n_shard, plan.n_rows, True, plan.seed + 1)
    start = time.perf_counter()
    fn(model, shard, rows, hyper, plan.seed, samples_seen=plan.samples_seen)
    return network, (time.perf_counter() - start) / max(len(rows), 1)
