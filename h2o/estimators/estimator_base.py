"""``H2OEstimator``: H2O's estimator-that-becomes-its-model, over the engine's ``DeepLearning`` and
``DeepLearningModel``.

Parameters are kept as the user gave them (``input_value``); ``train`` translates H2O's call (x/y by name or index,
frames, models by id) onto ``DeepLearning(**params).train(...)``; after training every accessor reads the engine's
model. Parameter errors come back as ``H2OResponseError`` in H2O's "ERRR on field" form.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from deepbrook.engine import DeepLearning, Frame, ParameterError, TrainingError, parameter_info
from deepbrook.engine import DeepLearningParameters

from .. import session
from ..exceptions import H2OResponseError, H2OTypeError, H2OValueError
from ..frame import H2OFrame
from ..model.metrics import wrap_metrics
from ..two_dim_table import H2OTwoDimTable

PARAMETER_NAMES = tuple(n for n in DeepLearningParameters.param if n != "name")
_FRAME_PARAMS = ("training_frame", "validation_frame")
_MODEL_PARAMS = ("checkpoint", "pretrained_autoencoder")
_SPECIAL_COLUMNS = ("weights_column", "offset_column", "fold_column")
_AUTO_EVALUATED = ("distribution", "stopping_metric", "categorical_encoding", "fold_assignment")
_TYPES = {"binomial": "classifier", "multinomial": "classifier", "regression": "regressor",
          "autoencoder": "unsupervised"}


def _plain(value):
    """A parameter value as H2O's JSON shows it: frames by key, models by id, tuples as lists."""
    if isinstance(value, H2OFrame):
        return value.frame_id
    if isinstance(value, H2OEstimator):
        return value.model_id
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _model_metric(method):
    """``model.<method>(train=False, valid=False, xval=False)``: one metric of the training (default), validation
    or cross-validation metrics; a dict when several are asked for."""
    def accessor(self, train=False, valid=False, xval=False):
        return self._metric(method, train, valid, xval)
    accessor.__name__ = method
    return accessor


