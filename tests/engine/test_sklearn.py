"""scikit-learn estimators: the whole estimator contract (check_estimator, no expected failures), reproducibility,
missing values, early stopping and the other engine parameters, thresholds, column names, sample weights."""
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepbrook.engine import DeepLearningClassifier, DeepLearningRegressor, ParameterError, parameter_info
from deepbrook.engine.params import PARAMETER_NAMES
from deepbrook.engine.sklearn_params import NOT_ON_ARRAYS, SKLEARN_NAMES

ROOT = Path(__file__).resolve().parents[2]
SMALLDATA = ROOT.parent / "shared" / "h2o-pyunit" / "data" / "smalldata"
SMALL = dict(hidden_layer_sizes=(16,), max_iter=20)


def prostate():
    d = pd.read_csv(ROOT / "assets" / "data" / "prostate.csv.gz")
    return d.drop(columns=["ID", "CAPSULE"]), d["CAPSULE"].to_numpy()


def iris():
    d = pd.read_csv(SMALLDATA / "iris" / "iris_wheader.csv")
    return d.drop(columns=["class"]), d["class"].to_numpy()


def ecology():
    """1000 rows with real missing values (LocSed: 176 NaN) and a text column (Method)."""
    d = pd.read_csv(SMALLDATA / "gbm_test" / "ecology_model.csv")
    return d.drop(columns=["Site", "Angaus"]), d["Angaus"].to_numpy()


# ---------------------------------------------------------------- item 13: the whole contract, default settings
@parametrize_with_checks([DeepLearningClassifier(), DeepLearningRegressor()])
def test_sklearn_contract(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- item 8: random_state
def test_random_state_int_gives_the_same_model_twice_and_is_the_engine_seed():
    X, y = prostate()
    a = DeepLearningClassifier(**SMALL, random_state=7).fit(X, y)
    b = DeepLearningClassifier(**SMALL, random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    for k in range(2):
        np.testing.assert_array_equal(a.model_.weights(k), b.model_.weights(k))
    assert a.model_.params.seed == 7 and a.model_.params.reproducible
    c = DeepLearningClassifier(**SMALL, random_state=8).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def test_random_state_fit_does_not_depend_on_row_order():
    X, y = prostate()
    perm = np.random.RandomState(0).permutation(len(y))
    a = DeepLearningClassifier(**SMALL, random_state=3).fit(X, y)
    b = DeepLearningClassifier(**SMALL, random_state=3).fit(X.iloc[perm], y[perm])
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_random_state_instance_and_none():
    X, y = prostate()
    a = DeepLearningClassifier(**SMALL, random_state=np.random.RandomState(5)).fit(X, y)
    b = DeepLearningClassifier(**SMALL, random_state=np.random.RandomState(5)).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.model_.params.reproducible
    free = DeepLearningClassifier(**SMALL).fit(X, y)  # None: a fresh seed, fast training
    again = DeepLearningClassifier(**SMALL).fit(X, y)
    assert not free.model_.params.reproducible
    assert free.model_.params.seed != again.model_.params.seed
    with pytest.raises(ValueError):
        DeepLearningClassifier(**SMALL, random_state=-3).fit(X, y)


# ---------------------------------------------------------------- item 9: NaN
def test_missing_values_are_imputed_for_frames_and_arrays():
    X, y = ecology()
    assert X["LocSed"].isna().sum() == 176
    assert DeepLearningClassifier().__sklearn_tags__().input_tags.allow_nan
    clf = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=10, random_state=1).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all() and (clf.predict(X) == y).mean() > 0.8
    numeric = X.drop(columns=["Method"]).to_numpy()
    reg = DeepLearningRegressor(hidden_layer_sizes=(20,), max_iter=10, random_state=1).fit(numeric, y.astype(float))
    assert np.isfinite(reg.predict(numeric)).all()
    skip = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=1, random_state=1,
                                  missing_values_handling="Skip").fit(X, y)
    assert skip.model_.output["training_metrics"].nobs == 1000 - 176  # Skip trains on the complete rows
    assert clf.model_.output["training_metrics"].nobs == 1000
    with pytest.raises(ValueError, match="infinity"):
        DeepLearningClassifier(**SMALL).fit(X.assign(LocSed=np.inf), y)


# ---------------------------------------------------------------- item 10: the engine's parameters
def test_every_declared_parameter_is_exposed_or_excluded_with_a_reason():
    names = set(DeepLearningClassifier().get_params()) | set(DeepLearningRegressor().get_params())
    for engine in PARAMETER_NAMES:
        if engine in NOT_ON_ARRAYS:
            assert SKLEARN_NAMES.get(engine, engine) not in names
        else:
            assert SKLEARN_NAMES.get(engine, engine) in names, engine
    doc = " ".join(DeepLearningClassifier.__doc__.split())
    assert "n_iter_no_change : default=5" in doc and parameter_info("stopping_rounds").doc in doc
    assert "tweedie_power" in DeepLearningRegressor().get_params()
    assert "tweedie_power" not in DeepLearningClassifier().get_params()
    assert "balance_classes" in DeepLearningClassifier().get_params()


