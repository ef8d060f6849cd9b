"""Metrics against scikit-learn's reference implementations, with observation weights."""
import math

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from deepbrook.engine.model import metrics as M


@pytest.fixture
def binary():
    rng = np.random.default_rng(0)
    n = 600
    y = rng.integers(0, 2, n)
    p1 = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    p1[:50] = np.round(p1[:50], 1)  # ties
    w = rng.uniform(0.2, 3.0, n)
    return y, p1, w


def test_binomial_scalars_match_sklearn(binary):
    y, p1, w = binary
    m = M.binomial_metrics(y, p1, w, domain=["NO", "YES"])
    assert m.auc == pytest.approx(skm.roc_auc_score(y, p1, sample_weight=w), rel=1e-12)
    prec, rec, _ = skm.precision_recall_curve(y, p1, sample_weight=w)
    assert m.pr_auc == pytest.approx(skm.auc(rec, prec), rel=1e-12)
    assert m.aucpr == m.pr_auc
    assert m.gini == pytest.approx(2 * m.auc - 1)
    assert m.logloss == pytest.approx(skm.log_loss(y, np.c_[1 - p1, p1], sample_weight=w), rel=1e-10)
    assert m.mse == pytest.approx(skm.mean_squared_error(y, p1, sample_weight=w), rel=1e-12)
    assert m.rmse == pytest.approx(math.sqrt(m.mse))
    assert m.r2 == pytest.approx(skm.r2_score(y, p1, sample_weight=w), rel=1e-10)
    assert m.nobs == y.size
    assert set(m.as_dict()) >= {"auc", "pr_auc", "logloss", "mse", "rmse", "gini", "mean_per_class_error"}


