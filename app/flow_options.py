"""H2O's option names and value forms, as Flow writes them, translated onto the engine's API.

Flow sends what H2O's REST API takes: parse options such as ``parse_type: "CSV"``, ``separator: 44`` (a character
code), ``check_header: -1``, ``column_types: ["Numeric", "Enum"]``; model parameters as JSON where numbers may be
strings (``"epochs": "0.1"``, ``"max_w2": "Infinity"``) and ``""`` means "not set". Options that have no meaning
on one machine are accepted and reported as notes, never dropped silently; options we cannot honour are errors.
"""
from __future__ import annotations

import math

from .routines import RoutineError

# ------------------------------------------------------------------------------------------------ parse options
PARSE_TYPES = {"csv": "csv", "arff": "arff", "xls": "xls", "xlsx": "xlsx", "svmlight": "svmlight",
               "parquet": "parquet"}
GUESSED_PARSE_TYPES = {"auto", "guess", ""}
# H2O column type names (Flow's dropdown) -> engine types; "Numeric" lets the data decide int or real.
COLUMN_TYPES = {"numeric": "int", "enum": "enum", "string": "string", "time": "time", "uuid": "uuid"}
KEEP_GUESS = {"unknown", "auto", ""}
# H2O parse options that only tune H2O's distributed store: no effect when one process reads the file.
NO_EFFECT_PARSE = {
    "delete_on_done": "the files are read in place, never copied into the workspace, so there is nothing to delete",
    "chunk_size": "the reader chooses its own block size",
    "blocking": "parseFiles always waits for the parse to finish",
}


class OptionError(RoutineError):
    """An H2O option that cannot be honoured (unknown, or a value this app cannot do); names the option."""


def h2o_parse_options(options: dict):
    """(engine parse_setup overrides, after(setup) hook, notes) for H2O/Flow parse options."""
    options = dict(options)
    overrides, notes, ignored = {}, [], []
    parse_type = options.pop("parse_type", None)
    if parse_type is not None:
        key = str(parse_type).strip().lower()
        if key not in GUESSED_PARSE_TYPES:
            if key not in PARSE_TYPES:
                raise OptionError(f"parse_type {parse_type!r} is not supported; use one of CSV, ARFF, XLS, XLSX, "
                                  f"SVMLight, PARQUET (ORC and AVRO files need converting first)")
            overrides["file_type"] = PARSE_TYPES[key]
    sep = options.pop("separator", None)
    if sep is not None and sep != -1 and sep != "":
        overrides["separator"] = sep
    header = options.pop("check_header", None)
    if header is not None:
        if header not in (-1, 0, 1):
            raise OptionError(f"check_header must be 1 (first line is a header), -1 (it is data) or 0 (guess), "
                              f"got {header!r}")
        if header != 0:
            overrides["header"] = header
    if options.pop("single_quotes", False):
        overrides["quote"] = "'"
    if options.get("column_names") is not None:
        overrides["column_names"] = list(options.pop("column_names"))
    options.pop("column_names", None)
    if options.get("skipped_columns") is not None:
        overrides["skip_columns"] = [int(i) for i in options.pop("skipped_columns")]
    na = options.pop("na_strings", None)
    if na:
        flat = [v for item in na for v in (item if isinstance(item, list) else [item]) if v is not None]
        overrides["na_strings"] = sorted(set(flat) | {""})
        if any(isinstance(item, list) for item in na) and len({tuple(i) for i in na if isinstance(i, list)}) > 1:
            notes.append("na_strings per column: every listed string is NA in every column here")
    number_columns = options.pop("number_columns", None)
    types = options.pop("column_types", None)
    if isinstance(types, dict):  # {column: type}: the engine's own form, H2O type names allowed
        overrides["column_types"] = {k: COLUMN_TYPES.get(str(t).strip().lower(), t) for k, t in types.items()}
        types = None
    for key in list(options):
        if key in NO_EFFECT_PARSE:
            ignored.append(f"{key} ({NO_EFFECT_PARSE[key]})")
            options.pop(key)
    overrides.update(options)  # the engine's own names (header, quote, encoding, ...); it rejects unknown ones
    if ignored:
        notes.append("ignored, no effect here: " + "; ".join(ignored))

    def after(setup):
        """Checks and column types that need the setup's columns (number_columns, H2O type names)."""
        from deepbrook.engine import ParseError

        names = list(setup.column_names)
        label = ", ".join(str(p) for p in setup.paths)
        if number_columns is not None and int(number_columns) != len(names):
            raise ParseError(f"number_columns is {number_columns} but {label} has {len(names)} columns")
        if types is not None:
            if not isinstance(types, list) or len(types) != len(names):
                raise ParseError(f"column_types has {len(types) if isinstance(types, list) else 'no list of'} "
                                 f"types but {label} has {len(names)} columns")
            for name, t in zip(names, types):
                key = str(t).strip().lower()
                if key in KEEP_GUESS:
                    continue
                if key not in COLUMN_TYPES:
                    raise ParseError(f"column_types: unknown type {t!r} for column '{name}'; use one of "
                                     f"Numeric, Enum, String, Time, UUID", column=name)
                setup.column_types[name] = COLUMN_TYPES[key]
            setup.resolved_columns()

    return overrides, after, notes


