"""Gedeon variable importance and the layer-status table from network arrays."""
import numpy as np
import pandas as pd
import pytest

from deepbrook.engine.model import summary, varimp
from deepbrook.engine.model.network import Network


def gedeon_reference(W1, W2):
    """Doc 5.2 literally, in H2O's layout (W1[j, i] hidden x input, W2[k, j] next x hidden), with loops."""
    J, I = W1.shape
    K = W2.shape[0]
    S1 = np.abs(W1).sum(axis=1)
    S2 = np.abs(W2).sum(axis=1)
    Q = np.zeros((I, K))
    for i in range(I):
        for k in range(K):
            Q[i, k] = sum(abs(W1[j, i]) / S1[j] * abs(W2[k, j]) / S2[k] for j in range(J))
    Q /= Q.sum(axis=0, keepdims=True)
    vi = Q.sum(axis=1)
    return vi / vi.max()


def test_gedeon_matches_the_definition_in_h2o_layout():
    rng = np.random.default_rng(0)
    W0 = rng.normal(size=(6, 4))       # input-major [inputs, units]
    W1 = rng.normal(size=(4, 3))
    vi = varimp.gedeon(W0, W1)
    np.testing.assert_allclose(vi, gedeon_reference(W0.T, W1.T), rtol=1e-12)
    assert vi.max() == 1.0
    np.testing.assert_allclose(varimp.gedeon(W0), np.abs(W0).sum(1) / np.abs(W0).sum(1).max())
    assert varimp.gedeon(W0, W1, zero_slots=[True] + [False] * 5)[0] == 0.0


def test_tables_per_input_and_per_column_like_h2o(shared_data):
    ref = pd.read_csv(shared_data.parent / "research" / "h2o-outputs" / "mnist_variable_importances.csv")
    rng = np.random.default_rng(1)
    W0, W1 = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    names = ["color.red", "color.blue", "color.missing(NA)", "age", "psa"]
    cols = ["color", "color", "color", "age", "psa"]
    per_input, per_column = varimp.variable_importances([W0, W1], names, cols)
    assert list(per_input.columns) == list(ref.columns)
    assert per_input.relative_importance.iloc[0] == 1.0
    assert np.all(np.diff(per_input.relative_importance) <= 0)
    assert per_input.percentage.sum() == pytest.approx(1.0)
    vi = dict(zip(per_input.variable, per_input.relative_importance))
    col = dict(zip(per_column.variable, per_column.relative_importance))
    assert col["color"] == pytest.approx(vi["color.red"] + vi["color.blue"] + vi["color.missing(NA)"])
    assert per_column.scaled_importance.max() == 1.0 and len(per_column) == 3


def test_numeric_only_models_get_the_grouped_per_column_table_without_grouping():
    rng = np.random.default_rng(3)
    W0, W1 = rng.normal(size=(6, 4)), rng.normal(size=(4, 3))
    names = ["x1", "x2", "x3", "x4", "x5", "x6"]
    W0[2] = W0[4]  # a tie: the stable order must be the grouped path's too
    per_input, per_column = varimp.variable_importances([W0, W1], names, list(names))
    vi = varimp.gedeon(W0, W1)
    grouped = pd.DataFrame({"column": names, "vi": vi}).groupby("column", sort=False)["vi"].sum()
    pd.testing.assert_frame_equal(per_column, varimp.varimp_table(grouped.to_numpy(), list(grouped.index)))
    pd.testing.assert_frame_equal(per_column, per_input)
    assert per_column is not per_input  # callers may edit one table without the other
    renamed = varimp.aggregate_by_column(vi, ["a", "b", "c", "d", "e", "f"])  # unique columns, other names
    assert list(renamed.variable) == [dict(zip(names, "abcdef"))[v] for v in per_input.variable]


def test_maxout_channels_are_averaged():
    rng = np.random.default_rng(2)
    W0 = rng.normal(size=(4, 6))        # 3 units x 2 channels, interleaved
    W1 = rng.normal(size=(3, 2))
    a = np.abs(W0).reshape(4, 3, 2).mean(axis=2)
    np.testing.assert_allclose(varimp.gedeon(W0, W1, units=3), varimp.gedeon(a, W1), rtol=1e-12)


def test_layer_status_table_columns_and_values(shared_data):
    ref = pd.read_csv(shared_data.parent / "research" / "h2o-outputs" / "mnist_model_summary.csv", index_col=0)
    net = Network.build(7, [5, 4], 3, activation="RectifierWithDropout", hidden_dropout=[0.5, 0.2], seed=3,
                        input_dropout=0.1)
    net.S_w[0][:] = 0.04
    net.S_w[1][:] = 0.01
    params = dict(activation="RectifierWithDropout", l1=1e-5, l2=0.0, adaptive_rate=True, epsilon=1e-8)
    t = summary.layer_status(net, params)
    assert list(t.columns) == list(ref.columns)
    assert list(t.type) == ["Input", "RectifierDropout", "RectifierDropout", "Softmax"]
    assert list(t.units) == [7, 5, 4, 3] and list(t.layer) == [1, 2, 3, 4]
    assert t.dropout.iloc[0] == pytest.approx(10.0) and t.dropout.iloc[1] == 50.0 and np.isnan(t.dropout.iloc[3])
    assert np.isnan(t.l1.iloc[0]) and t.l1.iloc[1] == 1e-5
    assert t.mean_rate.iloc[1] == pytest.approx(np.sqrt(0.01 + 1e-8) / np.sqrt(0.04 + 1e-8), rel=1e-6)
    assert t.mean_bias.iloc[1] == pytest.approx(0.5) and t.mean_bias.iloc[2] == pytest.approx(1.0)
    w = net.weights(1).astype(float)
    assert t.mean_weight.iloc[2] == pytest.approx(w.mean()) and t.weight_rms.iloc[2] == pytest.approx(w.std())
    manual = summary.layer_status(net, dict(params, adaptive_rate=False, rate=0.01, rate_annealing=0.0,
                                            rate_decay=0.5, momentum_start=0.5, momentum_ramp=100,
                                            momentum_stable=0.9), samples=50)
    assert list(manual.mean_rate.iloc[1:]) == pytest.approx([0.01, 0.005, 0.0025])
    assert manual.momentum.iloc[1] == pytest.approx(0.7)


def test_trained_model_zeroes_unseen_na_slots(prostate_path):
    from deepbrook.engine.estimator import DeepLearning
    from deepbrook.engine.frames import import_file
    fr = import_file(str(prostate_path)).as_type("RACE", "enum").as_type("DPROS", "enum")
    m = DeepLearning(hidden=[6], epochs=1, seed=1).train(x=["AGE", "RACE", "DPROS", "PSA"], y="VOL",
                                                         training_frame=fr)
    vi = m.varimp()
    names = list(m.data_info.coef_names)
    assert set(vi.variable) == set(names)
    row = dict(zip(vi.variable, vi.relative_importance))
    assert row["RACE.missing(NA)"] == 0.0 and row["DPROS.missing(NA)"] == 0.0   # no NAs in training
    assert row["RACE.1"] > 0
    per_col = m.varimp(per_column=True)
    assert set(per_col.variable) == {"AGE", "RACE", "DPROS", "PSA"}
