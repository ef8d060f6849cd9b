"""Verdicts on a set of parameters (H2O's ``validate``): errors, warnings, infos and "hide" for fields that do
not apply. Per-field hide rules and value checks come from the declarations; the cross-field and frame rules are
here, in one function, in H2O's order. Messages follow H2O's wording and name the parameter or column.
"""
import math
import os
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from . import h2o_names as N
from .declarations import FLOAT_MAX, PARAMETER_NAMES, DeepLearningParameters, parameter_info
from .types import frame_name, is_frame_like, is_model_like, model_key

LEVELS = ("error", "warning", "info", "hide")
MAX_CLASSES = 1000  # H2O Model.Parameters.MAX_SUPPORTED_LEVELS
MAX_MODEL_PARAMETERS = 1e8  # H2O DeepLearning.checkMemoryFootPrint_impl
_NUMERIC = {"int", "real", "time"}
_UNUSABLE = {"string", "uuid"}
_ADAPTIVE_ONLY = ("rho", "epsilon")
_MANUAL_ONLY = ("rate", "rate_annealing", "rate_decay", "momentum_start", "momentum_ramp", "momentum_stable")


@dataclass(frozen=True)
class Message:
    """One verdict: ``level`` is "error" | "warning" | "info" | "hide"; ``parameter`` is a declared name."""
    level: str
    parameter: str
    message: str

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"Message level must be one of {LEVELS}, not {self.level!r}")

    def __str__(self):
        return f"{self.level.upper()} on {self.parameter}: {self.message}"


def as_parameters(params, strict=True):
    """Accept a ``DeepLearningParameters``, a ``ResolvedParameters`` (its input) or a mapping of H2O names.

    Unknown names are errors unless ``strict`` is False (then they are skipped)."""
    if isinstance(params, DeepLearningParameters):
        return params
    if hasattr(params, "input") and hasattr(params, "problem"):  # ResolvedParameters: restart from its input
        params = dict(params.input)
    problems = [Message("error", k, f"Unknown parameter {k!r}.{N.did_you_mean(k, PARAMETER_NAMES)}")
                for k in params if k not in PARAMETER_NAMES and strict]
    p = DeepLearningParameters()
    for k, v in params.items():
        if k in PARAMETER_NAMES:
            try:
                setattr(p, k, v)
            except (TypeError, ValueError) as exc:
                problems.append(Message("error", k, str(exc)))
    if problems:
        raise ParameterError("\n".join(f"{m.parameter}: {m.message}" for m in problems), problems)
    return p


class Context:
    """What the rules look at: parameter values as attributes, plus facts derived from the frames."""

    def __init__(self, values, frame=None, valid=None, cluster_size=1):
        self._values = values
        self.frame = frame
        self.valid = valid
        self.cluster_size = cluster_size
        self.has_validation = values["validation_frame"] is not None or valid is not None
        self.cv = values["nfolds"] != 0 or values["fold_column"] is not None  # H2O ModelBuilder.nFoldCV
        self.dropout = values["activation"].endswith(N.DROPOUT_SUFFIX)
        self.response_type = None
        self.response_domain = None
        self.classification, self.nclasses = None, None
        response = values["response_column"]
        if values["autoencoder"]:
            self.classification, self.nclasses = False, 1
        elif frame is not None and response in (types := frame.types):
            self.response_type = types[response]
            if self.response_type == "enum":
                self.response_domain = tuple(frame.domain(response))
                self.classification, self.nclasses = True, len(self.response_domain)
            elif self.response_type in _NUMERIC:
                self.classification, self.nclasses = False, 1

    def __getattr__(self, name):
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def problem(self):
        if self.autoencoder:
            return "autoencoder"
        if self.classification is None:
            return None
        if self.classification:
            return "binomial" if self.nclasses == 2 else "multinomial"
        return "regression"


def _frame_arg(given, value):
    """The Frame object to check against: the argument if it is one, else the parameter's value if it is one."""
    for candidate in (given, value):
        if is_frame_like(candidate):
            return candidate
    return None


