"""``DeepLearningParameters``: the 91 parameters of H2O's Python ``H2ODeepLearningEstimator``, declared once.

Each declaration carries its H2O default, allowed values, a doc string, a label, and (``metadata=``) its Flow
group, checkpoint rule, hide rules ("applies when") and value checks. Forms, ``validate``, ``resolve`` and the
checkpoint check are derived from these declarations (``parameter_info(name)`` reads one back).

Hide-rule and check callables receive a ``rules.Context``: parameter values as attributes plus ``classification``
(True/False, None while unknown), ``nclasses``, ``has_validation``, ``cv``, ``dropout`` and ``cluster_size``.

Where H2O's code contradicts its own documentation this engine follows the documentation (the doc strings say
so): mini-batches really batch, the momentum ramp really ramps, Nesterov momentum is the textbook one, ``max_w2``
applies, and offsets of any sign are added.
"""
import functools

import param

from ..frames.names import validate_key
from . import h2o_names as N
from .meta import ParamInfo, bad_if, hide_if, meta
from .types import (Boolean, Enum, FrameRef, Integer, List, ModelRef, Number, String, to_float, to_int)

C, S, X = "critical", "secondary", "expert"
FLOAT_MAX = 3.4028234663852886e38  # Java Float.MAX_VALUE, H2O's max_w2 default

_unsupervised = hide_if(lambda c: c.autoencoder, "Ignored for unsupervised methods.")
_no_cv = hide_if(lambda c: not c.cv, "Only for cross-validation.")


def _not_classifier(what):
    return hide_if(lambda c: c.classification is False and not c.autoencoder,
                   f"{what} is only applicable to classification problems.")


def _adaptive_hides(name):
    return hide_if(lambda c: c.adaptive_rate, f"{name} is not used with adaptive_rate.")


def _manual_hides(name):
    return hide_if(lambda c: not c.adaptive_rate, f"{name} is only used with adaptive_rate.")


def _bad_key(v, _c):
    """A model_id that cannot be a workspace name (a path, '..', control characters): it names folders on disk."""
    if v is None or v == "":
        return False
    try:
        validate_key(v, "model_id")
    except ValueError:
        return True
    return False


def _outside(lo, hi, lo_open=False, hi_open=False):
    """True when a value lies outside [lo, hi] (with open ends where asked); None bounds are unbounded."""
    def bad(v, _c):
        if lo is not None and (v < lo or (lo_open and v == lo)):
            return True
        return hi is not None and (v > hi or (hi_open and v == hi))
    return bad


