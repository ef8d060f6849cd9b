"""Declarations: the 91 H2O parameters, their defaults, metadata, labels, ordering and lenient input."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearningParameters, ParamInfo, parameter_info
from deepbrook.engine.params import GROUP_TITLES, PARAMETER_NAMES

# H2O 3.46 H2ODeepLearningEstimator defaults (research doc h2o-dl-semantics.md section 1), in H2O's order.
# Enum defaults are H2O's Java/REST spellings of the Python client's lower-case ones.
H2O_DEFAULTS = {
    "model_id": None, "training_frame": None, "validation_frame": None, "nfolds": 0,
    "keep_cross_validation_models": True, "keep_cross_validation_predictions": False,
    "keep_cross_validation_fold_assignment": False, "fold_assignment": "AUTO", "fold_column": None,
    "response_column": None, "ignored_columns": None, "ignore_const_cols": True, "score_each_iteration": False,
    "weights_column": None, "offset_column": None, "balance_classes": False, "class_sampling_factors": None,
    "max_after_balance_size": 5.0, "max_confusion_matrix_size": 20, "checkpoint": None,
    "pretrained_autoencoder": None, "overwrite_with_best_model": True, "use_all_factor_levels": True,
    "standardize": True, "activation": "Rectifier", "hidden": [200, 200], "epochs": 10.0,
    "train_samples_per_iteration": -2, "target_ratio_comm_to_comp": 0.05, "seed": -1, "adaptive_rate": True,
    "rho": 0.99, "epsilon": 1e-8, "rate": 0.005, "rate_annealing": 1e-6, "rate_decay": 1.0, "momentum_start": 0.0,
    "momentum_ramp": 1e6, "momentum_stable": 0.0, "nesterov_accelerated_gradient": True, "input_dropout_ratio": 0.0,
    "hidden_dropout_ratios": None, "l1": 0.0, "l2": 0.0, "max_w2": 3.4028235e38,
    "initial_weight_distribution": "UniformAdaptive", "initial_weight_scale": 1.0, "initial_weights": None,
    "initial_biases": None, "loss": "Automatic", "distribution": "AUTO", "quantile_alpha": 0.5, "tweedie_power": 1.5,
    "huber_alpha": 0.9, "score_interval": 5.0, "score_training_samples": 10000, "score_validation_samples": 0,
    "score_duty_cycle": 0.1, "classification_stop": 0.0, "regression_stop": 1e-6, "stopping_rounds": 5,
    "stopping_metric": "AUTO", "stopping_tolerance": 0.0, "max_runtime_secs": 0.0,
    "score_validation_sampling": "Uniform", "diagnostics": True, "fast_mode": True, "force_load_balance": True,
    "variable_importances": True, "replicate_training_data": True, "single_node_mode": False,
    "shuffle_training_data": False, "missing_values_handling": "MeanImputation", "quiet_mode": False,
    "autoencoder": False, "sparse": False, "col_major": False, "average_activation": 0.0, "sparsity_beta": 0.0,
    "max_categorical_features": 2147483647, "reproducible": False, "export_weights_and_biases": False,
    "mini_batch_size": 1, "categorical_encoding": "AUTO", "elastic_averaging": False,
    "elastic_averaging_moving_rate": 0.9, "elastic_averaging_regularization": 0.001, "export_checkpoints_dir": None,
    "auc_type": "AUTO", "custom_metric_func": None, "gainslift_bins": -1,
}

# H2O DeepLearningModel.Sanity.cp_not_modifiable (+ hidden and ignored_columns, checked on their own), plus
# categorical_encoding, which changes the input layout.
NOT_CHECKPOINT_MODIFIABLE = {
    "response_column", "activation", "use_all_factor_levels", "standardize", "adaptive_rate", "autoencoder", "rho",
    "epsilon", "sparse", "sparsity_beta", "col_major", "rate", "rate_annealing", "rate_decay", "momentum_start",
    "momentum_ramp", "momentum_stable", "nesterov_accelerated_gradient", "ignore_const_cols",
    "max_categorical_features", "nfolds", "distribution", "quantile_alpha", "huber_alpha", "tweedie_power",
    "hidden", "ignored_columns", "validation_frame", "categorical_encoding"}

FLOW_CRITICAL = ["model_id", "training_frame", "validation_frame", "nfolds", "response_column", "ignored_columns",
                 "ignore_const_cols", "activation", "hidden", "epochs", "variable_importances"]


def test_all_91_parameters_in_h2o_order():
    assert len(PARAMETER_NAMES) == 91
    assert list(PARAMETER_NAMES) == list(H2O_DEFAULTS)


@pytest.mark.parametrize("name", list(H2O_DEFAULTS))
def test_default_equals_h2o(name):
    value = getattr(DeepLearningParameters(), name)
    expected = H2O_DEFAULTS[name]
    if isinstance(expected, float):
        assert value == pytest.approx(expected, rel=1e-7)
    else:
        assert value == expected and type(value) is type(expected)


def test_max_w2_default_is_java_float_max():
    assert DeepLearningParameters().max_w2 == float(np.finfo(np.float32).max)


def test_every_parameter_has_metadata_doc_and_label():
    for name in PARAMETER_NAMES:
        info = parameter_info(name)
        assert isinstance(info, ParamInfo)
        assert info.group in GROUP_TITLES
        assert len(info.doc) > 20, name
        assert info.label[0].isupper() or name in ("rho", "epsilon"), name
        assert info.h2o_type


def test_checkpoint_modifiability_follows_h2o():
    fixed = {n for n in PARAMETER_NAMES if not parameter_info(n).checkpoint_modifiable}
    assert fixed == NOT_CHECKPOINT_MODIFIABLE


def test_flow_groups_and_order():
    critical = [n for n in PARAMETER_NAMES if parameter_info(n).group == "critical"]
    assert critical == FLOW_CRITICAL
    assert parameter_info("rho").group == "expert" and parameter_info("l1").group == "secondary"
    assert parameter_info("fold_column").group_title == "Advanced"
    ordered = sorted(PARAMETER_NAMES, key=lambda n: DeepLearningParameters.param[n].precedence)
    assert ordered[:len(FLOW_CRITICAL)] == FLOW_CRITICAL
    groups = [parameter_info(n).group for n in ordered]
    assert groups == sorted(groups, key=["critical", "secondary", "expert"].index)
    assert DeepLearningParameters.param["name"].precedence < 0


def test_enum_values_use_h2o_spellings():
    assert parameter_info("activation").values == (
        "Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout", "Maxout", "MaxoutWithDropout",
        "ExpRectifier", "ExpRectifierWithDropout")
    assert DeepLearningParameters.param["loss"].objects == ["Automatic", "CrossEntropy", "Quadratic", "Huber",
                                                            "Absolute", "Quantile"]


@pytest.mark.parametrize("given, stored", [
    ("rectifier_with_dropout", "RectifierWithDropout"), ("TANH", "Tanh"), ("exprectifier", "ExpRectifier")])
def test_enums_accept_any_case_and_python_style(given, stored):
    assert DeepLearningParameters(activation=given).activation == stored


def test_other_enums_accept_python_client_spellings():
    p = DeepLearningParameters(loss="cross_entropy", distribution="Gaussian", categorical_encoding="one_hot_internal",
                               initial_weight_distribution="uniform_adaptive", stopping_metric="mse",
                               missing_values_handling="mean_imputation", auc_type="macro_ovr",
                               fold_assignment="modulo")
    assert (p.loss, p.distribution, p.categorical_encoding, p.initial_weight_distribution, p.stopping_metric,
            p.missing_values_handling, p.auc_type, p.fold_assignment) == (
        "CrossEntropy", "gaussian", "OneHotInternal", "UniformAdaptive", "MSE", "MeanImputation", "MACRO_OVR",
        "Modulo")
    p.activation = "maxout"
    assert p.activation == "Maxout"


def test_unknown_enum_value_is_rejected_naming_the_parameter():
    with pytest.raises(ValueError, match="activation"):
        DeepLearningParameters(activation="sigmoid")


def test_lists_accept_text_tuples_and_arrays():
    p = DeepLearningParameters(hidden="100, 50", hidden_dropout_ratios=(0.1, 0.2), ignored_columns="ID")
    assert p.hidden == [100, 50] and p.hidden_dropout_ratios == [0.1, 0.2] and p.ignored_columns == ["ID"]
    p.hidden = np.array([32, 16, 8])
    assert p.hidden == [32, 16, 8] and all(type(h) is int for h in p.hidden)
    p.hidden = []
    assert p.hidden == []
    p.class_sampling_factors = [1, 2]
    assert p.class_sampling_factors == [1.0, 2.0]


@pytest.mark.parametrize("name, value, message", [
    ("hidden", "abc", "hidden takes a list of whole numbers (for example: 200, 200); 'abc' is not one"),
    ("hidden", "10, 2.5", "hidden takes a list of whole numbers (for example: 200, 200); 2.5 is not one"),
    ("hidden", [True], "hidden takes a list of whole numbers (for example: 200, 200); True is not one"),
    ("hidden_dropout_ratios", "0.5, x", "hidden_dropout_ratios takes a list of numbers (for example: 0.5, 0.5); "
                                        "'x' is not one"),
    ("ignored_columns", [1], "ignored_columns takes a list of names; 1 is not one"),
])
def test_a_bad_list_entry_is_named_in_words_a_user_can_act_on(name, value, message):
    """#18 minor: `hidden="abc"` showed param's "items must be instances of <class 'int'>"."""
    p = DeepLearningParameters()
    with pytest.raises(ValueError) as err:
        setattr(p, name, value)
    assert str(err.value) == message