def predictor_columns(values, frame):
    """Columns the model trains on: all but the response, ignored, weights, offset and fold columns, and
    string/uuid columns (H2O drops those); constant columns are left to data preparation."""
    special = {values["weights_column"], values["offset_column"], values["fold_column"]}
    if not values["autoencoder"]:
        special.add(values["response_column"])
    ignored = set(values["ignored_columns"] or ())
    types = frame.types
    return tuple(c for c in frame.names if c not in special and c not in ignored and types[c] not in _UNUSABLE)


def _numeric(frame, col):
    """A column's values as float64 (enum codes as floats, NaN for missing), or None if the frame cannot tell."""
    getter = getattr(frame, "numeric", None)
    if getter is None:
        return None
    try:
        return np.asarray(getter(col), dtype=np.float64)
    except TypeError:  # string/uuid columns have no numeric view
        return None


def validate(params, training_frame=None, validation_frame=None, *, cluster_size=1):
    """Every problem with ``params`` (and the frames, when known) as a list of ``Message``.

    ``training_frame``/``validation_frame`` override the parameters' own frames (needed when those are names).
    Frame-dependent rules are skipped while no frame is known, as in Flow before a frame is chosen. A field with
    an error is never also hidden (e.g. hidden_dropout_ratios set with a non-dropout activation), so the form
    shows it; fields that do not apply are otherwise not checked.
    """
    p = as_parameters(params)
    values = p.values()
    frame = _frame_arg(training_frame, values["training_frame"])
    valid = _frame_arg(validation_frame, values["validation_frame"])
    ctx = Context(values, frame, valid, cluster_size)
    out = []

    def add(level, name, message):
        msg = Message(level, name, message)
        if msg not in out:
            out.append(msg)

    # per-field: the value fits its H2O type (finite numbers in range), hide rules, then the field's own checks
    # (only while the field applies)
    for name in PARAMETER_NAMES:
        info = parameter_info(name)
        problem = type_range_problem(info, values[name])
        if problem is not None:
            add("error", name, problem)
            continue
        reason = info.hide_reason(ctx)
        if reason is not None:
            add("hide", name, reason)
            continue
        for check in info.checks:
            if check.when(values[name], ctx):
                add(check.level, name, check.message)

    if values["training_frame"] is None and frame is None:
        add("error", "training_frame", "Missing training frame")
    _optimizer_rules(values, add)
    _architecture_rules(values, ctx, add)
    _loss_distribution_rules(values, ctx, add)
    _cross_validation_rules(values, ctx, add)
    _stopping_rules(values, ctx, add)
    _misc_rules(values, ctx, add)
    if frame is not None:
        _frame_rules(values, ctx, frame, add)
    if valid is not None and frame is not None:
        _validation_frame_rules(values, ctx, frame, valid, add)
    # a field in error stays visible even where it would not apply, so the user can fix (or clear) it
    in_error = {m.parameter for m in out if m.level == "error"}
    return [m for m in out if not (m.level == "hide" and m.parameter in in_error)]


# H2O's numeric types are Java's: the REST layer refuses what does not fit them; so does this
_INT_RANGES = {"int": (-2 ** 31, 2 ** 31 - 1), "long": (-2 ** 63, 2 ** 63 - 1)}


def type_range_problem(info, value):
    """Why ``value`` cannot be a value of the parameter's H2O type (NaN, infinity where the range forbids it,
    an integer past Java's int/long, a float past float32), or None. Derived from the declaration's h2o_type."""
    base = info.h2o_type.removesuffix("[]")
    is_list = info.h2o_type.endswith("[]") and isinstance(value, (list, tuple))
    for i, v in enumerate(value if is_list else [value]):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        where = f" (item {i + 1})" if is_list else ""
        if base in _INT_RANGES:
            lo, hi = _INT_RANGES[base]
            if isinstance(v, float) and not math.isfinite(v):
                return f"{info.name}{where} must be a whole number, got {v}."
            if not lo <= v <= hi:
                return f"{info.name}{where} = {v} does not fit a Java {base} ({lo} to {hi})."
        elif base in ("double", "float"):
            if math.isnan(v):
                return f"{info.name}{where} must be a number, got NaN."
            if math.isinf(v) and not (info.infinite and v > 0):
                return f"{info.name}{where} must be finite, got {v}."
            if base == "float" and math.isfinite(v) and abs(v) > FLOAT_MAX:
                return f"{info.name}{where} = {v:g} is too large for a 32-bit float (at most {FLOAT_MAX:g})."
    return None


