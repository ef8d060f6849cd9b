"""The distributed "train one iteration" step: broadcast weights, train shards on workers, average, survive deaths.

The local trainer's loop calls this object instead of training rows itself (docs/architecture.md, "Distributed
training on Dask"); everything else (scoring, history, stopping, cancel, checkpoints) stays the local trainer's.
"""
import concurrent.futures
import time

import numpy as np

from ..errors import TrainingError
from ..model.trainer import RowOrder
from .sampling import iteration_seed
from .state import average_into, clone, elastic_update, state_nbytes
from .tasks import ENGINE_TRAIN_ROWS, ShardPlan, n_rows_of, probe, train_shard
from .tuning import SamplesTuner

MAX_RECOVERIES_PER_ITERATION = 8     # a shard re-assigned this often in one iteration means the cluster is failing
TRANSFER_TIMEOUT = 5                 # seconds at least for one scatter (a dying worker must not block a run)
TRANSFER_MIN_RATE = 20e6             # bytes/s: the slowest link a scatter is allowed before it counts as failed
PROBE_ROWS = 64                      # rows each worker times before the first auto-tuned iteration
WORKER_WAIT_SECONDS = 60             # how long to wait for any live worker before giving up


def _recoverable(exc):
    """Failures caused by a lost worker or lost data (retry elsewhere), as opposed to errors in training itself."""
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError
    return isinstance(exc, (KilledWorker, CommClosedError, concurrent.futures.CancelledError, ConnectionError))


def _subset(design, rows):
    """The rows of a ``Design`` (or another NamedTuple of per-row arrays) as a new one of the same type."""
    if hasattr(design, "take"):
        return design.take(rows)
    parts = [np.ascontiguousarray(a[rows]) for a in design]
    return design._make(parts) if hasattr(design, "_make") else type(design)(parts)


def _split_rows(total, sizes):
    """Split ``total`` rows over shards proportionally to ``sizes`` with exact integer counts (largest remainder)."""
    sizes = np.asarray(sizes, dtype=np.float64)
    exact = total * sizes / sizes.sum()
    counts = np.floor(exact).astype(np.int64)
    for k in np.argsort(counts - exact)[: total - int(counts.sum())]:
        counts[k] += 1
    return counts