class H2OEstimator:
    """Base of H2O's estimators: set parameters, ``train``, then use the object as the model."""

    algo = "deeplearning"
    _fixed = {}

    def __init__(self, **kwargs):
        object.__setattr__(self, "_parms", {})
        object.__setattr__(self, "_model", None)
        object.__setattr__(self, "_evaluated_auto", True)
        for name, value in kwargs.items():
            setattr(self, name, value)
        for name, value in self._fixed.items():
            self._parms[name] = value

    # ------------------------------------------------------------------ parameters as attributes
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in PARAMETER_NAMES:
            return self._parms.get(name, parameter_info(name).default)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name in PARAMETER_NAMES:
            self._parms[name] = value
        elif name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            raise H2OValueError(f"Unknown parameter {name} = {value!r}", var_name=name)

    @classmethod
    def _from_engine(cls, model, keep=True):
        """An estimator around an engine model (load_model, grid and cross-validation models)."""
        from .deeplearning import H2OAutoEncoderEstimator, H2ODeepLearningEstimator
        kind = H2OAutoEncoderEstimator if model.problem == "autoencoder" else H2ODeepLearningEstimator
        est = kind.__new__(kind)
        object.__setattr__(est, "_parms", {k: v for k, v in dict(model.params.input).items()
                                           if v != parameter_info(k).default} if hasattr(model.params, "input")
                           else {})
        object.__setattr__(est, "_model", model)
        object.__setattr__(est, "_evaluated_auto", True)
        if keep:
            session.keep(model.key, est)
        return est

    @property
    def model_id(self):
        return self._model.key if self._model is not None else self._parms.get("model_id")

    @model_id.setter
    def model_id(self, value):
        self._parms["model_id"] = value

    key = model_id

    @property
    def type(self):
        return _TYPES.get(self._trained().problem)

    def _trained(self):
        if self._model is None:
            raise H2OValueError(f"{type(self).__name__} has not been trained yet: call train() first")
        return self._model

    # ------------------------------------------------------------------ training
    def train(self, x=None, y=None, training_frame=None, offset_column=None, fold_column=None,
              weights_column=None, validation_frame=None, max_runtime_secs=None, ignored_columns=None,
              model_id=None, verbose=False):
        """Train on ``training_frame``; x and y are column names or indices. Returns this estimator (now the
        model)."""
        tf = self._frame(training_frame if training_frame is not None else self._parms.get("training_frame"),
                         "training_frame")
        if tf is None:
            raise H2OValueError("training_frame is required", var_name="training_frame")
        vf = self._frame(validation_frame if validation_frame is not None
                         else self._parms.get("validation_frame"), "validation_frame")
        names = tf.names
        y_name = None if y is None else _column_name(names, y, "y")
        if y_name is None and self._parms.get("response_column") is not None:
            y_name = self._parms["response_column"]
        special = {"weights_column": weights_column, "offset_column": offset_column, "fold_column": fold_column}
        params = {k: v for k, v in self._parms.items() if k not in _FRAME_PARAMS}
        for k, v in special.items():
            if v is not None:
                params[k] = _column_name(names, v, k)
        if max_runtime_secs is not None:
            params["max_runtime_secs"] = max_runtime_secs
        if model_id is not None:
            params["model_id"] = model_id
        ignored = [_column_name(names, c, "ignored_columns") for c in (ignored_columns or
                                                                         params.pop("ignored_columns", None) or [])]
        params.pop("ignored_columns", None)
        skip = {y_name, *[params.get(k) for k in _SPECIAL_COLUMNS]}
        if x is None:
            x_names = [c for c in names if c not in skip and c not in ignored]
        else:
            x_names = [_column_name(names, c, "x") for c in ([x] if isinstance(x, (str, numbers.Integral)) else x)]
            x_names = [c for c in dict.fromkeys(x_names) if c not in skip]
        for name in _MODEL_PARAMS:
            if params.get(name) is not None:
                params[name] = _engine_model(params[name], name)
        for name in ("initial_weights", "initial_biases"):
            if params.get(name) is not None:
                params[name] = [None if f is None else self._frame(f, name)._fr for f in params[name]]
        if params.get("custom_metric_func") is not None:
            from ..api import custom_metric
            params["custom_metric_func"] = custom_metric(params["custom_metric_func"])
        evaluated = session.evaluate_auto_parameters()
        try:
            model = DeepLearning(**params).train(x=x_names, y=y_name, training_frame=tf._fr,
                                                 validation_frame=vf._fr if vf is not None else None)
        except ParameterError as e:
            raise H2OResponseError(_illegal_arguments(params.get("model_id"), e)) from e
        except TrainingError as e:
            raise H2OResponseError(f"DeepLearning model {params.get('model_id') or ''} failed: {e}") from e
        if self._model is not None and self._model.key != model.key:
            session.forget(self._model.key) if session.lookup(self._model.key) is self else None
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_evaluated_auto", evaluated)
        session.keep(model.key, self)
        self._keep_weight_frames()
        return self

    def _keep_weight_frames(self):
        """export_weights_and_biases: the engine names the frames; they are registered under those keys."""
        model = self._model
        for kind in ("weights", "biases"):
            for k, key in enumerate(model.output.get(f"{kind}_keys") or []):
                session.keep(key, H2OFrame._wrap(_matrix_frame(model, kind, k), key=key, keep=True))

    @staticmethod
    def _frame(obj, name):
        if obj is None:
            return None
        if isinstance(obj, str):
            from ..api import get_frame
            return get_frame(obj)
        if isinstance(obj, H2OFrame):
            return obj
        raise H2OTypeError(name, obj, type(obj).__name__, "an H2OFrame or a frame key")

    # ------------------------------------------------------------------ parameters after training
    @property
    def parms(self):
        """Per parameter: name, label, help, type, default_value, input_value, actual_value, gridable..."""
        actual = self._actual_values()
        out = {}
        for name in PARAMETER_NAMES:
            info = parameter_info(name)
            default = _plain(info.default)
            out[name] = {"name": name, "label": info.label, "help": info.doc, "required": info.required,
                         "type": info.h2o_type, "default_value": default,
                         "input_value": _plain(self._parms.get(name, info.default)),
                         "actual_value": actual.get(name, _plain(self._parms.get(name, info.default))),
                         "level": info.group, "values": list(info.values or []), "gridable": info.gridable}
        return out

    @property
    def params(self):
        """{name: {"default", "actual", "input"}} (H2O's ``model.params``)."""
        return {k: {"default": v["default_value"], "actual": v["actual_value"], "input": v["input_value"]}
                for k, v in self.parms.items()}

    @property
    def actual_params(self):
        return {k: v["actual_value"] for k, v in self.parms.items()}

    def _actual_values(self):
        """H2O's actual values: the engine's resolved parameters, with H2O's display rules for AUTO."""
        if self._model is None:
            return {}
        resolved = self._model.params
        actual = {k: _plain(v) for k, v in dict(getattr(resolved, "actual", {})).items()}
        inputs = dict(getattr(resolved, "input", {}))
        cv_main = int(actual.get("nfolds") or 0) > 1 or bool(actual.get("fold_column"))
        if not cv_main:
            actual["fold_assignment"] = None                 # H2O: no folds, no fold assignment
        elif self._model.output.get("cross_validation_models") is not None:
            actual["stopping_metric"] = None                 # the main model of a cross-validation stops by epochs
        if not self._evaluated_auto:                         # evaluate_auto_model_parameters = false
            for name in _AUTO_EVALUATED:
                if inputs.get(name) == "AUTO":
                    actual[name] = "AUTO"
        return actual

    # ------------------------------------------------------------------ scoring
    def predict(self, test_data, custom_metric=None, custom_metric_func=None):
        frame = self._frame(test_data, "test_data")
        pred = self._trained().predict(frame._fr)
        return H2OFrame._wrap(pred, key=pred.name, keep=True)

    def model_performance(self, test_data=None, train=False, valid=False, xval=False, **_kw):
        """Metrics on ``test_data`` (computed now), else the training / validation / cross-validation ones."""
        model = self._trained()
        if test_data is not None:
            return wrap_metrics(model.model_performance(self._frame(test_data, "test_data")._fr))
        if train or not (valid or xval):  # H2O's order: train, then valid, then xval
            return wrap_metrics(model.output.get("training_metrics"))
        if valid:
            return wrap_metrics(model.output.get("validation_metrics"))
        return wrap_metrics(model.output.get("cross_validation_metrics"))

    def _metric(self, method, train=False, valid=False, xval=False):
        which = [k for k, flag in (("train", train), ("valid", valid), ("xval", xval)) if flag] or ["train"]
        values = {}
        for k in which:
            m = self.model_performance(train=k == "train", valid=k == "valid", xval=k == "xval")
            values[k] = getattr(m, method)() if m is not None and hasattr(m, method) else None
        return values[which[0]] if len(which) == 1 else values

    auc = _model_metric("auc")
    aucpr = _model_metric("aucpr")
    gini = _model_metric("gini")
    logloss = _model_metric("logloss")
    mse = _model_metric("mse")
    rmse = _model_metric("rmse")
    r2 = _model_metric("r2")
    mae = _model_metric("mae")
    mean_residual_deviance = _model_metric("mean_residual_deviance")
    mean_per_class_error = _model_metric("mean_per_class_error")
    confusion_matrix = _model_metric("confusion_matrix")
    hit_ratio_table = _model_metric("hit_ratio_table")
    gains_lift = _model_metric("gains_lift")
    custom_metric_value = _model_metric("custom_metric_value")

    def error(self, train=False, valid=False, xval=False):
        """Classification error (at the max-F1 threshold for binomial models); H2OValueError for others."""
        if self.type != "classifier":
            raise H2OValueError("error() is defined for classification models; use mse() or rmse()")
        return self._metric("error", train, valid, xval)

    # ------------------------------------------------------------------ model outputs
    def scoring_history(self):
        return self._trained().scoring_history()

    def varimp(self, use_pandas=False):
        """[(variable, relative_importance, scaled_importance, percentage), ...] or the pandas table."""
        table = self._trained().varimp()
        if table is None:
            print("Warning: This model doesn't have variable importances")
            return None
        if use_pandas:
            return table.copy()
        return [tuple(r) for r in table[["variable", "relative_importance", "scaled_importance",
                                         "percentage"]].itertuples(index=False, name=None)]

    def varimp_plot(self, num_of_features=None, server=False, save_plot_path=None):
        """A Bokeh figure: horizontal bars of scaled importance, most important on top."""
        from bokeh.plotting import figure
        rows = self.varimp()
        if not rows:
            raise H2OValueError("This model doesn't have variable importances")
        rows = rows[: num_of_features or 10][::-1]
        names = [str(r[0]) for r in rows]
        fig = figure(y_range=names, height=max(200, 30 * len(names) + 80), width=600,
                     title=f"Variable Importance: {self.model_id}", x_axis_label="Scaled importance",
                     toolbar_location=None)
        fig.hbar(y=names, right=[r[2] for r in rows], height=0.7)
        if save_plot_path:
            from bokeh.io import save
            save(fig, filename=save_plot_path)
        return fig

    def summary(self):
        return H2OTwoDimTable.from_pandas(self._trained().summary(), "Status of Neuron Layers")

    def show(self):
        print(repr(self))

    def __repr__(self):
        if self._model is None:
            return f"{type(self).__name__} (not trained) {self._parms}"
        m = self._model
        parts = [f"Model Details\n=============\n{type(self).__name__} : Deep Learning\nModel Key: {m.key}\n",
                 repr(self.summary()) if self.summary() is not None else ""]
        for label, key in (("Training", "training_metrics"), ("Validation", "validation_metrics"),
                           ("Cross-Validation", "cross_validation_metrics")):
            if m.output.get(key) is not None:
                parts.append(f"\nModelMetrics reported on {label.lower()} data:\n{m.output[key]!r}")
        history = self.scoring_history()
        if len(history):
            parts.append("\nScoring History:\n" + history.to_string(index=False, max_rows=20))
        vi = m.varimp()
        if vi is not None:
            parts.append("\nVariable Importances:\n" + vi.head(20).to_string(index=False))
        return "\n".join(parts)

    # ------------------------------------------------------------------ network internals
    def weights(self, matrix_id=0):
        """Weight matrix ``matrix_id`` as a frame (rows = units, columns = inputs); needs
        export_weights_and_biases=True, as in H2O."""
        return self._exported("weights", matrix_id)

    def biases(self, vector_id=0):
        """Bias vector ``vector_id`` as a one-column frame; needs export_weights_and_biases=True."""
        return self._exported("biases", vector_id)

    def _exported(self, kind, i):
        keys = self._trained().output.get(f"{kind}_keys") or []
        if not 0 <= int(i) < len(keys):
            raise H2OValueError(f"{'Weight matrix' if kind == 'weights' else 'Bias vector'} does not exist. Model "
                                f"has {len(keys)} {'weight matrices' if kind == 'weights' else 'bias vectors'} "
                                f"(0-based indexing), but {i} was requested"
                                + ("" if keys else " (train with export_weights_and_biases=True)."))
        from ..api import get_frame
        return get_frame(keys[int(i)])

    def normmul(self):
        return [float(v) for v in self._trained().data_info.num_mul]

    def normsub(self):
        return [float(v) for v in self._trained().data_info.num_sub]

    def respmul(self):
        info = self._trained().data_info
        return [1.0 / info.response_sd] if self.type == "regressor" and info.response_sd else None

    def respsub(self):
        info = self._trained().data_info
        return [info.response_mean] if self.type == "regressor" else None

    def catoffsets(self):
        return [int(v) for v in self._trained().data_info.cat_block_starts]

    def anomaly(self, test_data, per_feature=False):
        """Per-row reconstruction MSE (or per input squared error) of an autoencoder on ``test_data``."""
        out = self._trained().anomaly(self._frame(test_data, "test_data")._fr, per_feature=per_feature)
        return H2OFrame._wrap(out)

    def deepfeatures(self, test_data, layer):
        """Activations of hidden layer ``layer`` (0-based) for each row of ``test_data``."""
        out = self._trained().deepfeatures(self._frame(test_data, "test_data")._fr, layer)
        return H2OFrame._wrap(out)

    # ------------------------------------------------------------------ cross-validation
    def _cv_output(self, key):
        out = self._trained().output.get(key)
        if out is None:
            return None
        return out

    def cross_validation_models(self):
        models = self._cv_output("cross_validation_models")
        if models is None:
            return None
        from ..api import get_model
        return [get_model(m) if isinstance(m, str) else H2OEstimator._from_engine(m) for m in models]

    def cross_validation_predictions(self):
        tables = self._cv_output("cross_validation_predictions")
        return None if tables is None else [H2OFrame._wrap(Frame.from_pandas(t)) for t in tables]

    def cross_validation_holdout_predictions(self):
        table = self._cv_output("cross_validation_holdout_predictions")
        return None if table is None else H2OFrame._wrap(Frame.from_pandas(table))

    def cross_validation_fold_assignment(self):
        table = self._cv_output("cross_validation_fold_assignment")
        return None if table is None else H2OFrame._wrap(Frame.from_pandas(pd.DataFrame(table)))

    def cross_validation_metrics_summary(self):
        table = self._cv_output("cross_validation_metrics_summary")
        return None if table is None else H2OTwoDimTable.from_pandas(table, "Cross-Validation Metrics Summary",
                                                                     index_name="")


