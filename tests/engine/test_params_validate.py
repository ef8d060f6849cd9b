"""validate(): every rule's message (close to H2O's), hide verdicts, frame-dependent checks on real Frames."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearningParameters, Frame, Message, validate

N = 40
RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def frame():
    """Small real Frame with every column kind the rules look at."""
    return Frame.from_arrays({
        "x1": RNG.normal(size=N), "x2": RNG.integers(0, 5, N),
        "color": RNG.integers(0, 3, N),
        "y2": np.arange(N) % 2, "y3": np.arange(N) % 3,
        "yreg": RNG.normal(size=N), "yneg": RNG.normal(size=N) - 5, "y01": (np.arange(N) % 2).astype(float),
        "w": RNG.uniform(0.5, 2, N), "wneg": np.r_[-1.0, np.ones(N - 1)], "wna": np.r_[np.nan, np.ones(N - 1)],
        "off": RNG.normal(size=N), "fold": np.arange(N) % 4, "fold_real": RNG.normal(size=N),
        "const": np.ones(N), "text": np.array([f"t{i}" for i in range(N)], dtype=object)},
        types={"text": "string", "x2": "int", "fold": "int"},
        domains={"color": ["red", "green", "blue"], "y2": ["no", "yes"], "y3": ["a", "b", "c"]}, name="train")


def run(frame, valid=None, **kw):
    kw.setdefault("hidden", [8])
    return validate(DeepLearningParameters(**kw), frame, valid)


def has(messages, level, parameter, text):
    return any(m.level == level and m.parameter == parameter and text in m.message for m in messages)


def levels(messages, level):
    return {m.parameter for m in messages if m.level == level}


def test_clean_parameters_have_no_errors(frame):
    for response in ("y2", "y3", "yreg"):
        out = run(frame, response_column=response)
        assert not levels(out, "error"), out
    assert all(isinstance(m, Message) for m in out)


def test_validate_accepts_a_plain_dict(frame):
    out = validate({"response_column": "nope", "hidden": [4]}, frame)
    assert has(out, "error", "response_column", "Response column 'nope' not found in the training frame")


def test_unknown_parameter_name_in_dict_is_an_error():
    from deepbrook.engine import ParameterError
    with pytest.raises(ParameterError, match="Did you mean 'epochs'"):
        validate({"epoch": 3})


# (parameters, level, parameter, message fragment): one row per rule that needs only a training frame.
RULES = [
    # generic ModelBuilder rules
    (dict(response_column=None), "error", "response_column", "Response column parameter not set."),
    (dict(response_column="yy2"), "error", "response_column",
     "Response column 'yy2' not found in the training frame. Did you mean 'y2'?"),
    (dict(response_column="text"), "error", "response_column",
     "Use numerical, categorical or time variable. Currently used string"),
    (dict(response_column="const"), "error", "response_column", "Response cannot be constant."),
    (dict(response_column="y01"), "warning", "response_column",
     "We have detected that your response column has only 2 unique values (0/1)."),
    (dict(response_column="yreg", ignored_columns=["x1", "colour"]), "error", "ignored_columns",
     "Ignored column 'colour' not found in the training frame. Did you mean 'color'?"),
    (dict(response_column="yreg", ignored_columns=["yreg"]), "info", "ignored_columns",
     "Response column 'yreg' is listed in ignored_columns"),
    (dict(response_column="yreg", weights_column="ww"), "error", "weights_column",
     "Weights column 'ww' not found in the training frame. Did you mean 'w'?"),
    (dict(response_column="yreg", weights_column="color"), "error", "weights_column",
     "Invalid weights column 'color', weights must be numeric"),
    (dict(response_column="yreg", weights_column="wneg"), "error", "weights_column", "Weights must be >= 0"),
    (dict(response_column="yreg", weights_column="wna"), "error", "weights_column",
     "Weights cannot have missing values."),
    (dict(response_column="yreg", weights_column="yreg"), "error", "response_column",
     "Response column must be different from weights_column"),
    (dict(response_column="yreg", offset_column="of"), "error", "offset_column",
     "Offset column 'of' not found in the training frame. Did you mean 'off'?"),
    (dict(response_column="yreg", offset_column="color"), "error", "offset_column",
     "Invalid offset column 'color', offset must be numeric"),
    (dict(response_column="yreg", offset_column="w", weights_column="w"), "error", "offset_column",
     "Offset must be different from weights"),
    (dict(response_column="y2", offset_column="off"), "error", "offset_column",
     "Offset is only supported for regression."),
    (dict(response_column="yreg", fold_column="fold_real"), "error", "fold_column",
     "Invalid fold column 'fold_real', fold must be integer or categorical"),
    (dict(response_column="yreg", fold_column="text"), "error", "fold_column",
     "Invalid fold column 'text', fold must be integer or categorical"),
    (dict(response_column="yreg", weights_column="text"), "error", "weights_column",
     "Invalid weights column 'text', weights must be numeric"),
    (dict(response_column="yreg", fold_column="const"), "error", "fold_column",
     "Invalid fold column 'const', fold cannot be constant"),
    (dict(response_column="yreg", fold_column="fold", nfolds=3), "error", "nfolds",
     "nfolds cannot be specified at the same time as a fold column."),
    (dict(response_column="yreg", fold_column="fold", fold_assignment="modulo"), "error", "fold_assignment",
     "Fold assignment is not allowed in conjunction with a fold column."),
    (dict(response_column="yreg", fold_assignment="random"), "error", "fold_assignment",
     "Fold assignment is only allowed for cross-validation."),
    (dict(response_column="yreg", nfolds=3, fold_assignment="stratified"), "error", "fold_assignment",
     "Stratified fold assignment needs a categorical response"),
    (dict(response_column="yreg", nfolds=1), "error", "nfolds", "nfolds must be either 0 or >1."),
    (dict(response_column="yreg", nfolds=41), "error", "nfolds",
     "nfolds cannot be larger than the number of rows (40)."),
    (dict(response_column="yreg", ignored_columns=["x1", "x2", "color", "y2", "y3", "yneg", "y01", "w", "wneg",
                                                   "wna", "off", "fold", "fold_real", "const"]),
     "error", "training_frame", "Training data must have at least 2 features (incl. response)."),
    (dict(response_column="y2", balance_classes=True, weights_column="w"), "error", "balance_classes",
     "Balance classes and observation weights are not currently supported together."),
    (dict(response_column="yreg", max_after_balance_size=0.0, balance_classes=True), "error", "balance_classes",
     "balance_classes requires classification."),
    (dict(response_column="y3", max_after_balance_size=0.0, balance_classes=True), "error",
     "max_after_balance_size", "Max size after balancing needs to be positive"),
    (dict(response_column="y3", class_sampling_factors=[1, 2, 3]), "error", "class_sampling_factors",
     "class_sampling_factors requires balance_classes to be enabled."),
    (dict(response_column="y3", balance_classes=True, class_sampling_factors=[1, 2]), "error",
     "class_sampling_factors", "class_sampling_factors must have 3 elements"),
    (dict(response_column="y3", balance_classes=True, class_sampling_factors=[1, 0, 2]), "error",
     "class_sampling_factors", "class_sampling_factors must all be > 0."),
    # response type vs distribution and loss
    (dict(response_column="y2", distribution="gaussian"), "error", "distribution",
     "gaussian distribution is not allowed for classification."),
    (dict(response_column="y3", distribution="poisson"), "error", "distribution",
     "poisson distribution is not allowed for classification."),
    (dict(response_column="y3", distribution="bernoulli"), "error", "distribution",
     "bernoulli distribution needs a response with 2 levels"),
    (dict(response_column="yreg", distribution="multinomial"), "error", "distribution",
     "multinomial distribution is not allowed for regression."),
    (dict(response_column="yreg", distribution="bernoulli"), "error", "distribution",
     "bernoulli distribution is not allowed for regression."),
    (dict(response_column="yreg", loss="cross_entropy"), "error", "loss",
     "For CrossEntropy loss, the response must be categorical."),
    (dict(response_column="y2", loss="huber"), "error", "loss",
     "For classification tasks, the loss must be one of: Automatic, Quadratic or CrossEntropy."),
    (dict(response_column="y2", loss="absolute"), "error", "loss", "For classification tasks, the loss must be"),
    (dict(response_column="yreg", distribution="poisson", loss="quadratic"), "error", "distribution",
     "Only Automatic loss (deviance) is allowed for poisson distribution."),
    (dict(response_column="yreg", distribution="gamma", loss="absolute"), "error", "distribution",
     "Only Automatic loss (deviance) is allowed for gamma distribution."),
    (dict(response_column="yreg", distribution="laplace", loss="quadratic"), "error", "distribution",
     "Only Automatic or Absolute loss is allowed for laplace distribution."),
    (dict(response_column="yreg", distribution="quantile", loss="huber"), "error", "distribution",
     "Only Automatic or Quantile loss is allowed for quantile distribution."),
    (dict(response_column="yreg", distribution="huber", loss="quantile"), "error", "distribution",
     "Only Automatic or Huber loss is allowed for huber distribution."),
    (dict(response_column="yreg", distribution="gaussian", loss="absolute"), "warning", "loss",
     "loss Absolute is ignored with distribution gaussian"),
    (dict(response_column="yneg", distribution="poisson"), "error", "response_column",
     "Response must be non-negative for Poisson distribution."),
    (dict(response_column="yneg", distribution="gamma"), "error", "response_column",
     "Response must be non-negative for Gamma distribution."),
    (dict(response_column="yneg", distribution="tweedie"), "error", "response_column",
     "Response must be non-negative for Tweedie distribution."),
    (dict(response_column="yreg", distribution="tweedie", tweedie_power=2.0), "error", "tweedie_power",
     "Tweedie power must be between 1 and 2 (exclusive)."),
    (dict(response_column="yreg", distribution="tweedie", tweedie_power=1.0), "error", "tweedie_power",
     "For tweedie power = 1, use Poisson distribution."),
    (dict(response_column="yreg", distribution="quantile", quantile_alpha=1.5), "error", "quantile_alpha",
     "quantile_alpha must be between 0 and 1."),
    (dict(response_column="yreg", distribution="huber", huber_alpha=-0.1), "error", "huber_alpha",
     "huber_alpha must be between 0 and 1."),
    # stopping
    (dict(response_column="y2", stopping_metric="deviance"), "error", "stopping_metric",
     "Stopping metric cannot be deviance for classification."),
    (dict(response_column="yreg", stopping_metric="AUC"), "error", "stopping_metric",
     "Stopping metric cannot be AUC for regression."),
    (dict(response_column="yreg", stopping_metric="logloss"), "error", "stopping_metric",
     "Stopping metric cannot be logloss for regression."),
    (dict(response_column="y3", stopping_metric="AUC"), "error", "stopping_metric",
     "Stopping metric AUC for multinomial classification needs an auc_type other than AUTO or NONE"),
    (dict(response_column="yreg", stopping_rounds=0, stopping_metric="MSE"), "warning", "stopping_metric",
     "Stopping metric is ignored for stopping_rounds=0."),
    (dict(response_column="yreg", stopping_rounds=0, stopping_tolerance=0.01), "warning", "stopping_tolerance",
     "Stopping tolerance is ignored for stopping_rounds=0."),
    (dict(response_column="yreg", stopping_rounds=-1), "error", "stopping_rounds", "Stopping rounds must be >= 0."),
    (dict(response_column="yreg", stopping_tolerance=-0.1), "error", "stopping_tolerance",
     "Stopping tolerance must be >= 0."),
    (dict(response_column="yreg", stopping_tolerance=1.0), "error", "stopping_tolerance",
     "Stopping tolerance must be < 1."),
    (dict(response_column="yreg", stopping_metric="custom"), "error", "custom_metric_func",
     "Custom metric function needs to be defined in order to use it for early stopping."),
    (dict(response_column="yreg", max_runtime_secs=-1), "error", "max_runtime_secs",
     "Max runtime (in seconds) must be greater than 0 (or 0 for unlimited)."),
    # architecture and optimizer
    (dict(response_column="yreg", hidden=[10, 0]), "error", "hidden", "Hidden layer size must be positive."),
    # 22 inputs (11 numeric + color 3+1, y2 2+1, y3 3+1 one-hot slots incl. missing): 22*1e5+1e5 + 1e5*2000+2000 +
    # 2000*1+1 weights and biases
    (dict(response_column="yreg", hidden=[100000, 2000]), "error", "hidden",
     "Model is too large: 202304001 parameters. Try reducing the number of neurons in the hidden layers"),
    (dict(response_column="yreg", epochs=-1), "error", "epochs", "epochs must be >= 0"),
    (dict(response_column="yreg", train_samples_per_iteration=-3), "error", "train_samples_per_iteration",
     "train_samples_per_iteration must be -2 (automatic), -1 (all data), 0 (one epoch) or >= 1."),
    (dict(response_column="yreg", activation="RectifierWithDropout", hidden=[8, 8], hidden_dropout_ratios=[0.5]),
     "error", "hidden_dropout_ratios", "Must have 2 hidden layer dropout ratios."),
    (dict(response_column="yreg", activation="Rectifier", hidden_dropout_ratios=[0.5]), "error",
     "hidden_dropout_ratios", "Cannot specify hidden_dropout_ratios with a non-dropout activation function. Use "
     "'RectifierWithDropout', 'TanhWithDropout', etc."),
    (dict(response_column="yreg", activation="TanhWithDropout", hidden_dropout_ratios=[1.0]), "error",
     "hidden_dropout_ratios", "Hidden dropout ratios must be >= 0 and <1."),
    (dict(response_column="yreg", activation="MaxoutWithDropout", hidden_dropout_ratios=[-0.1]), "error",
     "hidden_dropout_ratios", "Hidden dropout ratios must be >= 0 and <1."),
    (dict(response_column="yreg", input_dropout_ratio=1.0), "error", "input_dropout_ratio",
     "Input dropout must be >= 0 and <1."),
    (dict(response_column="yreg", input_dropout_ratio=-0.2), "error", "input_dropout_ratio",
     "Input dropout must be >= 0 and <1."),
    (dict(response_column="yreg", l1=-1e-5), "error", "l1", "L1 penalty must be >= 0."),
    (dict(response_column="yreg", l2=-1e-5), "error", "l2", "L2 penalty must be >= 0."),
    (dict(response_column="yreg", max_w2=0.0), "error", "max_w2", "Cannot use max_w2 <= 0."),
    (dict(response_column="yreg", mini_batch_size=0), "error", "mini_batch_size", "Mini-batch size must be >= 1"),
    (dict(response_column="yreg", score_duty_cycle=1.5), "error", "score_duty_cycle",
     "Score duty cycle must be >= 0 and <=1."),
    (dict(response_column="yreg", score_training_samples=-1), "error", "score_training_samples",
     "Number of training samples for scoring must be >= 0 (0 for all)."),
    (dict(response_column="yreg", score_interval=-1), "error", "score_interval", "score_interval must be >= 0."),
    (dict(response_column="yreg", regression_stop=-0.5), "error", "regression_stop",
     "regression_stop must be -1 (disabled) or >= 0."),
    (dict(response_column="y2", classification_stop=1.5), "error", "classification_stop",
     "classification_stop must be -1 (disabled) or between 0 and 1."),
    (dict(response_column="yreg", rate=0.01), "warning", "rate", "rate cannot be specified if adaptive_rate is "
     "enabled."),
    (dict(response_column="yreg", rate_annealing=0.0), "warning", "rate_annealing",
     "rate_annealing cannot be specified if adaptive_rate is enabled."),
    (dict(response_column="yreg", rate_decay=0.5), "warning", "rate_decay",
     "rate_decay cannot be specified if adaptive_rate is enabled."),
    (dict(response_column="yreg", momentum_start=0.5), "warning", "momentum_start",
     "momentum_start cannot be specified if adaptive_rate is enabled."),
    (dict(response_column="yreg", momentum_ramp=10.0), "warning", "momentum_ramp",
     "momentum_ramp cannot be specified if adaptive_rate is enabled."),
    (dict(response_column="yreg", momentum_stable=0.9), "warning", "momentum_stable",
     "momentum_stable cannot be specified if adaptive_rate is enabled."),
    (dict(response_column="yreg", adaptive_rate=False, rho=0.9), "warning", "rho",
     "rho cannot be specified if adaptive_rate is disabled."),
    (dict(response_column="yreg", adaptive_rate=False, epsilon=1e-6), "warning", "epsilon",
     "epsilon cannot be specified if adaptive_rate is disabled."),
    (dict(response_column="yreg", rho=0.0), "error", "rho", "rho must be > 0 and <= 1."),
    (dict(response_column="yreg", epsilon=0.0), "error", "epsilon", "epsilon must be > 0."),
    (dict(response_column="yreg", adaptive_rate=False, rate=0.0), "error", "rate", "rate must be > 0."),
    (dict(response_column="yreg", adaptive_rate=False, rate_annealing=-1.0), "error", "rate_annealing",
     "rate_annealing must be >= 0."),
    (dict(response_column="yreg", adaptive_rate=False, rate_decay=0.0), "error", "rate_decay",
     "rate_decay must be > 0."),
    (dict(response_column="yreg", adaptive_rate=False, momentum_start=1.0), "error", "momentum_start",
     "momentum_start must be >= 0 and < 1."),
    (dict(response_column="yreg", adaptive_rate=False, momentum_stable=-0.1), "error", "momentum_stable",
     "momentum_stable must be >= 0 and < 1."),
    (dict(response_column="yreg", adaptive_rate=False, momentum_ramp=0.0), "error", "momentum_ramp",
     "momentum_ramp must be > 0."),
    (dict(response_column="yreg", initial_weight_distribution="Normal", initial_weight_scale=0.0), "error",
     "initial_weight_scale", "initial_weight_scale must be > 0."),
    (dict(response_column="yreg", train_samples_per_iteration=-2, target_ratio_comm_to_comp=1.0), "error",
     "target_ratio_comm_to_comp", "target_ratio_comm_to_comp must be > 0 and < 1."),
    (dict(response_column="yreg", categorical_encoding="enum"), "error", "categorical_encoding",
     "Cannot use Enum encoding for categoricals - need numbers!"),
    (dict(response_column="yreg", categorical_encoding="one_hot_explicit"), "error", "categorical_encoding",
     "Won't use explicit Enum encoding for categoricals - it's much faster with OneHotInternal!"),
    (dict(response_column="yreg", col_major=True), "error", "col_major",
     "Deprecated: Column major data handling not supported anymore - not faster."),
    (dict(response_column="yreg", diagnostics=False), "warning", "diagnostics",
     "Deprecated option: Diagnostics are always enabled."),
    (dict(response_column="yreg", max_categorical_features=0), "error", "max_categorical_features",
     "max_categorical_features must be at least 1."),
    (dict(response_column="yreg", sparse=True, elastic_averaging=True), "error", "elastic_averaging",
     "Cannot use elastic averaging for sparse data handling."),
    (dict(response_column="yreg", elastic_averaging=True, elastic_averaging_moving_rate=1.5), "error",
     "elastic_averaging_moving_rate", "Elastic averaging moving rate must be between 0 and 1."),
    (dict(response_column="yreg", elastic_averaging=True, elastic_averaging_regularization=-1.0), "error",
     "elastic_averaging_regularization", "Elastic averaging regularization strength must be >= 0."),
    (dict(response_column="yreg", sparsity_beta=0.1), "error", "sparsity_beta",
     "Sparsity beta can only be used for autoencoder."),
    (dict(response_column="y2", gainslift_bins=-5), "error", "gainslift_bins",
     "gainslift_bins must be -1 (automatic), 0 (disabled) or a positive number of bins."),
    # initial weights / biases / checkpoint
    (dict(response_column="yreg", hidden=[8, 4], initial_weights=[None, None]), "error", "initial_weights",
     "The number of initial weights matrices must be 3 (some weight matrices can be NULL/None/null)."),
    (dict(response_column="yreg", hidden=[8, 4], initial_biases=[None]), "error", "initial_biases",
     "The number of initial bias vectors must be 3 (some bias vectors can be NULL/None/null)."),
    (dict(response_column="yreg", hidden=[8, 4], initial_weights=[None, np.zeros((4, 5)), None]), "error",
     "initial_weights", "Dimensionality mismatch for initial_weights[1]: expected 4 x 8"),
    (dict(response_column="y3", hidden=[8], initial_weights=[None, np.zeros((2, 8))]), "error",
     "initial_weights", "Dimensionality mismatch for initial_weights[1]: expected 3 x 8"),
    (dict(response_column="yreg", hidden=[8], initial_biases=[np.zeros(7), None]), "error", "initial_biases",
     "Dimensionality mismatch for initial_biases[0]: expected 8 x 1, got 7 x 1."),
    (dict(response_column="yreg", hidden=[8], checkpoint="dl_model_1", initial_weights=[None, None]), "error",
     "checkpoint", "Cannot specify initial weights or biases during checkpoint restart."),
    # autoencoder
    (dict(autoencoder=True, nfolds=3), "error", "nfolds", "N-fold cross-validation is not supported for "
     "Autoencoder."),
    (dict(autoencoder=True, activation="maxout"), "error", "activation",
     "Maxout activation is not supported for auto-encoder."),
    (dict(autoencoder=True, activation="maxout_with_dropout"), "error", "activation",
     "Maxout activation is not supported for auto-encoder."),
    (dict(autoencoder=True, loss="CrossEntropy"), "error", "loss", "Cannot use CrossEntropy loss for auto-encoder."),
    (dict(autoencoder=True, stopping_metric="logloss"), "error", "stopping_metric",
     "Stopping metric must either be AUTO or MSE for autoencoder."),
    (dict(autoencoder=True, sparsity_beta=0.1, activation="Tanh", average_activation=1.0), "error",
     "average_activation", "Tanh average activation must be in (-1,1)."),
    (dict(autoencoder=True, sparsity_beta=0.1, activation="Rectifier", average_activation=0.0), "error",
     "average_activation", "Rectifier average activation must be positive."),
    (dict(autoencoder=True, sparsity_beta=-0.1), "error", "sparsity_beta", "sparsity_beta must be >= 0."),
    (dict(autoencoder=True, custom_metric_func="python:my_metric"), "error", "custom_metric_func",
     "Custom metric is not supported for Autoencoder."),
    (dict(autoencoder=True, categorical_encoding="SortByResponse"), "error", "categorical_encoding",
     "Categorical encoding scheme cannot be SortByResponse - no response column available."),
    (dict(autoencoder=True, offset_column="off"), "error", "offset_column", "Offset is only supported for regression."),
    (dict(autoencoder=True, pretrained_autoencoder="ae_1"), "error", "pretrained_autoencoder",
     "The pretrained model must be unsupervised (an autoencoder), and the model to be trained must be supervised."),
    (dict(autoencoder=True, balance_classes=True), "error", "balance_classes",
     "balance_classes requires classification."),
]


@pytest.mark.parametrize("kw, level, parameter, text", RULES, ids=[f"{r[2]}:{r[3][:40]}" for r in RULES])
def test_rule_message(frame, kw, level, parameter, text):
    out = run(frame, **kw)
    assert has(out, level, parameter, text), [str(m) for m in out if m.level != "hide"]


def test_missing_training_frame():
    out = validate(DeepLearningParameters(response_column="y"))
    assert has(out, "error", "training_frame", "Missing training frame")


def test_frame_name_only_skips_frame_rules():
    """With only a frame name (no Frame object) the column rules cannot run, like Flow before a frame is chosen."""
    out = validate(DeepLearningParameters(training_frame="train.hex", response_column="anything"))
    assert not levels(out, "error")


def test_export_checkpoints_dir_must_be_writable(frame, tmp_path):
    assert not levels(run(frame, response_column="yreg", export_checkpoints_dir=str(tmp_path)), "error")
    out = run(frame, response_column="yreg", export_checkpoints_dir="/proc/definitely/not/here")
    assert has(out, "error", "export_checkpoints_dir", "Checkpoints directory path must point to a writable path.")


def test_too_many_classes():
    k = 1001
    big = Frame.from_arrays({"x": np.arange(k, dtype=float), "y": np.arange(k)}, domains={"y": [f"c{i}" for i in
                                                                                               range(k)]})
    out = validate(DeepLearningParameters(response_column="y", hidden=[2]), big)
    assert has(out, "error", "response_column", "Too many levels in response column: 1001, maximum supported "
               "number of classes is 1000.")


def test_pretrained_model_must_be_an_autoencoder(frame):
    class Model:
        key = "dl_supervised"
        params = type("P", (), {"problem": "regression"})()
    out = run(frame, response_column="yreg", pretrained_autoencoder=Model())
    assert has(out, "error", "pretrained_autoencoder", "The pretrained model must be unsupervised")


def test_documented_behaviour_is_not_flagged(frame):
    """Where H2O's code contradicts its docs we follow the docs: no mini-batch or offset-sign warnings."""
    out = run(frame, response_column="yreg", mini_batch_size=32, offset_column="off", adaptive_rate=False,
              momentum_start=0.5, momentum_stable=0.99, max_w2=10.0)
    assert not levels(out, "error") and not levels(out, "warning"), out


