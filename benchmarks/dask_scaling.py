"""Distributed training throughput on local Dask workers, and the share of each iteration spent communicating.

For 1 and 2 local worker processes (1 numba thread each) it trains MNIST rows with the engine's ``train_rows``
through the distributed step (broadcast weights -> train shards -> gather -> weighted average) at a fixed
``train_samples_per_iteration``, after one warm-up iteration, and prints per-iteration compute and communication
times, samples/s, and the single-process engine on one thread as the baseline. The last block fits the measured
communication cost ``t_comm(N) = a + b * N`` and prints the scaling model of docs/distributed.md for N nodes.

    python benchmarks/dask_scaling.py                      # 20k MNIST rows, [200,200], 4000 rows/iteration
    python benchmarks/dask_scaling.py --rows 60000 --tspi 8000 --iterations 6 --hidden 200,200

Ratios within one run are what count on a shared machine; absolute samples/s drift with the load.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("NUMBA_THREADING_LAYER", "omp")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MNIST = Path(os.environ.get("DEEPBROOK_SHARED_DATA", ROOT.parent / "shared" / "data")) / "mnist.npz"


def mnist_design(rows):
    from deepbrook.engine.prep.design import Design
    with np.load(MNIST) as z:
        x, y = z["x_train"][:rows], z["y_train"][:rows]
    n = len(y)
    num = np.ascontiguousarray(x.reshape(n, -1), dtype=np.float32) / np.float32(255.0)
    return Design(num, np.zeros((n, 0), np.int32), y.astype(np.float32), np.ones(n, np.float32),
                  np.zeros(n, np.float32), np.arange(n, dtype=np.int64))


def local_baseline(design, hidden, rows):
    """Samples/s of the engine in this process on one thread (same kernel the workers run)."""
    from deepbrook.engine.model.network import Network
    from deepbrook.engine.model.optimizer import Hyper, train_rows
    net, hyper = Network.build(design.num.shape[1], hidden, 10, seed=1), Hyper()
    train_rows(net, design, np.arange(16), hyper, 1, threads=1)                    # load compiled kernels
    start = time.perf_counter()
    train_rows(net, design, np.arange(rows) % len(design.y), hyper, 1, threads=1)
    return rows / (time.perf_counter() - start)


def run_workers(n_workers, design, hidden, tspi, iterations):
    """Per-iteration (rows, compute_s, comm_s) on ``n_workers`` local worker processes, plus the weight bytes."""
    from distributed import Client, LocalCluster

    from deepbrook.engine.distributed import make_iteration_step
    from deepbrook.engine.model.network import Network
    from deepbrook.engine.model.optimizer import Hyper
    cluster = LocalCluster(processes=True, n_workers=n_workers, threads_per_worker=1, host="127.0.0.1",
                           dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"})
    try:
        with Client(cluster) as client:
            params = SimpleNamespace(train_samples_per_iteration=tspi, epochs=1e6, seed=1,
                                     replicate_training_data=False, shuffle_training_data=True)
            step = make_iteration_step("dask", client=client, design=design, params=params)
            net, hyper = Network.build(design.num.shape[1], hidden, 10, seed=1), Hyper()
            try:
                round_trip, _ = step.measure(net, hyper)
                for it in range(iterations + 1):                              # iteration 0 warms up
                    step(net, hyper, tspi, it + 1)
                info = step.info()
                stats = list(zip(step.samples_per_iteration, step.compute_seconds, step.comm_seconds))[1:]
                return stats, info["weight_bytes"], round_trip
            finally:
                step.close()
    finally:
        cluster.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20000, help="MNIST training rows (max 60000)")
    ap.add_argument("--hidden", default="200,200", help="hidden layer sizes, comma separated")
    ap.add_argument("--tspi", type=int, default=4000, help="train_samples_per_iteration (all workers together)")
    ap.add_argument("--iterations", type=int, default=4, help="timed iterations per worker count")
    ap.add_argument("--workers", default="1,2", help="worker counts to measure")
    args = ap.parse_args(argv)
    hidden = [int(h) for h in args.hidden.split(",")]
    design = mnist_design(args.rows)
    print(f"command: {' '.join([Path(sys.executable).name, 'benchmarks/dask_scaling.py', *sys.argv[1:]])}")
    print(f"MNIST {len(design.y)} rows, hidden {hidden}, {args.tspi} rows/iteration, {args.iterations} timed "
          f"iterations, 1 numba thread per worker, {os.cpu_count()} CPUs (shared)")
    base = local_baseline(design, hidden, min(args.tspi, 4000))
    print(f"local engine, 1 thread, no Dask: {base:,.0f} samples/s")
    measured = []
    print(f"{'workers':>7} {'samples/s':>10} {'vs local':>8} {'compute s/it':>12} {'comm s/it':>9} "
          f"{'comm share':>10} {'round trip s':>12} {'weights MB':>10}")
    for n in [int(w) for w in args.workers.split(",")]:
        stats, nbytes, round_trip = run_workers(n, design, hidden, args.tspi, args.iterations)
        rows = sum(s[0] for s in stats)
        compute = sum(s[1] for s in stats) / len(stats)
        comm = sum(s[2] for s in stats) / len(stats)
        speed = rows / sum(s[1] + s[2] for s in stats)
        measured.append((n, round_trip, args.tspi / n / compute))
        print(f"{n:>7} {speed:>10,.0f} {speed / base:>8.2f} {compute:>12.3f} {comm:>9.3f} "
              f"{comm / (comm + compute):>10.1%} {round_trip:>12.3f} {nbytes / 1e6:>10.2f}")
    if len(measured) >= 2:
        print_model(measured, args.tspi)


def print_model(measured, tspi, ratio=0.05):
    """docs/distributed.md's model: ``t_comm(N) = a + b*N`` fitted to the measured model round trips (broadcast +
    gather, compute subtracted) and ``r`` = one worker's rows/s in the 1-worker run."""
    (n1, c1, r), (n2, c2, _) = measured[0], measured[-1]
    b = max((c2 - c1) / (n2 - n1), 0.0)
    a = max(c1 - b * n1, 0.0)
    print(f"\nscaling model (docs/distributed.md): t_comm(N) = {a:.3f} + {b:.4f}*N s per iteration, "
          f"r = {r:,.0f} rows/s per worker (1-worker run)")
    print(f"{'N':>4} {'tspi=' + str(tspi) + ': samples/s':>20} {'comm share':>10} {'auto: rows/it':>14} "
          f"{'samples/s':>10} {'comm share':>10}")
    for n in (1, 2, 4, 8, 16, 32, 64):
        t_comm = a + b * n
        t_comp = tspi / (n * r)
        auto = min(n * r * t_comm / ratio, 100_000 * n)          # H2O's hard cap: 100000 rows per node
        auto_comp = auto / (n * r)
        print(f"{n:>4} {tspi / (t_comp + t_comm):>20,.0f} {t_comm / (t_comm + t_comp):>10.1%} {auto:>14,.0f} "
              f"{auto / (auto_comp + t_comm):>10,.0f} {t_comm / (t_comm + auto_comp):>10.1%}")


if __name__ == "__main__":
    main()
