"""H2ODeepLearningEstimator / H2OAutoEncoderEstimator: training, parameters, metrics, outputs, persistence."""
import os

import numpy as np
import pandas as pd
import pytest

from deepbrook.h2o.estimators import H2OAutoEncoderEstimator, H2ODeepLearningEstimator
from deepbrook.h2o.exceptions import H2OResponseError, H2OValueError
from deepbrook.h2o.model.metrics import (H2OBinomialModelMetrics, H2OMultinomialModelMetrics,
                                         H2ORegressionModelMetrics)


@pytest.fixture
def binomial(prostate):
    prostate["CAPSULE"] = prostate["CAPSULE"].asfactor()
    train, valid = prostate.split_frame([0.75], seed=11)
    m = H2ODeepLearningEstimator(hidden=[8, 8], epochs=5, seed=3, reproducible=True, model_id="dl_binomial",
                                 variable_importances=True)
    m.train(x=["AGE", "RACE", "PSA", "VOL", "GLEASON"], y="CAPSULE", training_frame=train, validation_frame=valid)
    return m, train, valid


def test_train_by_index_and_name_gives_the_same_model(iris):
    a = H2ODeepLearningEstimator(hidden=[5], epochs=3, seed=1, reproducible=True)
    a.train(x=list(range(4)), y=4, training_frame=iris)
    b = H2ODeepLearningEstimator(hidden=[5], epochs=3, seed=1, reproducible=True)
    b.train(x=iris.names[:4], y="class", training_frame=iris)
    assert a.type == "classifier" and a.logloss() == pytest.approx(b.logloss())
    assert a.actual_params["response_column"] == "class"
    with pytest.raises(H2OValueError, match="Column 9 does not exist"):
        H2ODeepLearningEstimator().train(x=[9], y=4, training_frame=iris)
    with pytest.raises(H2OValueError, match="Unknown parameter"):
        H2ODeepLearningEstimator(hiden=[5])


def test_parameters_input_actual_default(binomial):
    m, train, _ = binomial
    p = m.parms
    assert p["hidden"]["input_value"] == [8, 8] and p["hidden"]["actual_value"] == [8, 8]
    assert p["hidden"]["default_value"] == [200, 200]
    assert p["distribution"]["input_value"] == "AUTO" and p["distribution"]["actual_value"] == "bernoulli"
    assert p["stopping_metric"]["actual_value"] == "logloss"
    assert p["categorical_encoding"]["actual_value"] == "OneHotInternal"
    assert p["fold_assignment"]["actual_value"] is None
    assert p["training_frame"]["actual_value"] == train.frame_id
    assert m.params["epochs"] == {"default": 10.0, "actual": 5.0, "input": 5}
    assert m.actual_params["seed"] == 3
    assert m.epochs == 5 and m.model_id == "dl_binomial"


def test_metrics_objects_and_model_accessors(binomial, capsys):
    m, train, valid = binomial
    perf = m.model_performance(valid)
    assert isinstance(perf, H2OBinomialModelMetrics)
    assert 0.5 < perf.auc() <= 1 and perf.logloss() > 0 and perf.rmse() == pytest.approx(perf.mse() ** 0.5)
    assert perf.nobs() == valid.nrow
    cm = perf.confusion_matrix().as_data_frame()
    assert cm.iloc[:2, 1:3].to_numpy().sum() == valid.nrow
    assert len(perf.gains_lift().as_data_frame()) > 0 and perf.hit_ratio_table() is None
    perf.show()
    assert "AUC" in capsys.readouterr().out
    assert m.model_performance(valid=True).auc() == pytest.approx(perf.auc())   # validation = the same frame
    assert m.auc(valid=True) == pytest.approx(perf.auc())
    both = m.logloss(train=True, valid=True)
    assert set(both) == {"train", "valid"} and both["train"] == m.logloss()
    assert 0 <= m.error() <= 1 and m.r2() <= 1
    assert m.model_performance(train=True).mse() == m.mse()
    assert m.model_performance(train=True, valid=True).mse() == m.mse()     # H2O answers train first
    assert m.model_performance(xval=True) is None                            # no cross-validation here