# ------------------------------------------------------------------------------------------------ validation frame
def test_validation_frame_rules(frame):
    valid = frame.drop(["x1", "y2"])
    out = run(frame, valid, response_column="y2")
    assert has(out, "error", "validation_frame", "Validation Frame must have a response column 'y2'.")
    assert has(out, "warning", "validation_frame", "Validation Frame is missing column 'x1'")
    empty = frame.rows(np.zeros(N, dtype=bool))
    assert has(run(frame, empty, response_column="y2"), "error", "validation_frame",
               "Validation Frame must have > 0 rows.")
    swapped = frame.drop(["x2"]).with_columns(Frame.from_arrays({"x2": np.arange(N) % 2}, domains={"x2": ["a", "b"]}))
    assert has(run(frame, swapped, response_column="y2"), "error", "validation_frame",
               "Validation Frame has a categorical column 'x2' which is numeric in the training data.")


def test_validation_frame_from_parameters(frame):
    out = validate(DeepLearningParameters(training_frame=frame, validation_frame=frame, response_column="y2",
                                          hidden=[4]))
    assert not levels(out, "error")
    assert "score_validation_samples" not in levels(out, "hide")


# ------------------------------------------------------------------------------------------------ hide verdicts
def hidden(out):
    return levels(out, "hide")