class DeepLearningParameters(param.Parameterized):
    """H2O Deep Learning parameters (names, defaults and meaning as in ``H2ODeepLearningEstimator``)."""

    # ------------------------------------------------------------------ frames, columns, cross-validation
    model_id = String(None, allow_None=True, label="Model ID", doc=(
        "Name under which the trained model is stored; a fresh 'deeplearning-<uuid>' name is generated when "
        "left empty."), metadata=meta(C, h2o_type="Key<Model>", check=bad_if(
            _bad_key, "model_id must be a plain name: no '/', '\\', '..', control characters or surrounding "
                      "spaces, at most 200 characters.")))
    training_frame = FrameRef(None, allow_None=True, label="Training frame", doc=(
        "The frame the network is trained on (a Frame or the name of one in the workspace)."),
        metadata=meta(C, h2o_type="Key<Frame>", required=True))
    validation_frame = FrameRef(None, allow_None=True, label="Validation frame", doc=(
        "Optional frame used only to score the model while it trains: early stopping and best-model selection "
        "use it when given. It is never trained on."),
        metadata=meta(C, h2o_type="Key<Frame>", grid=True,
                      checkpoint=("Presence of validation dataset must agree with the checkpointed model.",
                                  lambda old, new: (old is None) != (new is None))))
    nfolds = Integer(0, label="Folds (nfolds)", doc=(
        "Number of folds for k-fold cross-validation; 0 turns it off, otherwise at least 2. The main model is then "
        "trained on all rows for the mean number of epochs the fold models needed."),
        metadata=meta(C, h2o_type="int",
                      checkpoint=("nfolds must be 0: Cross-validation is not supported during checkpoint restarts.",
                                  lambda old, new: new != 0),
                      hide=hide_if(lambda c: c.fold_column is not None and c.nfolds <= 1,
                                   "nfolds is ignored when a fold column is specified."),
                      check=bad_if(lambda v, c: v < 0 or v == 1, "nfolds must be either 0 or >1.")))
    keep_cross_validation_models = Boolean(True, label="Keep cross-validation models", doc=(
        "Keep the per-fold models after cross-validation (otherwise only their metrics are kept)."),
        metadata=meta(X, h2o_type="boolean", hide=_no_cv))
    keep_cross_validation_predictions = Boolean(False, label="Keep cross-validation predictions", doc=(
        "Keep each fold model's predictions on its hold-out rows."), metadata=meta(X, h2o_type="boolean", hide=_no_cv))
    keep_cross_validation_fold_assignment = Boolean(False, label="Keep cross-validation fold assignment", doc=(
        "Keep the column telling which fold each row was assigned to."),
        metadata=meta(X, h2o_type="boolean", hide=_no_cv))
    fold_assignment = Enum(default="AUTO", objects=list(N.FOLD_ASSIGNMENTS), label="Fold assignment", doc=(
        "How rows are split into folds when no fold column is given: AUTO (= Random), Random, Modulo (row index "
        "modulo nfolds) or Stratified (keeps class proportions; classification only)."),
        metadata=meta(S, h2o_type="enum", values=N.FOLD_ASSIGNMENTS, grid=True, hide=(
            hide_if(lambda c: c.fold_column is not None, "Fold assignment is ignored when a fold column is specified."),
            _no_cv)))
    fold_column = String(None, allow_None=True, label="Fold column", doc=(
        "Column holding each row's fold number (integer or categorical) for cross-validation; replaces nfolds."),
        metadata=meta(S, h2o_type="VecSpecifier", grid=True,
                      hide=hide_if(lambda c: c.nfolds > 1, "Fold column is ignored when nfolds > 1.")))
    response_column = String(None, allow_None=True, label="Response column", doc=(
        "The column to predict. A categorical (enum) response makes a classifier, a numeric one a regression "
        "model (a 0/1 numeric response stays regression unless converted to enum). Not used by autoencoders."),
        metadata=meta(C, h2o_type="VecSpecifier", grid=True, required=True, hide=_unsupervised,
                      checkpoint="Response column ({new}) is not the same as for the checkpointed model: {old}"))
    ignored_columns = List(None, allow_None=True, item_type=str, split_text=False, label="Ignored columns", doc=(
        "Columns left out of the predictors."),
        metadata=meta(C, h2o_type="string[]",
                      checkpoint="Ignored columns must be the same as for the checkpointed model."))
    ignore_const_cols = Boolean(True, label="Ignore constant columns", doc=(
        "Drop columns that hold a single value (or only missing values) before training."),
        metadata=meta(C, h2o_type="boolean", checkpoint=False))
    score_each_iteration = Boolean(False, label="Score each iteration", doc=(
        "Score after every training iteration, ignoring score_interval and score_duty_cycle (always on with "
        "reproducible)."), metadata=meta(S, h2o_type="boolean"))
    weights_column = String(None, allow_None=True, label="Weights column", doc=(
        "Column of non-negative observation weights. A weight of 0 removes the row, a weight of 2 counts it "
        "twice; weights also enter standardization and metrics."), metadata=meta(S, h2o_type="VecSpecifier", grid=True))
    offset_column = String(None, allow_None=True, label="Offset column", doc=(
        "Column added to the output layer's input (in link space) for regression. H2O's code silently drops "
        "offsets <= 0; this engine follows the documentation and adds offsets of any sign."),
        metadata=meta(S, h2o_type="VecSpecifier", grid=True, hide=_unsupervised))
    balance_classes = Boolean(False, label="Balance classes", doc=(
        "Over/under-sample the training rows so that the classes are balanced (classification only); "
        "predicted probabilities are corrected back to the original priors."),
        metadata=meta(S, h2o_type="boolean", grid=True, hide=(_unsupervised, _not_classifier("Balance classes"))))
    class_sampling_factors = List(None, allow_None=True, item_type=float, convert=to_float,
                                  label="Class sampling factors", doc=(
        "Over/under-sampling ratio per class (in the order of the response's levels). Computed to balance the "
        "classes when not given. Needs balance_classes."),
        metadata=meta(X, h2o_type="float[]", grid=True, hide=(
            _unsupervised, _not_classifier("Class sampling factors"),
            hide_if(lambda c: not c.balance_classes,
                    "Class sampling factors is only applicable if balancing classes.")),
            check=bad_if(lambda v, c: v is not None and any(f <= 0 for f in v),
                         "class_sampling_factors must all be > 0.")))
    max_after_balance_size = Number(5.0, label="Max size after balancing", doc=(
        "Upper bound on the number of training rows after class balancing, as a multiple of the original row "
        "count (may be below 1). Needs balance_classes."),
        metadata=meta(X, h2o_type="float", grid=True, hide=(
            _unsupervised, _not_classifier("Max after balance size"),
            hide_if(lambda c: not c.balance_classes, "Only used with balanced classes")),
            check=bad_if(lambda v, c: v <= 0, "Max size after balancing needs to be positive, suggest 1.0")))
    max_confusion_matrix_size = Integer(20, label="Max confusion matrix size", doc=(
        "[Deprecated] Largest number of classes for which a confusion matrix is printed in the logs; no effect "
        "on training."), metadata=meta(S, h2o_type="int", hide=(
            _unsupervised, _not_classifier("Max confusion matrix size"),
            hide_if(lambda c: c.nclasses is not None and c.nclasses <= 2,
                    "Only for multi-class classification problems."))))
    checkpoint = ModelRef(None, allow_None=True, label="Checkpoint", doc=(
        "A previously trained model (or its key) to continue training from. Architecture, data layout and the "
        "optimizer settings must stay the same; epochs counts the total, so it must exceed the epochs already "
        "trained."), metadata=meta(S, h2o_type="Key<Model>"))
    pretrained_autoencoder = ModelRef(None, allow_None=True, label="Pretrained autoencoder", doc=(
        "An autoencoder (or its key) whose hidden layers initialize this supervised model; the output layer "
        "starts fresh. Layer sizes and the input layout must match."),
        metadata=meta(S, h2o_type="Key<Model>",
                      hide=hide_if(lambda c: c.autoencoder,
                                   "pretrained_autoencoder is only used to initialize a supervised model.")))
    overwrite_with_best_model = Boolean(True, label="Overwrite with best model", doc=(
        "At the end of training, replace the final network with the best one seen at any scoring (by "
        "stopping_metric, on validation data if given). Off with cross-validation."),
        metadata=meta(X, h2o_type="boolean", hide=hide_if(
            lambda c: c.nfolds != 0,
            "overwrite_with_best_model is unsupported in combination with n-fold cross-validation.")))
    use_all_factor_levels = Boolean(True, label="Use all factor levels", doc=(
        "Give every level of a categorical column its own input (otherwise the first level is the all-zero "
        "reference, which loses no accuracy). Forced on for autoencoders; helps variable importances."),
        metadata=meta(S, h2o_type="boolean", grid=True, checkpoint=False, hide=hide_if(
            lambda c: c.autoencoder, "use_all_factor_levels is mandatory in combination with autoencoder.")))
    standardize = Boolean(True, label="Standardize", doc=(
        "Standardize numeric inputs (to mean 0 and variance 1; to range 1 for autoencoders) and, for "
        "regression, the response. Turn off only for inputs that are already scaled."),
        metadata=meta(S, h2o_type="boolean", grid=True, checkpoint=False))

    # ------------------------------------------------------------------ architecture, iterations
    activation = Enum(default="Rectifier", objects=list(N.ACTIVATIONS), label="Activation", doc=(
        "Hidden-layer non-linearity: Tanh, Rectifier (max(0, x)), Maxout (max of two linear units) or "
        "ExpRectifier (ELU); the *WithDropout variants also drop hidden units during training "
        "(hidden_dropout_ratios)."),
        metadata=meta(C, h2o_type="enum", values=N.ACTIVATIONS, grid=True, checkpoint=False))
    hidden = List([200, 200], item_type=int, convert=to_int, label="Hidden layer sizes", doc=(
        "Number of units in each hidden layer, e.g. [200, 200]; an empty list connects inputs straight to the "
        "output."), metadata=meta(
            C, h2o_type="int[]", grid=True,
            checkpoint="Hidden layers ({new}) is not the same as for the checkpointed model: {old}",
            check=bad_if(lambda v, c: any(h <= 0 for h in v), "Hidden layer size must be positive.")))
    epochs = Number(10.0, label="Epochs", doc=(
        "How many passes over the training rows to make (fractions allowed). On a checkpoint restart this is "
        "the total, so it must exceed the epochs already trained."),
        metadata=meta(C, h2o_type="double", grid=True,
                      check=bad_if(lambda v, c: v < 0, "epochs must be >= 0 (fractions are allowed; 0 keeps the "
                                   "initial weights, as H2O does).")))
    train_samples_per_iteration = Integer(-2, label="Training samples per iteration", doc=(
        "Rows processed between synchronizations (the granularity of scoring and cancelling). 0: one epoch, "
        "-1: all available data, -2: automatic; otherwise a row count."),
        metadata=meta(S, h2o_type="long", grid=True, check=bad_if(
            lambda v, c: v < -2,
            "train_samples_per_iteration must be -2 (automatic), -1 (all data), 0 (one epoch) or >= 1.")))
    target_ratio_comm_to_comp = Number(0.05, label="Target communication/computation ratio", doc=(
        "Target share of time spent synchronizing between workers, used to choose the iteration size when "
        "train_samples_per_iteration is -2 on several workers."),
        metadata=meta(X, h2o_type="double", grid=True,
                      hide=hide_if(lambda c: c.train_samples_per_iteration != -2,
                                   "target_ratio_comm_to_comp is only used with train_samples_per_iteration=-2."),
                      check=bad_if(_outside(0, 1, lo_open=True, hi_open=True),
                                   "target_ratio_comm_to_comp must be > 0 and < 1.")))
    seed = Integer(-1, label="Seed", doc=(
        "Seed for weight initialization, row sampling and dropout; -1 draws one (recorded on the model). Runs "
        "are repeatable only with reproducible=True."), metadata=meta(X, h2o_type="long", grid=True))

    # ------------------------------------------------------------------ optimizer
    adaptive_rate = Boolean(True, label="Adaptive learning rate", doc=(
        "Use ADADELTA, a per-weight adaptive learning rate tuned only by rho and epsilon. When off, rate, "
        "rate_annealing, rate_decay and the momentum settings apply."),
        metadata=meta(S, h2o_type="boolean", grid=True, checkpoint=False))
    rho = Number(0.99, label="rho", doc=(
        "ADADELTA decay of the running averages (memory of past updates); typical 0.9 to 0.999."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_manual_hides("rho"),
                      check=bad_if(_outside(0, 1, lo_open=True), "rho must be > 0 and <= 1.")))
    epsilon = Number(1e-8, label="epsilon", doc=(
        "ADADELTA smoothing term that keeps steps finite and lets training start; typical 1e-10 to 1e-4."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_manual_hides("epsilon"),
                      check=bad_if(lambda v, c: v <= 0, "epsilon must be > 0.")))
    rate = Number(0.005, label="Learning rate", doc=(
        "Base learning rate without adaptive_rate: higher is less stable, lower converges slower."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_adaptive_hides("rate"),
                      check=bad_if(lambda v, c: v <= 0, "rate must be > 0.")))
    rate_annealing = Number(1e-6, label="Rate annealing", doc=(
        "Learning-rate annealing: the rate used is rate / (1 + rate_annealing * samples seen), so 1e-6 halves "
        "it after a million rows."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_adaptive_hides("rate_annealing"),
                      check=bad_if(lambda v, c: v < 0, "rate_annealing must be >= 0.")))
    rate_decay = Number(1.0, label="Rate decay", doc=(
        "Learning-rate factor between layers: the weights into layer k use rate * rate_decay^(k-1)."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_adaptive_hides("rate_decay"),
                      check=bad_if(lambda v, c: v <= 0, "rate_decay must be > 0.")))
    momentum_start = Number(0.0, label="Momentum start", doc=(
        "Momentum at the start of training (try 0.5). It ramps linearly to momentum_stable over momentum_ramp "
        "samples, as documented (H2O's code never actually ramps)."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_adaptive_hides("momentum_start"),
                      check=bad_if(_outside(0, 1, hi_open=True), "momentum_start must be >= 0 and < 1.")))
    momentum_ramp = Number(1e6, label="Momentum ramp", doc=(
        "Number of training samples over which momentum moves from momentum_start to momentum_stable."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_adaptive_hides("momentum_ramp"),
                      check=bad_if(lambda v, c: v <= 0, "momentum_ramp must be > 0.")))
    momentum_stable = Number(0.0, label="Momentum stable", doc=(
        "Momentum reached at the end of the ramp and kept afterwards (try 0.99)."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False, hide=_adaptive_hides("momentum_stable"),
                      check=bad_if(_outside(0, 1, hi_open=True), "momentum_stable must be >= 0 and < 1.")))
    nesterov_accelerated_gradient = Boolean(True, label="Nesterov accelerated gradient", doc=(
        "Use Nesterov's accelerated momentum (the gradient taken at the look-ahead point, the documented "
        "method) instead of classical momentum. Only without adaptive_rate."),
        metadata=meta(X, h2o_type="boolean", grid=True, checkpoint=False,
                      hide=_adaptive_hides("nesterov_accelerated_gradient")))

    # ------------------------------------------------------------------ regularization, initialization
    input_dropout_ratio = Number(0.0, label="Input dropout ratio", doc=(
        "Fraction of input values zeroed at random for each training row (try 0.1 or 0.2); works with any "
        "activation."), metadata=meta(S, h2o_type="double", grid=True, check=bad_if(
            _outside(0, 1, hi_open=True), "Input dropout must be >= 0 and <1.")))
    hidden_dropout_ratios = List(None, allow_None=True, item_type=float, convert=to_float,
                                 label="Hidden dropout ratios", doc=(
        "Fraction of each hidden layer's units dropped per training row, one value per hidden layer; 0.5 for "
        "every layer when not given. Only with a *WithDropout activation."),
        metadata=meta(S, h2o_type="double[]", grid=True, hide=hide_if(
            lambda c: not c.dropout, "hidden_dropout_ratios requires a dropout activation function.")))
    l1 = Number(0.0, label="L1 regularization", doc=(
        "L1 penalty on weights and biases (adds l1 * sign(w) to each gradient); drives many weights to 0."),
        metadata=meta(S, h2o_type="double", grid=True, check=bad_if(lambda v, c: v < 0, "L1 penalty must be >= 0.")))
    l2 = Number(0.0, label="L2 regularization", doc=(
        "L2 penalty on weights and biases (adds l2 * w to each gradient); keeps weights small."),
        metadata=meta(S, h2o_type="double", grid=True, check=bad_if(lambda v, c: v < 0, "L2 penalty must be >= 0.")))
    max_w2 = Number(FLOAT_MAX, label="Max squared weights per unit", doc=(
        "Cap on the sum of squared incoming weights of each unit: after an update that exceeds it, the unit's "
        "weights are scaled back. Applied as documented (the default is the largest float, i.e. no cap; try "
        "10 to 1000 for Rectifier/Maxout)."),
        metadata=meta(X, h2o_type="float", grid=True, infinite=True,  # H2O's Java default: Float.POSITIVE_INFINITY
                      check=bad_if(lambda v, c: v <= 0, "Cannot use max_w2 <= 0.")))
    initial_weight_distribution = Enum(default="UniformAdaptive", objects=list(N.INITIAL_WEIGHT_DISTRIBUTIONS),
                                       label="Initial weight distribution", doc=(
        "How weights start: UniformAdaptive (Glorot uniform, scaled by layer sizes), Uniform "
        "(-initial_weight_scale..initial_weight_scale) or Normal (sd initial_weight_scale)."),
        metadata=meta(X, h2o_type="enum", values=N.INITIAL_WEIGHT_DISTRIBUTIONS, grid=True))
    initial_weight_scale = Number(1.0, label="Initial weight scale", doc=(
        "Half-width of the Uniform or standard deviation of the Normal initial weights."),
        metadata=meta(X, h2o_type="double", grid=True, hide=hide_if(
            lambda c: c.initial_weight_distribution == "UniformAdaptive",
            "initial_weight_scale is not used if initial_weight_distribution == UniformAdaptive."),
            check=bad_if(lambda v, c: v <= 0, "initial_weight_scale must be > 0.")))
    initial_weights = List(None, allow_None=True, split_text=False, label="Initial weights", doc=(
        "One weight matrix per layer (hidden layers + output), each a frame, a frame name or None to keep the "
        "random start for that layer; shape (units of the layer, units of the layer before)."),
        metadata=meta(X, h2o_type="Key<Frame>[]"))
    initial_biases = List(None, allow_None=True, split_text=False, label="Initial biases", doc=(
        "One bias vector per layer (hidden layers + output), each a one-column frame, a frame name or None."),
        metadata=meta(X, h2o_type="Key<Frame>[]"))
    loss = Enum(default="Automatic", objects=list(N.LOSSES), label="Loss", doc=(
        "Loss to minimize. Automatic: CrossEntropy for classification, and for regression the one that "
        "matches the distribution (Quadratic for gaussian). Classification accepts CrossEntropy or Quadratic; "
        "Huber, Absolute and Quantile are for regression."),
        metadata=meta(S, h2o_type="enum", values=N.LOSSES, grid=True))
    distribution = Enum(default="AUTO", objects=list(N.DISTRIBUTIONS), label="Distribution", doc=(
        "Response distribution. AUTO: bernoulli (2 classes) or multinomial for classification; for regression "
        "the one that matches the loss (gaussian by default)."),
        metadata=meta(S, h2o_type="enum", values=N.DISTRIBUTIONS, grid=True, checkpoint=False))
    quantile_alpha = Number(0.5, label="Quantile alpha", doc=(
        "Quantile to fit with the quantile distribution, between 0 and 1."),
        metadata=meta(S, h2o_type="double", grid=True, checkpoint=False, hide=hide_if(
            lambda c: c.distribution != "quantile", "Quantile (alpha) is only used for Quantile regression."),
            check=bad_if(_outside(0, 1), "quantile_alpha must be between 0 and 1.")))
    tweedie_power = Number(1.5, label="Tweedie power", doc=(
        "Power of the Tweedie variance function, strictly between 1 (Poisson) and 2 (Gamma)."),
        metadata=meta(S, h2o_type="double", grid=True, checkpoint=False, hide=hide_if(
            lambda c: c.distribution != "tweedie", "Only for Tweedie Distribution."),
            check=bad_if(_outside(1, 2, lo_open=True, hi_open=True),
                         "Tweedie power must be between 1 and 2 (exclusive). For tweedie power = 1, use Poisson "
                         "distribution. For tweedie power = 2, use Gamma distribution.")))
    huber_alpha = Number(0.9, label="Huber alpha", doc=(
        "Quantile of the absolute residuals where the Huber loss switches from quadratic to linear, between 0 "
        "and 1."), metadata=meta(S, h2o_type="double", grid=True, checkpoint=False, hide=hide_if(
            lambda c: c.distribution != "huber", "Huber alpha is only used for Huber regression."),
            check=bad_if(_outside(0, 1), "huber_alpha must be between 0 and 1.")))

    # ------------------------------------------------------------------ scoring, stopping
    score_interval = Number(5.0, label="Score interval (s)", doc=(
        "Shortest time in seconds between the starts of two scorings."),
        metadata=meta(S, h2o_type="double", grid=True,
                      check=bad_if(lambda v, c: v < 0, "score_interval must be >= 0.")))
    score_training_samples = Integer(10000, label="Training samples for scoring", doc=(
        "Number of training rows sampled (once, with the seed) to compute training metrics; 0 uses all."),
        metadata=meta(S, h2o_type="long", grid=True, check=bad_if(
            lambda v, c: v < 0, "Number of training samples for scoring must be >= 0 (0 for all).")))
    score_validation_samples = Integer(0, label="Validation samples for scoring", doc=(
        "Number of validation rows sampled to compute validation metrics; 0 uses the whole validation frame."),
        metadata=meta(S, h2o_type="long", grid=True, hide=hide_if(
            lambda c: not c.has_validation, "score_validation_samples requires a validation frame."),
            check=bad_if(lambda v, c: v < 0, "Number of validation samples for scoring must be >= 0 (0 for all).")))
    score_duty_cycle = Number(0.1, label="Score duty cycle", doc=(
        "Largest fraction of wall-clock time spent scoring (lower: more training, higher: more scoring)."),
        metadata=meta(S, h2o_type="double", grid=True,
                      check=bad_if(_outside(0, 1), "Score duty cycle must be >= 0 and <=1.")))
    classification_stop = Number(0.0, label="Classification stop", doc=(
        "Stop once the classification error on the training sample is at or below this value; -1 disables. "
        "The default 0 stops at a perfect training fit."),
        metadata=meta(X, h2o_type="double", grid=True, hide=hide_if(
            lambda c: c.classification is False or c.autoencoder,
            "classification_stop is used only with classification."),
            check=bad_if(lambda v, c: (v < 0 and v != -1) or v > 1,
                         "classification_stop must be -1 (disabled) or between 0 and 1.")))
    regression_stop = Number(1e-6, label="Regression stop", doc=(
        "Stop once the training-sample MSE is at or below this value; -1 disables."),
        metadata=meta(X, h2o_type="double", grid=True, hide=hide_if(
            lambda c: c.classification is True, "regression_stop is used only with regression."),
            check=bad_if(lambda v, c: v < 0 and v != -1, "regression_stop must be -1 (disabled) or >= 0.")))
    stopping_rounds = Integer(5, label="Stopping rounds", doc=(
        "Early stopping: stop when the moving average (over this many scorings) of stopping_metric has not "
        "improved by stopping_tolerance for this many scorings; 0 disables."),
        metadata=meta(S, h2o_type="int", grid=True,
                      check=bad_if(lambda v, c: v < 0, "Stopping rounds must be >= 0.")))
    stopping_metric = Enum(default="AUTO", objects=list(N.STOPPING_METRICS), label="Stopping metric", doc=(
        "Metric watched by early stopping and best-model selection. AUTO: logloss for classification, deviance "
        "for regression, MSE for autoencoders."),
        metadata=meta(S, h2o_type="enum", values=N.STOPPING_METRICS, grid=True))
    stopping_tolerance = Number(0.0, label="Stopping tolerance", doc=(
        "Relative improvement of stopping_metric below which early stopping counts a round as no progress."),
        metadata=meta(S, h2o_type="double", grid=True, check=(
            bad_if(lambda v, c: v < 0, "Stopping tolerance must be >= 0."),
            bad_if(lambda v, c: v >= 1, "Stopping tolerance must be < 1."))))
    max_runtime_secs = Number(0.0, label="Max runtime (s)", doc=(
        "Stop after the iteration that exceeds this many seconds of training; 0 means no limit."),
        metadata=meta(S, h2o_type="double", grid=True, check=bad_if(
            lambda v, c: v < 0, "Max runtime (in seconds) must be greater than 0 (or 0 for unlimited).")))
    score_validation_sampling = Enum(default="Uniform", objects=list(N.CLASS_SAMPLING),
                                     label="Validation sampling", doc=(
        "How the validation sample is drawn when score_validation_samples > 0: Uniform, or Stratified by class "
        "(classification with balance_classes)."),
        metadata=meta(X, h2o_type="enum", values=N.CLASS_SAMPLING, grid=True, hide=hide_if(
            lambda c: not c.has_validation or c.classification is False or c.autoencoder,
            "score_validation_sampling requires classification and a validation frame.")))
    diagnostics = Boolean(True, label="Diagnostics", doc=(
        "[Deprecated] Per-layer statistics (mean/RMS of weights, biases, rates) are always collected."),
        metadata=meta(X, h2o_type="boolean", check=bad_if(
            lambda v, c: not v, "Deprecated option: Diagnostics are always enabled.", "warning")))
    fast_mode = Boolean(True, label="Fast mode", doc=(
        "Skip the update of a weight whose input is exactly 0 for the row, and of a whole unit whose error is "
        "exactly 0 (e.g. an inactive Rectifier): a small approximation (L1/L2 and ADADELTA state are not touched "
        "for those) that should not change results noticeably."), metadata=meta(X, h2o_type="boolean", grid=True))
    force_load_balance = Boolean(True, label="Force load balance", doc=(
        "Split small training frames into more pieces so every core has work (forced on with reproducible)."),
        metadata=meta(X, h2o_type="boolean", grid=True))
    variable_importances = Boolean(True, label="Variable importances", doc=(
        "Compute Gedeon variable importances from the first two weight layers at each scoring (can be slow "
        "for large networks)."), metadata=meta(C, h2o_type="boolean", grid=True))
    replicate_training_data = Boolean(True, label="Replicate training data", doc=(
        "Give every worker the whole training frame (faster convergence on small data with several "
        "workers); off on a single worker and with reproducible."),
        metadata=meta(S, h2o_type="boolean", grid=True, hide=hide_if(
            lambda c: c.cluster_size <= 1, "replicate_training_data is only valid with cloud size greater than 1.")))
    single_node_mode = Boolean(False, label="Single node mode", doc=(
        "Train on one worker only (for fine-tuning after a distributed run); needs several workers and "
        "replicated training data."),
        metadata=meta(X, h2o_type="boolean", grid=True, hide=hide_if(
            lambda c: c.cluster_size <= 1 or not c.replicate_training_data,
            "single_node_mode is only used with multi-node operation with replicated training data.")))
    shuffle_training_data = Boolean(False, label="Shuffle training data", doc=(
        "Shuffle the order of training rows at each iteration (recommended with balance_classes or when an "
        "iteration covers all replicated data)."), metadata=meta(X, h2o_type="boolean", grid=True))
    missing_values_handling = Enum(default="MeanImputation", objects=list(N.MISSING_VALUES_HANDLING),
                                   label="Missing values handling", doc=(
        "MeanImputation replaces a missing numeric value by the column mean (categoricals get their own "
        "missing level); Skip drops rows with any missing value."),
        metadata=meta(X, h2o_type="enum", values=N.MISSING_VALUES_HANDLING, grid=True))
    quiet_mode = Boolean(False, label="Quiet mode", doc="Log less while training.",
                         metadata=meta(X, h2o_type="boolean", grid=True))

    # ------------------------------------------------------------------ autoencoder, sparse, experimental
    autoencoder = Boolean(False, label="Autoencoder", doc=(
        "Train an unsupervised autoencoder that reconstructs its (expanded) inputs; no response column."),
        metadata=meta(S, h2o_type="boolean", checkpoint=False))
    sparse = Boolean(False, label="Sparse", doc=(
        "Treat inputs as sparse: numeric columns are only scaled (not centered) so zeros stay zeros."),
        metadata=meta(X, h2o_type="boolean", grid=True, checkpoint=False))
    col_major = Boolean(False, label="Column major", doc=(
        "[Deprecated] Column-major input weights; not supported (it was not faster)."),
        metadata=meta(X, h2o_type="boolean", grid=True, checkpoint=False, check=bad_if(
            lambda v, c: v, "Deprecated: Column major data handling not supported anymore - not faster.")))
    average_activation = Number(0.0, label="Average activation", doc=(
        "Target mean activation of hidden units for a sparse autoencoder (used when sparsity_beta > 0)."),
        metadata=meta(X, h2o_type="double", grid=True, hide=hide_if(
            lambda c: not c.autoencoder, "average_activation is only used with autoencoder.")))
    sparsity_beta = Number(0.0, label="Sparsity beta", doc=(
        "Strength of the sparsity penalty pulling hidden activations towards average_activation "
        "(autoencoder only): each hidden unit keeps a running mean activation and its bias moves by "
        "-rate * sparsity_beta * (mean - average_activation). Also applied with mini_batch_size > 1 (H2O has no "
        "mini-batches): the batch's bias gradient gains the mean of its rows' pulls."),
        metadata=meta(X, h2o_type="double", grid=True, checkpoint=False,
                      hide=hide_if(lambda c: not c.autoencoder, "sparsity_beta is only used with autoencoder."),
                      check=bad_if(lambda v, c: v < 0, "sparsity_beta must be >= 0.")))
    max_categorical_features = Integer(2147483647, label="Max categorical features", doc=(
        "Upper bound on one-hot inputs; when the categorical columns expand to more, their levels are hashed "
        "into this many inputs (experimental)."),
        metadata=meta(X, h2o_type="int", grid=True, checkpoint=False,
                      check=bad_if(lambda v, c: v < 1, "max_categorical_features must be at least 1.")))
    reproducible = Boolean(False, label="Reproducible", doc=(
        "Make runs repeatable for a given seed: training uses one thread (slow), scores every iteration, and "
        "automatic iteration size becomes one pass over the data."), metadata=meta(X, h2o_type="boolean", grid=True))
    export_weights_and_biases = Boolean(False, label="Export weights and biases", doc=(
        "Keep the weight matrices and bias vectors as frames in the workspace after training."),
        metadata=meta(X, h2o_type="boolean"))
    mini_batch_size = Integer(1, label="Mini-batch size", doc=(
        "Rows whose gradients are averaged before each update. H2O's code always uses 1; this engine follows "
        "the documentation and really batches (1 = online SGD as in H2O). With ADADELTA (adaptive_rate) epsilon "
        "is multiplied by the batch size, since a batch makes that many fewer updates per epoch."),
        metadata=meta(X, h2o_type="int", check=bad_if(lambda v, c: v < 1, "Mini-batch size must be >= 1")))
    categorical_encoding = Enum(default="AUTO", objects=list(N.CATEGORICAL_ENCODINGS),
                                label="Categorical encoding", doc=(
        "How categorical columns become inputs. AUTO = OneHotInternal (one input per level plus one for "
        "missing); Binary, Eigen, LabelEncoder, SortByResponse and EnumLimited re-encode the frame first. "
        "Enum and OneHotExplicit are rejected."),
        metadata=meta(S, h2o_type="enum", values=N.CATEGORICAL_ENCODINGS, grid=True, checkpoint=False, check=(
            bad_if(lambda v, c: v == "Enum", "Cannot use Enum encoding for categoricals - need numbers!"),
            bad_if(lambda v, c: v == "OneHotExplicit",
                   "Won't use explicit Enum encoding for categoricals - it's much faster with OneHotInternal!"))))
    elastic_averaging = Boolean(False, label="Elastic averaging", doc=(
        "Elastic averaging between workers: each keeps its own model, pulled towards a moving consensus "
        "(experimental, several workers)."), metadata=meta(X, h2o_type="boolean"))
    elastic_averaging_moving_rate = Number(0.9, label="Elastic averaging moving rate", doc=(
        "Weight of the newest average in the consensus model, between 0 and 1."),
        metadata=meta(X, h2o_type="double", hide=hide_if(
            lambda c: not c.elastic_averaging, "Elastic averaging is required for this parameter."),
            check=bad_if(_outside(0, 1), "Elastic averaging moving rate must be between 0 and 1.")))
    elastic_averaging_regularization = Number(0.001, label="Elastic averaging regularization", doc=(
        "Strength of the pull of each worker's weights towards the consensus."),
        metadata=meta(X, h2o_type="double", hide=hide_if(
            lambda c: not c.elastic_averaging, "Elastic averaging is required for this parameter."),
            check=bad_if(lambda v, c: v < 0, "Elastic averaging regularization strength must be >= 0.")))
    export_checkpoints_dir = String(None, allow_None=True, label="Export checkpoints directory", doc=(
        "Directory where the trained model is also written (must be writable)."),
        metadata=meta(S, h2o_type="string"))
    auc_type = Enum(default="AUTO", objects=list(N.AUC_TYPES), label="AUC type", doc=(
        "How multinomial AUC is averaged: one-vs-rest or one-vs-one, macro or weighted; AUTO and NONE skip it."),
        metadata=meta(S, h2o_type="enum", values=N.AUC_TYPES, hide=hide_if(
            lambda c: c.classification is False or c.autoencoder or (c.nclasses is not None and c.nclasses <= 2),
            "auc_type is only used for multinomial classification.")))
    custom_metric_func = param.Parameter(None, allow_None=True, label="Custom metric function", doc=(
        "Reference to a user metric, reported in the scoring history as 'custom' (not for autoencoders)."),
        metadata=meta(X, h2o_type="string"))
    gainslift_bins = Integer(-1, label="Gains/lift bins", doc=(
        "Number of bins of the gains/lift table of binomial models; -1 chooses automatically, 0 disables."),
        metadata=meta(X, h2o_type="int", hide=hide_if(
            lambda c: c.classification is False or c.autoencoder or (c.nclasses is not None and c.nclasses != 2),
            "gainslift_bins is only used for binomial classification."),
            check=bad_if(lambda v, c: v < -1,
                         "gainslift_bins must be -1 (automatic), 0 (disabled) or a positive number of bins.")))

    def __repr__(self):
        changed = {k: v for k, v in self.param.values().items() if k != "name" and not _same(v, _default(k))}
        body = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"DeepLearningParameters({body})"

    __str__ = __repr__

    def values(self, changed_only=False):
        """Parameter values by name (frames/models as given), optionally only those differing from defaults."""
        out = {k: v for k, v in self.param.values().items() if k != "name"}
        if changed_only:
            out = {k: v for k, v in out.items() if not _same(v, _default(k))}
        return out


