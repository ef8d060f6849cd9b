"""Fitting steps of DataInfo: choose predictors, pre-encode categoricals, learn numeric transforms."""
import numpy as np

from ..errors import ParameterError, TrainingError
from . import encoders
from .inputs import CatInput, NumInput, raw_numeric
from .sources import IGNORED_TYPES, all_missing, column_moments, is_constant
from .stats import column_stats, safe_inverse, stats_from_moments


def enum_key(v):
    """Normalise an H2O enum spelling: "MeanImputation", "mean_imputation" -> "meanimputation"."""
    return "" if v is None else str(v).replace("_", "").replace(" ", "").lower()


def param(params, name, default=None):
    v = getattr(params, name, default)
    return default if v is None else v


def _columns(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else [str(c) for c in v]

def select_predictors(frame, params, special):
    """(predictors in frame order, ignored {column: reason}, info messages).

    Candidates are ResolvedParameters.predictors, else ``x``, else every column not in ``ignored_columns``;
    the response/weights/offset/fold columns never are. String/uuid columns, bad (all NA) columns and, with
    ``ignore_const_cols``, constant columns are dropped and recorded so scoring does not ask for them.
    """
    messages, ignored, predictors = [], {}, []
    ignored_cols = set(_columns(param(params, "ignored_columns")))
    resolved = _columns(param(params, "predictors"))  # ResolvedParameters.predictors (string columns removed)
    x = resolved or _columns(param(params, "x"))
    for c in x:
        if c not in frame:
            raise ParameterError(f"predictor '{c}' (x) is not a column of frame '{frame.name}'")
    chosen = set(x) if x else set(frame.names) - ignored_cols
    if resolved:  # keep string/uuid columns in view so their "dropped" message is still given
        chosen |= {c for c in frame.names if frame.type_of(c) in IGNORED_TYPES and c not in ignored_cols}
    ignore_const = bool(param(params, "ignore_const_cols", True))
    for c in frame.names:
        if c not in chosen or c in special:
            continue
        t = frame.type_of(c)
        if t in IGNORED_TYPES:
            ignored[c] = t
            messages.append(("info", f"Dropping {t} column '{c}': {t} columns are not used for training."))
        elif all_missing(frame, c):
            ignored[c] = "bad"
            messages.append(("info", f"Dropping bad column '{c}': all values are missing."))
        elif ignore_const and is_constant(frame, c):
            ignored[c] = "constant"
            messages.append(("info", f"Dropping constant column '{c}' (ignore_const_cols)."))
        else:
            predictors.append(c)
    if not predictors:
        raise TrainingError(f"no usable predictor columns in frame '{frame.name}' "
                            f"(ignored: {', '.join(ignored) or 'none'})")
    return predictors, ignored, messages


def encode_columns(frame, predictors, rows, y, w, encoding, max_levels):
    """(cat_inputs, num_inputs) after the categorical pre-encoding, in H2O's order: categoricals by decreasing
    cardinality (stable), numerics in frame order with binary-encoded columns appended (as H2O's encoder does)."""
    cat_inputs, num_inputs, tail = [], [], []
    for c in predictors:
        if not frame.is_enum(c):
            num_inputs.append(NumInput(c, c))
            continue
        dom = frame.domain(c)
        k = len(dom)
        codes = frame.codes(c)[rows]
        if encoding == "binary":
            tail += [NumInput(f"{c}{sfx}", c, dom, t) for sfx, t in encoders.binary_tables(k)]
        elif encoding == "label_encoder":
            num_inputs.append(NumInput(c, c, dom, encoders.label_table(k)))
        elif encoding == "eigen":
            num_inputs.append(NumInput(f"{c}.Eigen", c, dom, encoders.eigen_table(codes, k)))
        elif encoding == "sort_by_response" and y is not None:
            order = encoders.sort_by_response_order(codes, k, y, w)
            level_of = np.empty(k, dtype=np.int32)
            level_of[order] = np.arange(k, dtype=np.int32)
            cat_inputs.append(CatInput(c, c, dom, [dom[i] for i in order], level_of))
        elif encoding == "enum_limited" and k > max_levels:
            level_of, kept = encoders.enum_limited_map(codes, k, max_levels)
            cat_inputs.append(CatInput(f"{c}.top_{max_levels}_levels", c, dom, [dom[i] for i in kept] + ["other"],
                                       level_of))
        else:
            cat_inputs.append(CatInput(c, c, dom, list(dom), np.arange(k, dtype=np.int32)))
    cat_inputs = [cat_inputs[i] for i in np.argsort([-len(ci.domain) for ci in cat_inputs], kind="stable")]
    return cat_inputs, num_inputs + tail


def numeric_transform(frame, num_inputs, rows, w, transform_type):
    """(sub, mul, impute) per numeric input: x -> (where(isnan(x), impute, x) - sub) * mul.

    standardize: (x-mean)/sd; normalize (autoencoder): (x-mean)/(max-min); descale (sparse): x/sd; none: x.
    NA is replaced by the (weighted) mean, i.e. 0 after centering; scale 0 -> multiplier 1; a column without
    values on the training rows passes through with NA -> 0.
    """
    p = len(num_inputs)
    sub, mul, imp = np.zeros(p), np.ones(p), np.zeros(p)
    cache = {}
    for j, ni in enumerate(num_inputs):
        if w is None and ni.table is None and len(rows) == frame.nrows:  # a whole stored column: its moments
            mean, sd, lo, hi = stats_from_moments(column_moments(frame, ni.source))
        else:
            x = raw_numeric(frame, ni, cache)
            mean, sd, lo, hi = column_stats(x if len(rows) == len(x) else x[rows], w)
        if np.isnan(mean):
            continue
        imp[j] = mean
        if transform_type == "standardize":
            sub[j], mul[j] = mean, safe_inverse(sd)
        elif transform_type == "normalize":
            sub[j], mul[j] = mean, safe_inverse(hi - lo)
        elif transform_type == "descale":
            mul[j] = safe_inverse(sd)
    return sub, mul, imp