def test_hide_defaults_for_classification(frame):
    h = hidden(run(frame, response_column="y2"))
    assert {"rate", "rate_annealing", "rate_decay", "momentum_start", "momentum_ramp", "momentum_stable",
            "nesterov_accelerated_gradient", "hidden_dropout_ratios", "initial_weight_scale", "regression_stop",
            "score_validation_samples", "score_validation_sampling", "quantile_alpha", "tweedie_power",
            "huber_alpha", "average_activation", "sparsity_beta", "elastic_averaging_moving_rate",
            "elastic_averaging_regularization", "keep_cross_validation_models", "fold_assignment",
            "class_sampling_factors", "max_after_balance_size", "max_confusion_matrix_size", "auc_type",
            "replicate_training_data", "single_node_mode"} <= h
    assert {"classification_stop", "rho", "epsilon", "balance_classes", "gainslift_bins",
            "response_column"}.isdisjoint(h)


def test_hide_for_regression(frame):
    h = hidden(run(frame, response_column="yreg"))
    assert {"classification_stop", "balance_classes", "class_sampling_factors", "max_confusion_matrix_size",
            "gainslift_bins", "auc_type"} <= h
    assert "regression_stop" not in h
    out = run(frame, response_column="yreg")
    assert has(out, "hide", "balance_classes", "Balance classes is only applicable to classification problems.")


