"""A 70,000-level categorical trains through the sparse first layer: no dense one-hot row is ever built."""
import tracemalloc

import numpy as np
import pandas as pd

from deepbrook.engine import DeepLearning, Frame


def test_seventy_thousand_levels_train_without_a_dense_row():
    rng = np.random.default_rng(0)
    n, levels = 80_000, 70_000
    code = rng.permutation(np.arange(n) % levels)          # every level appears
    signal = (code % 2).astype(float)                     # the level decides the class (learnable per level)
    df = pd.DataFrame({"big": pd.Categorical([f"L{c}" for c in code]), "x": rng.normal(size=n)})
    df["y"] = pd.Categorical(np.where(signal + 0.1 * df.x > 0.5, "odd", "even"))
    frame = Frame.from_pandas(df)

    tracemalloc.start()
    model = DeepLearning(hidden=[8], epochs=2, seed=1, score_training_samples=2000).train(y="y", training_frame=frame)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert model.data_info.n_inputs >= levels              # one input slot per level (+ missing slot + numeric)
    assert model.weights(0).shape == (8, model.data_info.n_inputs)
    dense_one_hot = n * levels * 4                          # ~22 GB: a dense design could not even be allocated
    assert peak < dense_one_hot / 200, peak                 # training allocates < 0.5% of a dense design
    preds = model.predict(frame[["big", "x"]]).as_pandas()
    assert list(preds.columns) == ["predict", "even", "odd"]
    assert preds.shape[0] == n
