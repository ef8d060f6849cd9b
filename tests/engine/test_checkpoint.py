"""Checkpoint restarts, early stopping and overwrite_with_best_model through DeepLearning.train (prostate)."""
import math

import numpy as np
import pytest

from deepbrook.engine import ParameterError, load_model
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import import_file

X = ["AGE", "RACE", "PSA", "GLEASON", "DPROS", "DCAPS", "VOL"]
BASE = dict(hidden=[8, 8], seed=5, reproducible=True)


@pytest.fixture(scope="module")
def frames(prostate_path):
    fr = import_file(str(prostate_path)).as_type("CAPSULE", "enum")
    return fr.split_frame([0.7], seed=1)


@pytest.fixture(scope="module")
def first(frames):
    train, valid = frames
    return DeepLearning(epochs=2, **BASE).train(x=X, y="CAPSULE", training_frame=train, validation_frame=valid)


def test_restart_continues_with_growing_epochs(frames, first, tmp_path):
    train, valid = frames
    w_before = first.network.W.copy()
    h1 = first.scoring_history()
    second = DeepLearning(checkpoint=first, epochs=5, l2=1e-4, **BASE).train(
        x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    h2 = second.scoring_history()
    np.testing.assert_array_equal(first.network.W, w_before)          # the checkpoint is not modified
    assert len(h2) > len(h1)
    assert list(h2.epochs[:len(h1)]) == list(h1.epochs)                # history continues
    assert h2.epochs.iloc[-1] == pytest.approx(5.0, abs=0.01) and np.all(np.diff(h2.epochs) >= 0)
    assert h2.samples.iloc[len(h1)] > h1.samples.iloc[-1]
    assert h2.iterations.iloc[-1] > h1.iterations.iloc[-1]
    assert second.params.l2 == 1e-4                                    # a modifiable parameter changed
    # from a saved path too, and the counters carry over again
    path = second.save(tmp_path / "ck")
    third = DeepLearning(checkpoint=str(path), epochs=6, **BASE).train(
        x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    assert third.scoring_history().epochs.iloc[-1] == pytest.approx(6.0, abs=0.01)
    assert len(third.scoring_history()) > len(h2)


def test_restart_rules_name_the_parameter(frames, first):
    train, valid = frames
    with pytest.raises(ParameterError, match="activation") as e:
        DeepLearning(checkpoint=first, epochs=4, activation="Tanh", **BASE).train(
            x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    assert any(m.parameter == "activation" for m in e.value.messages)
    with pytest.raises(ParameterError, match="epochs"):
        DeepLearning(checkpoint=first, epochs=1, **BASE).train(x=X, y="CAPSULE", training_frame=train,
                                                               validation_frame=valid)
    with pytest.raises(ParameterError, match="validation dataset"):
        DeepLearning(checkpoint=first, epochs=4, **BASE).train(x=X, y="CAPSULE", training_frame=train)


def test_early_stopping_stops_long_run_and_best_model_is_restored(frames):
    train, valid = frames
    m = DeepLearning(hidden=[50, 50], epochs=400, seed=3, reproducible=True, score_each_iteration=True,
                     train_samples_per_iteration=60, stopping_rounds=3, stopping_tolerance=0.0, rate=0.05,
                     adaptive_rate=False, max_runtime_secs=120).train(x=X, y="CAPSULE", training_frame=train,
                                                                         validation_frame=valid)
    h = m.scoring_history()
    assert m.output["stop_reason"] == "early_stopping"
    assert h.epochs.iloc[-1] < 400
    scored = h.validation_logloss.iloc[1:-1] if m.output["best_model_restored"] else h.validation_logloss.iloc[1:]
    best = scored.min()
    # overwrite_with_best_model: the model ends at the best scored point
    assert m.output["validation_metrics"].logloss == pytest.approx(best, rel=1e-9)
    assert m.model_performance(valid).logloss == pytest.approx(best, rel=1e-5)
    if m.output["best_model_restored"]:
        assert h.epochs.iloc[-1] == h.epochs.iloc[-2]
    ext = m.output["scoring_history"].to_pandas(extra=True)
    assert ext.stop_reason.iloc[-1] == "early_stopping"


def test_overwrite_disabled_keeps_last_point(frames):
    train, valid = frames
    m = DeepLearning(hidden=[50, 50], epochs=400, seed=3, reproducible=True, score_each_iteration=True,
                     train_samples_per_iteration=60, stopping_rounds=3, rate=0.05, adaptive_rate=False,
                     overwrite_with_best_model=False, max_runtime_secs=120).train(
        x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    h = m.scoring_history()
    assert not m.output.get("best_model_restored")
    assert m.output["validation_metrics"].logloss == pytest.approx(h.validation_logloss.iloc[-1])
    assert math.isfinite(h.validation_logloss.iloc[-1])