def test_hide_for_manual_rate_and_dropout(frame):
    out = run(frame, response_column="y3", adaptive_rate=False, activation="RectifierWithDropout",
              initial_weight_distribution="Normal", balance_classes=True)
    h = hidden(out)
    assert {"rho", "epsilon"} <= h
    assert {"rate", "momentum_start", "nesterov_accelerated_gradient", "hidden_dropout_ratios",
            "initial_weight_scale", "class_sampling_factors", "max_after_balance_size", "max_confusion_matrix_size",
            "auc_type"}.isdisjoint(h)
    assert has(out, "hide", "rho", "rho is only used with adaptive_rate.")


def test_hide_for_autoencoder(frame):
    out = run(frame, autoencoder=True)
    h = hidden(out)
    assert {"response_column", "use_all_factor_levels", "balance_classes", "offset_column",
            "pretrained_autoencoder", "classification_stop"} <= h
    assert {"average_activation", "sparsity_beta"}.isdisjoint(h)
    assert has(out, "hide", "use_all_factor_levels", "use_all_factor_levels is mandatory in combination with "
               "autoencoder.")
    assert not levels(out, "error")


def test_hide_for_cross_validation_and_distribution(frame):
    h = hidden(run(frame, response_column="yreg", nfolds=3, distribution="tweedie"))
    assert {"overwrite_with_best_model", "fold_column"} <= h
    assert {"keep_cross_validation_models", "fold_assignment", "tweedie_power"}.isdisjoint(h)
    h = hidden(run(frame, response_column="yreg", fold_column="fold"))
    assert {"nfolds", "fold_assignment"} <= h
    h = hidden(run(frame, response_column="yreg", distribution="quantile"))
    assert "quantile_alpha" not in h and "huber_alpha" in h