def _column_name(names, col, what):
    if isinstance(col, (numbers.Integral, np.integer)) and not isinstance(col, bool):
        if not 0 <= int(col) < len(names):
            raise H2OValueError(f"Column {col} does not exist in the training frame ({len(names)} columns)",
                                var_name=what)
        return names[int(col)]
    if isinstance(col, str):
        if col not in names:
            raise H2OValueError(f"Column {col} does not exist in the training frame", var_name=what)
        return col
    raise H2OTypeError(what, col, type(col).__name__, "a column name or index")


def _engine_model(obj, name):
    if isinstance(obj, H2OEstimator):
        return obj._trained()
    if isinstance(obj, str):
        from ..api import get_model
        return get_model(obj)._trained()
    return obj


def _illegal_arguments(model_id, error):
    """H2O's server message for parameters that failed validation."""
    found = [(m.level, m.parameter, m.message) if hasattr(m, "parameter") else tuple(m)
             for m in getattr(error, "messages", [])]
    details = "\n".join(f"ERRR on field: _{p}: {text}" for level, p, text in found if level == "error") \
        or str(error)
    return (f"Illegal argument(s) for DeepLearning model: {model_id or '(new model)'}.  Details:\n{details}")


def _matrix_frame(model, kind, k):
    """One exported weight matrix (rows = units, columns = inputs) or bias vector (one column) as a Frame."""
    if kind == "biases":
        return Frame.from_arrays({"C1": np.asarray(model.biases(k), dtype=np.float64)})
    w = np.asarray(model.weights(k), dtype=np.float64)
    names = list(model.data_info.coef_names) if k == 0 else [f"C{j + 1}" for j in range(w.shape[1])]
    return Frame.from_arrays({n: w[:, j] for j, n in enumerate(names)})
