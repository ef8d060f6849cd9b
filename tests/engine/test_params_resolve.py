"""resolve(): AUTO resolution per problem type on real frames, sanitizing rules, errors; checkpoint rules."""
import json

import pytest

from deepbrook.engine import (DeepLearningParameters, ParameterError, ResolvedParameters, check_checkpoint_compatible,
                              import_file, resolve)


@pytest.fixture(scope="module")
def prostate(prostate_path):
    return import_file(prostate_path)


@pytest.fixture(scope="module")
def prostate_enum(prostate):
    return prostate.as_type("CAPSULE", "enum").as_type("RACE", "enum")


def P(**kw):
    kw.setdefault("hidden", [10, 10])
    return DeepLearningParameters(**kw)


def test_binomial_from_enum_response(prostate_enum):
    r = resolve(P(response_column="CAPSULE", ignored_columns=["ID"]), prostate_enum)
    assert r.problem == "binomial" and r.nclasses == 2 and r.response_domain == ("0", "1")
    assert (r.distribution, r.loss, r.stopping_metric, r.categorical_encoding) == (
        "bernoulli", "CrossEntropy", "logloss", "OneHotInternal")
    assert r.input["distribution"] == "AUTO" and r.actual["distribution"] == "bernoulli"
    assert "ID" not in r.predictors and "CAPSULE" not in r.predictors and "AGE" in r.predictors
    assert r.training_frame == prostate_enum.name


def test_numeric_01_response_stays_regression_with_warning(prostate):
    r = resolve(P(response_column="CAPSULE"), prostate)
    assert r.problem == "regression" and r.nclasses == 1 and r.response_domain is None
    assert (r.distribution, r.loss, r.stopping_metric) == ("gaussian", "Quadratic", "deviance")
    assert any(m.level == "warning" and m.parameter == "response_column" for m in r.messages)


def test_multinomial(prostate_enum):
    r = resolve(P(response_column="RACE"), prostate_enum)
    assert r.problem == "multinomial" and r.nclasses == 3
    assert (r.distribution, r.loss, r.stopping_metric, r.auc_type) == ("multinomial", "CrossEntropy", "logloss",
                                                                       "NONE")


@pytest.mark.parametrize("loss, distribution, want_dist, want_loss", [
    ("Automatic", "AUTO", "gaussian", "Quadratic"), ("Absolute", "AUTO", "laplace", "Absolute"),
    ("Huber", "AUTO", "huber", "Huber"), ("Quantile", "AUTO", "quantile", "Quantile"),
    ("Automatic", "poisson", "poisson", "Automatic"), ("Automatic", "tweedie", "tweedie", "Automatic"),
    ("Automatic", "laplace", "laplace", "Absolute"), ("Automatic", "huber", "huber", "Huber")])
def test_regression_loss_distribution_resolution(prostate, loss, distribution, want_dist, want_loss):
    r = resolve(P(response_column="PSA", loss=loss, distribution=distribution), prostate)
    assert r.problem == "regression" and (r.distribution, r.loss) == (want_dist, want_loss)


def test_autoencoder(prostate):
    r = resolve(P(autoencoder=True, use_all_factor_levels=False, ignored_columns=["ID"]), prostate)
    assert r.problem == "autoencoder" and r.autoencoder and not r.classification and r.nclasses == 1
    assert (r.distribution, r.loss, r.stopping_metric) == ("gaussian", "Quadratic", "MSE")
    assert r.use_all_factor_levels is True and r.input["use_all_factor_levels"] is False
    assert "CAPSULE" in r.predictors and "ID" not in r.predictors
    assert resolve(P(autoencoder=True, loss="absolute"), prostate).distribution == "laplace"


def test_activation_split_and_dropout_defaults(prostate):
    r = resolve(P(response_column="PSA", activation="rectifier_with_dropout", hidden=[8, 4, 2]), prostate)
    assert (r.activation_base, r.dropout, r.hidden_dropout_ratios) == ("Rectifier", True, [0.5, 0.5, 0.5])
    r = resolve(P(response_column="PSA", activation="ExpRectifierWithDropout", hidden=[8, 4],
                  hidden_dropout_ratios=[0.1, 0.2]), prostate)
    assert (r.activation_base, r.dropout, r.hidden_dropout_ratios) == ("ExpRectifier", True, [0.1, 0.2])
    r = resolve(P(response_column="PSA", activation="maxout"), prostate)
    assert (r.activation_base, r.dropout, r.hidden_dropout_ratios) == ("Maxout", False, [0.0, 0.0])