def declared_default(name):
    """The declared default of parameter ``name`` (the one place defaults are written)."""
    return DeepLearningParameters.param[name].default


_default = declared_default


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and other non-comparable values differ from defaults
        return a is b


PARAMETER_NAMES = tuple(n for n in DeepLearningParameters.param if n != "name")

# Flow orders fields by group, then by declaration order (the order of H2O's schema); derive precedence from it.
_GROUP_BASE = {"critical": 1.0, "secondary": 2.0, "expert": 3.0}
for _i, _name in enumerate(PARAMETER_NAMES):
    _p = DeepLearningParameters.param[_name]
    _p.precedence = _GROUP_BASE[_p.metadata["group"]] + _i / 1000.0
DeepLearningParameters.param["name"].precedence = -1  # param's own instance name is not a form field


@functools.lru_cache(maxsize=None)
def parameter_info(name):
    """``ParamInfo`` for one declared parameter (raises KeyError naming close matches for an unknown name)."""
    if name not in PARAMETER_NAMES:
        raise KeyError(f"Unknown Deep Learning parameter {name!r}.{N.did_you_mean(name, PARAMETER_NAMES)}")
    p = DeepLearningParameters.param[name]
    m = p.metadata
    cp = m["checkpoint"]
    message = cp[0] if isinstance(cp, tuple) else cp if isinstance(cp, str) else None
    return ParamInfo(
        name=name, label=p.label, doc=p.doc, group=m["group"], precedence=p.precedence, default=p.default,
        h2o_type=m["h2o_type"], values=m["values"], checkpoint_modifiable=cp is True,
        checkpoint_message=message, checkpoint_differs=cp[1] if isinstance(cp, tuple) else None,
        applies=m["hide"], checks=m["check"],
        gridable=m["grid"], required=m["required"], infinite=m["infinite"])
