"""Fixtures shared by the engine tests."""
import pytest


@pytest.fixture(scope="module")
def client():
    """A Dask LocalCluster of 2 worker processes with one thread each (numba threads too), on 127.0.0.1."""
    from distributed import Client, LocalCluster
    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
                           dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"})
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()