def test_adaptive_rate_zeroes_manual_settings_and_back(prostate):
    r = resolve(P(response_column="PSA", rate=0.1, momentum_start=0.5), prostate)  # warnings, not errors
    assert all(r.actual[k] == 0 for k in ("rate", "rate_annealing", "rate_decay", "momentum_start", "momentum_ramp",
                                          "momentum_stable"))
    assert r.input["rate"] == 0.1 and r.rho == 0.99 and r.epsilon == 1e-8
    assert {m.parameter for m in r.messages if m.level == "warning"} >= {"rate", "momentum_start"}
    r = resolve(P(response_column="PSA", adaptive_rate=False, rate=0.01, momentum_stable=0.9), prostate)
    assert (r.rho, r.epsilon, r.rate, r.momentum_stable, r.momentum_ramp) == (0.0, 0.0, 0.01, 0.9, 1e6)


def test_seed_drawn_and_recorded(prostate):
    r = resolve(P(response_column="PSA"), prostate)
    assert r.seed_drawn and r.input["seed"] == -1 and 0 <= r.seed < 2 ** 63
    r2 = resolve(P(response_column="PSA", seed=1234), prostate)
    assert not r2.seed_drawn and r2.seed == 1234


def test_reproducible_and_single_node_sanitizing(prostate):
    r = resolve(P(response_column="PSA", reproducible=True, force_load_balance=False), prostate)
    assert (r.force_load_balance, r.score_each_iteration, r.replicate_training_data,
            r.train_samples_per_iteration) == (True, True, False, -1)
    r = resolve(P(response_column="PSA", reproducible=True, train_samples_per_iteration=100), prostate)
    assert r.train_samples_per_iteration == 100
    r = resolve(P(response_column="PSA", single_node_mode=True), prostate)
    assert (r.replicate_training_data, r.single_node_mode) == (False, False)
    r = resolve(P(response_column="PSA", single_node_mode=True), prostate, cluster_size=4)
    assert (r.replicate_training_data, r.single_node_mode) == (True, True)


def test_documented_semantics_are_kept(prostate):
    """mini_batch_size, max_w2 are used as given (H2O's code resets/ignores them, its docs do not)."""
    r = resolve(P(response_column="PSA", mini_batch_size=16, max_w2=10.0, activation="Rectifier"), prostate)
    assert r.mini_batch_size == 16 and r.max_w2 == 10.0
    assert not [m for m in r.messages if m.parameter == "max_w2"]
    # the only note on mini_batch_size is what ADADELTA does with it (issue 19 item 5), never a reset to 1
    notes = [m.message for m in r.messages if m.parameter == "mini_batch_size"]
    assert len(notes) == 1 and "fewer ADADELTA updates" in notes[0]
    assert resolve(P(response_column="PSA"), prostate).max_w2 == pytest.approx(3.4028235e38)


def test_cross_validation_rules(prostate):
    r = resolve(P(response_column="PSA", nfolds=3), prostate)
    assert r.overwrite_with_best_model is False and r.fold_assignment == "Random"
    r = resolve(P(response_column="PSA"), prostate)
    assert r.overwrite_with_best_model is True and r.fold_assignment == "AUTO"


def test_validation_frame_presence(prostate):
    train, valid = prostate.split_frame([0.8], seed=1)
    r = resolve(P(response_column="PSA", training_frame=train, validation_frame=valid), None)
    assert r.has_validation and r.validation_frame == valid.name and r.training_frame == train.name
    r = resolve(P(response_column="PSA"), train, valid)
    assert r.has_validation and r.validation_frame == valid.name


def test_errors_raise_parameter_error_listing_all(prostate):
    with pytest.raises(ParameterError) as info:
        resolve(P(response_column="PSAA", l1=-1, hidden=[0]), prostate)
    err = info.value
    assert {m.parameter for m in err.messages} == {"response_column", "l1", "hidden"}
    assert "3 parameter error(s)" in str(err) and "Did you mean 'PSA'?" in str(err)
    with pytest.raises(ParameterError, match="Missing training frame"):
        resolve(P(response_column="PSA"))