def test_binomial_max_f1_confusion_matrix_and_criteria(binary):
    y, p1, w = binary
    m = M.binomial_metrics(y, p1, w, domain=["NO", "YES"])
    thr = m.default_threshold
    pred = (p1 >= thr).astype(int)
    # the max-F1 threshold really maximises F1 over all candidate thresholds
    best_f1 = max(skm.f1_score(y, (p1 >= t).astype(int), sample_weight=w) for t in np.unique(p1))
    assert skm.f1_score(y, pred, sample_weight=w) == pytest.approx(best_f1, rel=1e-12)
    mc = m.max_criteria.set_index("metric")
    assert mc.loc["max f1", "value"] == pytest.approx(best_f1, rel=1e-12)
    cm = skm.confusion_matrix(y, pred, sample_weight=w)
    table = m.confusion_matrix
    assert list(table.columns) == ["NO", "YES", "Error", "Rate"]
    assert list(table.index) == ["NO", "YES", "Total"]
    np.testing.assert_allclose(table.loc[["NO", "YES"], ["NO", "YES"]].to_numpy(float), cm)
    bal = skm.balanced_accuracy_score(y, pred, sample_weight=w)
    assert m.mean_per_class_error == pytest.approx(1 - bal, rel=1e-10)
    # thresholds table columns, H2O order, and criteria agree with sklearn at one threshold
    t = m.thresholds
    assert list(t.columns) == ["threshold", *M.CRITERIA, "idx"]
    row = t.iloc[len(t) // 2]
    pr = (p1 >= row.threshold).astype(int)
    assert row.precision == pytest.approx(skm.precision_score(y, pr, sample_weight=w))
    assert row.recall == pytest.approx(skm.recall_score(y, pr, sample_weight=w))
    assert row.accuracy == pytest.approx(skm.accuracy_score(y, pr, sample_weight=w))
    assert row.absolute_mcc == pytest.approx(abs(skm.matthews_corrcoef(y, pr, sample_weight=w)))
    assert row.f2 == pytest.approx(skm.fbeta_score(y, pr, beta=2, sample_weight=w))
    # ROC points reproduce sklearn's curve (same distinct thresholds)
    fpr, tpr, _ = skm.roc_curve(y, p1, sample_weight=w, drop_intermediate=False)
    roc = m.roc
    assert len(roc) <= M.MAX_THRESHOLD_ROWS + len(M.CRITERIA) and roc.fpr.iloc[-1] == 1.0
    np.testing.assert_allclose(roc[["fpr", "tpr"]].to_numpy(), np.c_[fpr, tpr][1:][roc.idx], atol=1e-12)


def test_gains_lift_table(binary):
    y, p1, w = binary
    m = M.binomial_metrics(y, p1, None)
    gl = m.gains_lift
    assert list(gl.columns) == ["group", "cumulative_data_fraction", "lower_threshold", "lift", "cumulative_lift",
                                "response_rate", "score", "cumulative_response_rate", "cumulative_score",
                                "capture_rate", "cumulative_capture_rate", "gain", "cumulative_gain",
                                "kolmogorov_smirnov"]
    assert len(gl) <= 16 and gl.cumulative_data_fraction.iloc[-1] == pytest.approx(1.0)
    assert gl.cumulative_capture_rate.iloc[-1] == pytest.approx(1.0)
    assert gl.cumulative_lift.iloc[-1] == pytest.approx(1.0)
    top = p1 >= gl.lower_threshold.iloc[0]
    assert gl.lift.iloc[0] == pytest.approx(y[top].mean() / y.mean())
    assert m.lift_top_group == gl.lift.iloc[0]
    assert np.all(np.diff(gl.lower_threshold) < 0)
    assert len(M.binomial_metrics(y, p1, None, gainslift_bins=5).gains_lift) == 5


def test_multinomial_matches_sklearn():
    rng = np.random.default_rng(1)
    n, k = 500, 4
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    w = rng.uniform(0.5, 2.0, n)
    m = M.multinomial_metrics(y, probs, w, domain=list("abcd"), max_hit_ratio_k=10, auc_type="MACRO_OVR")
    assert m.logloss == pytest.approx(skm.log_loss(y, probs, sample_weight=w), rel=1e-10)
    pred = probs.argmax(1)
    assert m.classification_error == pytest.approx(1 - skm.accuracy_score(y, pred, sample_weight=w))
    assert m.mean_per_class_error == pytest.approx(1 - skm.balanced_accuracy_score(y, pred, sample_weight=w))
    cm = m.confusion_matrix
    np.testing.assert_allclose(cm.iloc[:k, :k].to_numpy(float), skm.confusion_matrix(y, pred, sample_weight=w))
    assert cm.loc["Total", "Error"] == pytest.approx(m.classification_error)
    hr = m.hit_ratios
    assert list(hr.columns) == ["k", "hit_ratio"] and list(hr.k) == [1, 2, 3, 4]
    for kk in (1, 2, 3):
        assert hr.hit_ratio[kk - 1] == pytest.approx(
            skm.top_k_accuracy_score(y, probs, k=kk, sample_weight=w, labels=range(k)))
    assert hr.hit_ratio.iloc[-1] == pytest.approx(1.0)
    assert m.auc == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovr", average="macro",
                                                    sample_weight=w))
    mw = M.multinomial_metrics(y, probs, None, auc_type="WEIGHTED_OVR")
    assert mw.auc == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovr", average="weighted"))
    mo = M.multinomial_metrics(y, probs, None, auc_type="MACRO_OVO")
    assert mo.auc == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovo", average="macro"))
    assert math.isnan(M.multinomial_metrics(y, probs).auc)  # AUTO = none, like H2O
    # H2O: MSE is the squared error of the true-class probability
    assert m.mse == pytest.approx(np.average((1 - probs[np.arange(n), y]) ** 2, weights=w))


def test_confusion_rate_strings_like_h2o():
    t = M.confusion_table(np.array([[866, 130], [44, 1116]]), ["0", "1"])
    assert t.Rate.tolist() == ["130 / 996", "44 / 1,160", "174 / 2,156"]


@pytest.mark.parametrize("dist,kw,ref", [
    ("gaussian", {}, lambda y, p, w: skm.mean_squared_error(y, p, sample_weight=w)),
    ("poisson", {}, lambda y, p, w: skm.mean_poisson_deviance(y, p, sample_weight=w)),
    ("gamma", {}, lambda y, p, w: skm.mean_gamma_deviance(y, p, sample_weight=w)),
    ("tweedie", {"tweedie_power": 1.3}, lambda y, p, w: skm.mean_tweedie_deviance(y, p, power=1.3,
                                                                                  sample_weight=w)),
    ("laplace", {}, lambda y, p, w: skm.mean_absolute_error(y, p, sample_weight=w)),
    ("quantile", {"quantile_alpha": 0.2}, lambda y, p, w: skm.mean_pinball_loss(y, p, alpha=0.2,
                                                                                sample_weight=w)),
])
def test_regression_deviances(dist, kw, ref):
    rng = np.random.default_rng(2)
    y = rng.gamma(2.0, 2.0, 300) + 0.1
    p = y * rng.uniform(0.7, 1.3, 300)
    w = rng.uniform(0.1, 2, 300)
    m = M.regression_metrics(y, p, w, distribution=dist, **kw)
    assert m.mean_residual_deviance == pytest.approx(ref(y, p, w), rel=1e-9)
    assert m.mse == pytest.approx(skm.mean_squared_error(y, p, sample_weight=w))
    assert m.mae == pytest.approx(skm.mean_absolute_error(y, p, sample_weight=w))
    assert m.r2 == pytest.approx(skm.r2_score(y, p, sample_weight=w))
    assert m.rmsle == pytest.approx(math.sqrt(skm.mean_squared_log_error(y, p, sample_weight=w)))


