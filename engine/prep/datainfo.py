"""DataInfo: everything learnt from the training frame that turns any frame into a Design.

Layout (H2O's DataInfo, DL flavour): categorical columns first, sorted by decreasing cardinality (stable), each
one-hot block holding its levels (all of them with ``use_all_factor_levels``, else all but the first, which then
activates nothing) plus one missing slot that NA and unseen levels use; then the numeric columns in frame order.
Categoricals stay sparse: ``Design.cat`` holds the one active global slot per categorical column.
"""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numba import get_num_threads

from ..errors import DeepbrookError, ParameterError, TrainingError
from ..frames.columns import enum_from_numeric
from ..frames.views import readonly
from ..kernels.columns import columns_into_rows, standardize_into
from .balance import balance_rows, class_distribution, correct_probabilities
from .design import Design
from .fitting import encode_columns, enum_key, numeric_transform, param, select_predictors
from .hashing import hash_slots
from .inputs import CatInput, NumInput, raw_numeric, source_codes
from .memory import filled_soon, prefault
from .sources import codes_in_domain, column_moments, is_missing, numeric_values
from .stats import column_stats, safe_inverse

FORMAT_VERSION = 1
CLASSIFICATION = ("binomial", "multinomial")
# Distributions whose link is the identity: the regression response is standardized for them.
IDENTITY_LINK = ("auto", "gaussian", "huber", "laplace", "quantile", "")
ENCODINGS = {"auto": "one_hot_internal", "onehotinternal": "one_hot_internal", "binary": "binary",
             "eigen": "eigen", "labelencoder": "label_encoder", "sortbyresponse": "sort_by_response",
             "enumlimited": "enum_limited"}
HASHED_COLUMN = "(hashed categoricals)"
NO_ROWS_LEFT = ("No rows left in the dataset after filtering out rows with missing values. Ignore columns with "
                "many NAs or set missing_values_handling to 'MeanImputation'.")


_LINE_BYTES = 64  # a cache line: the design fill writes this many bytes of each row at a time
COMPACT_INPUTS = True  # False: never build compact designs (tests compare both)
_ROW_CHUNK = 1 << 16  # rows per pass of the design fill (a 4 MiB buffer of 16 columns, whatever the frame's size)