def test_resolved_is_frozen_and_plain(prostate):
    r = resolve(P(response_column="PSA", hidden=(5,)), prostate)
    with pytest.raises(AttributeError):
        r.problem = "x"
    with pytest.raises(TypeError):
        r.actual["epochs"] = 3
    with pytest.raises(AttributeError, match="no parameter 'epoch'"):
        _ = r.epoch
    d = r.as_dict()
    assert d["problem"] == "regression" and d["hidden"] == [5] and d["training_frame"] == prostate.name
    json.dumps(d)
    assert r.modified()["hidden"] == [5] and "epochs" not in r.modified()
    assert r.changes()["distribution"] == ("AUTO", "gaussian")


def test_to_dict_round_trip(prostate_enum):
    r = resolve(P(response_column="CAPSULE"), prostate_enum)
    again = ResolvedParameters.from_dict(json.loads(json.dumps(r.to_dict())))
    assert again == r


def test_resolve_accepts_dict_and_resolved(prostate):
    r = resolve({"response_column": "PSA", "hidden": [3], "seed": 7}, prostate)
    r2 = resolve(r, prostate)  # restart from the input values of a resolved set
    assert r2.actual == r.actual


# ------------------------------------------------------------------------------------------------ checkpoints
def errs(old, new):
    return {m.parameter: m.message for m in check_checkpoint_compatible(old, new)}


def test_checkpoint_allows_modifiable_changes():
    old = P(response_column="y", epochs=10)
    new = P(response_column="y", epochs=50, l1=1e-4, l2=1e-3, seed=3, score_interval=1, stopping_rounds=0,
            input_dropout_ratio=0.1, training_frame="more_rows", mini_batch_size=8)
    assert errs(old, new) == {}


def test_checkpoint_forbids_fixed_parameters():
    old = P(response_column="y", activation="Tanh")
    e = errs(old, P(response_column="y", activation="Rectifier", rho=0.9, distribution="laplace"))
    assert e["activation"] == "Cannot change parameter: 'activation': Tanh -> Rectifier"
    assert e["rho"] == "Cannot change parameter: 'rho': 0.99 -> 0.9"
    assert e["distribution"] == "Cannot change parameter: 'distribution': AUTO -> laplace"


def test_checkpoint_special_messages():
    old = P(response_column="y", ignored_columns=["a"])
    e = errs(old, P(response_column="z", hidden=[10], ignored_columns=["b"], nfolds=3, validation_frame="v"))
    assert e["response_column"] == "Response column (z) is not the same as for the checkpointed model: y"
    assert e["hidden"] == "Hidden layers ([10]) is not the same as for the checkpointed model: [10, 10]"
    assert e["ignored_columns"] == "Ignored columns must be the same as for the checkpointed model."
    assert e["nfolds"] == "nfolds must be 0: Cross-validation is not supported during checkpoint restarts."
    assert e["validation_frame"] == "Presence of validation dataset must agree with the checkpointed model."
    assert errs(P(validation_frame="v1", response_column="y"), P(validation_frame="v2", response_column="y")) == {}


def test_checkpoint_accepts_the_resolved_value_spelled_out(prostate_enum):
    """H2O rejects distribution='bernoulli' when restarting a model trained with AUTO (h2o-3#16717); we accept it."""
    old = resolve(P(response_column="CAPSULE"), prostate_enum)
    assert errs(old, P(response_column="CAPSULE", distribution="bernoulli")) == {}
    assert "distribution" in errs(old, P(response_column="CAPSULE", distribution="multinomial"))
    assert "distribution" in errs(P(response_column="CAPSULE"), P(response_column="CAPSULE", distribution="bernoulli"))


def test_resolve_needs_a_frame_object_not_only_a_name():
    with pytest.raises(ParameterError, match="resolve needs the Frame itself, not only its name 'train.hex'"):
        resolve(P(response_column="y", training_frame="train.hex"))


def test_checkpoint_check_ignores_non_parameter_keys():
    assert errs({"response_column": "y", "x": ["a"]}, {"response_column": "y", "backend": "local"}) == {}


def test_resolved_can_be_pickled_and_deep_copied(prostate):
    """Dask ships parameters to workers (pickle) and checkpoints copy models (deepcopy)."""
    import copy
    import pickle
    r = resolve(P(response_column="PSA", seed=5), prostate)
    assert pickle.loads(pickle.dumps(r)) == r
    c = copy.deepcopy(r)
    assert c == r and c.actual["hidden"] is not r.actual["hidden"]
    assert copy.copy(r) == r
