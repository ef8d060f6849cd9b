"""H2OGridSearch over the engine's GridSearch, on iris (as H2O's own grid pyunit)."""
import itertools

import pandas as pd
import pytest

from deepbrook.h2o.estimators import H2ODeepLearningEstimator
from deepbrook.h2o.exceptions import H2OValueError
from deepbrook.h2o.grid.grid_search import H2OGridSearch


def test_grid_trains_every_combination_and_sorts(h2o, iris):
    hyper = {"hidden": [[4], [6, 6]], "activation": ["Tanh", "Rectifier"]}
    gs = H2OGridSearch(H2ODeepLearningEstimator(epochs=2, seed=1, reproducible=True), hyper_params=hyper,
                       grid_id="g_iris")
    gs.train(x=list(range(4)), y="class", training_frame=iris)
    assert len(gs) == 4 and all(isinstance(m, H2ODeepLearningEstimator) for m in gs)
    combos = sorted((m.parms["hidden"]["actual_value"], m.parms["activation"]["actual_value"]) for m in gs.models)
    assert combos == sorted((h, a) for h, a in itertools.product(hyper["hidden"], hyper["activation"]))
    assert gs[0].type == "classifier" and gs.model_ids[0].startswith("g_iris_model_")
    assert all(m.parms["epochs"]["actual_value"] == 2 for m in gs)
    by_mse = gs.get_grid(sort_by="mse")
    mses = [m.mse() for m in by_mse.models]
    assert mses == sorted(mses)
    worst_first = gs.get_grid(sort_by="mse", decreasing=True)
    assert [m.model_id for m in worst_first.models] == [m.model_id for m in by_mse.models][::-1]
    table = by_mse.sorted_metric_table()
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["hidden", "activation", "model_ids", "mse"]
    assert table["mse"].tolist() == pytest.approx(mses)
    assert "g_iris_model_" in repr(by_mse)
    assert h2o.get_model(gs.model_ids[0]) is not None
    with pytest.raises(H2OValueError, match="sort_by"):
        gs.get_grid(sort_by="nonsense")


def test_grid_from_a_class_with_random_search(iris):
    gs = H2OGridSearch(H2ODeepLearningEstimator, {"hidden": [[3], [4], [5]], "epochs": [1]},
                       search_criteria={"strategy": "RandomDiscrete", "max_models": 2, "seed": 1})
    gs.train(x=iris.names[:4], y=4, training_frame=iris)
    assert len(gs) == 2 and len({m.model_id for m in gs}) == 2
    with pytest.raises(H2OValueError, match="hyper_params"):
        H2OGridSearch(H2ODeepLearningEstimator, {})


def test_get_grid_by_id(h2o, iris):
    gs = H2OGridSearch(H2ODeepLearningEstimator(epochs=1), {"hidden": [[2], [3]]}, grid_id="by_id")
    gs.train(x=list(range(4)), y=4, training_frame=iris)
    assert h2o.get_grid("by_id") is gs
    from deepbrook.h2o.exceptions import H2OResponseError
    with pytest.raises(H2OResponseError, match="Grid 'nope' not found"):
        h2o.get_grid("nope")
