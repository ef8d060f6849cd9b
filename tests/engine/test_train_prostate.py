"""Prostate (H2O's classic small data): binomial CAPSULE, regression VOL, autoencoder, predict columns."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearning, DeepLearningModel, ParameterError, TrainingError, import_file

X = ["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


@pytest.fixture(scope="module")
def prostate(prostate_path):
    frame = import_file(str(prostate_path))
    return frame.as_type("CAPSULE", "enum").as_type("RACE", "enum")


def test_binomial_capsule_trains_and_predicts(prostate):
    model = DeepLearning(hidden=[20, 20], epochs=30, seed=1, reproducible=True).train(
        x=X, y="CAPSULE", training_frame=prostate)
    assert isinstance(model, DeepLearningModel) and model.problem == "binomial"
    pred = model.predict(prostate).as_pandas()
    assert list(pred.columns) == ["predict", "p0", "p1"]
    np.testing.assert_allclose(pred["p0"] + pred["p1"], 1.0, rtol=1e-6)
    assert model.output["training_metrics"].auc > 0.8
    truth = prostate.as_pandas()["CAPSULE"].astype(int).to_numpy()
    assert (pred["predict"].astype(int).to_numpy() == truth).mean() > 0.7
    assert model.params.distribution == "bernoulli"      # resolved AUTO
    assert model.weights(0).shape == (20, model.data_info.n_inputs)   # H2O orientation
    assert model.biases(2).shape == (2,)


def test_reproducible_training_is_bit_identical(prostate):
    kw = dict(hidden=[10], epochs=5, seed=7, reproducible=True, activation="TanhWithDropout", input_dropout_ratio=0.1)
    a = DeepLearning(**kw).train(x=X, y="CAPSULE", training_frame=prostate)
    b = DeepLearning(**kw).train(x=X, y="CAPSULE", training_frame=prostate)
    assert np.array_equal(a.network.W, b.network.W) and np.array_equal(a.network.B, b.network.B)


@pytest.mark.parametrize("distribution", ["gaussian", "laplace", "huber", "poisson", "gamma"])
def test_regression_vol_trains_and_predicts(prostate, distribution):
    frame = prostate
    model = DeepLearning(hidden=[20], epochs=40, seed=1, reproducible=True, distribution=distribution).train(
        x=["AGE", "RACE", "DPROS", "CAPSULE", "PSA", "GLEASON"], y="VOL", training_frame=frame)
    pred = model.predict(frame).as_pandas()
    assert list(pred.columns) == ["predict"]
    vol = frame.as_pandas()["VOL"].to_numpy()
    assert np.isfinite(pred["predict"]).all()
    assert abs(pred["predict"].mean() - vol.mean()) < 0.5 * vol.std()    # in response units, not standardized
    if distribution in ("poisson", "gamma"):
        assert (pred["predict"] > 0).all()                                 # log link


def test_regression_age_beats_the_mean(prostate):
    model = DeepLearning(hidden=[32], epochs=60, seed=3, reproducible=True).train(
        x=["CAPSULE", "DPROS", "PSA", "VOL", "GLEASON", "RACE"], y="AGE", training_frame=prostate)
    m = model.output["training_metrics"]
    age = prostate.as_pandas()["AGE"].to_numpy()
    assert m.mse < age.var()


def test_autoencoder_anomaly_and_deepfeatures(prostate):
    frame = prostate[["AGE", "RACE", "PSA", "VOL", "GLEASON"]]
    model = DeepLearning(autoencoder=True, hidden=[8, 3, 8], activation="Tanh", epochs=20, seed=1,
                         reproducible=True).train(training_frame=frame)
    assert model.problem == "autoencoder"
    recon = model.predict(frame)
    assert recon.names == [f"reconstr_{c}" for c in model.data_info.coef_names]
    err = model.anomaly(frame).as_pandas()["Reconstruction.MSE"].to_numpy()
    assert err.shape == (frame.nrows,) and np.all(err >= 0) and err.mean() < 0.1
    per = model.anomaly(frame, per_feature=True)
    assert per.names == [f"reconstr_{c}.SE" for c in model.data_info.coef_names]
    np.testing.assert_allclose(per.as_pandas().to_numpy().mean(axis=1), err, rtol=1e-6)
    df = model.deepfeatures(frame, 1)
    assert df.names == ["DF.L2.C1", "DF.L2.C2", "DF.L2.C3"]
    with pytest.raises(Exception, match="between 0 and 2"):
        model.deepfeatures(frame, 3)
    # a supervised model initialized from the autoencoder's layers
    sup = DeepLearning(hidden=[8, 3, 8], activation="Tanh", epochs=1, seed=1, reproducible=True,
                       pretrained_autoencoder=model, ignored_columns=["ID", "DPROS", "DCAPS"])
    sup_model = sup.train(y="CAPSULE", training_frame=prostate)
    assert sup_model.network.sizes[:-1] == model.network.sizes[:-1]


def test_initial_weights_and_biases_are_used(prostate):
    base = DeepLearning(hidden=[4], epochs=0.01, seed=1, reproducible=True).train(
        x=["AGE", "PSA"], y="CAPSULE", training_frame=prostate)
    w0 = np.full((4, 2), 0.25)
    b0 = np.arange(4.0)
    m = DeepLearning(hidden=[4], epochs=0.01, seed=1, reproducible=True, adaptive_rate=False, rate=1e-12,
                     initial_weights=[w0, None], initial_biases=[b0, None]).train(
        x=["AGE", "PSA"], y="CAPSULE", training_frame=prostate)
    np.testing.assert_allclose(m.weights(0), w0, atol=1e-6)
    np.testing.assert_allclose(m.biases(0), b0, atol=1e-6)
    assert not np.allclose(base.weights(0), w0)


def test_invalid_parameters_refuse_to_start(prostate):
    with pytest.raises(ParameterError) as err:
        DeepLearning(hidden=[-3], epochs=1, l1=-1.0).train(y="CAPSULE", training_frame=prostate)
    text = str(err.value)
    assert "hidden" in text and "l1" in text


def test_diverging_manual_rate_is_a_clear_error(prostate):
    with pytest.raises(TrainingError, match="diverged"):
        DeepLearning(hidden=[50, 50], epochs=20, seed=1, reproducible=True, adaptive_rate=False, rate=100.0,
                     rate_annealing=0.0, standardize=False).train(x=["PSA", "VOL", "AGE"], y="GLEASON",
                                                                 training_frame=prostate)


def test_mini_batch_path_through_the_estimator(prostate):
    model = DeepLearning(hidden=[20], epochs=30, seed=1, mini_batch_size=16).train(
        x=X, y="CAPSULE", training_frame=prostate)
    assert model.output["training_metrics"].auc > 0.75


def test_validation_frame_metrics_and_model_performance(prostate, tmp_path):
    from deepbrook.engine import load_model
    train, valid = prostate.split_frame([0.75], seed=1)
    model = DeepLearning(hidden=[16], epochs=20, seed=2, reproducible=True, stopping_rounds=2).train(
        x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    hist = model.scoring_history()
    assert "validation_logloss" in hist.columns and np.isfinite(hist["validation_logloss"].iloc[-1])
    assert model.output["validation_metrics"].nobs == valid.nrows
    perf = model.model_performance(valid)
    assert perf.auc == pytest.approx(model.output["validation_metrics"].auc, rel=1e-6)
    path = model.save(tmp_path / "m")
    again = load_model(path)
    np.testing.assert_array_equal(again.predict(valid).as_pandas().to_numpy(),
                                  model.predict(valid).as_pandas().to_numpy())


def test_offsets_shift_regression_predictions(prostate):
    import pandas as pd
    from deepbrook.engine import Frame
    df = prostate.as_pandas()
    df["off"] = np.where(df["RACE"].astype(str) == "1", 5.0, -5.0)
    frame = Frame.from_pandas(df)
    kw = dict(hidden=[8], epochs=30, seed=1, reproducible=True)
    m = DeepLearning(offset_column="off", **kw).train(x=["AGE", "PSA", "GLEASON"], y="VOL", training_frame=frame)
    shifted = Frame.from_pandas(df.assign(off=df["off"] + 10.0))
    diff = m.predict(shifted).as_pandas()["predict"] - m.predict(frame).as_pandas()["predict"]
    np.testing.assert_allclose(diff, 10.0, rtol=1e-4)       # an offset adds in response units (identity link)
    assert isinstance(df, pd.DataFrame)
