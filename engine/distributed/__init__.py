"""Training across machines on dask.distributed with H2O's model averaging (docs/distributed.md).

Only ``make_iteration_step`` is needed by the trainer; dask is imported when a run asks for ``backend="dask"``.
"""
from ..errors import ParameterError
from .state import average_into, elastic_update, state_arrays
from .tasks import ENGINE_TRAIN_ROWS, ShardPlan, train_shard
from .tuning import SamplesTuner

BACKENDS = ("local", "dask")

__all__ = ["BACKENDS", "ENGINE_TRAIN_ROWS", "SamplesTuner", "ShardPlan", "average_into", "connect",
           "elastic_update", "make_iteration_step", "state_arrays", "train_shard"]


def connect(client=None, scheduler=None, timeout=20):
    """``(client, owns_client)`` from a ready ``dask.distributed.Client`` or a scheduler address (``timeout`` s)."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is an optional dependency
        raise ParameterError("backend='dask' needs dask.distributed: pip install 'deepbrook[distributed]'") from exc
    if client is not None:
        if not isinstance(client, Client):
            raise ParameterError(f"client must be a dask.distributed.Client, got {type(client).__name__}")
        return client, False
    if not scheduler:
        raise ParameterError("backend='dask' needs client= (a dask.distributed.Client) "
                             "or scheduler= (an address such as 'tcp://host:8786')")
    try:
        return Client(scheduler, timeout=f"{timeout}s"), True
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"scheduler={scheduler!r}: cannot reach the Dask scheduler ({exc})") from exc


def make_iteration_step(backend="local", client=None, scheduler=None, design=None, params=None, **options):
    """The trainer's distributed iteration step, or None for the local engine (``backend="local"``)."""
    if backend not in BACKENDS:
        raise ParameterError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "local":
        if client is not None or scheduler:
            raise ParameterError("client/scheduler are only used with backend='dask'")
        return None
    from .step import DaskIterationStep
    client, owns = connect(client, scheduler)
    try:
        return DaskIterationStep(client, design, params, owns_client=owns, **options)
    except BaseException:
        if owns:
            client.close()
        raise
