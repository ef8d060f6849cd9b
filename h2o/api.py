"""H2O's module-level functions (``h2o.init``, ``h2o.import_file``, ``h2o.save_model``, ...), in-process.

There is no server: ``init`` only announces itself, frames and models live in ``session``'s registry, files are
read with the engine's parser and models written with the engine's persistence.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from deepbrook.engine import DeepbrookError, Frame, ParameterError, ParseError, parse, parse_setup
from deepbrook.engine import load_model as engine_load_model
from deepbrook.engine import save_model as engine_save_model

from . import session
from .exceptions import H2OResponseError, H2OValueError
from .frame import H2OFrame, _engine_type, _types_by_name

__version__ = "3.46.0.12-deepbrook"


def init(*_args, **_kwargs):
    """Start the in-process "cluster" (nothing to connect to); prints one line, as a connection banner."""
    first = not session.state["initialized"]
    session.state["initialized"] = True
    print(f"deepbrook.h2o {__version__}: in-process, no H2O server needed"
          + ("" if first else " (already running)"))


connect = init


def cluster():
    return None


def shutdown(prompt=False):
    """Nothing to stop in-process; kept so scripts that end with h2o.shutdown() run."""
    session.state["initialized"] = False


def no_progress():
    session.state["progress"] = False


def show_progress():
    session.state["progress"] = True


def _header(header):
    if header not in (-1, 0, 1):
        raise H2OValueError("header must be -1 (no header), 0 (guess) or 1 (first line is the header)",
                            var_name="header")
    return {-1: False, 1: True}.get(header)


def import_file(path=None, destination_frame=None, parse=True, header=0, sep=None, col_names=None,
                col_types=None, na_strings=None, pattern=None, skipped_columns=None, **_kw):
    """Read a file (or files: a list, a directory with ``pattern``) into a frame named ``destination_frame``."""
    if path is None:
        raise H2OValueError("import_file needs a path", var_name="path")
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if pattern:
        rx = re.compile(pattern)
        paths = [str(p) for d in paths for p in sorted(Path(d).iterdir()) if Path(d).is_dir() and rx.search(p.name)]
    missing = [str(p) for p in paths if not any(ch in str(p) for ch in "*?[") and not os.path.exists(p)]
    if missing:
        raise H2OValueError(f"File {missing[0]} does not exist", var_name="path")
    overrides = {}
    if _header(header) is not None:
        overrides["header"] = _header(header)
    if sep:
        overrides["separator"] = sep
    if na_strings:
        overrides["na_strings"] = list(na_strings) if not isinstance(na_strings, dict) else na_strings
    try:
        setup = parse_setup([str(p) for p in paths], **overrides)
        if col_names is not None:
            if len(col_names) != len(setup.column_names):
                raise H2OValueError(f"col_names has {len(col_names)} names, the file has "
                                    f"{len(setup.column_names)} columns", var_name="col_names")
            setup.column_names = [str(c) for c in col_names]
        if col_types:
            types = _types_by_name(col_types, setup.column_names)
            setup.column_types = {**setup.column_types, **{c: _engine_type(t, c) for c, t in types.items()}}
        if skipped_columns:
            setup.skip_columns = [setup.column_names[i] for i in skipped_columns]
        fr = parse_file(setup, destination_frame)
    except (ParseError, DeepbrookError, ValueError, OSError) as e:
        if isinstance(e, H2OValueError):
            raise
        raise H2OResponseError(f"Parse of {path} failed: {e}") from e
    return H2OFrame._wrap(fr, key=fr.name, keep=True)


def parse_file(setup, destination_frame=None):
    return parse(setup, destination_frame)


def upload_file(path, destination_frame=None, header=0, sep=None, col_names=None, col_types=None,
                na_strings=None, skipped_columns=None, **kw):
    """Same as import_file here: the "client" and the "server" share one file system."""
    return import_file(path, destination_frame, True, header, sep, col_names, col_types, na_strings,
                       skipped_columns=skipped_columns, **kw)


def get_frame(frame_id, **_kw):
    obj = session.lookup(frame_id)
    if not isinstance(obj, H2OFrame):
        raise H2OResponseError(f"Frame {frame_id!r} not found")
    return obj


def get_model(model_id):
    from .estimators.estimator_base import H2OEstimator
    obj = session.lookup(model_id)
    if not isinstance(obj, H2OEstimator):
        raise H2OResponseError(f"Model {model_id!r} not found")
    return obj


def get_grid(grid_id):
    from .grid.grid_search import H2OGridSearch
    obj = session.lookup(grid_id)
    if not isinstance(obj, H2OGridSearch):
        raise H2OResponseError(f"Grid {grid_id!r} not found")
    return obj


def ls():
    """Keys of the frames and models kept in this process (pandas, one column ``key``, as H2O's ls)."""
    return pd.DataFrame({"key": session.named_keys()})


def remove(x, cascade=True):
    """Remove frames or models (objects or keys) from the registry."""
    items = x if isinstance(x, (list, tuple)) else [x]
    for item in items:
        key = item if isinstance(item, str) else getattr(item, "frame_id", None) or getattr(item, "model_id", None)
        if key is None:
            raise H2OValueError(f"cannot remove {item!r}: not a frame, a model or a key", var_name="x")
        session.forget(key)


def remove_all(retained=None):
    keep = set(retained or [])
    for key in session.named_keys():
        if key not in keep:
            session.forget(key)


def export_file(frame, path, force=False, sep=",", compression=None, header=True, quote_header=True, **_kw):
    """Write a frame as CSV; an existing file is refused unless ``force=True``."""
    if not isinstance(frame, H2OFrame):
        raise H2OValueError("export_file needs an H2OFrame", var_name="frame")
    target = Path(path)
    if target.exists() and not force:
        raise H2OResponseError(f"File {path} already exists; use force=True to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.as_data_frame().to_csv(target, index=False, sep=sep, header=header, na_rep="",
                                 compression=compression if compression not in (None, "none") else None)


def download_csv(data, filename):
    """Write the frame to ``filename`` as CSV (overwriting, as H2O's client does); returns the path."""
    if not isinstance(data, H2OFrame):
        raise H2OValueError("download_csv needs an H2OFrame", var_name="data")
    data.as_data_frame().to_csv(filename, index=False, na_rep="")
    return os.path.abspath(filename)


def as_list(data, use_pandas=True, header=True):
    return data.as_data_frame(use_pandas=use_pandas, header=header)


def create_frame(frame_id=None, rows=10000, cols=10, randomize=True, real_fraction=None, categorical_fraction=None,
                 integer_fraction=None, binary_fraction=None, time_fraction=None, string_fraction=None, value=0,
                 real_range=100, factors=100, integer_range=100, binary_ones_fraction=0.02, missing_fraction=0.01,
                 has_response=False, response_factors=2, positive_response=False, seed=None,
                 seed_for_column_types=None):
    """A random frame as H2O's CreateFrame makes it: ``response`` first (when asked), then C1..Cn."""
    fracs = {"real": real_fraction, "enum": categorical_fraction, "int": integer_fraction,
             "binary": binary_fraction, "time": time_fraction, "string": string_fraction}
    given = sum(v for v in fracs.values() if v is not None)
    if given > 1 + 1e-9:
        raise H2OValueError("the column type fractions must sum to at most 1", var_name="real_fraction")
    unset = [k for k, v in fracs.items() if v is None]
    for k in unset:  # H2O spreads what is left over the fractions not given
        fracs[k] = (1 - given) / len(unset)
    rng = np.random.default_rng(None if seed in (None, -1) else seed)
    type_rng = np.random.default_rng(None if seed_for_column_types in (None, -1) else seed_for_column_types)
    counts = {k: int(np.floor(v * cols + 1e-9)) for k, v in fracs.items()}
    counts["real"] += cols - sum(counts.values())
    kinds = [k for k, n in counts.items() for _ in range(n)]
    type_rng.shuffle(kinds)
    columns, types, domains = {}, {}, {}
    if has_response:
        if response_factors == 1:
            lo = 0 if positive_response else -real_range
            columns["response"] = rng.uniform(lo, real_range, rows)
        else:
            columns["response"] = rng.integers(0, response_factors, rows).astype(np.int32)
            types["response"], domains["response"] = "enum", [str(i) for i in range(response_factors)]
    for j, kind in enumerate(kinds):
        name = f"C{j + 1}"
        if not randomize:
            columns[name] = np.full(rows, float(value))
            continue
        if kind == "real":
            columns[name] = rng.uniform(-real_range, real_range, rows)
        elif kind == "int":
            columns[name] = rng.integers(-integer_range, integer_range + 1, rows).astype(np.float64)
        elif kind == "binary":
            columns[name] = (rng.random(rows) < binary_ones_fraction).astype(np.float64)
        elif kind == "time":
            columns[name] = rng.integers(0, 50 * 365 * 86400 * 1000, rows).astype(np.float64)
            types[name] = "time"
        elif kind == "enum":
            n_levels = max(1, int(rng.integers(1, factors + 1)))
            columns[name] = rng.integers(0, n_levels, rows).astype(np.int32)
            types[name], domains[name] = "enum", [f"c{j}.l{i}" for i in range(n_levels)]
        else:
            columns[name] = np.array([f"s{v}" for v in rng.integers(0, 1 << 30, rows)], dtype=object)
            types[name] = "string"
        if missing_fraction and kind != "string":
            hit = rng.random(rows) < missing_fraction
            if types.get(name) == "enum":
                columns[name] = np.where(hit, -1, columns[name]).astype(np.int32)
            else:
                columns[name] = np.where(hit, np.nan, columns[name])
    key = frame_id or session.temp_key("frame")
    fr = Frame.from_arrays(columns, types={k: v for k, v in types.items() if v != "enum"}, domains=domains, name=key)
    return H2OFrame._wrap(fr, key=key, keep=True)


# ---------------------------------------------------------------------------------------- models on disk
def save_model(model, path="", force=False, export_cross_validation_predictions=False, filename=None):
    """Save ``model`` as one file ``<path>/<filename or model id>`` (the engine's save_model, H2O's meaning); an
    existing one is refused unless ``force=True``, and nothing else in ``path`` is touched. Returns the path."""
    from .estimators.estimator_base import H2OEstimator
    if not isinstance(model, H2OEstimator) or model._model is None:
        raise H2OValueError("save_model needs a trained model", var_name="model")
    try:
        return str(engine_save_model(model._model, path, force=force, filename=filename))
    except ParameterError as e:
        raise H2OValueError(str(e), var_name="path") from e
    except DeepbrookError as e:
        raise H2OResponseError(str(e)) from e


def load_model(path):
    """Load a model saved by ``save_model``; it is registered under its model id."""
    from .estimators.estimator_base import H2OEstimator
    try:
        m = engine_load_model(path)
    except (DeepbrookError, OSError) as e:
        raise H2OResponseError(f"Cannot load a model from {path}: {e}") from e
    return H2OEstimator._from_engine(m)


# ---------------------------------------------------------------------------------------- misc H2O calls
_SETPROPERTY = re.compile(r'^\(\s*setproperty\s+"([^"]+)"\s+"([^"]*)"\s*\)$')


def rapids(expr):
    """Only ``(setproperty "key" "value")`` is understood in-process; other Rapids expressions are refused."""
    m = _SETPROPERTY.match(str(expr).strip())
    if not m:
        raise H2OValueError(f"Rapids expression not supported in-process: {expr!r} (only setproperty)",
                            var_name="expr")
    session.properties[m.group(1)] = m.group(2)
    return {"string": f"Old values of {m.group(1)} (per node): [] "}


_custom_metrics = {}


def upload_custom_metric(func, func_file="metrics.py", func_name=None, class_name=None, source_provider=None):
    """Register a custom metric (a class with ``map``, ``reduce`` and ``metric`` methods, or an instance of one)
    and return the reference to pass as ``custom_metric_func``. The class object comes from the caller's own
    script and runs in this process; metric *source text* is refused (nothing is ever compiled from text)."""
    if isinstance(func, str):
        raise H2OValueError("upload_custom_metric: pass the metric class itself; source text is not compiled "
                            "in-process", var_name="func")
    obj = func() if isinstance(func, type) else func
    for method in ("map", "reduce", "metric"):
        if not callable(getattr(obj, method, None)):
            raise H2OValueError(f"upload_custom_metric: {type(obj).__name__} has no {method}() method",
                                var_name="func")
    name = func_name or type(obj).__name__
    ref = f"python:{name}={os.path.splitext(func_file)[0]}.{type(obj).__name__}Wrapper"
    _custom_metrics[ref] = _NamedMetric(obj, name)
    return ref


class _NamedMetric:
    """The user's metric object under the name given to upload_custom_metric (the engine reports that name)."""

    def __init__(self, obj, name):
        self.obj, self.name = obj, name

    def map(self, *args):
        return self.obj.map(*args)

    def reduce(self, left, right):
        return self.obj.reduce(left, right)

    def metric(self, acc):
        return self.obj.metric(acc)


def custom_metric(ref):
    """The metric object behind a reference from ``upload_custom_metric`` (or the object itself)."""
    if isinstance(ref, str):
        if ref not in _custom_metrics:
            raise H2OValueError(f"custom_metric_func {ref!r} was not made by h2o.upload_custom_metric in this "
                                "process", var_name="custom_metric_func")
        return _custom_metrics[ref]
    return ref