def test_readme_names_every_renamed_parameter():
    readme = (ROOT / "README.md").read_text()
    for engine, sk in SKLEARN_NAMES.items():
        assert f"| `{sk}`" in readme and f"| `{engine}` |" in readme, (sk, engine)


def test_sklearn_names_reach_the_engine_and_errors_use_them():
    X, y = prostate()
    clf = DeepLearningClassifier(hidden_layer_sizes=(9, 4), max_iter=2, batch_size=8, learning_rate_init=0.01,
                                 adaptive_rate=False, nesterovs_momentum=False, shuffle=True, l2=1e-4,
                                 categorical_encoding="Binary", random_state=2).fit(X, y)
    p = clf.model_.params
    assert (p.hidden, p.epochs, p.mini_batch_size, p.rate, p.nesterov_accelerated_gradient, p.shuffle_training_data,
            p.l2, p.categorical_encoding) == ([9, 4], 2.0, 8, 0.01, False, True, 1e-4, "Binary")
    with pytest.raises(ParameterError, match=r"max_iter \(H2O's epochs\): epochs must be >= 0"):
        DeepLearningClassifier(max_iter=-1).fit(X, y)
    assert DeepLearningClassifier(max_iter=0, random_state=0).fit(X, y).n_iter_ == 0  # H2O: 0 keeps the start
    with pytest.raises(TypeError, match="'seed': its scikit-learn name is 'random_state'"):
        DeepLearningClassifier(seed=1)
    with pytest.raises(TypeError, match="'nfolds': not taken here .*cross_val_score"):
        DeepLearningRegressor(nfolds=3)
    with pytest.raises(TypeError, match="'tweedie_power': only the regressor takes it"):
        DeepLearningClassifier(tweedie_power=1.5)


def test_early_stopping_holds_out_validation_rows_and_stops():
    X, y = prostate()
    stopped = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=300, early_stopping=True,
                                     validation_fraction=0.2, n_iter_no_change=3, tol=1e-3, random_state=1).fit(X, y)
    assert stopped.model_.output["stop_reason"] == "early_stopping" and stopped.n_iter_ < 300
    assert stopped.model_.output["validation_metrics"].nobs == 76  # 20% of 380 rows, stratified
    p = stopped.model_.params
    assert (p.stopping_rounds, p.stopping_tolerance, p.overwrite_with_best_model) == (3, 1e-3, True)
    full = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=30, n_iter_no_change=3, random_state=1).fit(X, y)
    assert full.n_iter_ == 30 and full.model_.params.stopping_rounds == 0
    on_train = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=300, early_stopping=True,
                                      validation_fraction=None, n_iter_no_change=2, tol=1e-2,
                                      random_state=1).fit(X, y)
    assert on_train.n_iter_ < 300 and not on_train.model_.params.has_validation
    fast = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=300, early_stopping=True, n_iter_no_change=3,
                                  tol=1e-3).fit(X, y)  # no random_state: threaded training, still one scoring per epoch
    assert fast.model_.output["stop_reason"] == "early_stopping" and fast.n_iter_ < 300
    assert (fast.model_.params.score_each_iteration, fast.model_.params.train_samples_per_iteration) == (True, 0)
    with pytest.raises(ValueError, match="validation_fraction"):
        DeepLearningClassifier(early_stopping=True, validation_fraction=1.5).fit(X, y)


def test_regression_distributions_take_their_parameters():
    d = pd.read_csv(ROOT / "assets" / "data" / "prostate.csv.gz")
    X, y = d.drop(columns=["ID", "VOL"]), d["VOL"].to_numpy()
    below = {}
    for alpha in (0.1, 0.9):
        reg = DeepLearningRegressor(hidden_layer_sizes=(20,), max_iter=30, distribution="quantile",
                                    quantile_alpha=alpha, random_state=1).fit(X, y)
        below[alpha] = (y <= reg.predict(X)).mean()
    assert below[0.1] < 0.3 < 0.7 < below[0.9]
    huber = DeepLearningRegressor(hidden_layer_sizes=(8,), max_iter=2, distribution="huber", huber_alpha=0.5,
                                  random_state=1).fit(X, y)
    tweedie = DeepLearningRegressor(hidden_layer_sizes=(8,), max_iter=2, distribution="tweedie", tweedie_power=1.2,
                                    random_state=1).fit(X, y)
    assert huber.model_.params.huber_alpha == 0.5 and tweedie.model_.params.tweedie_power == 1.2
    assert (tweedie.predict(X) > 0).all()


def test_balance_classes_on_a_rare_class():
    X, y = iris()
    keep = (y != "Iris-virginica") | (np.arange(len(y)) % 10 == 0)  # 5 virginica among 105 rows
    clf = DeepLearningClassifier(hidden_layer_sizes=(10,), max_iter=10, balance_classes=True, random_state=0)
    clf.fit(X[keep], y[keep])
    assert clf.model_.params.balance_classes
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-6)