@dataclass(eq=False, repr=False)
class DataInfo:
    """Fitted data preparation. Build with ``DataInfo.fit(frame, params)``; apply with ``transform``."""
    problem: str
    response_column: str
    response_domain: list
    response_mean: float
    response_sd: float
    response_standardized: bool
    weights_column: str
    offset_column: str
    predictors: list
    cat_inputs: list
    num_inputs: list
    num_sub: np.ndarray
    num_mul: np.ndarray
    num_impute: np.ndarray
    transform_type: str = "standardize"
    use_all_factor_levels: bool = True
    missing_values_handling: str = "mean_imputation"
    sparse: bool = False
    categorical_encoding: str = "one_hot_internal"
    max_categorical_features: int = None
    hash_seed: int = 0
    ignored: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)
    prior_class_dist: np.ndarray = None
    model_class_dist: np.ndarray = None

    def __post_init__(self):
        self._layout()

    # ------------------------------------------------------------------ layout (derived, never stored)
    def _layout(self):
        """Global slot tables: for each categorical input, source level -> slot, last entry = missing slot."""
        drop = 0 if self.use_all_factor_levels else 1
        starts, tables, missing, offset = [], [], [], 0
        for ci in self.cat_inputs:
            k = len(ci.domain)
            size = k - drop + 1
            block = np.arange(offset - drop, offset - drop + k, dtype=np.int64)
            if drop:
                block[0] = -1  # reference level: contributes nothing
            table = np.append(block[np.asarray(ci.level_of, dtype=np.int64)], offset + size - 1)
            starts.append(offset)
            missing.append(offset + size - 1)
            tables.append(table)
            offset += size
        self.cat_block_starts = np.asarray(starts + [offset], dtype=np.int64)
        self.missing_slots = np.asarray(missing, dtype=np.int64)
        self.n_unhashed_cat_slots = offset
        m = self.max_categorical_features
        self.hashed = m is not None and 0 < int(m) < offset
        if self.hashed:
            tables = [hash_slots(t, int(m), self.hash_seed) for t in tables]
        self.n_cat_slots = int(m) if self.hashed else offset
        self._slot_tables = [t.astype(np.int32) for t in tables]

    def __repr__(self):
        return (f"<DataInfo {self.problem}: {self.n_cat_cols} categorical ({self.n_cat_slots} slots"
                f"{', hashed' if self.hashed else ''}) + {self.p_num} numeric = {self.n_inputs} inputs>")

    @property
    def n_cat_cols(self):
        return len(self.cat_inputs)

    @property
    def p_num(self):
        return len(self.num_inputs)

    @property
    def n_inputs(self):
        return self.n_cat_slots + self.p_num

    @property
    def n_classes(self):
        return len(self.response_domain) if self.response_domain is not None else 1

    @property
    def is_classification(self):
        return self.problem in CLASSIFICATION

    @property
    def num_names(self):
        return [ni.name for ni in self.num_inputs]

    @property
    def cat_names(self):
        return [ci.name for ci in self.cat_inputs]

    @property
    def sources(self):
        """Frame columns a scoring frame must provide (predictors, in model order)."""
        seen = dict.fromkeys([ci.source for ci in self.cat_inputs] + [ni.source for ni in self.num_inputs])
        return list(seen)

    @property
    def coef_names(self):
        """Name of every expanded input, in input order (H2O coefNames: ``col.level``, ``col.missing(NA)``)."""
        if self.hashed:
            names = [f"hashed_categorical_{i}" for i in range(self.n_cat_slots)]
        else:
            names = []
            for ci in self.cat_inputs:
                levels = ci.domain if self.use_all_factor_levels else ci.domain[1:]
                names += [f"{ci.name}.{lvl}" for lvl in levels] + [f"{ci.name}.missing(NA)"]
        return names + self.num_names

    @property
    def input_columns(self):
        """Original frame column of every expanded input (for Gedeon importance aggregation)."""
        if self.hashed:
            cols = [HASHED_COLUMN] * self.n_cat_slots
        else:
            sizes = np.diff(self.cat_block_starts)
            cols = [ci.source for ci, s in zip(self.cat_inputs, sizes) for _ in range(int(s))]
        return cols + [ni.source for ni in self.num_inputs]

    # ------------------------------------------------------------------ fit
    @classmethod
    def fit(cls, frame, params):
        """Learn the layout, encodings and statistics from the training ``frame`` and resolved ``params``."""
        autoencoder = bool(param(params, "autoencoder", False)) or param(params, "problem") == "autoencoder"
        response = None if autoencoder else param(params, "response_column")
        weights_col = param(params, "weights_column") or None
        offset_col = param(params, "offset_column") or None
        fold_col = param(params, "fold_column") or None
        for what, col in (("response_column", response), ("weights_column", weights_col),
                          ("offset_column", offset_col), ("fold_column", fold_col)):
            if col is not None and col not in frame.names:
                raise ParameterError(f"{what} '{col}' is not a column of frame '{frame.name}'")
        if not autoencoder and response is None:
            raise ParameterError("response_column is required unless autoencoder=True")
        problem = cls._problem(frame, params, response, autoencoder)
        encoding = ENCODINGS.get(enum_key(param(params, "categorical_encoding", "auto")))
        if encoding is None:
            raise ParameterError(f"categorical_encoding {param(params, 'categorical_encoding')!r} is not supported "
                                 "by Deep Learning (use auto, one_hot_internal, binary, eigen, label_encoder, "
                                 "sort_by_response or enum_limited)")
        mvh = "skip" if enum_key(param(params, "missing_values_handling", "mean_imputation")) == "skip" \
            else "mean_imputation"
        special = {c for c in (response, weights_col, offset_col, fold_col) if c}
        predictors, ignored, messages = select_predictors(frame, params, special)

        # training rows: known response; with Skip also complete predictors
        keep = np.ones(frame.nrows, dtype=bool)
        domain, y_all = cls._fit_response(frame, response, problem)
        if y_all is not None:
            keep &= ~np.isnan(y_all)
            if not keep.any():
                raise TrainingError(f"response column '{response}' has only missing values")
        if mvh == "skip":
            for c in predictors:
                keep &= ~is_missing(frame, c)
            if not keep.any():
                raise TrainingError(NO_ROWS_LEFT)
        rows = np.flatnonzero(keep)
        w = cls._fit_weights(frame, weights_col, rows)
        y = None if y_all is None else y_all[rows]

        cat_inputs, num_inputs = encode_columns(frame, predictors, rows, y, w, encoding,
                                         int(param(params, "max_categorical_levels", 10)))
        # statistics are weighted when a weights column is given without an offset (as H2O)
        stat_w = w if (weights_col and not offset_col) else None
        standardize = bool(param(params, "standardize", True))
        transform_type = ("normalize" if autoencoder else "descale" if param(params, "sparse", False)
                          else "standardize") if standardize else "none"
        sub, mul, imp = numeric_transform(frame, num_inputs, rows, stat_w, transform_type)

        resp_mean, resp_sd, resp_std = 0.0, 1.0, False
        if problem == "regression" and standardize and enum_key(param(params, "distribution", "auto")) in IDENTITY_LINK:
            mean, sd, _, _ = column_stats(y, stat_w)
            resp_mean, resp_sd, resp_std = mean, 1.0 / safe_inverse(sd), True
        prior = None
        if problem in CLASSIFICATION:
            counts = class_distribution(y, len(domain), w)
            prior = counts / counts.sum() if counts.sum() > 0 else counts

        mcf = param(params, "max_categorical_features")
        return cls(problem=problem, response_column=response, response_domain=domain,
                   response_mean=float(resp_mean), response_sd=float(resp_sd), response_standardized=resp_std,
                   weights_column=weights_col, offset_column=offset_col, predictors=predictors,
                   cat_inputs=cat_inputs, num_inputs=num_inputs, num_sub=sub, num_mul=mul, num_impute=imp,
                   transform_type=transform_type,
                   use_all_factor_levels=True if autoencoder else bool(param(params, "use_all_factor_levels", True)),
                   missing_values_handling=mvh, sparse=bool(param(params, "sparse", False)),
                   categorical_encoding=encoding,
                   max_categorical_features=None if mcf is None else int(mcf),
                   hash_seed=int(param(params, "seed", 0)), ignored=ignored, messages=messages,
                   prior_class_dist=prior)

    @staticmethod
    def _problem(frame, params, response, autoencoder):
        if autoencoder:
            return "autoencoder"
        problem = param(params, "problem")
        if problem in CLASSIFICATION + ("regression",):
            return problem
        if frame.is_enum(response):
            return "binomial" if len(frame.domain(response)) == 2 else "multinomial"
        return "regression"

    @staticmethod
    def _fit_response(frame, response, problem):
        """(domain, y over all rows as float64 with NaN for NA) on the training frame."""
        if response is None:
            return None, None
        if problem in CLASSIFICATION:
            if frame.is_enum(response):
                domain = frame.domain(response)
                codes = frame.codes(response)
            else:
                codes, domain = enum_from_numeric(numeric_values(frame, response))
            if len(domain) < 2:
                raise TrainingError(f"response column '{response}' needs at least 2 classes for classification, "
                                    f"found {len(domain)}")
            y = codes.astype(np.float64)
            y[codes < 0] = np.nan
            return list(domain), y
        return None, numeric_values(frame, response)

    @staticmethod
    def _fit_weights(frame, weights_col, rows):
        if weights_col is None:
            return None
        w = numeric_values(frame, weights_col)[rows]
        if np.any(w < 0):
            raise ParameterError(f"weights_column '{weights_col}' has negative values; weights must be >= 0")
        return np.where(np.isnan(w), 0.0, w)

    # ------------------------------------------------------------------ transform
    def transform(self, frame, with_response=True, training=False, compact=False):
        """The Design of ``frame``. ``with_response`` drops rows whose response is NA or an unknown class;
        ``training`` also drops rows with NA predictors under missing_values_handling='skip'. ``compact``: a
        compact design (uint8 codes + ``num_scaling``, see ``Design``) where ``compact_inputs(frame)`` allows it; only
        for consumers that decode it (the mini-batch and prediction kernels)."""
        sources = self.sources
        absent = [c for c in sources if c not in frame]
        if absent and not self.sparse:
            raise DeepbrookError(f"frame '{frame.name}' is missing column '{absent[0]}' the model was trained on"
                                 + (f" (and {len(absent) - 1} more)" if len(absent) > 1 else ""))
        n = frame.nrows
        keep = np.ones(n, dtype=bool)
        y = None
        if with_response and self.problem != "autoencoder":
            if self.response_column not in frame.names:
                raise DeepbrookError(f"frame '{frame.name}' has no response column '{self.response_column}'")
            y = self._response(frame)
            keep &= ~np.isnan(y)
        if training and self.missing_values_handling == "skip":
            for c in sources:
                if c in frame:
                    keep &= ~is_missing(frame, c)
            if not keep.any():
                raise TrainingError(NO_ROWS_LEFT)
        rows = np.arange(n, dtype=np.int64) if keep.all() else np.flatnonzero(keep).astype(np.int64)
        sub = None if len(rows) == n else rows
        m = len(rows)
        cache = {}  # source column -> codes in the training domain, read once per call

        scaling = self.compact_scaling() if compact and COMPACT_INPUTS and self.compact_inputs(frame) else None
        num = filled_soon((m, self.p_num), np.float32 if scaling is None else np.uint8)
        self._fill_numeric(frame, num, sub, cache)
        cat = np.empty((m, self.n_cat_cols), dtype=np.int32)
        for j, ci in enumerate(self.cat_inputs):
            if ci.source not in frame:
                cat[:, j] = -1
                continue
            codes = source_codes(frame, ci.source, ci.source_domain, cache)
            cat[:, j] = self._slot_tables[j][codes[sub] if sub is not None else codes]

        yd = np.full(m, np.nan, dtype=np.float32) if y is None else y[rows].astype(np.float32)
        w = np.ones(m, dtype=np.float32)
        if self.weights_column and self.weights_column in frame.names:
            wv = numeric_values(frame, self.weights_column)[rows]
            w = np.where(np.isnan(wv), 0.0, wv).astype(np.float32)
        off = np.zeros(m, dtype=np.float32)
        if self.offset_column:
            if self.offset_column not in frame.names:
                raise DeepbrookError(f"frame '{frame.name}' is missing the offset column '{self.offset_column}'")
            ov = numeric_values(frame, self.offset_column)[rows]
            off = (np.where(np.isnan(ov), 0.0, ov) / self.response_sd).astype(np.float32)
        return Design(num, cat, yd, w, off, rows, scaling)

    def compact_inputs(self, frame):
        """Whether ``frame``'s numeric inputs can be a compact design: every one an integer column of ``frame``
        (never NA) with values in 0..255 (uint8 columns without a look; other integer types by their cached
        min/max)."""
        if not self.num_inputs:
            return False
        for ni in self.num_inputs:
            if ni.table is not None or ni.source not in frame or frame.type_of(ni.source) != "int":
                return False
            kind = frame.values(ni.source).dtype
            if kind == np.uint8:
                continue
            if kind.kind not in "iu":
                return False
            lo, hi = column_moments(frame, ni.source)[3:5]
            if not (lo >= 0 and hi <= 255):
                return False
        return True

    def compact_scaling(self):
        """float64[2, p_num] (sub, mul) of a compact design: its kernels decode code c of input j as the full
        design's fill standardizes the value c (``(c - sub) * mul`` in float64, then float32)."""
        return np.ascontiguousarray(np.stack([self.num_sub, self.num_mul]), np.float64)

    def _fill_numeric(self, frame, num, sub, cache):
        """Standardized numeric inputs (or a compact design's codes) into the row-major ``num``, one part of the
        rows per numba thread (Python threads: the fill kernels release the GIL). Columns are written a cache line
        at a time (16 float32, 64 codes) for each row (one column at a time touched every row's cache line once
        per column: 0.25 s of a 0.65 s MNIST epoch), through a buffer of at most ``_ROW_CHUNK`` rows per part,
        never a copy of the whole table."""
        m = num.shape[0]
        codes = num.dtype == np.uint8
        per_line = _LINE_BYTES // num.dtype.itemsize
        parts = max(1, min(get_num_threads(), 1 + (m * self.p_num >> 20)))  # a part fills 1M+ values
        bounds = [m * i // parts for i in range(parts + 1)]
        blocks = [np.empty((min(per_line, self.p_num), min(m, _ROW_CHUNK)), num.dtype) for _ in range(parts)]

        def fill(part, j0, sources):
            if j0 == 0:
                prefault(num[bounds[part]:bounds[part + 1]])  # this part's pages, in parallel with the others
            for r0 in range(bounds[part], bounds[part + 1], _ROW_CHUNK):
                r1 = min(bounds[part + 1], r0 + _ROW_CHUNK)
                cols = blocks[part][:len(sources), :r1 - r0]
                for b, x in enumerate(sources):
                    if x is None:
                        cols[b] = 0.0
                        continue
                    j = j0 + b
                    x = x[sub[r0:r1]] if sub is not None else x[r0:r1]
                    if codes:
                        cols[b] = x
                        continue
                    standardize_into(cols[b], readonly(x), float(self.num_impute[j]), float(self.num_sub[j]),
                                     float(self.num_mul[j]))
                columns_into_rows(num[r0:r1], j0, cols)

        with ThreadPoolExecutor(max(1, parts - 1)) as pool:
            for j0 in range(0, self.p_num, per_line):
                sources = [raw_numeric(frame, ni, cache) if ni.source in frame else None
                           for ni in self.num_inputs[j0:j0 + per_line]]
                others = [pool.submit(fill, part, j0, sources) for part in range(1, parts)]
                fill(0, j0, sources)
                for f in others:
                    f.result()

    def _response(self, frame):
        """float64 response of every row: class index / (standardized) value, NaN for NA or unknown class."""
        col = self.response_column
        if self.response_domain is not None:
            codes = codes_in_domain(frame, col, self.response_domain)
            y = codes.astype(np.float64)
            y[codes < 0] = np.nan
            return y
        y = numeric_values(frame, col)
        return (y - self.response_mean) / self.response_sd if self.response_standardized else y

    # ------------------------------------------------------------------ response space helpers
    def destandardize(self, pred):
        """Regression predictions from the network's (standardized) space back to response units."""
        pred = np.asarray(pred, dtype=np.float64)
        return pred * self.response_sd + self.response_mean if self.response_standardized else pred

    def balance(self, design, class_sampling_factors=None, max_after_balance_size=5.0, seed=None):
        """Resample a training design for balance_classes; records the sampled class distribution so
        ``prior_correction`` can map predictions back to the original priors."""
        if not self.is_classification:
            raise ParameterError("balance_classes requires classification.")
        idx, _ = balance_rows(design.y, self.n_classes, class_sampling_factors, max_after_balance_size, seed,
                              w=design.w)
        out = design.take(idx)
        counts = class_distribution(out.y, self.n_classes, out.w)
        self.model_class_dist = counts / counts.sum() if counts.sum() > 0 else counts
        return out

    def prior_correction(self, probs):
        """Class probabilities corrected to the training priors when classes were rebalanced (else unchanged)."""
        if self.model_class_dist is None or self.prior_class_dist is None:
            return probs
        return correct_probabilities(probs, self.prior_class_dist, self.model_class_dist)

    # ------------------------------------------------------------------ persistence (no pickle)
    def to_dict(self):
        """JSON-able values and numpy arrays only (for engine/model/persist.py)."""
        d = {"format_version": FORMAT_VERSION}
        for k in ("problem", "response_column", "response_domain", "response_mean", "response_sd",
                  "response_standardized", "weights_column", "offset_column", "predictors", "num_sub", "num_mul",
                  "num_impute", "transform_type", "use_all_factor_levels", "missing_values_handling", "sparse",
                  "categorical_encoding", "max_categorical_features", "hash_seed", "ignored",
                  "prior_class_dist", "model_class_dist"):
            d[k] = getattr(self, k)
        d["messages"] = [list(m) for m in self.messages]
        d["cat_inputs"] = [{"name": c.name, "source": c.source, "source_domain": list(c.source_domain),
                            "domain": list(c.domain), "level_of": np.asarray(c.level_of, np.int32)}
                           for c in self.cat_inputs]
        d["num_inputs"] = [{"name": n.name, "source": n.source,
                            "source_domain": None if n.source_domain is None else list(n.source_domain),
                            "table": n.table} for n in self.num_inputs]
        return d

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        version = d.pop("format_version", FORMAT_VERSION)
        if version > FORMAT_VERSION:
            raise DeepbrookError(f"data info format {version} is newer than this Deepbrook understands")
        d["cat_inputs"] = [CatInput(c["name"], c["source"], list(c["source_domain"]), list(c["domain"]),
                                    np.asarray(c["level_of"], np.int32)) for c in d["cat_inputs"]]
        d["num_inputs"] = [NumInput(n["name"], n["source"],
                                    None if n.get("source_domain") is None else list(n["source_domain"]),
                                    None if n.get("table") is None else np.asarray(n["table"], np.float64))
                           for n in d["num_inputs"]]
        for k in ("num_sub", "num_mul", "num_impute"):
            d[k] = np.asarray(d[k], dtype=np.float64)
        for k in ("prior_class_dist", "model_class_dist"):
            d[k] = None if d.get(k) is None else np.asarray(d[k], dtype=np.float64)
        d["messages"] = [tuple(m) for m in d.get("messages", [])]
        return cls(**d)
