"""Saving and loading models: a directory with `model.json` + `arrays.npz`, no pickle (docs/model-format.md).

`model.json` holds the format name and version, the model key and problem, the parameters, the data info
(`DataInfo.to_dict()`) and the outputs; every numpy array (network weights, biases, optimizer state, arrays found in
outputs) goes to `arrays.npz` and is referenced from the JSON as `{"__ndarray__": "<name>"}`. Tables are stored
as `{"__dataframe__": {...}}`, metrics as `{"__metrics__": ...}`, the scoring history as `{"__history__": ...}`.
Loading only instantiates classes of `deepbrook.engine` named in the file, through their `from_dict` methods.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DeepbrookError
from .metrics import ModelMetrics
from .scoring import ScoringHistory

FORMAT = "deepbrook-model"
FORMAT_VERSION = 1
_SAFE_PREFIX = "deepbrook.engine."


class ModelFormatError(DeepbrookError):
    """A saved model could not be read (missing file, other format, newer version)."""


# ---- JSON encoding of outputs ----------------------------------------------------------------------------------
class _Encoder:
    def __init__(self):
        self.arrays = {}

    def array(self, a, hint):
        name = f"{hint}#{len(self.arrays)}"
        self.arrays[name] = np.asarray(a)
        return {"__ndarray__": name}

    def __call__(self, v, hint="obj"):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            f = float(v)
            return f if math.isfinite(f) else {"__float__": repr(f)}
        if isinstance(v, np.ndarray):
            return self.array(v, hint)
        if isinstance(v, ModelMetrics):
            return {"__metrics__": v.to_dict()}
        if isinstance(v, ScoringHistory):
            return {"__history__": v.to_dict()}
        if isinstance(v, pd.DataFrame):
            return {"__dataframe__": {"columns": [str(c) for c in v.columns],
                                      "index": [self(i) for i in v.index],
                                      "data": {str(c): self._column(v[c]) for c in v.columns}}}
        if isinstance(v, dict):
            return {str(k): self(x, f"{hint}.{k}") for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [self(x, f"{hint}[{i}]") for i, x in enumerate(v)]
        if hasattr(v, "predict_design") and hasattr(v, "network"):
            return {"__model_ref__": getattr(v, "key", None)}   # e.g. CV models: stored by key, like H2O
        if hasattr(v, "to_dict"):
            return self._object(v, v.to_dict(), hint)
        if dataclasses.is_dataclass(v):
            return self._object(v, dataclasses.asdict(v), hint)
        raise TypeError(f"cannot store a {type(v).__name__} ({hint}) in a model file")

    def _column(self, s):
        if s.dtype.kind in "biuf":
            return {"dtype": str(s.dtype), "values": [self(x) for x in s.tolist()]}
        return {"dtype": "object", "values": [self(x) for x in s.tolist()]}

    def _object(self, obj, d, hint):
        cls = type(obj)
        return {"__object__": f"{cls.__module__}:{cls.__qualname__}", "state": self(d, hint)}


def _decode(v, arrays):
    if isinstance(v, list):
        return [_decode(x, arrays) for x in v]
    if not isinstance(v, dict):
        return v
    if "__ndarray__" in v:
        return arrays[v["__ndarray__"]]
    if "__model_ref__" in v:
        return v["__model_ref__"]
    if "__float__" in v:
        return float(v["__float__"])
    if "__metrics__" in v:
        return ModelMetrics.from_dict(v["__metrics__"])
    if "__history__" in v:
        return ScoringHistory.from_dict(v["__history__"])
    if "__dataframe__" in v:
        t = v["__dataframe__"]
        data = {}
        for c in t["columns"]:
            col = t["data"][c]
            vals = [_decode(x, arrays) for x in col["values"]]
            data[c] = (np.array([np.nan if x is None else x for x in vals], dtype=col["dtype"])
                       if col["dtype"] != "object" else vals)
        index = [_decode(i, arrays) for i in t["index"]]
        df = pd.DataFrame(data, columns=t["columns"])
        if index != list(range(len(df))):
            df.index = index
        return df
    if "__object__" in v:
        return _instantiate(v["__object__"], _decode(v["state"], arrays))
    return {k: _decode(x, arrays) for k, x in v.items()}


def _class(qualified):
    module, _, name = qualified.partition(":")
    if not module.startswith(_SAFE_PREFIX):
        raise ModelFormatError(f"model file names class {qualified!r} outside deepbrook.engine; refusing to load it")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _instantiate(qualified, state):
    cls = _class(qualified)
    if hasattr(cls, "from_dict"):
        return cls.from_dict(state)
    return cls(**state)


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
    enc = _Encoder()
    net = model.network
    net_arrays = net.to_arrays()
    doc = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "model_class": f"{type(model).__module__}:{type(model).__qualname__}",
        "key": getattr(model, "key", None), "problem": getattr(model, "problem", None),
        "params": {"class": f"{type(model.params).__module__}:{type(model.params).__qualname__}",
                   "values": enc(params_to_dict(model.params), "params")},
        "data_info": {"class": f"{type(model.data_info).__module__}:{type(model.data_info).__qualname__}",
                      "state": enc(model.data_info.to_dict(), "data_info")},
        "network": {"class": f"{type(net).__module__}:{type(net).__qualname__}",
                    "arrays": sorted(net_arrays)},
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
        with open(tmp / "model.json", "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
        np.savez(tmp / "arrays.npz", **arrays)
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


def read_state(path) -> tuple[dict, dict]:
    path = Path(path)
    if not (path / "model.json").is_file():
        raise ModelFormatError(f"{path} is not a saved Deepbrook model (no model.json)")
    with open(path / "model.json", encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("format") != FORMAT:
        raise ModelFormatError(f"{path}/model.json has format {doc.get('format')!r}, expected {FORMAT!r}")
    if int(doc.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelFormatError(f"{path} was written by a newer Deepbrook (format version {doc['format_version']}; "
                               f"this one reads up to {FORMAT_VERSION})")
    with np.load(path / "arrays.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return doc, arrays


def model_from_state(doc, arrays):
    """Rebuild a model: classes named in the document (deepbrook.engine only), arrays from the npz."""
    p = doc["params"]
    params_cls = _class(p["class"])
    values = _decode(p["values"], arrays)
    params = params_cls.from_dict(values) if hasattr(params_cls, "from_dict") else params_cls(**values)
    di = doc["data_info"]
    data_info = _class(di["class"]).from_dict(_decode(di["state"], arrays))
    net_cls = _class(doc["network"]["class"])
    network = net_cls(**{k: arrays[f"network/{k}"] for k in doc["network"]["arrays"]})
    output = _decode(doc["output"], arrays)
    extra = _decode(doc.get("extra", {}), arrays)
    model_cls = _class(doc["model_class"])
    return model_cls.from_parts(key=doc.get("key"), params=params, data_info=data_info, network=network,
                                output=output, **extra)


def load_model(path):
    """Load a model saved by `save_model`; it predicts exactly like the saved one."""
    return model_from_state(*read_state(path))


def export_checkpoint(model, directory) -> Path:
    """H2O's export_checkpoints_dir: save the model as `<directory>/<model key>` (called after each scoring)."""
    key = getattr(model, "key", None) or "model"
    return save_model(model, Path(directory) / str(key))
