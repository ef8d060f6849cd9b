"""scikit-learn estimators: the estimator contract (check_estimator) and use in pipelines / cross-validation."""
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepbrook.engine import DeepLearningClassifier, DeepLearningRegressor

FAST = dict(hidden=(16,), epochs=20, seed=1, reproducible=True)

# Checks that cannot hold for stochastic-gradient training (scikit-learn's own MLP and SGD estimators fail them
# too): integer sample weights are not the same as repeated rows for SGD (row visits differ).
EXPECTED = {"check_sample_weight_equivalence_on_dense_data": "SGD: weights scale gradients, repeats add visits",
            "check_sample_weight_equivalence_on_sparse_data": "SGD: weights scale gradients, repeats add visits"}


@parametrize_with_checks([DeepLearningClassifier(**FAST), DeepLearningRegressor(**FAST)],
                         expected_failed_checks=lambda est: EXPECTED)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_classifier_in_a_pipeline_and_cross_validation():
    X, y = load_iris(return_X_y=True)
    clf = make_pipeline(FunctionTransformer(), DeepLearningClassifier(hidden=(20,), epochs=30, seed=3,
                                                                      reproducible=True))
    scores = cross_val_score(clf, X, y, cv=3)
    assert scores.mean() > 0.85
    proba = clf.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_classifier_on_pandas_with_string_labels_and_a_categorical_column():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6].copy()
    X["band"] = pd.cut(X.iloc[:, 0], 4, labels=["a", "b", "c", "d"]).astype(str)
    labels = np.where(y == 1, "benign", "malignant")
    clf = DeepLearningClassifier(hidden=(20, 20), epochs=10, seed=2, reproducible=True).fit(X, labels)
    assert list(clf.classes_) == ["benign", "malignant"]
    assert clf.feature_names_in_.tolist() == list(X.columns)
    assert (clf.predict(X) == labels).mean() > 0.88
    assert clf.get_params()["hidden"] == (20, 20)


def test_regressor_learns_diabetes():
    X, y = load_diabetes(return_X_y=True)
    reg = DeepLearningRegressor(hidden=(32,), epochs=60, seed=1, reproducible=True).fit(X[:350], y[:350])
    assert reg.score(X[350:], y[350:]) > 0.3
    assert reg.set_params(epochs=2).epochs == 2
