"""Grid search: combinations, a 4-model grid on prostate ranked by a metric, background runs."""
import threading

import numpy as np
import pytest

from deepbrook.engine import GridSearch, ParameterError, Workspace
from deepbrook.engine.estimator import DeepLearning
from deepbrook.engine.frames import import_file
from deepbrook.engine.grid import combinations

X = ["AGE", "RACE", "PSA", "GLEASON", "DPROS", "DCAPS", "VOL"]


@pytest.fixture(scope="module")
def frames(prostate_path):
    fr = import_file(str(prostate_path)).as_type("CAPSULE", "enum")
    return fr.split_frame([0.7], seed=2)


def test_combinations_cartesian_and_random():
    hp = {"hidden": [[5], [10]], "l1": [0, 1e-3, 1e-2]}
    c = combinations(hp)
    assert len(c) == 6 and c[0] == {"hidden": [5], "l1": 0} and c[1] == {"hidden": [5], "l1": 1e-3}
    r = combinations(hp, {"strategy": "RandomDiscrete", "max_models": 4, "seed": 1})
    assert len(r) == 4 and all(x in c for x in r) and len({str(x) for x in r}) == 4
    assert r == combinations(hp, {"strategy": "RandomDiscrete", "max_models": 4, "seed": 1})
    with pytest.raises(ParameterError, match="strategy"):
        combinations(hp, {"strategy": "Bayes"})
    with pytest.raises(ParameterError, match="hyper_params"):
        combinations({})


def test_four_model_grid_ranks_its_models(frames):
    train, valid = frames
    grid = GridSearch(DeepLearning, {"hidden": [[4], [16, 16]], "epochs": [1, 4]}, grid_id="g",
                      seed=3, reproducible=True)
    grid.train(x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    assert len(grid) == 4 and grid.progress == 1.0 and not grid.failures
    board = grid.get_grid(sort_by="auc")
    assert list(board.columns) == ["hidden", "epochs", "model_ids", "auc"]
    assert sorted(board.model_ids) == [f"g_model_{i}" for i in range(1, 5)]
    assert np.all(np.diff(board.auc) <= 0)                          # AUC: best (largest) first
    by_key = {m.key: m for m in grid.models}
    assert board.auc.iloc[0] == by_key[board.model_ids.iloc[0]].output["validation_metrics"].auc
    ll = grid.get_grid()                                            # default: logloss, smallest first
    assert "logloss" in ll and np.all(np.diff(ll.logloss) >= 0)
    assert np.all(np.diff(grid.get_grid("logloss", decreasing=True).logloss) <= 0)
    ws = Workspace(None)
    for m in grid.sorted_models("auc"):
        ws.put(m.key, m)
    assert {e.name for e in ws.list("model")} == set(by_key)


def test_async_grid_with_max_models_and_failures(frames):
    train, valid = frames
    grid = GridSearch(DeepLearning, {"hidden": [[3], [4], [5]], "activation": ["Tanh", "NoSuchActivation"]},
                      search_criteria={"strategy": "RandomDiscrete", "max_models": 4, "seed": 5}, epochs=1, seed=1)
    events = []
    grid.subscribe(events.append)
    job = grid.train_async(x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    assert job.result(timeout=120) is grid and job.status == "DONE" and job.progress == 1.0
    assert len(grid.models) + len(grid.failures) == 4
    assert all(f.params["activation"] == "NoSuchActivation" for f in grid.failures)
    assert events[-1]["type"] == "done"
    with pytest.raises(ParameterError, match="both"):
        GridSearch(DeepLearning, {"epochs": [1, 2]}, epochs=3)


class _FakeModel:
    problem = "binomial"

    def __init__(self, i, logloss):
        from deepbrook.engine.model.metrics import ModelMetrics
        self.key = f"fake_{i}"
        self.output = {"validation_metrics": ModelMetrics("Binomial", {"logloss": logloss})}


def test_random_grid_early_stopping_on_flat_metric():
    made = []

    class FakeEstimator:
        def __init__(self, **params):
            self.params = params

        def train(self, **_):
            made.append(self.params)
            return _FakeModel(len(made), 0.5)     # no model improves on the others

    grid = GridSearch(FakeEstimator, {"a": list(range(30))},
                      search_criteria={"strategy": "RandomDiscrete", "seed": 1, "stopping_rounds": 2,
                                       "stopping_metric": "logloss", "stopping_tolerance": 0.01})
    grid.train(training_frame=object())
    assert grid.stopped_early and len(made) == 4        # 2k models needed before the rule can fire


def test_cancel_stops_the_grid_and_keeps_finished_models(frames):
    train, valid = frames
    grid = GridSearch(DeepLearning, {"hidden": [[3], [4], [5], [6], [7], [8]]}, epochs=1, seed=1)
    holder, ready = [], threading.Event()
    grid.subscribe(lambda e: e["type"] == "model" and ready.wait(10) and holder[0].cancel())
    job = grid.train_async(x=X, y="CAPSULE", training_frame=train, validation_frame=valid)
    holder.append(job)
    ready.set()
    assert job.result(timeout=120) is grid
    assert job.status == "CANCELLED" and 1 <= len(grid.models) < 6


def test_grid_job_progress_says_models_built_and_failed():
    subscribed = threading.Event()

    class FlakyEstimator:
        def __init__(self, **params):
            self.params = params

        def train(self, **_):
            subscribed.wait(10)
            if self.params["a"] == 1:
                raise ParameterError("a=1 is refused", [])
            return _FakeModel(self.params["a"], 0.1 * self.params["a"])

    grid = GridSearch(FlakyEstimator, {"a": [0, 1, 2]}, grid_id="f")
    job = grid.train_async(training_frame=object())
    messages = []
    job.subscribe(lambda e: e["type"] == "progress" and messages.append((e["progress"], e["message"])))
    subscribed.set()
    assert job.result(timeout=30) is grid
    assert messages == [(pytest.approx(1 / 3), "Models: 1 of 3 built."),
                        (pytest.approx(2 / 3), "Models: 1 of 3 built (1 failed)."),
                        (1.0, "Models: 2 of 3 built (1 failed).")]


def test_leaderboard_orders_by_the_chosen_metric_with_missing_values_last():
    from deepbrook.engine import leaderboard, main_metrics, model_metric
    models = [_FakeModel(i, ll) for i, ll in enumerate([0.3, float("nan"), 0.1])]
    board = leaderboard(models, [{"a": i} for i in range(3)], ["a"], metrics=main_metrics("binomial"))
    assert list(board.columns[:3]) == ["a", "model_ids", "logloss"] and "auc" in board
    assert list(board.model_ids) == ["fake_2", "fake_0", "fake_1"]      # smallest logloss first, NaN last
    assert model_metric(models[2], "logloss") == pytest.approx(0.1)
    with pytest.raises(ParameterError, match="sort_by 'nope'"):
        leaderboard(models, [{}] * 3, [], sort_by="nope")
