"""Saving and loading models: `model.json` + `.npy` arrays, no pickle, no code named by a file (docs/model-format.md).

`model.json` holds the format name and version, the model key and problem, the parameters, the data info
(`DataInfo.to_dict()`) and the outputs; every numpy array (network weights, biases, optimizer state, arrays found in
outputs) is stored as an npy member and referenced from the JSON as `{"__ndarray__": "<name>"}`. Loading builds
only the allow-listed engine classes of `model_codec`, checks every array's shape and dtype against the declared
network before reading it, and turns every damaged, truncated, empty or foreign input into `ModelFormatError`.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from ..errors import DeepbrookError, ModelFormatError
from ..kernels import hyper as H
from .model_archive import LEGACY_ARRAYS, MODEL_JSON, ArchiveReader, write_arrays
from .model_codec import Encoder, FormatProblem, decode, need, slot_class, slot_name

__all__ = ["ModelFormatError", "save_model", "load_model", "export_checkpoint", "model_state", "model_from_state"]

FORMAT = "deepbrook-model"
FORMAT_VERSION = 1
PROBLEMS = ("binomial", "multinomial", "regression", "autoencoder")
# What a damaged file can make the readers raise; each becomes ModelFormatError naming the file.
_DAMAGE = (zipfile.BadZipFile, EOFError, OSError, KeyError, TypeError, ValueError, IndexError, AttributeError,
           RecursionError, OverflowError, MemoryError, DeepbrookError)


# ---- parameters --------------------------------------------------------------------------------------------------
def params_to_dict(params) -> dict:
    """Plain dict of parameter values (Parameterized, dataclass, object with to_dict/values, or dict)."""
    if params is None:
        return {}
    if isinstance(params, dict):
        return dict(params)
    if hasattr(params, "to_dict"):
        return dict(params.to_dict())
    if hasattr(params, "param") and hasattr(params.param, "values"):
        return {k: v for k, v in params.param.values().items() if k != "name"}
    if dataclasses.is_dataclass(params):
        return dataclasses.asdict(params)
    return dict(vars(params))


# ---- save / load -------------------------------------------------------------------------------------------------
def model_state(model) -> tuple[dict, dict]:
    """(JSON document, arrays) describing a model; the inverse of `model_from_state`."""
    enc = Encoder()
    net = model.network
    net_arrays = net.to_arrays()
    doc = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "model_class": slot_name("model_class", model),
        "key": getattr(model, "key", None), "problem": getattr(model, "problem", None),
        "params": {"class": slot_name("params", model.params),
                   "values": enc(params_to_dict(model.params), "params")},
        "data_info": {"class": slot_name("data_info", model.data_info),
                      "state": enc(model.data_info.to_dict(), "data_info")},
        "network": {"class": slot_name("network", net), "arrays": sorted(net_arrays)},
        "output": enc(dict(getattr(model, "output", {}) or {}), "output"),
        "extra": enc(dict(model.persist_extra()) if hasattr(model, "persist_extra") else {}, "extra"),
    }
    arrays = {f"network/{k}": np.asarray(v) for k, v in net_arrays.items()}
    arrays.update(enc.arrays)
    return doc, arrays


def save_model(model, path) -> Path:
    """Write `model` to directory `path` (created or replaced atomically); returns the path."""
    path = Path(path)
    doc, arrays = model_state(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        with open(tmp / MODEL_JSON, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
        with zipfile.ZipFile(tmp / LEGACY_ARRAYS, "w") as zf:
            write_arrays(zf, arrays, "")
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}-{time.monotonic_ns()}")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def load_model(path):
    """Load a model saved by `save_model`; it predicts exactly like the saved one. Anything else (damaged,
    truncated, empty, foreign or hostile) raises ModelFormatError naming the file and the reason."""
    try:
        path = Path(os.fspath(path))
    except TypeError:
        raise ModelFormatError(f"a model path must be a str or path-like, not {type(path).__name__}") from None
    try:
        with ArchiveReader(path) as archive:
            return model_from_state(archive.document(), archive.arrays)
    except ModelFormatError as e:
        raise ModelFormatError(f"cannot load the model {path}: {e}") from None
    except FormatProblem as e:
        raise ModelFormatError(f"cannot load the model {path}: {e}") from None
    except _DAMAGE as e:
        raise ModelFormatError(f"cannot load the model {path}: the file is damaged ({type(e).__name__}: {e})") \
            from e


def model_from_state(doc, arrays):
    """Rebuild a model from its document and arrays (a dict, or a file's lazily read arrays), checking everything
    against the declared network; only allow-listed classes are built (raises ModelFormatError)."""
    try:
        return _build(doc, arrays)
    except FormatProblem as e:
        raise ModelFormatError(str(e)) from None
    except ModelFormatError:
        raise
    except _DAMAGE as e:
        raise ModelFormatError(f"the model document is damaged ({type(e).__name__}: {e})") from e


def _build(doc, arrays):
    need(doc, dict, "model.json")
    if doc.get("format") != FORMAT:
        raise FormatProblem(f"model.json has format {doc.get('format')!r}, expected {FORMAT!r}")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatProblem(f"format_version must be a positive integer, not {version!r}")
    if version > FORMAT_VERSION:
        raise FormatProblem(f"it was written by a newer Deepbrook (format version {version}; this one reads up to "
                            f"{FORMAT_VERSION})")
    problem = doc.get("problem")
    if problem not in PROBLEMS:
        raise FormatProblem(f"problem must be one of {', '.join(PROBLEMS)}, not {problem!r}")
    key = need(doc.get("key"), (str, type(None)), "key")
    model_cls = slot_class("model_class", doc.get("model_class"))
    p = need(doc.get("params"), dict, "params")
    params_cls = slot_class("params", p.get("class"))
    params = params_cls.from_dict(need(decode(p.get("values"), arrays), dict, "params.values"))
    di = need(doc.get("data_info"), dict, "data_info")
    data_info = slot_class("data_info", di.get("class")).from_dict(
        need(decode(di.get("state"), arrays), dict, "data_info.state"))
    for what, value in (("data_info", data_info.problem), ("params", getattr(params, "problem", problem))):
        if value != problem:
            raise FormatProblem(f"{what} says problem {value!r}, model.json says {problem!r}")
    network = _network(need(doc.get("network"), dict, "network"), arrays, data_info, params)
    output = need(decode(doc.get("output", {}), arrays), dict, "output")
    extra = need(decode(doc.get("extra", {}), arrays), dict, "extra")
    return model_cls.from_parts(key=key, params=params, data_info=data_info, network=network, output=output,
                                **extra)


def _network(spec, arrays, data_info, params):
    """The network, each array checked against the layer table before it is read."""
    net_cls = slot_class("network", spec.get("class"))
    lay_shape, lay_dtype = _header(arrays, "network/lay")
    if len(lay_shape) != 2 or lay_dtype != np.int64:
        raise FormatProblem(f"array network/lay is {lay_dtype}{list(lay_shape)}, expected int64 [layers, "
                            f"{H.L_NCOLS}]")
    try:
        layout = net_cls.array_layout(arrays["network/lay"])
    except ValueError as e:
        raise FormatProblem(f"the network is invalid: {e}") from None
    names = need(spec.get("arrays"), list, "network.arrays")
    if sorted(names) != sorted(layout):
        raise FormatProblem(f"network.arrays lists {names}; a network has exactly {sorted(layout)}")
    lay = arrays["network/lay"]
    n_out = data_info.n_inputs if data_info.problem == "autoencoder" else data_info.n_classes
    if int(lay[0, H.L_FAN_IN]) != data_info.n_inputs or int(lay[-1, H.L_UNITS]) != n_out:
        raise FormatProblem(f"the network maps {int(lay[0, H.L_FAN_IN])} inputs to {int(lay[-1, H.L_UNITS])} "
                            f"outputs; the data info declares {data_info.n_inputs} inputs and {n_out} outputs")
    hidden = getattr(params, "actual", {}).get("hidden")
    if hidden is not None and [int(h) for h in hidden] != [int(u) for u in lay[:-1, H.L_UNITS]]:
        raise FormatProblem(f"the network's hidden layers {[int(u) for u in lay[:-1, H.L_UNITS]]} are not the "
                            f"declared hidden={list(hidden)}")
    return net_cls(**{k: _checked(arrays, f"network/{k}", shape, dtype) for k, (shape, dtype) in layout.items()})


def _header(arrays, name):
    if hasattr(arrays, "header"):
        return arrays.header(name)
    if name not in arrays:
        raise FormatProblem(f"array {name!r} is missing")
    a = np.asarray(arrays[name])
    return a.shape, a.dtype


def _checked(arrays, name, shape, dtype):
    if hasattr(arrays, "get_checked"):
        return arrays.get_checked(name, shape, dtype)
    got_shape, got_dtype = _header(arrays, name)
    if tuple(got_shape) != tuple(shape) or got_dtype != dtype:
        raise FormatProblem(f"array {name} is {got_dtype}{list(got_shape)}; the declared network needs "
                            f"{dtype}{list(shape)}")
    return arrays[name]


def export_checkpoint(model, directory) -> Path:
    """H2O's export_checkpoints_dir: save the model as `<directory>/<model key>` (called after each scoring)."""
    key = getattr(model, "key", None) or "model"
    return save_model(model, Path(directory) / str(key))
