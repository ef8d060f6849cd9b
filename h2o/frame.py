"""``H2OFrame``: H2O's frame API over an immutable engine ``Frame``.

An H2OFrame is a mutable handle (H2O's frames change in place: ``df["x"] = df["x"].asfactor()``); each change
builds a new engine Frame and swaps it in under the same key. Column arithmetic, comparisons and masks are numpy
over the engine's column accessors (``numeric``, ``codes``, ``values``); parsing, summaries, type conversion and
splits are the engine's own functions.
"""
from __future__ import annotations

import math
import numbers
import operator

import numpy as np
import pandas as pd

from deepbrook.engine import Frame, split_frame

from . import session
from .exceptions import H2OTypeError, H2OValueError

_H2O_TYPES = {"int": "int", "real": "real", "enum": "enum", "string": "string", "time": "time", "uuid": "uuid"}


def _engine_type(t, column):
    """H2O's column type words (numeric, categorical, factor, enum, string, time, uuid) -> engine types."""
    key = str(t).strip().lower()
    key = {"categorical": "enum", "factor": "enum", "str": "string", "double": "real", "float": "real",
           "integer": "int"}.get(key, key)
    if key not in ("numeric", "int", "real", "enum", "string", "time", "uuid"):
        raise H2OValueError(f"column '{column}': unknown column type {t!r}; use numeric, enum (categorical, "
                            "factor), string, time or uuid", var_name="column_types")
    return key


def _column(frame, col):
    """(values, type, domain) of one engine column, as stored."""
    t = frame.types[col]
    return frame.values(col), t, frame.domain(col) if t == "enum" else None


def _rebuild(columns, name):
    """Engine Frame from ``[(name, values, type, domain), ...]``."""
    cols = {c: v for c, v, _, _ in columns}
    types = {c: t for c, _, t, _ in columns}
    domains = {c: d for c, _, t, d in columns if t == "enum"}
    return Frame(cols, types, domains, name=name)


def _as_number(frame, col):
    """float64 values of a column for arithmetic (NaN = missing); text columns are an error naming the column."""
    t = frame.types[col]
    if t in ("string", "uuid"):
        raise H2OValueError(f"column '{col}' is a {t} column; arithmetic needs numeric or categorical columns")
    return np.asarray(frame.numeric(col), dtype=np.float64)


def _operator(kind, fn, *extra):
    """An operator method: ``frame <op> other`` calls ``frame.<kind>(other, fn, *extra)``."""
    def method(self, other):
        return getattr(self, kind)(other, fn, *extra)
    return method