def test_hidden_fields_skip_their_own_checks(frame):
    """A field that does not apply is not checked (rho=0 with a manual rate is simply unused)."""
    out = run(frame, response_column="yreg", adaptive_rate=False, rho=0.0)
    assert not has(out, "error", "rho", "rho must be")
    assert has(out, "hide", "rho", "rho is only used with adaptive_rate.")


def test_multi_node_shows_replication_fields(frame):
    out = validate(DeepLearningParameters(response_column="yreg", hidden=[4]), frame, cluster_size=3)
    assert {"replicate_training_data", "single_node_mode"}.isdisjoint(hidden(out))


def test_without_frame_only_frame_free_hides():
    out = validate(DeepLearningParameters(training_frame="x"))
    h = hidden(out)
    assert "rate" in h and "classification_stop" not in h and "regression_stop" not in h


def test_bad_values_in_a_dict_are_all_reported():
    from deepbrook.engine import ParameterError
    with pytest.raises(ParameterError) as info:
        validate({"activation": "rectifer", "hidden": "10, ten", "epochs": "many", "epoch": 1})
    found = {m.parameter: m.message for m in info.value.messages}
    assert set(found) == {"activation", "hidden", "epochs", "epoch"}
    assert "Did you mean 'Rectifier'" in found["activation"] and "choose one of Tanh" in found["activation"]
    assert "Did you mean 'epochs'?" in found["epoch"]