def test_numbers_accept_numpy_scalars_and_integral_floats():
    p = DeepLearningParameters(epochs=np.float32(2.5), nfolds=5.0, seed=np.int64(42), variable_importances=np.bool_(0))
    assert p.epochs == 2.5 and p.nfolds == 5 and type(p.nfolds) is int and p.seed == 42
    assert p.variable_importances is False


def test_defaults_are_not_shared_between_instances():
    a, b = DeepLearningParameters(), DeepLearningParameters()
    a.hidden.append(7)
    assert b.hidden == [200, 200]


def test_frame_params_take_frames_or_names():
    class FakeFrame:
        name, names, types = "f", ["a"], {"a": "real"}

        def domain(self, col):
            return None
    fake = FakeFrame()
    assert DeepLearningParameters(training_frame=fake).training_frame is fake
    assert DeepLearningParameters(training_frame="train.hex").training_frame == "train.hex"
    with pytest.raises(ValueError, match="training_frame"):
        DeepLearningParameters(training_frame=42)


def test_parameter_info_unknown_name_suggests():
    with pytest.raises(KeyError, match="Did you mean 'epochs'"):
        parameter_info("epoch")


def test_values_changed_only():
    p = DeepLearningParameters(epochs=3, hidden=[5])
    assert p.values(changed_only=True) == {"epochs": 3, "hidden": [5]}
    assert len(p.values()) == 91


def test_hide_rules_are_readable_from_parameter_info():
    from deepbrook.engine.params.rules import Context
    values = DeepLearningParameters(adaptive_rate=False).values()
    ctx = Context(values)
    assert parameter_info("rate").hide_reason(ctx) is None
    assert parameter_info("rho").hide_reason(ctx) == "rho is only used with adaptive_rate."
