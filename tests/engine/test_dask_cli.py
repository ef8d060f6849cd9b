"""Training on a cluster started with the `dask scheduler` / `dask worker` command lines on 127.0.0.1.

The workers are separate processes started from the shell, so they run the installed package (nothing is shipped
by value): this is the deployment path of a real cluster, on loopback.
"""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

DASK = str(Path(sys.executable).with_name("dask"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()                      # SIGTERM to `dask worker` also stops its nannies
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cli_cluster(tmp_path_factory):
    """A scheduler and a 2-process worker started from the command line; stopped (and checked gone) afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    logs = tmp_path_factory.mktemp("dask-cli")
    procs = []
    try:
        procs.append(subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(logs / "scheduler.log", "w")))
        procs.append(subprocess.Popen([DASK, "worker", address, "--host", "127.0.0.1", "--nworkers", "2",
                                       "--nthreads", "1", "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(logs / "worker.log", "w")))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)
    assert all(p.poll() is not None for p in procs)


def test_training_on_a_command_line_cluster_by_address(cli_cluster):
    from test_dask_engine import digits_frame, error_rate

    from deepbrook.engine.estimator import DeepLearning
    frame = digits_frame()
    model = DeepLearning(hidden=[32], epochs=3, seed=7, train_samples_per_iteration=600, backend="dask",
                         scheduler=cli_cluster).train(y="digit", training_frame=frame)
    backend = model.output["backend"]
    assert backend["backend"] == "dask" and backend["scheduler"] == cli_cluster
    assert backend["n_workers"] == 2 and not backend["events"]
    assert model.output["epochs"] == pytest.approx(3.0, abs=1e-3)
    assert error_rate(model, frame) < 0.1
    # the run opened its own client from the address and closed it: the cluster has no client left
    with distributed.Client(cli_cluster, timeout="30s") as probe:
        clients = probe.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.clients))
    assert len([c for c in clients if c != "fire-and-forget"]) == 1       # only `probe` itself


def test_unreachable_scheduler_is_a_parameter_error():
    from deepbrook.engine.distributed import connect
    from deepbrook.engine.errors import ParameterError
    with pytest.raises(ParameterError, match="cannot reach the Dask scheduler"):
        connect(scheduler=f"tcp://127.0.0.1:{_free_port()}", timeout=2)