def errors(messages):
    return [m for m in messages if m.level == "error"]


# ---------------------------------------------------------------------------------------------------- rule groups
def _optimizer_rules(v, add):
    if v["adaptive_rate"]:
        for name in _MANUAL_ONLY:
            if v[name] != parameter_info(name).default:
                add("warning", name, f"{name} cannot be specified if adaptive_rate is enabled.")
    else:
        for name in _ADAPTIVE_ONLY:
            if v[name] != parameter_info(name).default:
                add("warning", name, f"{name} cannot be specified if adaptive_rate is disabled.")
    batch = v["mini_batch_size"]
    if v["adaptive_rate"] and isinstance(batch, int) and batch > 1:
        add("warning", "mini_batch_size",
            f"mini_batch_size={batch} makes {batch}x fewer ADADELTA updates per epoch: epsilon is scaled by {batch} "
            f"to compensate, yet expect a less accurate model for the same epochs than one row per update. Raise "
            f"epochs, or try adaptive_rate=False, rate=0.1, momentum_start=0.9, momentum_stable=0.9 "
            f"(docs/h2o-differences.md, 'Mini-batches').")


def _architecture_rules(v, ctx, add):
    hidden = v["hidden"]
    if ctx.autoencoder and v["nfolds"] > 1:
        add("error", "nfolds", "N-fold cross-validation is not supported for Autoencoder.")
    ratios = v["hidden_dropout_ratios"]
    if ratios is not None:
        if len(ratios) != len(hidden):
            add("error", "hidden_dropout_ratios", f"Must have {len(hidden)} hidden layer dropout ratios.")
        elif not ctx.dropout:
            add("error", "hidden_dropout_ratios", "Cannot specify hidden_dropout_ratios with a non-dropout activation "
                "function. Use 'RectifierWithDropout', 'TanhWithDropout', etc.")
        elif any(r < 0 or r >= 1 for r in ratios):
            add("error", "hidden_dropout_ratios", "Hidden dropout ratios must be >= 0 and <1.")
    # H2O's code rejects only plain Maxout; its documentation says Maxout is not supported for autoencoders.
    if ctx.autoencoder and v["activation"].startswith("Maxout"):
        add("error", "activation", "Maxout activation is not supported for auto-encoder.")
    if ctx.autoencoder and v["sparsity_beta"] > 0:
        act = v["activation"]
        if act.startswith(("Tanh", "ExpRectifier")) and not -1 < v["average_activation"] < 1:
            add("error", "average_activation", "Tanh average activation must be in (-1,1).")
        elif act.startswith("Rectifier") and v["average_activation"] <= 0:
            add("error", "average_activation", "Rectifier average activation must be positive.")
    if not ctx.autoencoder and v["sparsity_beta"] != 0:
        add("error", "sparsity_beta", "Sparsity beta can only be used for autoencoder.")
    if v["sparse"] and v["elastic_averaging"]:
        add("error", "elastic_averaging", "Cannot use elastic averaging for sparse data handling.")
    _initial_weight_rules(v, ctx, add)


def _shape(obj):
    """(rows, cols) of a frame or array given as initial weights, or None for names/None entries."""
    if obj is None or isinstance(obj, str):
        return None
    if is_frame_like(obj):
        return (getattr(obj, "nrows", None), getattr(obj, "ncols", len(obj.names)))
    shape = np.shape(obj)
    return (shape[0], shape[1] if len(shape) > 1 else 1) if shape else None


