"""The effective parameters a model trains with (H2O's ``Sanity.modifyParms`` plus the AUTO resolutions).

``resolve`` validates first and raises ``ParameterError`` listing every error; otherwise it returns a frozen
``ResolvedParameters`` holding the user's ``input`` values, the ``actual`` values used for training and derived
facts (problem type, classes, activation split, predictors). Values are plain Python: frames become their names
and models their keys, so the object can be shown and saved as JSON.
"""
import random
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from ..errors import ParameterError
from . import h2o_names as N
from .declarations import PARAMETER_NAMES, parameter_info
from .rules import Context, Message, _frame_arg, as_parameters, errors, predictor_columns, validate
from .types import frame_name, model_key

_FRAME_PARAMS = ("training_frame", "validation_frame")
_MODEL_PARAMS = ("checkpoint", "pretrained_autoencoder")
_MANUAL_ONLY = ("rate", "rate_annealing", "rate_decay", "momentum_start", "momentum_ramp", "momentum_stable")
_DISTRIBUTION_OF_LOSS = {"Automatic": "gaussian", "Quadratic": "gaussian", "Absolute": "laplace",
                         "Quantile": "quantile", "Huber": "huber"}
_LOSS_OF_DISTRIBUTION = {"gaussian": "Quadratic", "quantile": "Quantile", "laplace": "Absolute", "huber": "Huber",
                         "poisson": "Automatic", "gamma": "Automatic", "tweedie": "Automatic",  # deviance
                         "bernoulli": "CrossEntropy", "multinomial": "CrossEntropy"}


def _plain(name, value):
    if name in _FRAME_PARAMS:
        return frame_name(value)
    if name in _MODEL_PARAMS:
        return model_key(value)
    if name in ("initial_weights", "initial_biases") and value is not None:
        return [frame_name(v) if isinstance(v, str) or hasattr(v, "names") else v for v in value]
    if isinstance(value, list):
        return list(value)
    return value


def draw_seed():
    """A fresh non-negative 63-bit seed (H2O draws one when seed is -1)."""
    return random.SystemRandom().getrandbits(63)


@dataclass(frozen=True)
class ResolvedParameters:
    """Effective parameters of one model. Attribute access reads the actual values (``resolved.epochs``)."""
    actual: Mapping[str, Any]
    input: Mapping[str, Any]
    problem: str                      # "binomial" | "multinomial" | "regression" | "autoencoder"
    nclasses: int                     # 1 for regression and autoencoders
    response_domain: tuple | None     # class labels for classification
    activation_base: str              # "Tanh" | "Rectifier" | "Maxout" | "ExpRectifier"
    dropout: bool                     # a *WithDropout activation
    seed_drawn: bool                  # seed was -1 and a fresh one was drawn (recorded in actual["seed"])
    predictors: tuple                 # columns used as inputs (before constant-column removal)
    has_validation: bool
    messages: tuple = field(default=())  # the non-error verdicts of validate (warnings, infos)

    def __getattr__(self, name):
        if name.startswith("_") or name in ("actual", "input"):
            raise AttributeError(name)
        try:
            return self.actual[name]
        except KeyError:
            raise AttributeError(f"ResolvedParameters has no parameter {name!r}") from None

    def __reduce__(self):  # mappingproxy cannot be pickled/deep-copied; rebuild from plain dicts (Dask, copies)
        return (ResolvedParameters.from_dict, (self.to_dict(),))

    def __deepcopy__(self, memo):
        import copy
        return ResolvedParameters.from_dict(copy.deepcopy(self.to_dict(), memo))

    @property
    def values(self):
        return self.actual

    @property
    def classification(self):
        return self.problem in ("binomial", "multinomial")

    @property
    def autoencoder(self):
        return self.problem == "autoencoder"

    def derived(self):
        return {"problem": self.problem, "nclasses": self.nclasses,
                "response_domain": list(self.response_domain) if self.response_domain is not None else None,
                "activation_base": self.activation_base, "dropout": self.dropout, "seed_drawn": self.seed_drawn,
                "predictors": list(self.predictors), "has_validation": self.has_validation}

    def as_dict(self):
        """Actual values plus the derived fields, for display (e.g. ``model.params``)."""
        return {**{k: _copy(v) for k, v in self.actual.items()}, **self.derived()}

    def modified(self):
        """Actual values that differ from H2O's defaults (Flow's "Show modified parameters")."""
        return {k: _copy(v) for k, v in self.actual.items() if not _equal(v, parameter_info(k).default)}

    def changes(self):
        """``{name: (input, actual)}`` for every value that resolution changed (AUTOs, sanitizing)."""
        return {k: (self.input[k], self.actual[k]) for k in PARAMETER_NAMES
                if not _equal(self.input[k], self.actual[k])}

    def to_dict(self):
        """Everything needed to rebuild this object (``from_dict``), JSON-friendly except array initial weights."""
        return {"input": {k: _copy(v) for k, v in self.input.items()},
                "actual": {k: _copy(v) for k, v in self.actual.items()},
                **self.derived(), "messages": [[m.level, m.parameter, m.message] for m in self.messages]}

    @classmethod
    def from_dict(cls, data):
        d = dict(data)
        return cls(actual=MappingProxyType(dict(d["actual"])), input=MappingProxyType(dict(d["input"])),
                   problem=d["problem"], nclasses=d["nclasses"],
                   response_domain=tuple(d["response_domain"]) if d.get("response_domain") is not None else None,
                   activation_base=d["activation_base"], dropout=d["dropout"], seed_drawn=d["seed_drawn"],
                   predictors=tuple(d["predictors"]), has_validation=d["has_validation"],
                   messages=tuple(Message(*m) for m in d.get("messages", ())))