class H2OFrame:
    """H2O's two-dimensional data frame (here held in this process)."""

    def __init__(self, python_obj=None, destination_frame=None, header=0, separator=",", column_names=None,
                 column_types=None, na_strings=None, skipped_columns=None, **_ignored):
        self._fr = None
        if python_obj is None:
            self._fr = Frame({}, {}, {}, name=destination_frame or session.temp_key())
        else:
            self._fr = _from_python(python_obj, destination_frame, header, column_names, column_types,
                                    skipped_columns)
        if destination_frame:
            session.keep(destination_frame, self)
        else:
            session.track(self.frame_id, self)

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def _wrap(cls, engine_frame, key=None, keep=False):
        """An H2OFrame around an engine Frame (renamed to ``key``); ``keep`` registers it until removed."""
        obj = cls.__new__(cls)
        key = key or session.temp_key()
        obj._fr = engine_frame if engine_frame.name == key else engine_frame.rename(key)
        (session.keep if keep else session.track)(key, obj)
        return obj

    def _derived(self, engine_frame):
        return H2OFrame._wrap(engine_frame)

    @staticmethod
    def get_frame(frame_id, **_kw):
        from .api import get_frame
        return get_frame(frame_id)

    # ------------------------------------------------------------------ shape and names
    @property
    def frame_id(self):
        return self._fr.name

    @frame_id.setter
    def frame_id(self, key):
        old = self.frame_id
        self._fr = self._fr.rename(str(key))
        if old in session.named_keys():
            session.forget(old)
            session.keep(self.frame_id, self)

    @property
    def key(self):
        return self.frame_id

    @property
    def nrow(self):
        return self._fr.nrows

    @property
    def ncol(self):
        return self._fr.ncols

    nrows = nrow
    ncols = ncol

    @property
    def shape(self):
        return (self.nrow, self.ncol)

    @property
    def dim(self):
        return [self.nrow, self.ncol]

    @property
    def names(self):
        return list(self._fr.names)

    @names.setter
    def names(self, value):
        self.set_names(value)

    columns = names
    col_names = names

    @property
    def types(self):
        """Column name -> H2O type ("int", "real", "enum", "string", "time", "uuid")."""
        return {c: _H2O_TYPES[t] for c, t in self._fr.types.items()}

    def type(self, col):
        return self.types[self._name(col)]

    def __len__(self):
        return self.nrow

    def __contains__(self, col):
        return col in self.names

    def _name(self, col):
        """A column name from a name or a (possibly negative) index; H2OValueError names what is wrong."""
        names = self.names
        if isinstance(col, (numbers.Integral, np.integer)) and not isinstance(col, bool):
            i = int(col)
            if not -len(names) <= i < len(names):
                raise H2OValueError(f"Column index {i} is out of range: frame '{self.frame_id}' has "
                                    f"{len(names)} columns", var_name="col")
            return names[i]
        if isinstance(col, str):
            if col not in names:
                raise H2OValueError(f"Column '{col}' does not exist in the frame '{self.frame_id}'", var_name="col")
            return col
        raise H2OTypeError("col", col, type(col).__name__, "a column name or index")

    def _names(self, cols):
        if isinstance(cols, slice):
            return self.names[cols]
        if isinstance(cols, (str, numbers.Integral, np.integer)):
            return [self._name(cols)]
        return [self._name(c) for c in cols]

    # ------------------------------------------------------------------ indexing
    def _rows(self, sel):
        """Row indices (int64 array) for an int, slice, list or one-column boolean H2OFrame."""
        n = self.nrow
        if isinstance(sel, H2OFrame):
            if sel.ncol != 1 or sel.nrow != n:
                raise H2OValueError(f"a row mask must be one column of {n} rows, got {sel.nrow}x{sel.ncol}")
            mask = np.asarray(sel._fr.numeric(sel.names[0]), dtype=np.float64)
            return np.flatnonzero(np.nan_to_num(mask, nan=0.0) != 0)
        if isinstance(sel, slice):
            return np.arange(n)[sel]
        if isinstance(sel, (numbers.Integral, np.integer)) and not isinstance(sel, bool):
            i = int(sel) + (n if sel < 0 else 0)
            if not 0 <= i < n:
                raise H2OValueError(f"Row index {sel} is out of range: frame '{self.frame_id}' has {n} rows")
            return np.array([i])
        idx = np.asarray(list(sel))
        if idx.dtype == bool:
            return np.flatnonzero(idx)
        idx = idx.astype(np.int64)
        if idx.size and (idx.max() >= n or idx.min() < -n):
            raise H2OValueError(f"Row indices out of range: frame '{self.frame_id}' has {n} rows")
        return np.where(idx < 0, idx + n, idx)

    def __getitem__(self, item):
        if isinstance(item, tuple):
            if len(item) != 2:
                raise H2OValueError("a frame index has at most two parts: frame[rows, columns]")
            rows, cols = item
            scalar = _is_scalar_index(rows) and _is_scalar_index(cols)
            sub = self._fr[self._names(cols)]
            if not (isinstance(rows, slice) and rows == slice(None)):
                sub = sub.rows(self._rows(rows))
            out = self._derived(sub)
            return out.flatten() if scalar else out
        if isinstance(item, H2OFrame):
            return self._derived(self._fr.rows(self._rows(item)))
        return self._derived(self._fr[self._names(item)])

    def __setitem__(self, item, value):
        rows, cols = (item if isinstance(item, tuple) else (None, item))
        if isinstance(cols, H2OFrame):           # vol[vol == 0] = nan: a mask over every column
            rows, cols = cols, slice(None)
        if isinstance(cols, str) and cols not in self.names:
            targets = [cols]
        else:
            targets = self._names(cols)
        idx = None if rows is None or (isinstance(rows, slice) and rows == slice(None)) else self._rows(rows)
        columns = [(c, *_column(self._fr, c)) for c in self.names]
        for j, col in enumerate(targets):
            new = self._assigned(col, value, j, idx)
            at = [k for k, entry in enumerate(columns) if entry[0] == col]
            if at:
                columns[at[0]] = (col, *new)
            else:
                columns.append((col, *new))
        self._fr = _rebuild(columns, self.frame_id)

    def _assigned(self, col, value, j, idx):
        """(values, type, domain) of column ``col`` after ``frame[idx, col] = value``."""
        n = self.nrow
        if isinstance(value, H2OFrame):
            src = value.names[j if value.ncol > 1 else 0]
            vals, t, dom = _column(value._fr, src)
            if idx is None:
                if value.nrow != n and n:
                    raise H2OValueError(f"cannot assign {value.nrow} rows to column '{col}' of {n} rows")
                return vals, t, dom
            if value.nrow == n:
                vals = np.asarray(vals)[idx]
            value = pd.Categorical.from_codes(vals, dom) if t == "enum" else vals
        if idx is None:
            vals = np.broadcast_to(np.asarray(value if value is not None else np.nan), (n,))
            tmp = Frame.from_arrays({col: np.array(vals)})
            return _column(tmp, col)
        # partial assignment: work on the existing column
        if col in self.names and self._fr.types[col] == "enum":
            cur = np.asarray(self._fr.codes(col), dtype=np.int32).copy()
            dom = list(self._fr.domain(col))
            new = np.broadcast_to(np.asarray(value, dtype=object), (len(idx),))
            codes = []
            for v in new:
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    codes.append(-1)
                    continue
                if str(v) not in dom:
                    dom.append(str(v))
                codes.append(dom.index(str(v)))
            cur[idx] = codes
            return cur, "enum", dom
        base = _as_number(self._fr, col) if col in self.names else np.full(n, np.nan)
        out = base.copy()
        out[idx] = np.asarray(value, dtype=np.float64)
        t = self._fr.types.get(col, "real")
        if t == "int" and not np.all(np.isnan(out) | (out == np.round(out))):
            t = "real"
        return out, ("real" if t not in ("int", "real", "time") else t), None

    def flatten(self):
        """The single value of a 1x1 frame (H2O's flatten)."""
        if self.nrow == 0 or self.ncol == 0:
            return float("nan")
        col = self.names[0]
        t = self._fr.types[col]
        v = self._fr.values(col)[0]
        if t == "enum":
            return None if v < 0 else self._fr.domain(col)[int(v)]
        if isinstance(v, (np.floating, float)) and math.isnan(v):
            return float("nan")
        return v.item() if hasattr(v, "item") else v

    # ------------------------------------------------------------------ element-wise operations
    def _binary(self, other, fn, name):
        cols = {}
        if isinstance(other, H2OFrame):
            if other.ncol not in (1, self.ncol) or (other.nrow != self.nrow and other.nrow != 1):
                raise H2OValueError(f"operands have incompatible shapes {self.shape} and {other.shape}")
        for j, c in enumerate(self.names):
            left = self._operand(c, other)
            if isinstance(other, H2OFrame):
                right = other._operand(other.names[j if other.ncol > 1 else 0], self, c)
            else:
                right = other
            with np.errstate(all="ignore"):
                out = fn(left, right)
            cols[c if self.ncol > 1 else name(c)] = np.asarray(out, dtype=np.float64)
        return self._derived(Frame.from_arrays(cols))

    def _operand(self, col, other, other_col=None):
        """Column values for an operation: enum columns compared to text use level names."""
        if self._fr.types[col] == "enum":
            codes = np.asarray(self._fr.codes(col))
            text_other = isinstance(other, str) or (isinstance(other, H2OFrame) and other_col is not None
                                                    and other._fr.types[other_col] == "enum")
            if text_other or isinstance(other, str):
                dom = np.asarray(self._fr.domain(col), dtype=object)
                return np.where(codes < 0, None, dom[np.maximum(codes, 0)]) if len(dom) else \
                    np.full(len(codes), None, dtype=object)
            return _as_number(self._fr, col)
        return _as_number(self._fr, col)

    def _compare(self, other, op):
        def fn(a, b):
            if (isinstance(a, np.ndarray) and a.dtype == object) or isinstance(b, str) or \
                    (isinstance(b, np.ndarray) and b.dtype == object):
                a_obj = np.asarray(a, dtype=object)
                b_obj = np.broadcast_to(np.asarray(b, dtype=object), a_obj.shape)
                missing = np.array([x is None for x in a_obj]) | np.array([y is None for y in b_obj])
                res = np.array([bool(op(x, str(y))) if x is not None and y is not None else False
                                for x, y in zip(a_obj, b_obj)], dtype=np.float64)
                res[missing] = np.nan
                return res
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            res = op(a, b).astype(np.float64)
            res[np.isnan(a) | np.isnan(b)] = np.nan
            return res
        return self._binary(other, fn, lambda c: c)

    __eq__ = _operator("_compare", operator.eq)
    __ne__ = _operator("_compare", operator.ne)
    __lt__ = _operator("_compare", operator.lt)
    __le__ = _operator("_compare", operator.le)
    __gt__ = _operator("_compare", operator.gt)
    __ge__ = _operator("_compare", operator.ge)

    __hash__ = object.__hash__

    def _arith(self, other, fn, reverse=False):
        if isinstance(other, str):
            raise H2OValueError("arithmetic with text is not defined; compare with ==/!= instead")
        f = (lambda a, b: fn(b, a)) if reverse else fn
        return self._binary(other, lambda a, b: f(np.asarray(a, np.float64), np.asarray(b, np.float64)),
                            lambda c: c)

    def _logical(self, other, fn):
        def f(a, b):
            a = np.asarray(a, np.float64)
            b = np.asarray(b, np.float64)
            res = fn(np.nan_to_num(a) != 0, np.nan_to_num(b) != 0).astype(np.float64)
            res[np.isnan(a) | np.isnan(b)] = np.nan
            return res
        return self._binary(other, f, lambda c: c)

    __and__ = __rand__ = _operator("_logical", np.logical_and)
    __or__ = __ror__ = _operator("_logical", np.logical_or)

    def __invert__(self):
        return self._binary(0, lambda a, b: np.where(np.isnan(a), np.nan, (np.nan_to_num(a) == 0) * 1.0),
                            lambda c: c)

    def __neg__(self):
        return self._arith(-1, np.multiply)

    def __abs__(self):
        return self._binary(0, lambda a, b: np.abs(np.asarray(a, np.float64)), lambda c: c)

    def __bool__(self):
        if self.shape == (1, 1):
            return bool(self.flatten())
        raise H2OValueError("the truth value of a frame is ambiguous; use .all() or .any()")

    def all(self):
        return bool(all(np.all(np.nan_to_num(_as_number(self._fr, c), nan=1.0) != 0) for c in self.names))

    def any(self):
        return bool(any(np.any(np.nan_to_num(_as_number(self._fr, c)) != 0) for c in self.names))

    # ------------------------------------------------------------------ types
    def _each(self, fn):
        fr = self._fr
        for c in self.names:
            fr = fn(fr, c)
        return self._derived(fr)

    def asfactor(self):
        """Every column as categorical (numeric levels ordered by value, as H2O does)."""
        return self._each(lambda fr, c: fr.as_type(c, "enum"))

    def asnumeric(self):
        return self._each(lambda fr, c: fr.as_type(c, "numeric"))

    def ascharacter(self):
        return self._each(lambda fr, c: fr.as_type(c, "string"))

    def isfactor(self):
        return [t == "enum" for t in self._fr.types.values()]

    def isnumeric(self):
        return [t in ("int", "real") for t in self._fr.types.values()]

    def ischaracter(self):
        return [t == "string" for t in self._fr.types.values()]

    def levels(self):
        """Per column, its list of levels ([] for non-categorical columns)."""
        return [list(self._fr.domain(c)) if self._fr.types[c] == "enum" else [] for c in self.names]

    def nlevels(self):
        return [len(lv) for lv in self.levels()]

    def isna(self):
        """1 where a value is missing, else 0; columns named ``isNA(<col>)``."""
        cols = {}
        for c in self.names:
            vals, t, _ = _column(self._fr, c)
            if t == "enum":
                miss = np.asarray(vals) < 0
            elif t in ("string", "uuid"):
                miss = pd.isna(np.asarray(vals, dtype=object))
            else:
                miss = np.isnan(np.asarray(vals, dtype=np.float64))
            cols[f"isNA({c})"] = miss.astype(np.int8)
        return self._derived(Frame.from_arrays(cols))

    # ------------------------------------------------------------------ reshaping
    def drop(self, index, axis=1):
        """A frame without the given columns (axis=1) or rows (axis=0); this frame is unchanged."""
        if axis == 0:
            rows = np.setdiff1d(np.arange(self.nrow), self._rows(index if not np.isscalar(index) else [index]))
            return self._derived(self._fr.rows(rows))
        drop = set(self._names(index))
        return self._derived(self._fr[[c for c in self.names if c not in drop]])

    def cbind(self, data):
        """Columns of this frame then ``data``'s (H2O appends 0 to a repeated name)."""
        others = data if isinstance(data, (list, tuple)) else [data]
        columns = [(c, *_column(self._fr, c)) for c in self.names]
        taken = set(self.names)
        for other in others:
            if not isinstance(other, H2OFrame):
                other = H2OFrame([other] * self.nrow if np.isscalar(other) else other)
            if other.nrow != self.nrow and self.ncol:
                raise H2OValueError(f"cbind: frame '{other.frame_id}' has {other.nrow} rows, this one "
                                    f"{self.nrow}")
            for c in other.names:
                name = c
                while name in taken:
                    name += "0"
                taken.add(name)
                columns.append((name, *_column(other._fr, c)))
        return self._derived(_rebuild(columns, session.temp_key()))

    def rbind(self, data):
        """Rows of this frame then ``data``'s (same column names and kinds)."""
        others = data if isinstance(data, (list, tuple)) else [data]
        parts = [self.as_data_frame()]
        for other in others:
            if other.names != self.names:
                raise H2OValueError(f"rbind: frame '{other.frame_id}' has columns {other.names}, expected "
                                    f"{self.names}")
            parts.append(other.as_data_frame())
        df = pd.concat(parts, ignore_index=True)
        out = Frame.from_pandas(df)
        for c, t in self._fr.types.items():
            if t != out.types[c] and not (t in ("int", "real") and out.types[c] in ("int", "real")):
                out = out.as_type(c, t)
        return self._derived(out)

    def set_names(self, names):
        if len(names) != self.ncol:
            raise H2OValueError(f"set_names needs {self.ncol} names, got {len(names)}", var_name="names")
        if len(set(names)) != len(names):
            raise H2OValueError(f"column names must be unique: {names}", var_name="names")
        columns = [(str(new), *_column(self._fr, c)) for new, c in zip(names, self.names)]
        self._fr = _rebuild(columns, self.frame_id)
        return self

    def set_name(self, col=None, name=None):
        if col is None:
            col = 0
        old = self._name(col)
        return self.set_names([name if c == old else c for c in self.names])

    def rename(self, columns=None):
        columns = columns or {}
        return self.set_names([columns.get(c, columns.get(i, c)) for i, c in enumerate(self.names)])

    def split_frame(self, ratios=None, destination_frames=None, seed=None):
        """Random row split into len(ratios) + 1 frames (the engine's split)."""
        ratios = [0.75] if ratios is None else list(ratios)
        if sum(ratios) >= 1 or any(r <= 0 for r in ratios):
            raise H2OValueError("split ratios must be positive and sum to less than 1", var_name="ratios")
        parts = split_frame(self._fr, ratios, seed=seed, destinations=destination_frames)
        return [H2OFrame._wrap(p, key=(destination_frames[i] if destination_frames else None),
                               keep=bool(destination_frames)) for i, p in enumerate(parts)]

    def runif(self, seed=None):
        """One column ``rnd`` of uniform [0, 1) numbers, one per row."""
        rng = np.random.default_rng(None if seed is None or seed == -1 else seed)
        return self._derived(Frame.from_arrays({"rnd": rng.random(self.nrow)}))

    def insert_missing_values(self, fraction=0.1, seed=None):
        """Replace a random ``fraction`` of the values by NA, in place; returns this frame."""
        if not 0 <= fraction <= 1:
            raise H2OValueError("fraction must be between 0 and 1", var_name="fraction")
        rng = np.random.default_rng(seed)
        columns = []
        for c in self.names:
            vals, t, dom = _column(self._fr, c)
            hit = rng.random(self.nrow) < fraction
            if t == "enum":
                vals = np.where(hit, -1, vals).astype(np.int32)
            elif t in ("string", "uuid"):
                vals = np.where(hit, None, np.asarray(vals, dtype=object))
            else:
                vals = np.where(hit, np.nan, np.asarray(vals, dtype=np.float64))
            columns.append((c, vals, t, dom))
        self._fr = _rebuild(columns, self.frame_id)
        return self

    # ------------------------------------------------------------------ aggregates
    def _numeric_columns(self):
        return [c for c in self.names if self._fr.types[c] in ("int", "real", "time")]

    def _reduce(self, fn, skipna):
        values = []
        for c in self.names:
            if self._fr.types[c] not in ("int", "real", "time"):
                values.append(float("nan"))
                continue
            a = _as_number(self._fr, c)
            values.append(float(fn(a[~np.isnan(a)]) if skipna else fn(a)) if a.size else float("nan"))
        return values

    def mean(self, skipna=True, axis=0, return_frame=False, **_kw):
        """Per-column means (a list; NaN for non-numeric columns)."""
        values = self._reduce(np.mean, skipna)
        return self._row_frame(values) if return_frame else values

    def sd(self, na_rm=False):
        """Per-column standard deviations (ddof 1, as H2O)."""
        return self._reduce(lambda a: np.std(a, ddof=1) if a.size > 1 else float("nan"), True)

    def _row_frame(self, values):
        return self._derived(Frame.from_arrays({c: [v] for c, v in zip(self.names, values)}))

    def _overall(self, fn, skipna):
        cols = self._numeric_columns()
        if len(cols) != self.ncol:
            bad = [c for c in self.names if c not in cols]
            raise H2OValueError(f"column '{bad[0]}' is not numeric")
        a = np.concatenate([_as_number(self._fr, c) for c in cols]) if cols else np.array([])
        if skipna:
            a = a[~np.isnan(a)]
        return float(fn(a)) if a.size else float("nan")

    def min(self):
        return self._overall(np.min, True)

    def max(self):
        return self._overall(np.max, True)

    def sum(self, skipna=True, axis=0, return_frame=False, **_kw):
        if return_frame:
            return self._row_frame(self._reduce(np.sum, skipna))
        return self._overall(np.sum, skipna)

    def median(self, na_rm=False):
        return self._reduce(np.median, True)

    def nacnt(self):
        return [int(np.sum(v)) for v in (self.isna()._fr.numeric(c) for c in self.isna().names)]

    def unique(self):
        col = self.names[0]
        if self._fr.types[col] == "enum":
            codes = np.unique(self._fr.codes(col))
            dom = self._fr.domain(col)
            return self._derived(Frame.from_arrays({"C1": [dom[i] for i in codes if i >= 0]}, types={"C1": "enum"}))
        vals = _as_number(self._fr, col)
        return self._derived(Frame.from_arrays({"C1": np.unique(vals[~np.isnan(vals)])}))

    def table(self, data2=None, dense=True):
        """Counts of each value (one column) or each pair of values (two columns, or this column and ``data2``)."""
        frame = self if data2 is None else self.cbind(data2)
        if not 1 <= frame.ncol <= 2:
            raise H2OValueError("table() counts one or two columns", var_name="data2")
        df = frame.as_data_frame()
        counts = df.groupby(list(df.columns), dropna=True, sort=True).size().reset_index(name="Count")
        return self._derived(Frame.from_pandas(counts))

    def sort(self, by, ascending=True):
        """Rows ordered by the ``by`` columns (names or indices; stable; missing values last)."""
        names = self._names(by)
        asc = [ascending] * len(names) if isinstance(ascending, bool) else list(ascending)
        if len(asc) != len(names):
            raise H2OValueError("ascending needs one flag per sort column", var_name="ascending")
        keys = pd.DataFrame({c: self._operand(c, None) if self._fr.types[c] != "enum"
                             else pd.Categorical.from_codes(self._fr.codes(c), self._fr.domain(c))
                             for c in names})
        order = keys.sort_values(names, ascending=asc, kind="stable", na_position="last").index.to_numpy()
        return self._derived(self._fr.rows(order))

    # ------------------------------------------------------------------ conversion and display
    def as_data_frame(self, use_pandas=True, header=True, **_kw):
        """pandas DataFrame (categoricals as text), or a list of rows of text with the header first."""
        df = self._fr.as_pandas()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                df[c] = df[c].astype(object).where(df[c].notna(), None)
        if use_pandas:
            return df
        rows = [["" if _isna(v) else str(v) for v in row] for row in df.itertuples(index=False)]
        return ([list(self.names)] + rows) if header else rows

    def get_frame_data(self):
        return self.as_data_frame().to_csv(index=False)

    def head(self, rows=10, cols=200):
        return self[:min(rows, self.nrow), :min(cols, self.ncol)]

    def tail(self, rows=10, cols=200):
        return self[max(0, self.nrow - rows):, :min(cols, self.ncol)]

    def _table(self, rows=10):
        df = self.as_data_frame().head(rows)
        return df.to_string(index=False) if len(df.columns) else "(no columns)"

    def show(self, use_pandas=False, rows=10, cols=200):
        print(self._table(rows))
        print(f"\n[{self.nrow} rows x {self.ncol} columns]")

    def __repr__(self):
        return f"{self._table()}\n\n[{self.nrow} rows x {self.ncol} columns]\n"

    __str__ = __repr__

    def summary(self, return_data=False):
        """H2O's summary: per column type, min, mean, max, sigma, zeros, missing (dict with return_data)."""
        cs = self._fr.summary()["column_summaries"]
        data = {c: {"type": self.types[c], "mins": [s.get("min")], "mean": s.get("mean"), "maxs": [s.get("max")],
                    "sigma": s.get("sigma"), "zeros": s.get("zeros"), "missing_count": s.get("missing"),
                    "domain": [lv for lv, _ in s.get("domain") or []] or None}
                for c, s in cs.items()}
        if return_data:
            return data
        rows = ["type", "mins", "mean", "maxs", "sigma", "zeros", "missing"]
        table = pd.DataFrame({c: [d["type"], d["mins"][0], d["mean"], d["maxs"][0], d["sigma"], d["zeros"],
                                  d["missing_count"]] for c, d in data.items()}, index=rows)
        print(table.to_string())

    def describe(self, chunk_summary=False):
        """Prints the row and column counts, then the summary and the first rows (as H2O does)."""
        print(f"Rows:{self.nrow}\nCols:{self.ncol}\n")
        self.summary()
        print()
        self.show()

    def __iter__(self):
        return (self[c] for c in self.names)