def _initial_weight_rules(v, ctx, add):
    weights, biases, hidden = v["initial_weights"], v["initial_biases"], v["hidden"]
    if (weights is not None or biases is not None) and v["checkpoint"] is not None:
        add("error", "checkpoint", "Cannot specify initial weights or biases during checkpoint restart. Will use the "
            "checkpoint model's weights and biases.")
    n = len(hidden) + 1
    if weights is not None and len(weights) != n:
        add("error", "initial_weights", f"The number of initial weights matrices must be {n} (some weight matrices "
            "can be NULL/None/null).")
    if biases is not None and len(biases) != n:
        add("error", "initial_biases", f"The number of initial bias vectors must be {n} (some bias vectors can be "
            "NULL/None/null).")
    if any(h <= 0 for h in hidden):
        return
    out_units = None
    if ctx.autoencoder:
        out_units = None  # = number of inputs, known only after data preparation
    elif ctx.classification is not None:
        out_units = ctx.nclasses if ctx.classification else 1
    units = [None, *hidden, out_units]  # units[0] (inputs) is known only after data preparation
    if weights is not None and len(weights) == n:
        for k, w in enumerate(weights):
            shape, want = _shape(w), (units[k + 1], units[k])
            if shape is not None and any(e is not None and s is not None and e != s for e, s in zip(want, shape)):
                add("error", "initial_weights", f"Dimensionality mismatch for initial_weights[{k}]: expected "
                    f"{_dims(want)} (units of layer {k + 1} x units of layer {k}), got {shape[0]} x {shape[1]}.")
    if biases is not None and len(biases) == n:
        for k, b in enumerate(biases):
            shape = _shape(b)
            if shape is not None and (shape[1] != 1 or (units[k + 1] is not None and shape[0] != units[k + 1])):
                add("error", "initial_biases", f"Dimensionality mismatch for initial_biases[{k}]: expected "
                    f"{_dims((units[k + 1], 1))}, got {shape[0]} x {shape[1]}.")


def _dims(shape):
    return " x ".join("?" if s is None else str(s) for s in shape)


def _loss_distribution_rules(v, ctx, add):
    loss, dist = v["loss"], v["distribution"]
    if ctx.autoencoder and loss == "CrossEntropy":
        add("error", "loss", "Cannot use CrossEntropy loss for auto-encoder.")
    classification = ctx.classification
    if classification is False and not ctx.autoencoder and loss == "CrossEntropy":
        add("error", "loss", "For CrossEntropy loss, the response must be categorical.")
    if classification and loss not in ("Automatic", "CrossEntropy", "Quadratic"):
        add("error", "loss", "For classification tasks, the loss must be one of: Automatic, Quadratic or "
            "CrossEntropy.")
    if classification:
        if dist not in ("AUTO", "bernoulli", "multinomial"):
            add("error", "distribution", f"{dist} distribution is not allowed for classification.")
        elif dist == "bernoulli" and ctx.nclasses != 2:
            add("error", "distribution", f"bernoulli distribution needs a response with 2 levels, "
                f"'{v['response_column']}' has {ctx.nclasses}.")
    elif classification is False:
        if dist in ("bernoulli", "multinomial"):
            add("error", "distribution", f"{dist} distribution is not allowed for regression.")
        elif dist in ("poisson", "gamma", "tweedie") and loss != "Automatic":
            add("error", "distribution", f"Only Automatic loss (deviance) is allowed for {dist} distribution.")
        elif dist in ("laplace", "quantile", "huber"):
            wanted = {"laplace": "Absolute", "quantile": "Quantile", "huber": "Huber"}[dist]
            if loss not in ("Automatic", wanted):
                add("error", "distribution", f"Only Automatic or {wanted} loss is allowed for {dist} distribution.")
        elif dist == "gaussian" and loss not in ("Automatic", "Quadratic", "CrossEntropy"):
            # H2O trains such a model with squared error and silently ignores the loss; say so.
            add("warning", "loss", f"loss {loss} is ignored with distribution gaussian: for regression the "
                "distribution decides the training loss. Use distribution AUTO (or laplace/huber/quantile) to "
                f"train with {loss} loss.")


def _cross_validation_rules(v, ctx, add):
    if v["fold_column"] is not None:
        if v["nfolds"] > 1:
            add("error", "nfolds", "nfolds cannot be specified at the same time as a fold column.")
        if v["fold_assignment"] != "AUTO":
            add("error", "fold_assignment", "Fold assignment is not allowed in conjunction with a fold column.")
    elif not ctx.cv and v["fold_assignment"] != "AUTO":
        add("error", "fold_assignment", "Fold assignment is only allowed for cross-validation.")
    if ctx.cv and v["fold_assignment"] == "Stratified" and ctx.classification is False:
        add("error", "fold_assignment", "Stratified fold assignment needs a categorical response (classification).")
    nrows = getattr(ctx.frame, "nrows", None)
    if nrows is not None and v["nfolds"] > 1 and v["nfolds"] > nrows:
        add("error", "nfolds", f"nfolds cannot be larger than the number of rows ({nrows}).")


