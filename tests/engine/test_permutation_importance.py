"""Permutation importance per original column (issue 19 item 4): a planted noise column ranks last."""
import numpy as np
import pytest

from deepbrook.engine import DeepbrookError, DeepLearning, Frame, ParameterError, import_file

FEATURES = ["DepTime", "Origin", "Dest", "UniqueCarrier", "Distance", "fMonth", "NOISE"]


@pytest.fixture(scope="module")
def airlines(shared_data):
    path = shared_data.parent / "h2o-flows" / "data" / "smalldata" / "airlines" / "AirlinesTrain.csv.zip"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    frame = import_file(str(path))
    rng = np.random.default_rng(7)
    levels = np.array([f"L{i}" for i in rng.integers(0, 12, frame.nrows)], dtype=object)
    frame = frame.with_columns(Frame.from_arrays({"NOISE": levels}, types={"NOISE": "enum"}))
    train, test = frame.split_frame([0.5], seed=1)
    model = DeepLearning(seed=1, hidden=[20], epochs=3, reproducible=True).train(
        x=FEATURES, y="IsDepDelayed", training_frame=train)
    return model, test


def test_planted_noise_ranks_last(airlines):
    model, test = airlines
    table = model.permutation_importance(test, n_repeats=3, seed=2)
    assert list(table.columns[:5]) == ["variable", "relative_importance", "scaled_importance", "percentage", "std"]
    assert sorted(table.variable) == sorted(FEATURES)            # one row per ORIGINAL column
    assert table.variable.iloc[-1] == "NOISE"
    noise = table.set_index("variable").loc["NOISE"]
    assert abs(noise.relative_importance) < 0.005                 # ~no AUC lost without it
    assert table.relative_importance.iloc[0] > 0.03
    assert table.attrs["metric"] == "AUC" and table.attrs["n_samples"] == 10000   # H2O default n_samples
    assert [f"run_{i}" for i in (1, 2, 3)] == list(table.columns[5:])
    runs = table[["run_1", "run_2", "run_3"]].to_numpy()
    np.testing.assert_allclose(runs.mean(axis=1), table.relative_importance)
    np.testing.assert_allclose(runs.std(axis=1, ddof=1), table["std"])
    # the Gedeon sum over one-hot slots (H2O's per-slot table added up) puts the noise above informative columns
    gedeon = list(model.varimp(per_column=True).variable)
    assert gedeon.index("NOISE") < gedeon.index("DepTime")


def test_options_follow_h2o(airlines):
    model, test = airlines
    one = model.permutation_importance(test, metric="logloss", n_samples=2000, features=["DepTime", "NOISE"],
                                       seed=5)
    assert set(one.variable) == {"DepTime", "NOISE"} and "run_1" not in one.columns
    assert one.attrs["n_samples"] == 2000 and one.attrs["metric"] == "logloss"
    assert one.percentage.sum() == pytest.approx(1.0)
    again = model.permutation_importance(test, metric="logloss", n_samples=2000, features=["DepTime", "NOISE"],
                                         seed=5)
    assert one.equals(again)                                       # same seed, same rows and shuffles
    drawn = model.permutation_importance(test, n_samples=500, features=["DepTime"])
    assert drawn.attrs["seed"] >= 0


def test_bad_requests_name_what_is_wrong(airlines, prostate_path):
    model, test = airlines
    with pytest.raises(ParameterError, match="features: 'ArrTime' is not a predictor"):
        model.permutation_importance(test, features=["ArrTime"])
    with pytest.raises(ParameterError, match="MAE is not defined for binomial"):
        model.permutation_importance(test, metric="mae")
    with pytest.raises(ParameterError, match="metric: 'F1'"):
        model.permutation_importance(test, metric="F1")
    with pytest.raises(ParameterError, match="n_repeats"):
        model.permutation_importance(test, n_repeats=0)
    with pytest.raises(ParameterError, match="lacks column 'Origin'"):
        model.permutation_importance(test.drop("Origin"))
    prostate = import_file(str(prostate_path))[["AGE", "PSA", "VOL"]]
    ae = DeepLearning(autoencoder=True, hidden=[2], epochs=1, seed=1).train(training_frame=prostate)
    with pytest.raises(DeepbrookError, match="supervised"):
        ae.permutation_importance(prostate)


def test_regression_uses_rmse(prostate_path):
    prostate = import_file(str(prostate_path))
    model = DeepLearning(hidden=[10], epochs=5, seed=1, reproducible=True).train(
        x=["AGE", "PSA", "GLEASON"], y="VOL", training_frame=prostate)
    table = model.permutation_importance(prostate, n_repeats=2, seed=1)
    assert table.attrs["metric"] == "RMSE" and len(table) == 3