# ------------------------------------------------------------------------------------------------ model parameters
_NUMBER_TYPES = {"double", "float"}
_INTEGER_TYPES = {"int", "long"}
_KEY_TYPES = {"Key<Model>", "Key<Frame>", "VecSpecifier", "string", "enum"}


def _number(text, name, integer):
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise OptionError(f"{name} must be a number, got {text!r}") from None
    if not integer:
        return v
    if not math.isfinite(v) or v != int(v):
        raise OptionError(f"{name} must be a whole number, got {text!r}")
    return int(text) if isinstance(text, str) and text.strip().lstrip("-").isdigit() else int(v)


def _coerce(name, value, h2o_type):
    """One value as Flow writes it -> the value the engine's parameter takes."""
    base = h2o_type[:-2] if h2o_type.endswith("[]") else h2o_type
    if h2o_type.endswith("[]") and isinstance(value, list):
        return [_coerce(name, v, base) for v in value] if base in _NUMBER_TYPES | _INTEGER_TYPES else value
    if isinstance(value, str) and base in _NUMBER_TYPES | _INTEGER_TYPES:
        if h2o_type.endswith("[]"):  # "0.5, 0.5"
            return [_number(v, name, base in _INTEGER_TYPES) for v in value.split(",") if v.strip()]
        return _number(value, name, base in _INTEGER_TYPES)
    if isinstance(value, float) and base in _INTEGER_TYPES and value == int(value):
        return int(value)
    if isinstance(value, str) and h2o_type == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def h2o_model_parameters(params: dict):
    """(engine parameters, notes) from Flow's buildModel JSON; unknown keys are left out and listed in the notes."""
    from deepbrook import engine as eng

    known = set(eng.DeepLearningParameters.param) - {"name"}
    out, unknown = {}, []
    for name, value in params.items():
        if name == "model_id":
            out[name] = value or None
            continue
        if name not in known:
            unknown.append(name)
            continue
        info = eng.parameter_info(name)
        if value == "" and (info.h2o_type in _KEY_TYPES or info.default is None):
            continue  # Flow writes "" for "not set" (an empty checkpoint, no validation frame)
        out[name] = _coerce(name, value, info.h2o_type)
    notes = [f"ignored, not a Deep Learning parameter here: {', '.join(unknown)}"] if unknown else []
    return out, notes


# ------------------------------------------------------------------------------------------------ grid search
GRID_KEYS = ("grid_id", "hyper_parameters", "search_criteria")
SEARCH_CRITERIA = {"strategy": "enum", "max_models": "int", "max_runtime_secs": "double", "seed": "long",
                   "stopping_rounds": "int", "stopping_metric": "enum", "stopping_tolerance": "double"}
STRATEGIES = ("Cartesian", "RandomDiscrete")


def is_grid_call(params: dict) -> bool:
    """Flow's form writes a grid as buildModel parameters holding `hyper_parameters` (and grid_id,
    search_criteria)."""
    return isinstance(params, dict) and params.get("hyper_parameters") is not None


