"""The parameters of the scikit-learn estimators, derived from the engine's declarations (``parameter_info``).

Every declared Deep Learning parameter is either exposed (under scikit-learn's name where scikit-learn has one,
``SKLEARN_NAMES``) or listed in ``NOT_ON_ARRAYS`` with the reason; a parameter added to the declarations is
exposed unless it is listed there. The estimators' ``__init__`` signature and the "Parameters" section of their
docstrings are built from this table; nothing is copied by hand.
"""
from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass

from .params import PARAMETER_NAMES, parameter_info

# engine name -> scikit-learn name (MLPClassifier / SGD / HistGradientBoosting use these for the same thing)
SKLEARN_NAMES = {
    "seed": "random_state",
    "hidden": "hidden_layer_sizes",
    "epochs": "max_iter",
    "mini_batch_size": "batch_size",
    "rate": "learning_rate_init",
    "nesterov_accelerated_gradient": "nesterovs_momentum",
    "shuffle_training_data": "shuffle",
    "stopping_rounds": "n_iter_no_change",
    "stopping_tolerance": "tol",
}

# declared parameters a fit on arrays does not take, and why (the docs list them)
NOT_ON_ARRAYS = {
    **dict.fromkeys(("training_frame", "response_column", "ignored_columns", "weights_column"),
                    "given by fit(X, y, sample_weight) (select columns of X to ignore some)"),
    "validation_frame": "early_stopping holds out validation_fraction of the rows",
    **dict.fromkeys(("nfolds", "fold_assignment", "fold_column", "keep_cross_validation_models",
                     "keep_cross_validation_predictions", "keep_cross_validation_fold_assignment"),
                    "use scikit-learn's cross_val_score / GridSearchCV"),
    "offset_column": "fit takes no offset array",
    "model_id": "the fitted model is the estimator's model_ attribute",
    **dict.fromkeys(("checkpoint", "pretrained_autoencoder", "initial_weights", "initial_biases"),
                    "refer to models or frames, not arrays (use DeepLearning)"),
    **dict.fromkeys(("autoencoder", "average_activation", "sparsity_beta"),
                    "unsupervised (use DeepLearning(autoencoder=True))"),
    **dict.fromkeys(("max_confusion_matrix_size", "diagnostics", "col_major"), "deprecated in H2O, no effect"),
    **dict.fromkeys(("export_weights_and_biases", "export_checkpoints_dir"), "writes to the workspace or disk"),
    **dict.fromkeys(("target_ratio_comm_to_comp", "replicate_training_data", "single_node_mode",
                     "elastic_averaging", "elastic_averaging_moving_rate", "elastic_averaging_regularization"),
                    "several workers (the Dask backend); the estimators train locally"),
    **dict.fromkeys(("auc_type", "gainslift_bins", "custom_metric_func", "quiet_mode"),
                    "reporting only (metrics tables, logs)"),
}

CLASSIFIER_ONLY = ("balance_classes", "class_sampling_factors", "max_after_balance_size", "classification_stop",
                   "score_validation_sampling")
REGRESSOR_ONLY = ("quantile_alpha", "tweedie_power", "huber_alpha", "regression_stop")

# defaults that differ from H2O's, and why
SKLEARN_DEFAULTS = {
    "seed": (None, "None: a fresh seed from NumPy's global random state (scikit-learn's convention)"),
    "reproducible": (None, "None: reproducible exactly when random_state is given"),
    "overwrite_with_best_model": (None, "None: keep the best-scoring network exactly when early_stopping is on, "
                                        "the last one otherwise (as MLPClassifier)"),
    "score_each_iteration": (None, "None: score after every iteration exactly when early_stopping is on (so "
                                   "n_iter_no_change counts epochs, as in MLPClassifier), H2O's False otherwise"),
    "train_samples_per_iteration": (None, "None: 0 (one epoch per iteration) when early_stopping is on, H2O's -2 "
                                          "(automatic) otherwise"),
    "ignore_const_cols": (False, "False: every column of X stays an input, so n_features_in_ means what it says"),
    "variable_importances": (False, "False: skipped for speed; model_.varimp() needs it on"),
    "classification_stop": (-1.0, "-1: train for max_iter epochs as scikit-learn does (H2O: 0 stops at a "
                                  "perfect training fit)"),
    "regression_stop": (-1.0, "-1: train for max_iter epochs as scikit-learn does (H2O: 1e-6)"),
}


@dataclass(frozen=True)
class EstimatorParam:
    """One constructor argument: its scikit-learn name, the engine parameter behind it (None: the estimator's
    own), its default and its doc."""
    name: str
    engine: str | None
    default: object
    doc: str


def _plain(value):
    """Declared list defaults become tuples (scikit-learn's defaults must be immutable)."""
    return tuple(value) if isinstance(value, list) else value