def _stopping_rules(v, ctx, add):
    metric = v["stopping_metric"]
    if v["stopping_rounds"] == 0:
        if metric != "AUTO":
            add("warning", "stopping_metric", "Stopping metric is ignored for stopping_rounds=0.")
        if v["stopping_tolerance"] != parameter_info("stopping_tolerance").default:
            add("warning", "stopping_tolerance", "Stopping tolerance is ignored for stopping_rounds=0.")
    if ctx.autoencoder:
        if metric not in ("AUTO", "MSE"):
            add("error", "stopping_metric", "Stopping metric must either be AUTO or MSE for autoencoder.")
    elif v["stopping_rounds"] > 0:
        if ctx.classification and metric == "deviance":
            add("error", "stopping_metric", "Stopping metric cannot be deviance for classification.")
        if ctx.classification is False and metric in N.CLASSIFICATION_ONLY_METRICS:
            add("error", "stopping_metric", f"Stopping metric cannot be {metric} for regression.")
        if ctx.classification and ctx.nclasses > 2 and metric in ("AUC", "AUCPR") \
                and v["auc_type"] in ("AUTO", "NONE"):
            add("error", "stopping_metric", f"Stopping metric {metric} for multinomial classification needs an "
                "auc_type other than AUTO or NONE (e.g. MACRO_OVR).")
    if metric in ("custom", "custom_increasing") and v["custom_metric_func"] is None:
        add("error", "custom_metric_func", "Custom metric function needs to be defined in order to use it for early "
            "stopping.")


def _misc_rules(v, ctx, add):
    if ctx.autoencoder and (v["nfolds"] or 0) > 1:
        add("error", "nfolds", "N-fold cross-validation is not supported for Autoencoder.")
    if ctx.autoencoder and v["custom_metric_func"] is not None:
        add("error", "custom_metric_func", "Custom metric is not supported for Autoencoder.")
    if ctx.autoencoder and v["categorical_encoding"] == "SortByResponse":
        add("error", "categorical_encoding", "Categorical encoding scheme cannot be SortByResponse - no response "
            "column available.")
    if v["balance_classes"] and ctx.classification is False:
        add("error", "balance_classes", "balance_classes requires classification.")
    if v["class_sampling_factors"] is not None and not v["balance_classes"]:
        add("error", "class_sampling_factors", "class_sampling_factors requires balance_classes to be enabled.")
    factors = v["class_sampling_factors"]
    if ctx.classification and v["balance_classes"] and factors is not None and len(factors) != ctx.nclasses:
        add("error", "class_sampling_factors", f"class_sampling_factors must have {ctx.nclasses} elements")
    if v["offset_column"] is not None and (ctx.classification or ctx.autoencoder):
        add("error", "offset_column", "Offset is only supported for regression.")
    pretrained = v["pretrained_autoencoder"]
    if pretrained is not None:
        pre_problem = getattr(getattr(pretrained, "params", None), "problem", None) if is_model_like(pretrained) \
            else None
        if ctx.autoencoder or (pre_problem is not None and pre_problem != "autoencoder"):
            add("error", "pretrained_autoencoder", "The pretrained model must be unsupervised (an autoencoder), and "
                "the model to be trained must be supervised.")
    directory = v["export_checkpoints_dir"]
    if directory:
        target = directory if os.path.isdir(directory) else os.path.dirname(os.path.abspath(directory))
        if not (os.path.isdir(target) and os.access(target, os.W_OK)):
            add("error", "export_checkpoints_dir", "Checkpoints directory path must point to a writable path.")


def _column_exists(v, frame, name, label, add):
    col = v[name]
    if col is None:
        return False
    if col not in frame.types:
        add("error", name, f"{label} '{col}' not found in the training frame.{N.did_you_mean(col, frame.names)}")
        return False
    return True


