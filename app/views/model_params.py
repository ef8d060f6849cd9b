"""A model's parameters as Flow's table (parameter, value, description), with 'modified only' filtering."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd


def as_dict(params) -> dict:
    """Plain dict of a parameters object (Parameterized, dataclass, NamedTuple, mapping or attribute bag)."""
    if params is None:
        return {}
    if isinstance(params, dict):
        return dict(params)
    if isinstance(getattr(params, "actual", None), Mapping):  # engine ResolvedParameters: the effective values
        return dict(params.actual)
    if hasattr(params, "param") and hasattr(params.param, "values"):
        return {k: v for k, v in params.param.values().items() if k != "name"}
    for attr in ("to_dict", "as_dict", "_asdict"):
        if callable(getattr(params, attr, None)):
            return dict(getattr(params, attr)())
    if dataclasses.is_dataclass(params):
        return dataclasses.asdict(params)
    return {k: v for k, v in vars(params).items() if not k.startswith("_")}


def declared():
    """The engine's parameter declarations (class), or None before the params module exists."""
    from deepbrook import engine

    return getattr(engine, "DeepLearningParameters", None)


def _same(a, b) -> bool:
    try:
        if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
            return list(np.asarray(a, dtype=object).ravel()) == list(np.asarray(b, dtype=object).ravel())
        return bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        return False


def _text(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(_text(x) for x in v)
    return "" if v is None else str(v)


def params_table(params) -> pd.DataFrame:
    """parameter, value, default, modified, description for every parameter (declared order first)."""
    values = as_dict(params)
    cls = declared()
    decl = [n for n in cls.param if n != "name"] if cls is not None else []
    order = [n for n in decl if n in values] + [n for n in values if n not in decl]
    rows = []
    for n in order:
        p = cls.param[n] if cls is not None and n in decl else None
        default = p.default if p is not None else None
        rows.append({"parameter": n, "value": _text(values[n]), "default": _text(default),
                     "modified": p is not None and not _same(values[n], default),
                     "description": (p.doc or "").strip() if p is not None else "(derived)"})
    return pd.DataFrame(rows, columns=["parameter", "value", "default", "modified", "description"])
