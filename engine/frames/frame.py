"""Frame: an immutable, named, columnar table of numpy arrays (see columns.py for the storage rules)."""
import itertools
import sys
import threading

import numpy as np
import pandas as pd
import pyarrow as pa

from .columns import (NUMERIC_TYPES, enum_from_numeric, enum_from_values, finish_numeric, looks_like_text,
                      normalize_type, strings_to_numeric, strings_to_time)
from .names import clean_column_names
from .summary import frame_summary
from .views import readonly

__all__ = ["Frame", "NUMERIC_TYPES", "split_frame"]

_counter = itertools.count(1)


def unique_name(prefix="frame"):
    """A frame name unique within this process (frames from parse get their file's name instead)."""
    return f"{prefix}_{next(_counter)}"


class Frame:
    """Named columnar table; never modified after creation (conversions return new frames)."""

    __slots__ = ("name", "_cols", "_types", "_domains", "_invalid", "_cache", "_lock")

    def __init__(self, columns, types, domains=None, name=None, invalid=None):
        """Low-level constructor: ``columns`` name -> stored array, ``types`` name -> type (already valid)."""
        lengths = {len(a) for a in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns have different lengths: {sorted(lengths)}")
        self.name = name or unique_name()
        self._cols = {c: _readonly(a) for c, a in columns.items()}
        self._types = {c: types[c] for c in self._cols}
        self._domains = {c: list(domains[c]) for c in self._cols if self._types[c] == "enum"} if domains else {}
        missing = [c for c in self._cols if self._types[c] == "enum" and c not in self._domains]
        if missing:
            raise ValueError(f"enum columns {missing} need a domain")
        self._invalid = {c: n for c, n in (invalid or {}).items() if c in self._cols and n}
        self._cache = {}
        self._lock = threading.Lock()

    def __getstate__(self):
        """Picklable (for processes / dask workers): the data, not the lock or caches."""
        return {"name": self.name, "cols": self._cols, "types": self._types, "domains": self._domains,
                "invalid": self._invalid}

    def __setstate__(self, state):
        self.name, self._cols, self._types = state["name"], state["cols"], state["types"]
        self._domains, self._invalid = state["domains"], state["invalid"]
        self._cache, self._lock = {}, threading.Lock()
        for a in self._cols.values():
            a.flags.writeable = False

    # ---------------------------------------------------------------- shape and metadata
    @property
    def nrows(self):
        return len(next(iter(self._cols.values()))) if self._cols else 0

    @property
    def ncols(self):
        return len(self._cols)

    @property
    def shape(self):
        return self.nrows, self.ncols

    @property
    def names(self):
        return list(self._cols)

    @property
    def columns(self):
        return self.names

    @property
    def types(self):
        return dict(self._types)

    def type_of(self, col):
        """One column's type without copying ``types`` (per-column loops over wide frames: MNIST's 785 columns
        copied the whole mapping 5,000 times per fit)."""
        self._check(col)
        return self._types[col]

    @property
    def invalid_counts(self):
        """Per column, how many non-empty values were not valid for its type and became NA during parse."""
        return dict(self._invalid)

    def domain(self, col):
        """Enum levels in code order (None for a non-enum column, like H2O)."""
        self._check(col)
        d = self._domains.get(col)
        return list(d) if d is not None else None

    @property
    def nbytes(self):
        """Bytes held by the column arrays; object columns add their strings (estimated from up to 10,000)."""
        if "nbytes" not in self._cache:
            total = 0
            for a in self._cols.values():
                total += a.nbytes
                if a.dtype == object and len(a):
                    sample = a[:: max(1, len(a) // 10_000)]
                    total += int(sum(sys.getsizeof(s) for s in sample if s is not None) * len(a) / len(sample))
            self._cache["nbytes"] = total
        return self._cache["nbytes"]

    def __len__(self):
        return self.nrows

    def __contains__(self, col):
        return col in self._cols

    def __repr__(self):
        return f"<Frame {self.name!r}: {self.nrows} rows x {self.ncols} columns>"

    def _check(self, col):
        if col not in self._cols:
            raise KeyError(f"frame '{self.name}' has no column '{col}' (columns: {', '.join(self.names[:20])}"
                           f"{', ...' if self.ncols > 20 else ''})")

    def _resolve(self, col):
        if isinstance(col, (int, np.integer)) and not isinstance(col, bool):
            if not -self.ncols <= col < self.ncols:
                raise IndexError(f"column index {col} out of range for {self.ncols} columns")
            return self.names[col]
        self._check(col)
        return col

    # ---------------------------------------------------------------- engine accessors
    def is_numeric(self, col):
        self._check(col)
        return self._types[col] in NUMERIC_TYPES

    def is_enum(self, col):
        self._check(col)
        return self._types[col] == "enum"

    def numeric(self, col):
        """float64 values with NaN for NA; enums give their codes as float; no copy for float64 columns."""
        self._check(col)
        a, t = self._cols[col], self._types[col]
        if t == "enum":
            out = a.astype(np.float64)
            out[a < 0] = np.nan
            return out
        if t not in NUMERIC_TYPES:
            raise TypeError(f"column '{col}' is {t}, not numeric")
        return a if a.dtype == np.float64 else a.astype(np.float64)

    def codes(self, col):
        """int32 level indices of an enum column (-1 = NA)."""
        self._check(col)
        if self._types[col] != "enum":
            raise TypeError(f"column '{col}' is {self._types[col]}, not enum")
        return self._cols[col]

    def values(self, col):
        """The stored array as is (compact dtype, codes for enums, objects for strings); read-only."""
        self._check(col)
        return self._cols[col]

    # ---------------------------------------------------------------- construction
    def _derive(self, columns, types=None, domains=None, name=None, invalid=None):
        types = {**self._types, **(types or {})}
        domains = {**self._domains, **(domains or {})}
        return Frame(columns, types, domains, name=name, invalid=invalid if invalid is not None else self._invalid)

    @classmethod
    def from_arrays(cls, columns, types=None, domains=None, name=None):
        """Frame from name -> array-like; types are guessed from dtypes unless given (enums need codes+domain
        or values)."""
        types = {c: normalize_type(t, c) for c, t in (types or {}).items()}
        domains = domains or {}
        cols, ts, doms = {}, {}, {}
        for c, values in columns.items():
            c = str(c)
            a = np.asarray(values)
            t = types.get(c)
            if c in domains:
                if a.dtype.kind in "OUS":  # level strings: look them up in the given domain
                    pos = {str(v): i for i, v in enumerate(domains[c])}
                    unknown = sorted({str(v) for v in a if v is not None and str(v) not in pos})
                    if unknown:
                        raise ValueError(f"column '{c}': values {unknown[:5]} are not in its domain")
                    a = np.array([-1 if v is None else pos[str(v)] for v in a], dtype=np.int32)
                codes = a.astype(np.int32)
                if codes.size and (codes.max(initial=-1) >= len(domains[c]) or codes.min(initial=0) < -1):
                    raise ValueError(f"column '{c}': codes outside its domain of {len(domains[c])} levels")
                cols[c], ts[c], doms[c] = codes, "enum", [str(v) for v in domains[c]]
                continue
            cols[c], ts[c], dom = _column_from_values(c, a, t)
            if dom is not None:
                doms[c] = dom
        return cls(cols, ts, doms, name=name)

    @classmethod
    def from_pandas(cls, df, name=None):
        """Frame from a pandas DataFrame: categoricals and text become enums (sorted levels), datetimes time."""
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"from_pandas needs a pandas DataFrame, got {type(df).__name__}")
        names = clean_column_names([str(c) for c in df.columns])
        cols, ts, doms = {}, {}, {}
        for c, (_, s) in zip(names, df.items()):
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes, dom = enum_from_values(s.astype(object).where(s.notna(), None).to_numpy())
                cols[c], ts[c], doms[c] = codes, "enum", dom
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                v = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
                ms = v.to_numpy(dtype="datetime64[ms]").astype(np.int64).astype(np.float64)
                ms[s.isna().to_numpy()] = np.nan
                cols[c], ts[c] = ms, "time"
            else:
                a = s.to_numpy(dtype=np.float64, na_value=np.nan) if pd.api.types.is_numeric_dtype(s.dtype) \
                    and not pd.api.types.is_bool_dtype(s.dtype) and s.hasnans else s.to_numpy()
                if a.dtype == object:
                    a = s.astype(object).where(s.notna(), None).to_numpy()
                cols[c], ts[c], dom = _column_from_values(c, a, None)
                if dom is not None:
                    doms[c] = dom
        return cls(cols, ts, doms, name=name)

    def with_columns(self, other, name=None):
        """Column-bind another frame (same number of rows, no shared names)."""
        if other.nrows != self.nrows and self.ncols and other.ncols:
            raise ValueError(f"cannot bind frame '{other.name}' ({other.nrows} rows) to '{self.name}' "
                             f"({self.nrows} rows)")
        dup = [c for c in other.names if c in self._cols]
        if dup:
            raise ValueError(f"frames '{self.name}' and '{other.name}' share column names {dup}")
        return Frame({**self._cols, **other._cols}, {**self._types, **other._types},
                     {**self._domains, **other._domains}, name=name,
                     invalid={**self._invalid, **other._invalid})

    # ---------------------------------------------------------------- subsets
    def __getitem__(self, key):
        if isinstance(key, (str, int, np.integer)):
            key = [key]
        names = [self._resolve(k) for k in key]
        if len(set(names)) != len(names):
            raise ValueError(f"column selection repeats a column: {names}")
        return Frame({c: self._cols[c] for c in names}, self._types, self._domains, name=unique_name(self.name),
                     invalid=self._invalid)

    def drop(self, cols):
        """Frame without the given columns."""
        cols = [cols] if isinstance(cols, str) else list(cols)
        for c in cols:
            self._check(c)
        return self[[c for c in self.names if c not in cols]]

    def rows(self, indices, name=None):
        """Row subset (integer indices or boolean mask); keeps types and domains."""
        idx = np.asarray(indices)
        if idx.dtype != bool:
            idx = idx.astype(np.int64, copy=False)  # also makes [] a valid empty selection
        elif len(idx) != self.nrows:
            raise ValueError(f"row mask has {len(idx)} entries, frame has {self.nrows} rows")
        return Frame({c: a[idx] for c, a in self._cols.items()}, self._types, self._domains,
                     name=name or unique_name(self.name), invalid={})

    def head(self, n=10):
        """The first n rows as a pandas DataFrame (for display)."""
        return self.rows(np.arange(min(n, self.nrows))).as_pandas()

    def split_frame(self, ratios=(0.75,), seed=None, destinations=None):
        return split_frame(self, ratios, seed, destinations)

    # ---------------------------------------------------------------- conversions
    def as_pandas(self):
        """pandas DataFrame: enums as Categorical (same level order), time as datetime64[ms]."""
        data = {}
        for c, a in self._cols.items():
            t = self._types[c]
            if t == "enum":
                data[c] = pd.Categorical.from_codes(a, categories=self._domains[c]) if self._domains[c] \
                    else pd.Categorical([None] * len(a))
            elif t == "time":
                ms = np.where(np.isnan(a), np.iinfo(np.int64).min, a).astype(np.int64)
                data[c] = ms.view("datetime64[ms]")
            else:
                data[c] = a.copy() if a.dtype != object else a
        return pd.DataFrame(data, index=pd.RangeIndex(self.nrows), columns=self.names)

    def as_type(self, col, t, name=None):
        """New frame with ``col`` converted to type t ("enum", "numeric"/"int"/"real", "string", "time")."""
        col = self._resolve(col)
        t = normalize_type(t, col)
        cur, a = self._types[col], self._cols[col]
        if t == cur or (t in ("int", "real") and cur in ("int", "real")):
            return self._derive(self._cols, name=name)
        invalid = dict(self._invalid)
        dom = None
        if t == "enum":
            if cur in NUMERIC_TYPES:
                new, dom = enum_from_numeric(a)
            else:
                new, dom = enum_from_values(a)
        elif t in ("int", "real"):
            if cur == "enum":
                new = _enum_to_numeric(a, self._domains[col])
            elif cur == "time":
                new = a
            else:
                new, bad = strings_to_numeric(pa.array(a, type=pa.string(), from_pandas=True))
                invalid[col] = invalid.get(col, 0) + bad
            new, t = finish_numeric(new)
        elif t == "time":
            if cur in NUMERIC_TYPES:
                new = a.astype(np.float64)
            else:
                src = np.array(self._domains[col], dtype=object)[a] if cur == "enum" else a
                if cur == "enum":
                    src = np.where(a < 0, None, src)
                new, bad = strings_to_time(pa.array(src, type=pa.string(), from_pandas=True))
                invalid[col] = invalid.get(col, 0) + bad
        else:  # string / uuid
            new = _to_strings(a, cur, self._domains.get(col))
        cols = dict(self._cols)
        cols[col] = new
        domains = {k: v for k, v in self._domains.items() if k != col}
        if dom is not None:
            domains[col] = dom
        return Frame(cols, {**self._types, col: t}, domains, name=name or self.name, invalid=invalid)

    def rename(self, name):
        """Same data under another frame name."""
        return self._derive(self._cols, name=name)

    def summary(self):
        """Per-column statistics (cached; frames are immutable). See summary.py."""
        with self._lock:
            if "summary" not in self._cache:
                self._cache["summary"] = frame_summary(self)
            return self._cache["summary"]

    def cached(self, key, compute):
        """``compute()`` once per ``key`` for this frame: frames never change, so what is derived from one (column
        moments, the summary) can be kept with it. Not pickled."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()  # outside the lock: another key's computation never waits on this one
        with self._lock:
            return self._cache.setdefault(key, value)

    def column_summary(self, col):
        """One column's statistics (from the cached frame summary)."""
        self._check(col)
        return self.summary()["columns"][col]


def _readonly(a):
    """A read-only view (the caller's own array stays writable; the frame never writes)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"frame columns must be numpy arrays, got {type(a).__name__}")
    return readonly(a)


def _column_from_values(col, a, t):
    """(stored array, type, domain or None) for raw values and an optional requested type."""
    if a.dtype.kind == "M":
        ms = a.astype("datetime64[ms]").astype(np.int64).astype(np.float64)
        ms[np.isnat(a)] = np.nan
        return ms, "time", None
    if a.dtype.kind == "b" and t is None:
        codes = a.astype(np.int32)
        return codes, "enum", ["False", "True"]
    if a.dtype.kind in "iufb":
        if t == "enum":
            codes, dom = enum_from_numeric(a)
            return codes, "enum", dom
        if t in ("string", "uuid"):
            return _to_strings(a, "real", None), t, None
        if t == "time":
            return a.astype(np.float64), "time", None
        if a.dtype.kind == "f" and t == "real":
            return a.astype(np.float64), "real", None
        if a.dtype.kind in "iu" and t == "real":
            return a, "real", None
        v, typ = finish_numeric(a)
        return v, typ, None
    # text / objects
    obj = np.asarray(a, dtype=object)
    if t in ("string", "uuid"):
        return _to_strings(obj, "string", None), t, None
    if t in ("int", "real", "time"):
        arr = pa.array(_to_strings(obj, "string", None), type=pa.string(), from_pandas=True)
        if t == "time":
            return strings_to_time(arr)[0], "time", None
        v, typ = finish_numeric(strings_to_numeric(arr)[0])
        return v, typ, None
    codes, dom = enum_from_values(obj)
    if t is None and looks_like_text(len(dom), int(np.count_nonzero(codes >= 0))):
        return _to_strings(obj, "string", None), "string", None
    return codes, "enum", dom


def _to_strings(a, cur, domain):
    """object array of str (None = NA) from any stored column."""
    if cur == "enum":
        lv = np.array(list(domain) + [None], dtype=object)
        return lv[np.where(a < 0, len(domain), a)]
    out = np.empty(len(a), dtype=object)
    for i, v in enumerate(a):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = None
        elif isinstance(v, (float, np.floating)) and float(v).is_integer():
            out[i] = str(int(v))
        else:
            out[i] = str(v)
    return out


def _enum_to_numeric(codes, domain):
    """Numbers from an enum: level values when every level is a number (like as.numeric(as.character())),
    the level codes otherwise (H2O's fallback)."""
    try:
        lv = np.array([float(v) for v in domain] + [np.nan])
    except ValueError:
        out = codes.astype(np.float64)
        out[codes < 0] = np.nan
        return out
    return lv[np.where(codes < 0, len(domain), codes)]


def split_frame(frame, ratios=(0.75,), seed=None, destinations=None):
    """Split rows at random into len(ratios)+1 frames (H2O: each row drawn independently, last part gets
    the rest). Same seed, same split."""
    ratios = [float(r) for r in (ratios if np.ndim(ratios) else [ratios])]
    if any(r <= 0 for r in ratios) or sum(ratios) >= 1 + 1e-12:
        raise ValueError(f"split ratios must be positive and sum to less than 1, got {ratios}")
    k = len(ratios) + 1
    if destinations is not None and len(destinations) != k:
        raise ValueError(f"{k} parts need {k} destination names, got {len(destinations)}")
    rng = np.random.default_rng(seed)
    part = np.searchsorted(np.cumsum(ratios), rng.random(frame.nrows), side="right")
    names = list(destinations) if destinations is not None else [f"{frame.name}_part{i}" for i in range(k)]
    return [frame.rows(np.flatnonzero(part == i), name=names[i]) for i in range(k)]