def test_outputs(binomial, capsys):
    m, train, _ = binomial
    hist = m.scoring_history()
    assert isinstance(hist, pd.DataFrame) and {"epochs", "training_logloss", "validation_auc"} <= set(hist.columns)
    vi = m.varimp()
    assert isinstance(vi, list) and len(vi) == 5 and vi[0][2] == 1.0 and len(vi[0]) == 4
    assert {v[0] for v in vi} == {"AGE", "RACE", "PSA", "VOL", "GLEASON"}
    assert sum(v[3] for v in vi) == pytest.approx(1.0)
    assert list(m.varimp(use_pandas=True).columns) == ["variable", "relative_importance", "scaled_importance",
                                                       "percentage"]
    from bokeh.plotting import figure
    fig = m.varimp_plot()
    assert isinstance(fig, type(figure())) and list(fig.y_range.factors)[-1] == vi[0][0]
    table = m.summary().as_data_frame()
    assert table["units"].tolist() == [5, 8, 8, 2]
    m.show()
    out = capsys.readouterr().out
    assert "dl_binomial" in out and "Scoring History" in out and "Variable Importances" in out
    pred = m.predict(train)
    assert pred.names == ["predict", "p0", "p1"] and pred.nrow == train.nrow and pred.types["predict"] == "enum"
    assert np.allclose(pred[["p0", "p1"]].as_data_frame().sum(axis=1), 1.0, atol=1e-5)


def test_regression_and_multinomial_metrics(prostate, iris):
    reg = H2ODeepLearningEstimator(hidden=[6], epochs=3, seed=2, reproducible=True)
    reg.train(x=["AGE", "PSA", "GLEASON"], y="VOL", training_frame=prostate)
    perf = reg.model_performance()
    assert isinstance(perf, H2ORegressionModelMetrics) and reg.type == "regressor"
    assert perf.mean_residual_deviance() == pytest.approx(perf.mse()) and perf.mae() > 0
    assert reg.respmul() and reg.respsub() and len(reg.normmul()) == 3 and len(reg.normsub()) == 3
    with pytest.raises(H2OValueError, match="classification"):
        reg.error()
    multi = H2ODeepLearningEstimator(hidden=[6], epochs=5, seed=2, reproducible=True)
    multi.train(x=list(range(4)), y="class", training_frame=iris)
    mp = multi.model_performance(iris)
    assert isinstance(mp, H2OMultinomialModelMetrics)
    hits = mp.hit_ratio_table().as_data_frame()
    assert hits["hit_ratio"].iloc[-1] == pytest.approx(1.0)
    assert mp.confusion_matrix().as_data_frame().shape[0] == 4
    assert multi.catoffsets() == [0]


def test_weights_and_biases_need_export_and_drop_constant_columns(prostate):
    prostate["ONE"] = prostate["AGE"] * 0 + 1                      # a constant column: H2O drops it
    plain = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1)
    plain.train(x=["AGE", "PSA", "ONE"], y="VOL", training_frame=prostate)
    with pytest.raises(H2OValueError, match="export_weights_and_biases=True"):
        plain.weights(0)
    m = H2ODeepLearningEstimator(hidden=[4, 3], epochs=1, seed=1, export_weights_and_biases=True)
    m.train(x=["AGE", "PSA", "ONE"], y="VOL", training_frame=prostate)
    w0, w1, w2 = m.weights(0), m.weights(1), m.weights(2)
    assert w0.shape == (4, 2) and w0.names == ["AGE", "PSA"]       # ONE was constant: 2 inputs, not 3
    assert w1.shape == (3, 4) and w2.shape == (1, 3)
    assert m.biases(0).shape == (4, 1) and m.biases(2).shape == (1, 1)
    raw = m._model.weights(0)
    assert np.allclose(w0.as_data_frame().to_numpy(), raw)
    import deepbrook.h2o as h2o
    assert h2o.get_frame(f"{m.model_id}.weights.0") is not None
    kept = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1, ignore_const_cols=False,
                                    export_weights_and_biases=True)
    kept.train(x=["AGE", "PSA", "ONE"], y="VOL", training_frame=prostate)
    assert kept.weights(0).shape == (4, 3)


def test_no_hidden_layer_weights_like_the_pyunit(iris):
    m = H2ODeepLearningEstimator(hidden=[], loss="CrossEntropy", export_weights_and_biases=True, epochs=2)
    m.train(x=list(range(4)), y=4, training_frame=iris)
    assert m.weights(0).shape == (3, 4)