def _frame_rules(v, ctx, frame, add):
    if getattr(frame, "nrows", None) == 0:  # every column rule would misread an empty frame (e.g. "constant")
        add("error", "training_frame", f"Training frame '{getattr(frame, 'name', '')}' has no rows; training needs "
            "at least one.")
        return
    types = frame.types
    response = v["response_column"]
    if not ctx.autoencoder:
        if response is None:
            add("error", "response_column", "Response column parameter not set.")
        elif response not in types:
            add("error", "response_column", f"Response column '{response}' not found in the training frame."
                f"{N.did_you_mean(response, frame.names)}")
        else:
            _response_rules(v, ctx, frame, add)
    for col in v["ignored_columns"] or ():
        if col not in types:
            add("error", "ignored_columns", f"Ignored column '{col}' not found in the training frame."
                f"{N.did_you_mean(col, frame.names)}")
        elif col == response and not ctx.autoencoder:
            add("info", "ignored_columns", f"Response column '{col}' is listed in ignored_columns; it is still used "
                "as the response.")
    weights = None
    if _column_exists(v, frame, "weights_column", "Weights column", add):
        col = v["weights_column"]
        if types[col] not in _NUMERIC:
            add("error", "weights_column", f"Invalid weights column '{col}', weights must be numeric")
        else:
            weights = _numeric(frame, col)
            if weights is not None and len(weights):
                if np.isnan(weights).any():
                    add("error", "weights_column", "Weights cannot have missing values.")
                if np.nanmin(weights) < 0:
                    add("error", "weights_column", "Weights must be >= 0")
                if not np.nanmax(weights) > 0:
                    add("error", "weights_column", "Max. weight must be > 0")
    if _column_exists(v, frame, "offset_column", "Offset column", add):
        col = v["offset_column"]
        if types[col] not in _NUMERIC:
            add("error", "offset_column", f"Invalid offset column '{col}', offset must be numeric")
        else:
            values = _numeric(frame, col)
            if values is not None and np.isnan(values).any():
                add("error", "offset_column", "Offset cannot have missing values.")
        if col == v["weights_column"]:
            add("error", "offset_column", "Offset must be different from weights")
    if _column_exists(v, frame, "fold_column", "Fold column", add):
        col = v["fold_column"]
        if types[col] not in ("int", "enum"):
            add("error", "fold_column", f"Invalid fold column '{col}', fold must be integer or categorical")
        folds = _numeric(frame, col)
        if folds is not None and len(folds):
            if np.nanmin(folds) < 0:
                add("error", "fold_column", f"Invalid fold column '{col}', fold must be non-negative")
            if np.nanmin(folds) == np.nanmax(folds):
                add("error", "fold_column", f"Invalid fold column '{col}', fold cannot be constant")
            if np.isnan(folds).any():
                add("error", "fold_column", "Fold cannot have missing values.")
        if col == v["weights_column"]:
            add("error", "fold_column", "Fold must be different from weights")
        if col == v["offset_column"]:
            add("error", "fold_column", "Fold must be different from offset")
    if v["balance_classes"] and ctx.classification and weights is not None and \
            not np.all(np.isin(weights[~np.isnan(weights)], (0.0, 1.0))):
        add("error", "balance_classes", "Balance classes and observation weights are not currently supported "
            "together.")
    predictors = predictor_columns(v, frame)
    if not predictors:
        add("error", "training_frame", "Training data must have at least 2 features (incl. response)."
            if not ctx.autoencoder else "Training data must have at least 1 usable column.")
    elif not any(h <= 0 for h in v["hidden"]):
        _model_size_rule(v, ctx, frame, predictors, add)


def _response_rules(v, ctx, frame, add):
    response = v["response_column"]
    rtype = ctx.response_type
    if rtype not in _NUMERIC and rtype != "enum":
        add("error", "response_column", f"Use numerical, categorical or time variable. Currently used {rtype}")
        return
    for name, label in (("offset_column", "offset_column"), ("weights_column", "weights_column"),
                        ("fold_column", "fold_column")):
        if v[name] == response:
            add("error", "response_column", f"Response column must be different from {label}")
    if ctx.classification and ctx.nclasses > MAX_CLASSES:
        add("error", "response_column", f"Too many levels in response column: {ctx.nclasses}, maximum supported "
            f"number of classes is {MAX_CLASSES}.")
    y = _numeric(frame, response)
    if y is None:
        return
    present = y[~np.isnan(y)]
    if present.size == 0:
        add("error", "response_column", f"Response column '{response}' has no values: it is missing in every row.")
        return
    if present.min() == present.max():
        add("error", "response_column", "Response cannot be constant.")
        return
    if not ctx.classification and np.all((present == 0) | (present == 1)):
        add("warning", "response_column", "We have detected that your response column has only 2 unique values "
            "(0/1). If you wish to train a binary model instead of a regression model, convert your target column "
            "to categorical before training.")
    dist = v["distribution"]
    if dist in ("poisson", "gamma", "tweedie") and present.min() < 0:
        add("error", "response_column", f"Response must be non-negative for {dist.capitalize()} distribution.")