_ARITHMETIC = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.divide,
               "floordiv": np.floor_divide, "mod": np.mod, "pow": np.power}
for _name, _fn in _ARITHMETIC.items():  # frame + x, x + frame, ... for every arithmetic operator
    setattr(H2OFrame, f"__{_name}__", _operator("_arith", _fn))
    setattr(H2OFrame, f"__r{_name}__", _operator("_arith", _fn, True))


def _isna(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def _is_scalar_index(i):
    return isinstance(i, (str, numbers.Integral, np.integer)) and not isinstance(i, bool)


def _from_python(obj, destination_frame, header, column_names, column_types, skipped_columns):
    """Engine Frame from H2O's accepted python objects: pandas, dict of columns, list/tuple (of rows), numpy."""
    name = destination_frame or session.temp_key()
    if isinstance(obj, pd.DataFrame):
        df = obj.copy()
    elif isinstance(obj, dict):
        cols = {str(k): (list(v) if isinstance(v, (list, tuple, np.ndarray, pd.Series)) else [v])
                for k, v in obj.items()}
        df = pd.DataFrame(cols)
    elif isinstance(obj, np.ndarray):
        a = obj if obj.ndim == 2 else obj.reshape(-1, 1)
        df = pd.DataFrame(a, columns=[f"C{i + 1}" for i in range(a.shape[1])])
    elif isinstance(obj, (list, tuple)):
        rows = [list(r) for r in obj] if obj and all(isinstance(r, (list, tuple)) for r in obj) \
            else [[v] for v in obj]
        if any(isinstance(v, (list, tuple)) for r in rows for v in r):
            raise H2OValueError("`python_obj` is not a list of flat lists!", var_name="python_obj")
        ncols = max((len(r) for r in rows), default=1)
        if header == 1 and rows:
            names, rows = [str(v) for v in rows[0]], rows[1:]
        else:
            names = [f"C{i + 1}" for i in range(ncols)]
        rows = [r + [None] * (ncols - len(r)) for r in rows]
        df = pd.DataFrame(rows, columns=names)
        for c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="ignore") if df[c].dtype == object else df[c]
    elif np.isscalar(obj):
        df = pd.DataFrame({"C1": [obj]})
    else:
        raise H2OTypeError("python_obj", obj, type(obj).__name__, "a list, tuple, dict, numpy array or pandas "
                           "DataFrame")
    if column_names is not None:
        if len(column_names) != df.shape[1]:
            raise H2OValueError(f"column_names has {len(column_names)} names for {df.shape[1]} columns",
                                var_name="column_names")
        df.columns = [str(c) for c in column_names]
    if skipped_columns:
        df = df.drop(columns=[df.columns[i] for i in skipped_columns])
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].where(df[c].notna(), None)
            if all(isinstance(v, str) or v is None for v in df[c]):
                df[c] = df[c].astype("category")
    fr = Frame.from_pandas(df, name=name)
    for col, t in _types_by_name(column_types, fr.names).items():
        fr = fr.as_type(col, _engine_type(t, col))
    return fr


def _types_by_name(column_types, names):
    """H2O's column_types as a list (by position) or dict (by name) -> {name: type}."""
    if not column_types:
        return {}
    if isinstance(column_types, dict):
        unknown = [c for c in column_types if c not in names]
        if unknown:
            raise H2OValueError(f"column_types names unknown column '{unknown[0]}'", var_name="column_types")
        return dict(column_types)
    if len(column_types) != len(names):
        raise H2OValueError(f"column_types has {len(column_types)} entries for {len(names)} columns",
                            var_name="column_types")
    return dict(zip(names, column_types))
