"""JSON encoding of a model's parts, and the closed list of classes a model file may name (docs/model-format.md).

A model file is data, never code: every class named in it must be one of the exact names in ``SLOT_CLASSES`` (for
the model, parameters, data info and network) or ``OBJECT_CLASSES`` (engine objects inside the outputs). Names are
looked up in these tables only; nothing is imported or walked with ``getattr`` from what a file says.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from ..params.resolve import ResolvedParameters
from ..params.rules import Message
from ..prep.datainfo import DataInfo
from .metrics import ModelMetrics
from .model import DeepLearningModel
from .network import Network
from .scoring import ScoringHistory


def class_name(cls) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


# The only classes a model file can make Deepbrook build, per place in the document.
SLOT_CLASSES = {
    "model_class": {class_name(DeepLearningModel): DeepLearningModel},
    "params": {class_name(ResolvedParameters): ResolvedParameters},
    "data_info": {class_name(DataInfo): DataInfo},
    "network": {class_name(Network): Network},
}
OBJECT_CLASSES = {class_name(Message): Message}
_TABLE_DTYPE_KINDS = "biuf"   # numeric pandas columns; everything else is stored as "object" (JSON values)


class FormatProblem(ValueError):
    """What is wrong inside a model file; persist turns it into ModelFormatError naming the file."""


def slot_name(slot, obj) -> str:
    """The stored class name of ``obj`` in ``slot``; refuses (at save time) a class that could not be loaded."""
    name = class_name(type(obj))
    if name not in SLOT_CLASSES[slot]:
        raise TypeError(f"cannot save a model whose {slot} is a {type(obj).__name__}: model files hold only "
                        f"{', '.join(SLOT_CLASSES[slot])}")
    return name


def slot_class(slot, name):
    """The class the file names for ``slot``, if it is on the allow-list (exact match)."""
    allowed = SLOT_CLASSES[slot]
    if not isinstance(name, str) or name not in allowed:
        raise FormatProblem(f"{slot} names class {name!r}, which a model file may not name "
                            f"(allowed: {', '.join(allowed)}); refusing to load it")
    return allowed[name]


# ---- encoding --------------------------------------------------------------------------------------------------
class Encoder:
    """Turns outputs into JSON values, collecting numpy arrays in ``arrays`` (referenced by name)."""

    def __init__(self):
        self.arrays = {}

    def array(self, a, hint):
        name = f"{hint}#{len(self.arrays)}"
        a = np.asarray(a)
        if a.dtype.hasobject:
            return [self(x, f"{hint}[{i}]") for i, x in enumerate(a.tolist())]
        self.arrays[name] = a
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
        name = class_name(type(v))
        if name in OBJECT_CLASSES:
            state = v.to_dict() if hasattr(v, "to_dict") else dataclasses.asdict(v)
            return {"__object__": name, "state": self(state, hint)}
        if dataclasses.is_dataclass(v):   # other records are kept as their fields (loaded back as a dict)
            return self(dataclasses.asdict(v), hint)
        raise TypeError(f"cannot store a {type(v).__name__} ({hint}) in a model file")

    def _column(self, s):
        if s.dtype.kind in _TABLE_DTYPE_KINDS:
            return {"dtype": str(s.dtype), "values": [self(x) for x in s.tolist()]}
        return {"dtype": "object", "values": [self(x) for x in s.tolist()]}


# ---- decoding --------------------------------------------------------------------------------------------------
def decode(v, arrays):
    """The inverse of Encoder: JSON values back to arrays, tables, metrics, history and allow-listed objects."""
    if isinstance(v, list):
        return [decode(x, arrays) for x in v]
    if not isinstance(v, dict):
        return v
    if "__ndarray__" in v:
        name = v["__ndarray__"]
        if not isinstance(name, str) or name not in arrays:
            raise FormatProblem(f"model.json refers to array {name!r}, which the file does not contain")
        return arrays[name]
    if "__model_ref__" in v:
        return need(v["__model_ref__"], (str, type(None)), "__model_ref__")
    if "__float__" in v:
        text = need(v["__float__"], str, "__float__")
        if text not in ("nan", "inf", "-inf"):
            raise FormatProblem(f"__float__ must be 'nan', 'inf' or '-inf', not {text!r}")
        return float(text)
    if "__metrics__" in v:
        return ModelMetrics.from_dict(need(v["__metrics__"], dict, "__metrics__"))
    if "__history__" in v:
        return ScoringHistory.from_dict(need(v["__history__"], dict, "__history__"))
    if "__dataframe__" in v:
        return _table(need(v["__dataframe__"], dict, "__dataframe__"), arrays)
    if "__object__" in v:
        name = v["__object__"]
        if not isinstance(name, str) or name not in OBJECT_CLASSES:
            raise FormatProblem(f"model.json names class {name!r}, which a model file may not name "
                                f"(allowed: {', '.join(OBJECT_CLASSES)}); refusing to load it")
        cls = OBJECT_CLASSES[name]
        state = need(decode(v.get("state"), arrays), dict, f"state of {name}")
        return cls.from_dict(state) if hasattr(cls, "from_dict") else cls(**state)
    return {k: decode(x, arrays) for k, x in v.items()}


def _table(t, arrays):
    columns = need(t.get("columns"), list, "__dataframe__ columns")
    data = need(t.get("data"), dict, "__dataframe__ data")
    out = {}
    for c in columns:
        col = need(data.get(c), dict, f"__dataframe__ column {c!r}")
        vals = [decode(x, arrays) for x in need(col.get("values"), list, f"values of column {c!r}")]
        dtype = col.get("dtype")
        if dtype == "object":
            out[c] = vals
            continue
        try:
            dt = np.dtype(dtype)
        except TypeError:
            dt = None
        if dt is None or dt.kind not in _TABLE_DTYPE_KINDS:
            raise FormatProblem(f"column {c!r} of a stored table has dtype {dtype!r}; expected a numeric dtype "
                                "or 'object'")
        out[c] = np.array([np.nan if x is None else x for x in vals], dtype=dt)
    if len({len(x) for x in out.values()}) > 1:
        raise FormatProblem("a stored table has columns of different lengths")
    df = pd.DataFrame(out, columns=columns)
    index = [decode(i, arrays) for i in need(t.get("index"), list, "__dataframe__ index")]
    if index != list(range(len(df))):
        if len(index) != len(df):
            raise FormatProblem("a stored table's index does not match its rows")
        df.index = index
    return df


def need(value, types, what):
    """``value`` if it has one of ``types``, else a FormatProblem saying what it should be."""
    if not isinstance(value, types):
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        raise FormatProblem(f"{what} must be a {names}, not {type(value).__name__}")
    return value