class DaskIterationStep:
    """Callable ``step(network, hyper, n_rows, iteration, seed) -> rows trained``; updates ``network`` in place."""

    def __init__(self, client, design, params, owns_client=False, train_fn=ENGINE_TRAIN_ROWS):
        self.client = client
        self.owns_client = owns_client
        self.design = design                                  # the driver's copy: the source for re-assignment
        self.n_train = n_rows_of(design)
        self.train_fn = train_fn
        get = lambda name, default: getattr(params, name, default)  # noqa: E731  (resolved params or a namespace)
        self.seed = int(get("seed", 0) or 0)
        self.elastic = bool(get("elastic_averaging", False))
        self.moving_rate = float(get("elastic_averaging_moving_rate", 0.9))
        self.regularization = float(get("elastic_averaging_regularization", 0.001))
        # The fallback elastic pull's step size: the manual rate, or H2O's default rate under ADADELTA.
        rate = float(get("rate", 0.005))
        self.rate = rate if rate > 0 and not bool(get("adaptive_rate", True)) else 0.005
        if self.elastic and not 0.0 <= self.moving_rate <= 1.0:
            raise TrainingError(f"elastic_averaging_moving_rate must be between 0 and 1, got {self.moving_rate}")
        if self.elastic and self.regularization < 0:
            raise TrainingError(f"elastic_averaging_regularization must be >= 0, got {self.regularization}")
        workers = self._wait_for_workers()
        reproducible = bool(get("reproducible", False))
        self.single_node = bool(get("single_node_mode", False)) and len(workers) > 1
        if self.single_node:
            workers = workers[:1]
        # H2O sanitizes replication off on one node and under reproducible; single_node_mode trains on one node.
        self.replicated = bool(get("replicate_training_data", True)) and len(workers) > 1 and not reproducible
        self.n_workers = len(workers)
        tspi = int(get("train_samples_per_iteration", -2))
        self.tuner = SamplesTuner(tspi, self.n_train, float(get("epochs", 10.0)), self.n_workers, self.replicated,
                                  float(get("target_ratio_comm_to_comp", 0.05)))
        auto_shuffle = (self.replicated and self.n_workers > 1 and not reproducible
                        and self.tuner.rows == self.n_workers * self.n_train)
        self.shuffle = bool(get("shuffle_training_data", False)) or auto_shuffle
        self.events, self._notes = [], []
        self.iterations = 0
        self.samples_per_iteration, self.compute_seconds, self.comm_seconds = [], [], []
        self.weight_bytes = None
        self._local = {}                                     # elastic averaging: shard -> future of its last result
        self.cancel_event = None                             # the trainer's threading.Event: abandon an iteration
        self._scatter_shards(workers)

    # ---- data placement -------------------------------------------------------------------------------------
    def _live_workers(self):
        return sorted(self.client.scheduler_info()["workers"])

    def _wait_for_workers(self):
        workers = self._live_workers()
        if not workers:
            try:
                self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
            except (TimeoutError, OSError) as exc:
                raise TrainingError(f"no Dask worker joined {self.client.scheduler.address} "
                                    f"within {WORKER_WAIT_SECONDS} s") from exc
            workers = self._live_workers()
        return workers

    def _scatter_shards(self, workers):
        """Place the data once: one contiguous shard per worker, or every row on every worker when replicated."""
        if self.replicated:
            self.shard_rows = [np.arange(self.n_train)] * self.n_workers
            data = self._broadcast(self.design)
            self.shard_data = [data] * self.n_workers
        else:
            self.shard_rows = np.array_split(np.arange(self.n_train), self.n_workers)
            self.shard_data = [self._place(r, w) for r, w in zip(self.shard_rows, workers)]
        self.assigned = list(workers)
        self._orders = None                                   # row streams, made on the first iteration

    def row_orders(self):
        """The local trainer's ``RowOrder`` rules over the shards: every row once per pass, passes continuing
        across iterations. Replicated data: ONE stream over all rows, each iteration's rows split among the
        workers in consecutive pieces, so the workers train disjoint rows and one epoch visits every row once,
        exactly as the local engine does (independent per-worker samples would repeat rows and miss others:
        about a third of MNIST unseen after one epoch on 2 workers). Sharded data: one stream per shard."""
        # The trainer's rule: iterations covering a part of the data (auto-tuned or N < rows) are shuffled.
        shuffle = self.shuffle or self.tuner.auto or self.tuner.rows < 0.999 * self.n_train
        if self.replicated:
            return [RowOrder(np.arange(self.n_train), shuffle, self.seed)]
        return [RowOrder(np.arange(len(r)), shuffle, iteration_seed(self.seed, 0, s))
                for s, r in enumerate(self.shard_rows)]

    def _iteration_rows(self, counts):
        """Explicit row ids (local to each shard) for an iteration of ``counts`` rows per shard."""
        if self._orders is None:
            self._orders = self.row_orders()
        if self.replicated:
            stream = self._orders[0].take(int(sum(counts)))
            return np.split(stream, np.cumsum(counts)[:-1])
        return [order.take(int(c)) for order, c in zip(self._orders, counts)]

    def _place(self, rows, worker):
        """Scatter the driver's rows to one worker as ONE object (scattering a tuple would split it)."""
        [future] = self._scatter([_subset(self.design, rows)], workers=[worker])
        return future

    def _broadcast(self, obj):
        """Send ``obj`` once to every worker without ever blocking on a dying one.

        ``client.scatter([obj], broadcast=True)`` waits for the scheduler's replication, which retries a worker
        that died meanwhile until the key is released (seen here: a run hung for minutes). So the object is
        scattered to one live worker and its replication to the others runs in the background on the client's
        event loop; a task whose worker has no copy yet fetches it from a holder, and a dead holder shows up as a
        lost dependency, which ``_run`` recovers from like any lost worker.
        """
        error = None
        for worker in self._wait_for_workers():               # the first live worker that accepts it
            try:
                [future] = self._scatter([obj], workers=[worker])
            except (TimeoutError, OSError) as exc:
                error = exc
                continue
            if self.n_workers > 1:
                self.client.loop.add_callback(self._replicate, future)
            return future
        raise TrainingError(f"could not send the model to any Dask worker ({error!r})") from error

    async def _replicate(self, future):
        try:
            await self.client.replicate([future], asynchronous=True)
        except Exception:  # noqa: BLE001 - best effort: a task without a local copy fetches it from a holder
            pass

    def _scatter(self, data, **options):
        """``client.scatter(data, hash=False, **options)`` that raises ``TimeoutError`` instead of hanging."""
        from dask.sizeof import sizeof

        async def scatter():
            return await self.client.scatter(data, hash=False, asynchronous=True, **options)
        limit = max(TRANSFER_TIMEOUT, 20 * max(self.comm_seconds, default=0.0), sizeof(data) / TRANSFER_MIN_RATE)
        return self.client.sync(scatter, callback_timeout=limit)

    def _reassign(self, shard, iteration, reason):
        """Give a shard whose worker or data was lost to a live worker, re-scattered from the driver's copy."""
        lost = self.assigned[shard]
        for attempt in range(3):
            try:
                target = self._move(shard, lost)
                break
            except (TimeoutError, OSError):                   # the chosen worker died too: pick again
                if attempt == 2:
                    raise
                time.sleep(0.5)
        self._local.pop(shard, None)                          # an elastic local model died with its worker
        event = {"iteration": iteration, "event": "worker lost", "worker": lost, "reason": reason,
                 "action": f"shard {shard} re-assigned to {target} and its rows retrained"}
        self.events.append(event)
        self._notes.append(f"worker {lost} lost; shard {shard} re-assigned to {target}")

    def _move(self, shard, lost):
        live = self._wait_for_workers()
        load = {w: self.assigned.count(w) for w in live}
        target = lost if lost in live else min(live, key=lambda w: (load[w], w))
        if self.replicated:
            if self.shard_data[shard].status != "finished":
                data = self._broadcast(self.design)
                self.shard_data = [data] * self.n_workers
        elif self.shard_data[shard].status != "finished" or target != lost:
            self.shard_data[shard] = self._place(self.shard_rows[shard], target)
        self.assigned[shard] = target
        return target

    # ---- one iteration --------------------------------------------------------------------------------------
    def rows_for_iteration(self, default=None, network=None, hyper=None):
        """Rows of the next iteration: H2O's multi-node rules; ``-2`` starts from a measured weight round trip."""
        if self.tuner.auto and self.tuner.rows == 0:
            if network is None or hyper is None:
                self.tuner.rows = max(1, int(default or min(self.n_train, 1000 * self.n_workers)))
            else:
                self.tuner.initial(*self.measure(network, hyper))
        return self.tuner.rows

    def measure(self, network, hyper, rows=PROBE_ROWS, repeats=2):
        """``(comm_seconds, seconds_per_row)``: broadcast ``network``, time ``rows`` rows on every worker, gather
        the network back; communication is the round trip minus the slowest worker's compute (best of repeats)."""
        comm, per_row = float("inf"), 0.0
        for r in range(repeats):
            start = time.perf_counter()
            nf = self._broadcast(network)
            plan = ShardPlan(rows, iteration_seed(self.seed, -1, r), True, train_fn=self.train_fn)
            futures = [self.client.submit(probe, self.shard_data[s], nf, hyper, plan, workers=[w], pure=False)
                       for s, w in enumerate(self.assigned)]
            seconds = [t for _, t in self.client.gather(futures)]
            comm = min(comm, time.perf_counter() - start - rows * max(seconds))
            per_row = max(seconds)
            del nf, futures
        return max(comm, 0.0), per_row

    def __call__(self, network, hyper, n_rows, iteration=None, seed=None, samples_seen=None):
        iteration = self.iterations + 1 if iteration is None else int(iteration)
        samples_seen = float(sum(self.samples_per_iteration) if samples_seen is None else samples_seen)
        seed = self.seed if seed is None else int(seed)
        start = time.perf_counter()
        weights = self._broadcast(network)
        counts = _split_rows(int(n_rows), [len(r) for r in self.shard_rows])
        row_ids = self._iteration_rows(counts)
        plans = {s: ShardPlan(int(c), iteration_seed(seed, iteration, s), self.shuffle,
                              self.regularization if self.elastic else 0.0, self.rate, samples_seen,
                              self.train_fn, row_ids[s])
                 for s, c in enumerate(counts) if c > 0}
        self.weight_bytes = state_nbytes(network)
        results = self._run(plans, weights, hyper, iteration, network)
        if results is None:                                   # cancelled mid-iteration: the model is unchanged
            return 0
        rows = [results[s][1] for s in sorted(results)]
        models = [results[s][0] for s in sorted(results)]
        if self.elastic:
            average = average_into(clone(network), models, rows)
            elastic_update(network, average, self.moving_rate)
        else:
            average_into(network, models, rows)
        wall = time.perf_counter() - start
        compute = max(results[s][2] for s in results)
        self.iterations += 1
        self.samples_per_iteration.append(int(sum(rows)))
        self.compute_seconds.append(compute)
        self.comm_seconds.append(max(wall - compute, 0.0))
        self.tuner.update(int(sum(rows)), compute, max(wall - compute, 0.0))
        return int(sum(rows))

    def _submit(self, shard, weights, hyper, plan):
        local = self._local.get(shard) if self.elastic else None
        return self.client.submit(train_shard, self.shard_data[shard], weights, hyper, plan, local,
                                  workers=[self.assigned[shard]], allow_other_workers=True, pure=False)

    def _run(self, plans, weights, hyper, iteration, network):
        """Submit one task per shard and collect results, re-assigning shards whose worker dies on the way."""
        from distributed import wait
        from distributed.client import FuturesCancelledError
        pending = {s: self._submit(s, weights, hyper, p) for s, p in plans.items()}
        results, recoveries = {}, 0
        while pending:
            if self.cancel_event is not None and self.cancel_event.is_set():
                self.client.cancel(list(pending.values()))
                return None
            try:
                wait(list(pending.values()), timeout=0.25, return_when="FIRST_COMPLETED")
            except (TimeoutError, FuturesCancelledError):
                pass                                          # statuses are inspected below either way
            for shard, future in list(pending.items()):
                status = future.status
                if status not in ("finished", "error", "cancelled", "lost"):
                    continue
                try:
                    if status == "error":
                        raise future.exception()
                    if status != "finished":
                        raise concurrent.futures.CancelledError()
                    # A worker can die between "finished" and the fetch: its result is then lost like its task.
                    results[shard] = future.result(timeout=WORKER_WAIT_SECONDS)
                    if self.elastic:
                        self._local[shard] = future              # the worker keeps its local model in memory
                    del pending[shard]
                    continue
                except TimeoutError as exc:
                    lost = exc
                except Exception as exc:  # noqa: BLE001 - sorted into lost-worker vs training errors below
                    if not _recoverable(exc):
                        raise TrainingError(f"training shard {shard} on {self.assigned[shard]} failed: "
                                            f"{exc!r}") from exc
                    lost = exc
                recoveries += 1
                if recoveries > MAX_RECOVERIES_PER_ITERATION:
                    raise TrainingError(f"iteration {iteration}: Dask workers kept failing "
                                        f"({recoveries} re-assignments)") from lost
                self._reassign(shard, iteration, type(lost).__name__)
                if weights.status != "finished":              # every copy of the broadcast weights died too
                    weights = self._broadcast(network)
                pending[shard] = self._submit(shard, weights, hyper, plans[shard])
        return results

    # ---- reporting ------------------------------------------------------------------------------------------
    def pop_notes(self):
        """Events since the last call, as short text for the scoring-history row."""
        notes, self._notes = "; ".join(self._notes), []
        return notes

    def info(self):
        """What ``model.output["backend"]`` records."""
        compute, comm = sum(self.compute_seconds), sum(self.comm_seconds)
        return {"backend": "dask", "scheduler": self.client.scheduler.address,
                "workers": sorted(set(self.assigned)), "n_workers": self.n_workers,
                "replicate_training_data": self.replicated, "single_node_mode": self.single_node,
                "elastic_averaging": self.elastic, "iterations": self.iterations,
                "samples_per_iteration": list(self.samples_per_iteration),
                "comm_fraction": comm / (comm + compute) if comm + compute > 0 else None,
                "weight_bytes": self.weight_bytes, "events": list(self.events)}

    def close(self):
        """Release the shards on the workers; close the client if this run opened it."""
        self.shard_data, self._local = [], {}
        if self.owns_client:
            self.client.close()
