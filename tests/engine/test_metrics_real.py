"""Metrics of trained models on real data (scikit-learn sets, MNIST subset) against scikit-learn."""
import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn import metrics as skm

from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import Frame


def frame_from(X, y, names, enum_y):
    cols = {n: X[:, i].astype(np.float64) for i, n in enumerate(names)}
    cols["y"] = np.asarray(y).astype(str) if enum_y else np.asarray(y, np.float64)
    return Frame.from_arrays(cols, types={"y": "enum"} if enum_y else None)


def test_breast_cancer_binomial_against_sklearn():
    d = datasets.load_breast_cancer()
    names = [f"f{i}" for i in range(d.data.shape[1])]
    fr = frame_from(d.data, d.target, names, True)
    m = DeepLearning(hidden=[10], epochs=2, seed=1, reproducible=True).train(y="y", training_frame=fr)
    perf = m.model_performance(fr)
    p1 = m.predict(fr).as_pandas()["p1"].to_numpy()
    y = d.target
    assert perf.auc == pytest.approx(skm.roc_auc_score(y, p1), rel=1e-6)
    prec, rec, _ = skm.precision_recall_curve(y, p1)
    assert perf.pr_auc == pytest.approx(skm.auc(rec, prec), rel=1e-6)
    assert perf.logloss == pytest.approx(skm.log_loss(y, np.c_[1 - p1, p1]), rel=1e-5)
    assert perf.mse == pytest.approx(skm.mean_squared_error(y, p1), rel=1e-5)
    label = m.predict(fr).as_pandas()["predict"].astype(int).to_numpy()
    cm = perf.confusion_matrix.iloc[:2, :2].to_numpy(float)
    np.testing.assert_allclose(cm, skm.confusion_matrix(y, label))   # predict uses the max-F1 threshold


def test_diabetes_regression_against_sklearn():
    d = datasets.load_diabetes()
    fr = frame_from(d.data, d.target, [f"f{i}" for i in range(10)], False)
    m = DeepLearning(hidden=[10], epochs=5, seed=1, reproducible=True).train(y="y", training_frame=fr)
    perf = m.model_performance(fr)
    p = m.predict(fr).as_pandas()["predict"].to_numpy()
    assert perf.mse == pytest.approx(skm.mean_squared_error(d.target, p), rel=1e-6)
    assert perf.mae == pytest.approx(skm.mean_absolute_error(d.target, p), rel=1e-6)
    assert perf.r2 == pytest.approx(skm.r2_score(d.target, p), rel=1e-6)
    assert perf.mean_residual_deviance == pytest.approx(perf.mse)
    assert list(m.scoring_history().columns[6:]) == ["training_rmse", "training_deviance", "training_mae",
                                                     "training_r2"]


def test_mnist_subset_multinomial(mnist, shared_data):
    x_train, y_train, x_test, y_test = mnist
    n = 1500
    names = [f"C{i + 1}" for i in range(784)]
    tr = frame_from(x_train[:n].reshape(n, -1), y_train[:n], names, True)
    va = frame_from(x_test[:500].reshape(500, -1), y_test[:500], names, True)
    m = DeepLearning(hidden=[32], epochs=1, seed=1, reproducible=True, score_training_samples=1000).train(
        y="y", training_frame=tr, validation_frame=va)
    ref = pd.read_csv(shared_data.parent / "research" / "h2o-outputs" / "mnist_scoring_history.csv", index_col=0)
    assert list(m.scoring_history().columns) == list(ref.columns)
    tm = m.output["training_metrics"]
    assert tm.nobs == 1000 and "1000 samples" in tm.description
    vm = m.output["validation_metrics"]
    probs = m.predict(va).as_pandas()[[f"p{i}" for i in range(10)]].to_numpy()
    yv = y_test[:500]
    hr = vm.hit_ratios
    assert list(hr.k) == list(range(1, 11))
    # Our rule for exact ties (saturated float32 probabilities do tie): the lower class index ranks first.
    p_true = probs[np.arange(len(yv)), yv][:, None]
    classes = np.arange(10)[None, :]
    rank = ((probs > p_true) | ((probs == p_true) & (classes < yv[:, None]))).sum(axis=1)
    untied = (probs == p_true).sum(axis=1) == 1
    for k in (1, 3, 5):
        assert hr.hit_ratio[k - 1] == pytest.approx(np.mean(rank < k), abs=1e-9)
        # Where the true class ties with no other class, scikit-learn's top-k accuracy agrees exactly.
        assert np.mean(rank[untied] < k) == pytest.approx(
            skm.top_k_accuracy_score(yv[untied], probs[untied], k=k, labels=range(10)), abs=1e-9)
    ref_cm = pd.read_csv(shared_data.parent / "research" / "h2o-outputs" / "mnist_validation_metrics_cm.csv")
    assert list(vm.confusion_matrix.columns) == list(ref_cm.columns)
    np.testing.assert_allclose(vm.confusion_matrix.iloc[:10, :10].to_numpy(float),
                               skm.confusion_matrix(yv, probs.argmax(1), labels=range(10)))
    assert vm.classification_error == pytest.approx(1 - skm.accuracy_score(yv, probs.argmax(1)))
    vi = m.varimp()
    assert list(vi.columns) == ["variable", "relative_importance", "scaled_importance", "percentage"]
    assert vi.relative_importance.iloc[0] == 1.0 and set(vi.variable) <= set(names)
    s = m.summary()
    assert list(s.type) == ["Input", "Rectifier", "Softmax"] and s.units.iloc[1] == 32