def test_autoencoder_anomaly_deepfeatures_and_refusals(iris):
    ae = H2OAutoEncoderEstimator(hidden=[3], epochs=5, seed=4, reproducible=True)
    ae.train(x=list(range(4)), training_frame=iris)
    assert ae.type == "unsupervised" and ae.parms["autoencoder"]["actual_value"] is True
    err = ae.anomaly(iris)
    assert err.names == ["Reconstruction.MSE"] and err.nrow == 150 and err.min() >= 0
    per = ae.anomaly(iris, per_feature=True)
    assert per.ncol == 4 and per.names[0].endswith(".SE")
    feats = ae.deepfeatures(iris, 0)
    assert feats.shape == (150, 3) and feats.names == ["DF.L1.C1", "DF.L1.C2", "DF.L1.C3"]
    recon = ae.predict(iris)
    assert recon.ncol == 4 and recon.names[0].startswith("reconstr_")
    with pytest.raises(H2OResponseError, match="N-fold cross-validation is not supported for Autoencoder"):
        H2OAutoEncoderEstimator(hidden=[3], nfolds=3).train(x=list(range(4)), training_frame=iris)
    with pytest.raises(H2OResponseError, match="ERRR on field: _hidden_dropout_ratios"):
        H2ODeepLearningEstimator(activation="Tanh", hidden_dropout_ratios=[0.5]).train(
            x=list(range(4)), y=4, training_frame=iris)


def test_cross_validation(prostate):
    prostate["CAPSULE"] = prostate["CAPSULE"].asfactor()
    m = H2ODeepLearningEstimator(hidden=[5], epochs=2, seed=5, nfolds=3, keep_cross_validation_predictions=True,
                                 reproducible=True)
    m.train(x=["AGE", "PSA", "GLEASON"], y="CAPSULE", training_frame=prostate)
    models = m.cross_validation_models()
    assert len(models) == 3 and all(isinstance(x, H2ODeepLearningEstimator) for x in models)
    preds = m.cross_validation_predictions()
    assert len(preds) == 3 and all(p.nrow == 380 for p in preds)
    assert m.cross_validation_holdout_predictions().nrow == 380
    summary = m.cross_validation_metrics_summary().as_data_frame()
    assert {"mean", "sd", "cv_1_valid"} <= set(summary.columns)
    assert 0 < m.auc(xval=True) <= 1
    assert m.parms["fold_assignment"]["actual_value"] == "Random"
    assert m.parms["stopping_metric"]["actual_value"] is None


def test_checkpoint_by_id_and_by_object(prostate):
    first = H2ODeepLearningEstimator(hidden=[5], epochs=2, seed=1, model_id="first")
    first.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    by_id = H2ODeepLearningEstimator(hidden=[5], epochs=4, seed=1, checkpoint="first")
    by_id.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    by_obj = H2ODeepLearningEstimator(hidden=[5], epochs=4, seed=1, checkpoint=first)
    by_obj.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    for m in (by_id, by_obj):
        assert m.scoring_history()["epochs"].iloc[-1] == pytest.approx(4.0)
    with pytest.raises(H2OResponseError, match="Model 'nope' not found"):
        H2ODeepLearningEstimator(checkpoint="nope").train(x=["AGE"], y="VOL", training_frame=prostate)


def test_save_and_load_model(h2o, prostate, tmp_path):
    m = H2ODeepLearningEstimator(hidden=[5], epochs=2, seed=1, model_id="saved_dl")
    m.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    (tmp_path / "other.txt").write_text("not ours")
    path = h2o.save_model(m, path=str(tmp_path))
    assert path == str(tmp_path / "saved_dl") and os.path.isfile(path)
    with pytest.raises(H2OValueError, match="already exists"):
        h2o.save_model(m, path=str(tmp_path))
    assert h2o.save_model(m, path=str(tmp_path), force=True) == path
    named = h2o.save_model(m, path=str(tmp_path), filename="copy")
    assert named == str(tmp_path / "copy")
    assert (tmp_path / "other.txt").read_text() == "not ours"
    h2o.remove(m)
    loaded = h2o.load_model(path)
    assert isinstance(loaded, H2ODeepLearningEstimator) and loaded.model_id == "saved_dl"
    assert h2o.get_model("saved_dl") is loaded
    a = m.predict(prostate).as_data_frame()["predict"]
    b = loaded.predict(prostate).as_data_frame()["predict"]
    assert np.allclose(a, b)
    with pytest.raises(H2OResponseError, match="Cannot load"):
        h2o.load_model(str(tmp_path / "other.txt"))