def test_message_level_is_checked():
    with pytest.raises(ValueError, match="level"):
        Message("fatal", "epochs", "x")


def test_field_in_error_is_not_hidden(frame):
    out = run(frame, response_column="yreg", activation="Rectifier", hidden_dropout_ratios=[0.5], sparsity_beta=0.2)
    assert has(out, "error", "hidden_dropout_ratios", "Cannot specify hidden_dropout_ratios")
    assert has(out, "error", "sparsity_beta", "Sparsity beta can only be used for autoencoder.")
    assert {"hidden_dropout_ratios", "sparsity_beta"}.isdisjoint(hidden(out))
    assert "average_activation" in hidden(out)


def test_multinomial_auc_stopping_with_auc_type_is_fine(frame):
    assert not levels(run(frame, response_column="y3", stopping_metric="AUC", auc_type="macro_ovr"), "error")
    assert not levels(run(frame, response_column="y2", stopping_metric="AUC"), "error")


def test_time_response_is_regression():
    import pandas as pd
    from deepbrook.engine import resolve
    df = pd.DataFrame({"x": np.arange(6.0), "t": pd.date_range("2024-01-01", periods=6, freq="D")})
    f = Frame.from_pandas(df)
    assert f.types["t"] == "time"
    assert resolve(DeepLearningParameters(response_column="t", hidden=[2]), f).problem == "regression"


def test_initial_weights_as_frames(frame):
    """H2O layout: the frame for layer k has one row per unit of layer k+1 and one column per unit of layer k."""
    w1_good = Frame.from_arrays({f"c{i}": np.zeros(4) for i in range(8)})   # 4 x 8
    w1_bad = Frame.from_arrays({f"c{i}": np.zeros(8) for i in range(4)})    # 8 x 4
    ok = run(frame, response_column="yreg", hidden=[8, 4], initial_weights=[None, w1_good, "w2_frame"])
    assert not levels(ok, "error")
    bad = run(frame, response_column="yreg", hidden=[8, 4], initial_weights=[None, w1_bad, None])
    assert has(bad, "error", "initial_weights", "Dimensionality mismatch for initial_weights[1]: expected 4 x 8 "
               "(units of layer 2 x units of layer 1), got 8 x 4.")