def _engine_param(engine_name):
    info = parameter_info(engine_name)
    name = SKLEARN_NAMES.get(engine_name, engine_name)
    default, why = SKLEARN_DEFAULTS.get(engine_name, (_plain(info.default), None))
    doc = info.doc
    if name != engine_name:
        doc = f"H2O's ``{engine_name}``. {doc}"
    if why:
        doc = f"{doc} Default {why}."
    if info.values:
        doc = f"{doc} One of {', '.join(map(str, info.values))}."
    return EstimatorParam(name, engine_name, default, doc)


OWN_PARAMS = {
    "early_stopping": EstimatorParam("early_stopping", None, False, (
        "Stop when stopping_metric has not improved by tol (relative) over n_iter_no_change scorings, scored on "
        "validation_fraction of the rows held out (stratified for classifiers) or, with validation_fraction=None, "
        "on the training rows; the best-scoring network is kept. False trains for max_iter epochs.")),
    "validation_fraction": EstimatorParam("validation_fraction", None, 0.1, (
        "Share of the rows held out to score early stopping (and the max-F1 threshold); only with "
        "early_stopping. None scores on the training rows.")),
    "threshold": EstimatorParam("threshold", None, None, (
        "How predict turns probabilities into labels. None: the class of highest probability (argmax of "
        "predict_proba, scikit-learn's rule; 0.5 for two classes). 'max_f1': H2O's rule for two classes, the "
        "threshold that maximizes F1 on the validation rows (early_stopping) or else the training rows. A number "
        "in [0, 1]: the second class (classes_[1]) when its probability is at least that.")),
}


def estimator_params(kind):
    """The constructor arguments of ``kind`` ("classifier" or "regressor"), in Flow's order, then the estimator's
    own."""
    skip = set(NOT_ON_ARRAYS) | set(REGRESSOR_ONLY if kind == "classifier" else CLASSIFIER_ONLY)
    clash = [n for n in PARAMETER_NAMES if n in SKLEARN_NAMES.values() or n in OWN_PARAMS]
    if clash:  # an engine parameter named like a scikit-learn alias would be ambiguous
        raise AssertionError(f"engine parameters {clash} collide with the estimators' own names")
    names = sorted((n for n in PARAMETER_NAMES if n not in skip), key=lambda n: parameter_info(n).precedence)
    out = [_engine_param(n) for n in names]  # Flow's order: critical, secondary, expert
    own = ("early_stopping", "validation_fraction") + (("threshold",) if kind == "classifier" else ())
    return tuple(out) + tuple(OWN_PARAMS[n] for n in own)


def init_signature(params):
    """``__init__(self, *, <params>)`` as scikit-learn's get_params/clone read it (inspect.signature)."""
    kw = inspect.Parameter.KEYWORD_ONLY
    return inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
                             + [inspect.Parameter(p.name, kw, default=p.default) for p in params])


def make_init(params):
    """An ``__init__`` that stores each argument unchanged (scikit-learn's rule: validate in fit, not here)."""
    signature = init_signature(params)

    def __init__(self, **kwargs):
        unknown = [k for k in kwargs if k not in signature.parameters]
        if unknown:  # TypeError as a plain def raises, saying where an H2O name went
            raise TypeError(f"{type(self).__name__} got an unexpected keyword argument {unknown[0]!r}"
                            f"{_hint(unknown[0])}")
        bound = signature.bind(self, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def _hint(name):
    if name in SKLEARN_NAMES:
        return f": its scikit-learn name is {SKLEARN_NAMES[name]!r}"
    if name in NOT_ON_ARRAYS:
        return f": not taken here ({NOT_ON_ARRAYS[name]})"
    if name in CLASSIFIER_ONLY + REGRESSOR_ONLY:
        return f": only the {'classifier' if name in CLASSIFIER_ONLY else 'regressor'} takes it"
    return ""


ATTRIBUTES = {
    "model_": "The trained DeepLearningModel (scoring_history(), varimp(), model_performance(frame), predict(frame)); "
              "None for a classifier fitted on a single class.",
    "n_iter_": "Epochs trained, rounded up (fewer than max_iter when early stopping fired).",
    "n_features_in_": "Number of columns of X seen by fit.",
    "feature_names_in_": "Column names of X when X was a DataFrame with string column names.",
}


def params_doc(params, classifier):
    """The numpydoc "Parameters" and "Attributes" sections for ``params``."""
    lines = ["Parameters", "----------"]
    for p in params:
        lines.append(f"{p.name} : default={p.default!r}")
        lines.append(textwrap.fill(p.doc, 116, initial_indent="    ", subsequent_indent="    "))
    attributes = ({"classes_": "The class labels, in the order of predict_proba's columns."} if classifier else {}) \
        | ATTRIBUTES
    lines += ["", "Attributes", "----------"]
    for name, doc in attributes.items():
        lines += [name, textwrap.fill(doc, 116, initial_indent="    ", subsequent_indent="    ")]
    return "\n".join(lines)
