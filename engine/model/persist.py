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
import time
import zipfile
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import DeepbrookError, ModelFormatError, ParameterError
from ..kernels import hyper as H
from .model_archive import ARRAY_PREFIX, LEGACY_ARRAYS, MODEL_JSON, ArchiveReader, write_arrays
from .model_codec import Encoder, FormatProblem, decode, need, slot_class, slot_name

__all__ = ["ModelFormatError", "save_model", "load_model", "export_checkpoint", "model_state", "model_from_state"]

FORMAT = "deepbrook-model"
FORMAT_VERSION = 2   # 2: one zip file; 1: a folder with model.json + arrays.npz (still read)
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


def save_model(model, path="", force=False, filename=None) -> Path:
    """H2O's save_model: write `model` into folder `path` ("" = the current folder) as one file named after the
    model key (or `filename`) and return its full path. An existing model of that name is replaced only with
    `force=True`, atomically (a reader sees the old model or the new one, never neither); nothing else in `path`
    is touched, and temps a killed writer left there (our naming pattern only) are removed first."""
    directory = Path(os.path.abspath(_fspath(path, "path") or "."))
    name = _file_name(model, filename)
    target = directory / name
    doc, arrays = model_state(model)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DeepbrookError(f"save_model: cannot create the folder {directory}: {e.strerror or e}") from None
    if not directory.is_dir():
        raise ParameterError(f"save_model: path {directory} is not a folder")
    atomic.remove_stale_temps(directory)
    existing = _existing(target, force)
    tmp_name = atomic.temp_name(name)
    tmp = directory / tmp_name
    try:
        _write_file(tmp, doc, arrays)
        _publish(tmp, target, existing)
        atomic.fsync_dir(directory)
    except OSError as e:
        raise DeepbrookError(f"save_model: cannot write {target}: {e.strerror or e}") from None
    finally:
        if os.path.lexists(tmp):
            _remove(tmp)
        atomic.release(tmp_name)
    return target


def _fspath(path, what):
    try:
        return os.fspath(path)
    except TypeError:
        raise ParameterError(f"save_model: {what} must be a str or path-like, not {type(path).__name__}") from None


def _file_name(model, filename):
    name = getattr(model, "key", None) if filename is None else _fspath(filename, "filename")
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("save_model: the model has no key; pass filename=")
    if name in (".", "..") or any(c in name for c in "/\\\0") or atomic.is_temp_name(name):
        raise ParameterError(f"save_model: filename {name!r} must be a plain file name (no folders, '/', '\\', "
                             "'..' or NUL)")
    return name


def _existing(target, force):
    """What is at `target` now: None, "file" or "folder" (a model this code can replace); refuses the rest."""
    if not os.path.lexists(target):
        return None
    if not force:
        raise ParameterError(f"save_model: {target} already exists; pass force=True to replace it")
    if target.is_symlink():
        raise ParameterError(f"save_model: {target} is a symbolic link; not replaced (only saved models are)")
    if not is_saved_model(target):
        raise ParameterError(f"save_model: {target} exists and is not a saved Deepbrook model; not replaced")
    if target.is_dir() and sorted(p.name for p in target.iterdir()) != sorted([MODEL_JSON, LEGACY_ARRAYS]):
        raise ParameterError(f"save_model: the model folder {target} holds other files; not replaced")
    return "folder" if target.is_dir() else "file"


def is_saved_model(path) -> bool:
    """Whether `path` is a saved Deepbrook model (checks the format field only; cheap)."""
    try:
        with ArchiveReader(Path(path)) as archive:
            return archive.document().get("format") == FORMAT
    except (FormatProblem, *_DAMAGE):
        return False


def _write_file(tmp, doc, arrays):
    """model.json + arrays into a new file, flushed to disk before it is published."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr(MODEL_JSON, json.dumps(doc, indent=1, allow_nan=False), zipfile.ZIP_DEFLATED)
            write_arrays(zf, arrays, ARRAY_PREFIX)
        f.flush()
        os.fsync(f.fileno())


def _publish(tmp, target, existing):
    if existing is None:             # no clobbering: a model that appeared meanwhile is not overwritten
        try:
            if atomic.link_new(tmp, target):
                return
        except FileExistsError:
            raise ParameterError(f"save_model: {target} appeared while saving; pass force=True to replace it") \
                from None
        os.replace(tmp, target)
    elif existing == "file":
        os.replace(tmp, target)      # atomic: readers see the old file or the new one
    elif atomic.exchange(tmp, target):
        _remove(tmp)                 # a version-1 model folder swapped out in one step; now at the temp name
    else:                            # no renameat2: two renames, the old folder kept under a temp name meanwhile
        old_name = atomic.temp_name(target.name, "old")
        old = target.with_name(old_name)
        try:
            os.replace(target, old)
            os.replace(tmp, target)
            _remove(old)
        finally:
            atomic.release(old_name)


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        os.remove(path)


def load_model(path, max_bytes=None, expect=None, allow=None):
    """Load a model saved by `save_model`; it predicts exactly like the saved one. Anything else (damaged,
    truncated, empty, foreign or hostile) raises ModelFormatError naming the file and the reason.

    ``max_bytes``: the largest a model file may be, on disk and decompressed (default 16 GiB; a server passes its
    own). ``expect``: the ``os.stat`` result (or ``(st_dev, st_ino)``) of the file the caller checked; the file
    opened must be that one. ``allow(real_path) -> bool``: whether the opened file's real location may be read.
    The file is opened once, never through a final symbolic link, and read through that descriptor only."""
    try:
        path = Path(os.fspath(path))
    except TypeError:
        raise ModelFormatError(f"a model path must be a str or path-like, not {type(path).__name__}") from None
    try:
        with ArchiveReader(path, max_bytes=max_bytes, expect=expect, allow=allow) as archive:
            return model_from_state(archive.document(), archive.arrays)
    except ModelFormatError as e:
        raise ModelFormatError(f"cannot load the model {path}: {e}") from None
    except FormatProblem as e:
        raise ModelFormatError(f"cannot load the model {path}: {e}") from None
    except OSError as e:
        raise ModelFormatError(f"cannot load the model {path}: cannot read it ({e.strerror or e})") from e
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
    """H2O's export_checkpoints_dir: save the model as `<directory>/<model key>` (replacing the previous export of
    the same model; anything else in the folder is left alone)."""
    return save_model(model, directory, force=True, filename=str(getattr(model, "key", None) or "model"))