def test_huber_and_rmsle_nan():
    y = np.array([0.0, 1.0, 2.0, 10.0])
    p = np.array([0.5, 1.0, 1.0, 0.0])
    m = M.regression_metrics(y, p, distribution="huber", huber_delta_value=1.0)
    assert m.mean_residual_deviance == pytest.approx((0.25 + 0 + 1 + (2 * 10 - 1)) / 4)
    assert math.isnan(M.regression_metrics(np.array([-2.0, 1.0]), np.array([0.0, 1.0])).rmsle)


def test_autoencoder_and_weights_zero_rows_ignored():
    x = np.zeros((3, 2))
    r = np.array([[1.0, 1.0], [0.0, 2.0], [5.0, 5.0]])
    m = M.autoencoder_metrics(x, r, np.array([1.0, 1.0, 0.0]))
    assert m.mse == pytest.approx((1.0 + 2.0) / 2) and m.nobs == 2


def test_roundtrip_dict_and_repr(binary):
    y, p1, w = binary
    m = M.make_metrics("binomial", y, np.c_[1 - p1, p1], w, domain=["a", "b"])
    back = M.ModelMetrics.from_dict(m.to_dict())
    assert back.auc == m.auc
    pd.testing.assert_frame_equal(back.confusion_matrix, m.confusion_matrix, check_dtype=False)
    text = repr(m)
    assert "ModelMetricsBinomial" in text and "AUC:" in text and "Confusion Matrix" in text


def test_zero_weights_equal_dropping_rows_and_missing_actuals(binary):
    y, p1, w = binary
    w0 = w.copy()
    w0[::3] = 0
    keep = w0 > 0
    a = M.binomial_metrics(y, p1, w0)
    b = M.binomial_metrics(y[keep], p1[keep], w0[keep])
    for k in ("auc", "pr_auc", "logloss", "mse", "mean_per_class_error", "lift_top_group"):
        assert a.scalars[k] == pytest.approx(b.scalars[k], rel=1e-12), k
    yn = y.astype(float)
    yn[:10] = np.nan
    c = M.binomial_metrics(yn, p1, w)
    assert c.nobs == y.size - 10
    assert c.auc == pytest.approx(skm.roc_auc_score(y[10:], p1[10:], sample_weight=w[10:]))


def test_degenerate_inputs_do_not_crash():
    one_class = M.binomial_metrics(np.zeros(20), np.linspace(0, 1, 20))
    assert math.isnan(one_class.auc) and one_class.confusion_matrix.shape == (3, 4)
    assert "gains_lift" not in one_class.tables          # no positives: no lift
    np.testing.assert_allclose(M.binomial_metrics(np.ones(20), np.linspace(0, 1, 20)).gains_lift.lift, 1.0)
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(4), 40)
    y = rng.integers(0, 3, 40)                    # class 3 never occurs
    m = M.multinomial_metrics(y, probs, max_hit_ratio_k=2, auc_type="MACRO_OVR")
    assert len(m.hit_ratios) == 2 and np.isfinite(m.auc)
    pred = probs.argmax(1)
    assert m.mean_per_class_error == pytest.approx(np.mean([1 - np.mean(pred[y == c] == c) for c in range(3)]))
    with pytest.raises(ValueError, match="auc_type"):
        M.multinomial_metrics(y, probs, auc_type="MICRO")
    with pytest.raises(ValueError, match="distribution 'bogus'"):
        M.regression_metrics(np.ones(3), np.ones(3), distribution="bogus")