def test_epochs_zero_keeps_the_initial_network(prostate):
    m = H2ODeepLearningEstimator(hidden=[5], epochs=0, seed=9, reproducible=True)
    m.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    again = H2ODeepLearningEstimator(hidden=[5], epochs=0, seed=9, reproducible=True)
    again.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    assert np.array_equal(m._model.weights(0), again._model.weights(0))
    assert m.predict(prostate).nrow == 380


class _MeanAbsoluteError:
    """H2O's custom metric contract: map per row, reduce pairs, metric at the end."""

    def map(self, pred, act, weight, offset, model):
        return [abs(act[0] - pred[0]) * weight, weight]

    def reduce(self, left, right):
        return [left[0] + right[0], left[1] + right[1]]

    def metric(self, acc):
        return acc[0] / acc[1]


def test_custom_metric_reported_and_used_for_stopping(h2o, prostate):
    ref = h2o.upload_custom_metric(_MeanAbsoluteError, func_name="mae_custom", func_file="mm.py")
    assert ref.startswith("python:mae_custom=")
    m = H2ODeepLearningEstimator(hidden=[5], epochs=30, seed=1, reproducible=True, custom_metric_func=ref,
                                 stopping_metric="custom", stopping_rounds=2, stopping_tolerance=0.05,
                                 train_samples_per_iteration=100, score_each_iteration=True)
    m.train(x=["AGE", "PSA", "GLEASON"], y="VOL", training_frame=prostate)
    perf = m.model_performance()
    assert perf.custom_metric_name() == "mae_custom"
    assert perf.custom_metric_value() == pytest.approx(perf.mae())        # the same number, computed by the user
    hist = m.scoring_history()
    assert "training_custom" in hist.columns
    assert hist["epochs"].iloc[-1] < 30                                     # stopped on the custom metric
    assert m._model.output["stop_reason"] == "early_stopping"
    assert m.model_performance(prostate).custom_metric_value() == pytest.approx(
        m.model_performance(prostate).mae())
    with pytest.raises(H2OValueError, match="source text is not compiled"):
        h2o.upload_custom_metric("class X: pass")
    with pytest.raises(H2OValueError, match="no reduce"):
        h2o.upload_custom_metric(type("Half", (), {"map": lambda s, *a: [0], "metric": lambda s, a: 0}))


def test_special_columns_and_runtime_limit(prostate):
    prostate["W"] = (prostate["AGE"] > 65) + 1                     # weights 1 or 2
    prostate["FOLD"] = prostate["ID"] % 3
    prostate["OFF"] = prostate["AGE"] * 0 + 0.5
    w = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1, reproducible=True)
    w.train(x=["AGE", "PSA", "GLEASON"], y="VOL", training_frame=prostate, weights_column="W")
    assert w.actual_params["weights_column"] == "W"
    assert "W" not in [v[0] for v in w.varimp()]                   # a weight is not an input
    folds = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1)
    folds.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate, fold_column="FOLD")
    assert len(folds.cross_validation_models()) == 3
    off = H2ODeepLearningEstimator(hidden=[4], epochs=1, seed=1)
    off.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate, offset_column="OFF")
    assert off.actual_params["offset_column"] == "OFF"
    quick = H2ODeepLearningEstimator(hidden=[50, 50], epochs=1e6, seed=1)
    quick.train(x=["AGE", "PSA"], y="VOL", training_frame=prostate, max_runtime_secs=2)
    assert quick._model.output["stop_reason"] == "max_runtime_secs"
    assert quick.scoring_history()["epochs"].iloc[-1] < 1e6


def test_init_banner_and_categorical_offsets(h2o, prostate, capsys):
    h2o.init()
    assert capsys.readouterr().out.count("\n") == 1                 # one line
    prostate["RACE"] = prostate["RACE"].asfactor()                  # levels 0, 1, 2
    prostate["DPROS"] = prostate["DPROS"].asfactor()                # levels 1, 2, 3, 4
    m = H2ODeepLearningEstimator(hidden=[3], epochs=1, seed=1)
    m.train(x=["RACE", "DPROS", "AGE"], y="VOL", training_frame=prostate)
    # H2O's layout: categoricals by decreasing cardinality, each with a missing slot, then numerics
    assert m.catoffsets() == [0, 5, 9]
    assert len(m.normmul()) == 1 and m.normsub() == [pytest.approx(prostate["AGE"].mean()[0])]