# ---------------------------------------------------------------- item 11: threshold
def test_predict_is_argmax_by_default_and_h2o_max_f1_on_request():
    X, y = prostate()
    clf = DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=20, random_state=1).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    t = clf.model_.default_threshold()
    assert 0 < t < 0.5  # on prostate the max-F1 threshold is well below 0.5: the two rules differ
    f1 = clf.set_params(threshold="max_f1").predict(X)
    np.testing.assert_array_equal(f1, (proba[:, 1] >= t).astype(int))
    assert (f1 != proba.argmax(axis=1)).sum() > 10
    from deepbrook.engine import Frame
    h2o = clf.model_.predict(Frame.from_pandas(X)).as_pandas()["predict"].astype(int).to_numpy()
    np.testing.assert_array_equal(f1, h2o)  # the engine's own binomial prediction
    np.testing.assert_array_equal(clf.set_params(threshold=0.7).predict(X), (proba[:, 1] >= 0.7).astype(int))
    with pytest.raises(ValueError, match="threshold"):
        clf.set_params(threshold=2).fit(X, y)
    Xi, yi = iris()
    multi = DeepLearningClassifier(**SMALL, random_state=0, threshold=0.3).fit(Xi, yi)
    with pytest.raises(ValueError, match="needs two classes"):
        multi.predict(Xi)


# ---------------------------------------------------------------- item 12: a user column named like ours
def test_a_user_column_named_like_the_response_is_kept_as_a_predictor():
    X, y = iris()
    X = X.assign(__y__=pd.Categorical(y).codes * 1.0, __weight__=1.0)  # the informative column is called __y__
    noise = pd.DataFrame(np.random.RandomState(0).rand(len(y), 4), columns=list("abcd"))
    frame = pd.concat([noise, X[["__y__", "__weight__"]]], axis=1)
    before = frame.copy()
    clf = DeepLearningClassifier(hidden_layer_sizes=(10,), max_iter=30, random_state=0)
    clf.fit(frame, y, sample_weight=np.full(len(y), 0.5))  # fractional weights: a weights column is added too
    assert "__y__" in clf.model_.params.predictors and "__weight__" in clf.model_.params.predictors
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert (clf.predict(frame) == y).mean() > 0.95  # only the user's __y__ column carries the class
    pd.testing.assert_frame_equal(frame, before)


# ---------------------------------------------------------------- item 13: sample weights
def test_integer_weights_equal_repeated_rows_and_fractional_weights_use_the_engine():
    X, y = iris()
    w = np.random.RandomState(1).randint(0, 4, size=len(y))
    weighted = DeepLearningClassifier(**SMALL, random_state=4).fit(X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(y)), w)
    repeated = DeepLearningClassifier(**SMALL, random_state=4).fit(X.iloc[rows], y[rows])
    np.testing.assert_array_equal(weighted.predict_proba(X), repeated.predict_proba(X))
    assert weighted.model_.params.weights_column is None
    fractional = DeepLearningClassifier(**SMALL, random_state=4).fit(X, y, sample_weight=w + 0.5)
    assert fractional.model_.params.weights_column == "__weight__"
    with pytest.warns(UserWarning, match="more than 10x the rows"):
        counts = DeepLearningClassifier(**SMALL, random_state=4).fit(X, y, sample_weight=np.full(len(y), 40))
    assert counts.model_.params.weights_column == "__weight__"
    with pytest.raises(ValueError, match="one class only"):
        DeepLearningClassifier(**SMALL).fit(X, y, sample_weight=(y == "Iris-setosa").astype(float))


# ---------------------------------------------------------------- use in scikit-learn
def test_classifier_in_a_pipeline_and_cross_validation():
    X, y = load_iris(return_X_y=True)
    clf = make_pipeline(FunctionTransformer(), DeepLearningClassifier(hidden_layer_sizes=(20,), max_iter=30,
                                                                      random_state=3))
    scores = cross_val_score(clf, X, y, cv=3)
    assert scores.mean() > 0.85
    proba = clf.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_classifier_on_pandas_with_string_labels_and_a_categorical_column_survives_pickle():
    X, y = prostate()
    X = X.assign(RACE=X["RACE"].map({0: "unknown", 1: "white", 2: "black"}).astype("category"))
    labels = np.where(y == 1, "penetrated", "contained")
    clf = DeepLearningClassifier(hidden_layer_sizes=(20, 20), max_iter=10, random_state=2).fit(X, labels)
    assert list(clf.classes_) == ["contained", "penetrated"]
    assert clf.feature_names_in_.tolist() == list(X.columns)
    assert (clf.predict(X) == labels).mean() > 0.7
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


def test_regressor_learns_diabetes():
    X, y = load_diabetes(return_X_y=True)
    reg = DeepLearningRegressor(hidden_layer_sizes=(32,), max_iter=60, random_state=1).fit(X[:350], y[:350])
    assert reg.score(X[350:], y[350:]) > 0.3
    assert reg.set_params(max_iter=2).max_iter == 2