def h2o_grid_parameters(params: dict):
    """(fixed engine parameters, grid_id, hyper_parameters, search_criteria, notes) from Flow's grid buildModel
    JSON: `{..., grid_id: "g", hyper_parameters: {hidden: [[10], [20]], epochs: [1, 2]}, search_criteria:
    {strategy: "RandomDiscrete", max_models: 3}}`. Hyper-parameter values are coerced like single values; a
    name that is not a gridable Deep Learning parameter, or an unknown search criterion, is an error."""
    from deepbrook import engine as eng

    rest = {k: v for k, v in params.items() if k not in GRID_KEYS}
    grid_id = params.get("grid_id") or None
    hyper, criteria = params.get("hyper_parameters"), params.get("search_criteria") or {}
    if not isinstance(hyper, dict) or not hyper:
        raise OptionError("hyper_parameters must be an object of parameter: [values...], e.g. "
                          "{hidden: [[10], [20]], epochs: [1, 2]}")
    if not isinstance(criteria, dict):
        raise OptionError("search_criteria must be an object such as {strategy: \"Cartesian\"}")
    known = set(eng.DeepLearningParameters.param) - {"name"}
    out = {}
    for name, values in hyper.items():
        if name not in known:
            raise OptionError(f"hyper_parameters: {name!r} is not a Deep Learning parameter")
        info = eng.parameter_info(name)
        if not info.gridable:
            raise OptionError(f"hyper_parameters: {name!r} cannot be gridded (H2O marks it not gridable)")
        if not isinstance(values, list) or not values:
            raise OptionError(f"hyper_parameters: {name} must be a non-empty list of values, got {values!r}")
        out[name] = [_coerce(name, v, info.h2o_type) for v in values]
        rest.pop(name, None)  # a gridded field's single value is not a fixed parameter of the grid
    unknown = sorted(set(criteria) - set(SEARCH_CRITERIA))
    if unknown:
        raise OptionError(f"unknown search_criteria key(s) {', '.join(unknown)}; known: {', '.join(SEARCH_CRITERIA)}")
    sc = {k: _coerce(k, v, SEARCH_CRITERIA[k]) for k, v in criteria.items() if v not in (None, "")}
    strategy = str(sc.get("strategy", "Cartesian"))
    match = [s for s in STRATEGIES if s.lower() == strategy.lower()]
    if not match:
        raise OptionError(f"search_criteria strategy {strategy!r} is not Cartesian or RandomDiscrete")
    sc["strategy"] = match[0]
    fixed, notes = h2o_model_parameters(rest)
    fixed.pop("model_id", None)  # grid models are named <grid_id>_model_<n>
    return fixed, grid_id, out, sc, notes


# ------------------------------------------------------------------------------------------------ predict options
PREDICT_OPTIONS = ("reconstruction_error", "reconstruction_error_per_feature", "deep_features_hidden_layer")


def _unset(value) -> bool:
    """Flow's "not asked for": null, false, "" or -1 (0 is a layer index, though 0 == False in Python)."""
    return value is None or value is False or (isinstance(value, str) and value == "") or \
        (type(value) in (int, float) and value == -1)


def h2o_predict_options(options: dict):
    """(scoring function or None, default name prefix, notes) for Flow's predict options.

    Like H2O, a prediction is one of: the model's predictions, the reconstruction error of an autoencoder (per
    row, ``Reconstruction.MSE``, or per feature), or the deep features of one hidden layer; asking for two is an
    error rather than a silent choice."""
    options = {k: v for k, v in options.items() if not _unset(v)}
    unknown = sorted(set(options) - set(PREDICT_OPTIONS))
    if unknown:
        raise OptionError(f"unknown predict option(s) {', '.join(unknown)}; known: model, frame, "
                          f"predictions_frame, {', '.join(PREDICT_OPTIONS)}")
    per_feature = bool(options.get("reconstruction_error_per_feature"))
    error = per_feature or bool(options.get("reconstruction_error"))
    layer = options.get("deep_features_hidden_layer")
    if error and layer is not None:
        raise OptionError("predict computes either the reconstruction error or the deep features of a hidden layer, "
                          "not both; run two predict cells")
    if error:
        prefix = "reconstruction_error_per_feature" if per_feature else "reconstruction_error"
        return (lambda m, f: m.anomaly(f, per_feature=per_feature)), prefix, []
    if layer is not None:
        if isinstance(layer, bool) or not isinstance(layer, (int, float, str)) or not str(layer).strip().isdigit():
            raise OptionError(f"deep_features_hidden_layer must be the index of a hidden layer (0 for the first), "
                              f"got {layer!r}")
        layer = int(str(layer).strip())
        return (lambda m, f: m.deepfeatures(f, layer)), f"deep_features_L{layer + 1}", []
    return None, "predictions", []


def prediction_name(model: str, frame: str, options: dict) -> str:
    """The frame a predict call without ``predictions_frame`` writes: one name per kind of output, so predicting
    the reconstruction error after the predictions keeps both."""
    return f"{h2o_predict_options(options)[1]}_{model}_on_{frame}"
