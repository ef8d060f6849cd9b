"""Engine behaviours H2O scripts rely on (issue 17): custom_metric_func, export_weights_and_biases, H2O's
up-front refusals, epochs=0 and constant columns."""
import math

import numpy as np
import pytest

from deepbrook.engine import DeepLearning, ParameterError, TrainingError, import_file, load_model, save_model


@pytest.fixture(scope="module")
def prostate(prostate_path):
    return import_file(str(prostate_path))


class SquaredError:
    """H2O's CMetricFunc contract: map(preds, act, weight, offset, model), reduce(l, r), metric(l)."""

    def __init__(self):
        self.rows = 0

    def map(self, pred, act, weight, offset, model):
        self.rows += 1
        return [(act[0] - pred[0]) ** 2 * weight, weight]

    def reduce(self, left, right):
        return [left[0] + right[0], left[1] + right[1]]

    def metric(self, acc):
        return acc[0] / acc[1]


def test_custom_metric_is_computed_at_each_scoring_and_matches_mse(prostate):
    metric = SquaredError()
    m = DeepLearning(hidden=[4], epochs=3, seed=1, reproducible=True, custom_metric_func=metric,
                     score_each_iteration=True).train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    tm = m.output["training_metrics"]
    assert tm.custom == pytest.approx(tm.mse) and tm.custom_metric_name == "SquaredError"
    assert metric.rows >= 3 * prostate.nrows                          # once per row per scoring
    hist = m.scoring_history()
    assert hist["training_custom"].iloc[1:].notna().all()
    assert m.params.actual["custom_metric_func"] == "SquaredError"   # the parameter keeps the name only


def test_custom_metric_stops_training(prostate):
    class Constant(SquaredError):
        def metric(self, acc):
            return 1.0                                                   # never improves: stop after k rounds
    m = DeepLearning(hidden=[4], epochs=50, seed=1, reproducible=True, custom_metric_func=Constant(),
                     stopping_metric="custom", stopping_rounds=2, train_samples_per_iteration=50,
                     score_each_iteration=True).train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    assert m.output["stop_reason"] == "early_stopping" and m.output["epochs"] < 5


def test_custom_metric_classification_rows_and_failures(prostate):
    seen = []

    class Accuracy:
        def map(self, pred, act, weight, offset, model):
            seen.append((len(pred), act[0]))
            return [float(pred[0] == act[0]), 1.0]

        def reduce(self, left, right):
            return [left[0] + right[0], left[1] + right[1]]

        def metric(self, acc):
            return acc[0] / acc[1]
    fr = prostate.as_type("CAPSULE", "enum")
    m = DeepLearning(hidden=[4], epochs=2, seed=1, custom_metric_func=Accuracy()).train(
        x=["AGE", "PSA", "GLEASON"], y="CAPSULE", training_frame=fr)
    tm = m.output["training_metrics"]
    assert seen[0][0] == 3                                              # [label, p0, p1]
    assert tm.custom == pytest.approx(1 - tm.classification_error)   # labels at the max-F1 threshold
    with pytest.raises(ParameterError, match="custom_metric_func .object. has no map"):
        DeepLearning(custom_metric_func=object()).train(x=["AGE"], y="VOL", training_frame=prostate)

    class Broken(Accuracy):
        def metric(self, acc):
            raise ZeroDivisionError("boom")
    with pytest.raises(TrainingError, match="custom_metric_func 'Broken' failed: ZeroDivisionError: boom"):
        DeepLearning(hidden=[2], epochs=1, custom_metric_func=Broken()).train(
            x=["AGE"], y="CAPSULE", training_frame=fr)


def test_saved_model_keeps_the_metric_name_not_the_code(prostate, tmp_path):
    m = DeepLearning(hidden=[3], epochs=1, seed=1, custom_metric_func=SquaredError()).train(
        x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    loaded = load_model(save_model(m, tmp_path / "m"))
    assert loaded.params.actual["custom_metric_func"] == "SquaredError" and loaded.custom_metric is None
    assert math.isfinite(loaded.output["training_metrics"].custom)


def test_export_weights_and_biases_publishes_keys(prostate):
    plain = DeepLearning(hidden=[3], epochs=1, seed=1).train(x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    assert "weights_keys" not in plain.output
    m = DeepLearning(hidden=[3, 2], epochs=1, seed=1, export_weights_and_biases=True, model_id="wb").train(
        x=["AGE", "PSA"], y="VOL", training_frame=prostate)
    assert m.output["weights_keys"] == ["wb.weights.0", "wb.weights.1", "wb.weights.2"]
    assert m.output["biases_keys"] == ["wb.biases.0", "wb.biases.1", "wb.biases.2"]


def test_autoencoder_with_nfolds_is_refused_before_training(prostate):
    with pytest.raises(ParameterError, match="N-fold cross-validation is not supported for Autoencoder"):
        DeepLearning(autoencoder=True, nfolds=3, hidden=[2]).train(x=["AGE", "PSA"], training_frame=prostate)


def test_epochs_zero_is_the_initial_network(prostate):
    a = DeepLearning(hidden=[3], epochs=0, seed=5, reproducible=True).train(x=["AGE", "PSA"], y="VOL",
                                                                           training_frame=prostate)
    b = DeepLearning(hidden=[3], epochs=0.001, seed=5, reproducible=True).train(x=["AGE", "PSA"], y="VOL",
                                                                               training_frame=prostate)
    assert a.output["samples"] == 0 and b.output["samples"] > 0
    assert not np.array_equal(a.weights(0), b.weights(0))
    with pytest.raises(ParameterError, match="epochs must be >= 0"):
        DeepLearning(epochs=-1).train(x=["AGE"], y="VOL", training_frame=prostate)


def test_constant_columns_are_not_inputs(prostate):
    from deepbrook.engine import Frame
    df = prostate.as_pandas()
    df["ZERO"] = 0.0
    fr = Frame.from_pandas(df)
    m = DeepLearning(hidden=[3], epochs=1, seed=1).train(x=["AGE", "PSA", "ZERO"], y="VOL", training_frame=fr)
    assert m.weights(0).shape == (3, 2) and m.data_info.ignored.get("ZERO") == "constant"
    kept = DeepLearning(hidden=[3], epochs=1, seed=1, ignore_const_cols=False).train(
        x=["AGE", "PSA", "ZERO"], y="VOL", training_frame=fr)
    assert kept.weights(0).shape == (3, 3)
