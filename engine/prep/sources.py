"""Read a frame column in the terms the model was trained with (training level order, numbers).

Scoring frames may differ from the training frame: other level sets or orders, a numeric column where training
had an enum (or the reverse). Everything is mapped by level *name*, vectorised over the domain, never per row;
levels the model never saw become -1 (NA), so a new level never crashes scoring.
"""
import numpy as np
import pandas as pd

from ..errors import DeepbrookError
from ..frames.columns import NUMERIC_TYPES, enum_from_numeric, enum_from_values
from .stats import moments

IGNORED_TYPES = ("string", "uuid")


def level_lookup(frame_domain, domain):
    """int32 array mapping each level of ``frame_domain`` to its index in ``domain`` (-1 if absent), plus a
    trailing -1 so that NA codes (-1) index it."""
    idx = pd.Index(domain).get_indexer(pd.Index(frame_domain)) if len(frame_domain) else np.empty(0, np.int64)
    return np.append(idx, -1).astype(np.int32)


def codes_in_domain(frame, col, domain):
    """int32 codes of ``col`` in the training ``domain`` (-1 = NA or a level the model never saw)."""
    t = frame.type_of(col)
    if t == "enum":
        codes, fdom = frame.codes(col), frame.domain(col)
        if fdom == list(domain):
            return codes
    elif t in IGNORED_TYPES:
        codes, fdom = enum_from_values(frame.values(col))
    else:  # numbers -> their level names, as H2O's asfactor prints them ("3", "2.5")
        codes, fdom = enum_from_numeric(frame.numeric(col))
    return level_lookup(fdom, domain)[codes]


def numeric_values(frame, col):
    """float64 values of ``col`` with NaN for NA; an enum column is accepted when its levels are numbers."""
    t = frame.type_of(col)
    if t == "enum":
        dom = frame.domain(col)
        vals = pd.to_numeric(pd.Series(dom, dtype=object), errors="coerce").to_numpy(np.float64)
        bad = [lvl for lvl, v in zip(dom, vals) if np.isnan(v)]
        if bad:
            raise DeepbrookError(f"column '{col}' was numeric when the model was trained but is categorical in "
                                 f"frame '{frame.name}' with non-numeric levels such as '{bad[0]}'")
        return np.append(vals, np.nan)[frame.codes(col)]
    if t in IGNORED_TYPES:
        raise DeepbrookError(f"column '{col}' is {t} in frame '{frame.name}' but the model needs numbers")
    return np.asarray(frame.numeric(col), dtype=np.float64)


def stored_numbers(frame, col):
    """A numeric column as stored, without a copy: compact ints (never NA) or float64 with NaN.

    For the numba passes that read any dtype (moments, the design fill): converting MNIST's uint8 columns to
    float64 first cost more than the passes themselves. Other columns go through ``numeric_values``.
    """
    return frame.values(col) if frame.type_of(col) in NUMERIC_TYPES else numeric_values(frame, col)


def is_missing(frame, col):
    """Boolean NA mask of a column of any type."""
    t = frame.type_of(col)
    if t == "enum":
        return frame.codes(col) < 0
    if t in IGNORED_TYPES:
        return pd.isna(frame.values(col))
    a = frame.values(col)
    return np.isnan(a) if a.dtype.kind == "f" else np.zeros(len(a), dtype=bool)


def column_moments(frame, col):
    """``moments()`` of a numeric column as stored, once per frame: a fit's bad- and constant-column checks and
    its standardization read the same pass (MNIST: 717 columns of 60,000 rows)."""
    return frame.cached(("moments", col), lambda: moments(stored_numbers(frame, col)))


def all_missing(frame, col):
    """Whether every value of a column of any type is NA."""
    if frame.type_of(col) in NUMERIC_TYPES:
        return column_moments(frame, col)[0] == 0
    return bool(is_missing(frame, col).all())


def is_constant(frame, col):
    """H2O's Vec.isConst() for models that cannot learn from NAs: min == max of the non-NA values."""
    t = frame.type_of(col)
    if t == "enum":
        c = frame.codes(col)
        c = c[c >= 0]
        return c.size > 0 and c.min() == c.max()
    n, _, _, lo, hi = column_moments(frame, col)
    return n > 0 and lo == hi