def _model_size_rule(v, ctx, frame, predictors, add):
    """H2O refuses networks of more than 1e8 weights + biases (inputs counted with one missing slot per enum)."""
    all_levels = v["use_all_factor_levels"] or ctx.autoencoder
    types = frame.types
    n_cat = sum(len(frame.domain(c)) + (0 if all_levels else -1) + 1 for c in predictors if types[c] == "enum")
    n_cat = min(n_cat, v["max_categorical_features"])
    n_in = n_cat + sum(1 for c in predictors if types[c] != "enum")
    n_out = n_in if ctx.autoencoder else (ctx.nclasses or 1)
    units = [n_in, *v["hidden"], n_out]
    n_params = sum(units[i] * units[i + 1] + units[i + 1] for i in range(len(units) - 1))
    if n_params > MAX_MODEL_PARAMETERS:
        add("error", "hidden", f"Model is too large: {n_params} parameters. Try reducing the number of neurons in the "
            "hidden layers (or reduce the number of categorical factors).")


def _validation_frame_rules(v, ctx, frame, valid, add):
    if getattr(valid, "nrows", None) == 0:
        add("error", "validation_frame", "Validation Frame must have > 0 rows.")
    response = v["response_column"]
    if not ctx.autoencoder and response is not None and response not in valid.types:
        add("error", "validation_frame", f"Validation Frame must have a response column '{response}'.")
    for col in predictor_columns(v, frame):
        if col not in valid.types:
            add("warning", "validation_frame", f"Validation Frame is missing column '{col}': it is filled with "
                "missing values.")
        elif frame.types[col] in _NUMERIC and valid.types[col] == "enum":
            add("error", "validation_frame", f"Validation Frame has a categorical column '{col}' which is numeric "
                "in the training data.")


# ---------------------------------------------------------------------------------------------------- checkpoints
def _comparable(name, value):
    if name in ("training_frame", "validation_frame"):
        return frame_name(value)
    if name in ("checkpoint", "pretrained_autoencoder"):
        return model_key(value)
    if name == "ignored_columns":
        return sorted(value or ())
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def check_checkpoint_compatible(old_params, new_params):
    """Errors for parameters a checkpoint restart may not change (H2O ``Sanity.checkIfParameterChangeAllowed``).

    ``old_params`` is the checkpointed model's parameters (``ResolvedParameters`` or ``DeepLearningParameters``),
    ``new_params`` the restart's. H2O compares the user-given values only, so restarting an AUTO model with the
    AUTO value spelled out fails there (h2o-3#16717); here a new value equal to the old resolved value is accepted.
    Whether epochs exceed the epochs already trained is the trainer's check (it knows the model's progress).
    """
    old_actual = dict(old_params.values) if hasattr(old_params, "problem") else None
    old = as_parameters(old_params, strict=False).values()
    new = as_parameters(new_params, strict=False).values()
    out = []
    for name in PARAMETER_NAMES:
        info = parameter_info(name)
        if info.checkpoint_modifiable:
            continue
        o, n = _comparable(name, old[name]), _comparable(name, new[name])
        if info.checkpoint_differs is not None:
            differs = info.checkpoint_differs(o, n)
        else:
            differs = o != n and not (old_actual is not None and _comparable(name, old_actual.get(name)) == n)
        if name == "response_column" and new["autoencoder"] and old["autoencoder"]:
            differs = False
        if differs:
            text = info.checkpoint_message or "Cannot change parameter: '{name}': {old} -> {new}"
            out.append(Message("error", name, text.format(name=name, old=o, new=n)))
    return out
