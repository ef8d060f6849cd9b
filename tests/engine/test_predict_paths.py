"""One prediction path: a row's prediction does not depend on how many rows are scored with it (issue 19 item 7)."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearning, import_file
from deepbrook.engine.kernels import hyper as H
from deepbrook.engine.kernels.predict import predict_rows_serial


@pytest.fixture(scope="module")
def prostate_model(prostate_path):
    frame = import_file(str(prostate_path)).as_type("CAPSULE", "enum").as_type("RACE", "enum")
    model = DeepLearning(seed=3, hidden=[50, 50], epochs=5, reproducible=True, ignored_columns=["ID"]).train(
        y="CAPSULE", training_frame=frame)
    return model, frame


def test_predictions_are_bit_identical_for_any_row_count(prostate_model):
    model, frame = prostate_model
    design = model.data_info.transform(frame, with_response=False)
    full = model.predict_design(design)                                    # 380 rows: a full and a partial block
    for rows in (np.arange(1), np.arange(5, 6), np.arange(10, 73), np.arange(379, 380), np.arange(300, 0, -7)):
        part = model.predict_design(design.take(rows))
        assert np.array_equal(part, full[rows]), f"rows {rows[:3]}..."
    # through the user-facing predict: one row alone == the same row in the whole frame
    one = model.predict(frame.rows([123])).as_pandas()
    every = model.predict(frame).as_pandas()
    assert one[["p0", "p1"]].to_numpy().tolist() == every[["p0", "p1"]].to_numpy()[[123]].tolist()


def test_predictions_split_over_threads_are_bit_identical(prostate_model):
    # Large designs are scored in one part per numba thread (model._in_parts); a row's prediction stays the same.
    import numba
    model, frame = prostate_model
    design = model.data_info.transform(frame, with_response=False)
    full = model.predict_design(design)
    rows = np.random.default_rng(0).integers(0, design.nrows, 3001)  # 11 full blocks and a partial one
    big = design.take(rows)
    parallel = model.predict_design(big)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        serial = model.predict_design(big)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(parallel, serial)
    assert np.array_equal(parallel, full[rows])


def test_training_forward_pass_and_prediction_path_differ_by_rounding_only(prostate_model):
    # The row kernel (the training forward pass) sums in another order than BLAS; the gap is float32 rounding.
    model, frame = prostate_model
    design = model.data_info.transform(frame, with_response=False)
    net = model.network
    rows = np.zeros((design.num.shape[0], int(net.lay[-1, H.L_UNITS])), np.float32)
    predict_rows_serial(net.net, (net.lay, net.drop), design.num, design.cat, design.offset, net.n_layers - 1, rows)
    gap = np.abs(model.predict_design(design) - rows).max()
    assert gap < 1e-5
