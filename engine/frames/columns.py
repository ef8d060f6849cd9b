"""Column storage rules shared by parsing, pandas import and type conversion.

A frame column is one numpy array plus a type name:
- "int"/"real": smallest integer dtype when integral without NA, else float64 with NaN for NA;
- "enum": int32 codes (-1 = NA) plus a domain (list of level strings, H2O order: sorted);
- "time": float64 epoch milliseconds (NaN = NA);
- "string"/"uuid": object arrays of str (None = NA).
"""
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .kernels import integral_range
from .views import readonly

TYPES = ("int", "real", "enum", "string", "time", "uuid")
NUMERIC_TYPES = frozenset({"int", "real", "time"})
# Aliases users may write when editing a setup or converting a column.
TYPE_ALIASES = {"numeric": "real", "num": "real", "float": "real", "double": "real", "integer": "int",
                "categorical": "enum", "factor": "enum", "str": "string", "date": "time", "datetime": "time"}

# A text column becomes "string" instead of "enum" when it looks like free text (H2O keeps such columns as
# strings because an enum of mostly-unique levels is useless for learning).
STRING_MIN_ROWS = 20
STRING_UNIQUE_RATIO = 0.9

_INT_DTYPES = (np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.int64)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NUMBER = re.compile(r"^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def normalize_type(t, column=None):
    """Map a user-written type ("numeric", "factor", ...) onto one of TYPES; ValueError names the column."""
    key = str(t).strip().lower()
    key = TYPE_ALIASES.get(key, key)
    if key not in TYPES:
        where = f" for column '{column}'" if column is not None else ""
        raise ValueError(f"unknown column type {t!r}{where}; use one of {', '.join(TYPES)} or 'numeric'")
    return key


def smallest_int_dtype(lo, hi):
    """The most compact integer dtype holding [lo, hi]."""
    for dt in _INT_DTYPES:
        info = np.iinfo(dt)
        if info.min <= lo and hi <= info.max:
            return np.dtype(dt)
    return np.dtype(np.int64)


def finish_numeric(values):
    """(array, type) for numeric values: compact ints when integral and complete, float64 with NaN otherwise."""
    a = np.asarray(values)
    if a.dtype.kind in "iub":
        if a.size == 0:
            return a.astype(np.uint8), "int"
        a = a.astype(np.int64, copy=False) if a.dtype.kind == "b" else a
        return a.astype(smallest_int_dtype(int(a.min()), int(a.max())), copy=False), "int"
    a = np.ascontiguousarray(a, dtype=np.float64)
    integral, special, lo, hi = integral_range(readonly(a))  # one compiled signature
    if not integral or lo > hi:  # non-integral values, or no finite value at all
        return a, "real"
    if not special and -2 ** 53 < lo and hi < 2 ** 53:
        return a.astype(smallest_int_dtype(int(lo), int(hi))), "int"
    return a, "int"


def sorted_domain(codes, levels):
    """Re-code (codes, levels) so the levels are sorted lexicographically, as H2O's parser does."""
    levels = np.asarray([str(v) for v in levels], dtype=object)
    codes = np.asarray(codes)
    if len(levels) == 0:
        return np.full(codes.shape, -1, dtype=np.int32), []
    order = np.argsort(levels.astype(str), kind="stable")
    remap = np.empty(len(levels) + 1, dtype=np.int32)
    remap[order] = np.arange(len(levels), dtype=np.int32)
    remap[-1] = -1  # codes of -1 (NA) index the last slot
    return remap[codes.astype(np.int64)], [str(v) for v in levels[order]]


def enum_from_arrow(arr):
    """(int32 codes, domain) from an arrow array/chunked array of strings or dictionary values."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries().combine_chunks() if pa.types.is_dictionary(arr.type) else arr.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr.cast(pa.string()) if not pa.types.is_string(arr.type) else arr)
    idx = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return sorted_domain(idx, arr.dictionary.to_pylist())


def enum_from_values(values):
    """(int32 codes, domain) from any array-like of values; None/NaN are NA."""
    arr = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if pa.types.is_boolean(arr.type):  # Python spelling, as H2O shows booleans: False / True
        arr = pc.if_else(arr, "True", "False")
    if not pa.types.is_string(arr.type) and not pa.types.is_null(arr.type):
        arr = pc.cast(arr, pa.string())
    if pa.types.is_null(arr.type):
        return np.full(len(arr), -1, dtype=np.int32), []
    return enum_from_arrow(arr)


def enum_from_numeric(values):
    """(codes, domain) from numbers with levels in numeric order (H2O's asfactor); integral values print as ints."""
    a = np.asarray(values, dtype=np.float64)
    ok = ~np.isnan(a)
    uniq, inv = np.unique(a[ok], return_inverse=True)
    codes = np.full(a.shape, -1, dtype=np.int32)
    codes[ok] = inv
    domain = [str(int(v)) if float(v).is_integer() else repr(float(v)) for v in uniq]
    return codes, domain


def strings_to_numeric(arr):
    """float64 values of an arrow string column; text that is no number becomes NaN. Returns (values, n_bad)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    try:
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), 0
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raw = arr.to_pandas()
        out = pd.to_numeric(raw.str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        bad = int(np.count_nonzero(np.isnan(out) & raw.notna().to_numpy()
                                   & ~raw.str.strip().str.lower().isin(["nan", ""]).to_numpy()))
        return out, bad


def time_to_ms(arr):
    """float64 epoch milliseconds from an arrow timestamp/date array (NaN for NA)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_date(arr.type):
        arr = arr.cast(pa.timestamp("ms"))
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is not None:
            arr = arr.cast(pa.timestamp(arr.type.unit))
        ms = arr.cast(pa.timestamp("ms")).cast(pa.int64())
        return ms.to_numpy(zero_copy_only=False).astype(np.float64) if ms.null_count == 0 else \
            ms.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
    raise TypeError(f"cannot read {arr.type} as time")


def strings_to_time(arr):
    """(epoch ms, n_bad) from arrow strings like 2020-01-02 or 2020-01-02 10:11:12; unparsable text is NA."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    raw = arr.to_pandas()
    ts = pd.to_datetime(raw, errors="coerce", utc=True, format="mixed")
    ms = ts.to_numpy(dtype="datetime64[ms]").astype(np.int64).astype(np.float64)
    na = ts.isna().to_numpy()
    ms[na] = np.nan
    return ms, int(np.count_nonzero(na & raw.notna().to_numpy()))


def looks_numeric(text):
    """True for text a numeric column accepts (numbers, inf, nan)."""
    try:
        float(text)
        return True
    except ValueError:
        return False


def guess_type(arr):
    """Guess a column type from a sample read as text (arrow strings, nulls = NA strings), like H2O: int/real
    when the values are numbers (int if all of them are integral), allowing one repeated NA-like text token
    among more numbers; else time, uuid, enum, or string (mostly unique text)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    vals = pc.utf8_trim_whitespace(arr.drop_null())
    vals = vals.filter(pc.not_equal(vals, ""))
    if len(vals) == 0:
        return "real"  # an all-missing column parses as numeric NA in H2O
    is_num = pc.match_substring_regex(vals, _NUMBER.pattern, ignore_case=True)
    n_num = pc.sum(is_num).as_py() or 0
    text = vals.filter(pc.invert(is_num))
    if n_num == len(vals) or (n_num > len(text) and pc.count_distinct(text).as_py() <= 1):
        # H2O: numbers, or numbers with one repeated text token (an NA marker such as '?', which becomes NA at
        # parse); two or more different text values make the column text, whatever the share of numbers
        nums = pc.cast(vals.filter(is_num), pa.float64()).to_numpy()
        finite = nums[np.isfinite(nums)]
        return "int" if np.all(finite == np.floor(finite)) else "real"
    if pc.all(pc.match_substring_regex(vals, _TIME.pattern)).as_py():
        return "time"
    if pc.all(pc.match_substring_regex(vals, _UUID.pattern)).as_py():
        return "uuid"
    return "string" if looks_like_text(pc.count_distinct(vals).as_py(), len(vals)) else "enum"


def looks_like_text(n_unique, n_values):
    """Many distinct values among many rows: free text (string), not categories (enum)."""
    return n_values >= STRING_MIN_ROWS and n_unique > STRING_UNIQUE_RATIO * n_values