def _copy(v):
    return list(v) if isinstance(v, (list, tuple)) else v


def _equal(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def resolve(params, training_frame=None, validation_frame=None, *, cluster_size=1):
    """Validate ``params`` against the frames and return the effective ``ResolvedParameters``.

    Raises ``ParameterError`` (``.messages`` = every error) when validation finds errors.
    ``train_samples_per_iteration`` is kept as given (after the reproducible rule); turning -2/-1/0 into a row
    count is the trainer's job.
    """
    p = as_parameters(params)
    messages = validate(p, training_frame, validation_frame, cluster_size=cluster_size)
    bad = errors(messages)
    if bad:
        lines = "\n".join(f"  {m.parameter}: {m.message}" for m in bad)
        raise ParameterError(f"{len(bad)} parameter error(s):\n{lines}", bad)
    given = p.values()
    frame = _frame_arg(training_frame, given["training_frame"])
    valid = _frame_arg(validation_frame, given["validation_frame"])
    if frame is None:
        raise ParameterError(f"training_frame: resolve needs the Frame itself, not only its name "
                             f"{given['training_frame']!r} (look it up in the workspace first).",
                             [Message("error", "training_frame", "A Frame object is needed to resolve parameters.")])
    ctx = Context(given, frame, valid, cluster_size)
    inp = {k: _plain(k, given[k]) for k in PARAMETER_NAMES}
    if inp["training_frame"] is None:
        inp["training_frame"] = frame_name(frame)
    if valid is not None and inp["validation_frame"] is None:
        inp["validation_frame"] = frame_name(valid)
    a = dict(inp)
    problem = ctx.problem
    classification = problem in ("binomial", "multinomial")

    # dropout defaults: 0.5 per hidden layer with a *WithDropout activation, else no dropout
    dropout = ctx.dropout
    if a["hidden_dropout_ratios"] is None:
        a["hidden_dropout_ratios"] = [0.5 if dropout else 0.0] * len(a["hidden"])
    activation_base = a["activation"][:-len(N.DROPOUT_SUFFIX)] if dropout else a["activation"]

    # distribution / loss / stopping metric / encodings (AUTO resolution, H2O Sanity.modifyParms)
    if a["distribution"] == "AUTO":
        if classification:
            a["distribution"] = "bernoulli" if ctx.nclasses == 2 else "multinomial"
        else:
            a["distribution"] = _DISTRIBUTION_OF_LOSS[a["loss"]]
    if a["loss"] == "Automatic":
        a["loss"] = _LOSS_OF_DISTRIBUTION[a["distribution"]]
    if a["stopping_metric"] == "AUTO":
        a["stopping_metric"] = "MSE" if problem == "autoencoder" else "logloss" if classification else "deviance"
    if a["categorical_encoding"] == "AUTO":
        a["categorical_encoding"] = "OneHotInternal"
    if ctx.cv and a["fold_column"] is None and a["fold_assignment"] == "AUTO":
        a["fold_assignment"] = "Random"
    if a["auc_type"] == "AUTO":
        a["auc_type"] = "NONE"  # H2O computes no multinomial AUC unless a type is asked for

    # optimizer: the unused family is zeroed so the trainer cannot use it by mistake
    if a["adaptive_rate"]:
        for name in _MANUAL_ONLY:
            a[name] = 0.0
    else:
        a["rho"] = a["epsilon"] = 0.0

    # data / topology sanitizing
    if problem == "autoencoder":
        a["use_all_factor_levels"] = True
    if a["nfolds"] != 0:
        a["overwrite_with_best_model"] = False
    if cluster_size <= 1:
        a["replicate_training_data"] = False
    if a["single_node_mode"] and (cluster_size <= 1 or not a["replicate_training_data"]):
        a["single_node_mode"] = False
    if a["reproducible"]:
        a["force_load_balance"] = True
        a["score_each_iteration"] = True
        a["replicate_training_data"] = False
        if a["train_samples_per_iteration"] == -2:
            a["train_samples_per_iteration"] = -1
    seed_drawn = a["seed"] == -1
    if seed_drawn:
        a["seed"] = draw_seed()

    return ResolvedParameters(
        actual=MappingProxyType(a), input=MappingProxyType(inp), problem=problem,
        nclasses=ctx.nclasses if classification else 1, response_domain=ctx.response_domain if classification
        else None, activation_base=activation_base, dropout=dropout, seed_drawn=seed_drawn,
        predictors=predictor_columns(given, frame), has_validation=ctx.has_validation,
        messages=tuple(m for m in messages if m.level != "hide"))
