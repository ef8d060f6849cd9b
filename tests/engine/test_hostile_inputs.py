"""Hostile or degenerate inputs to parameters and parsing (issue 15 item 11): each gets a clear error, never a raw
OverflowError/MemoryError, an endless training run or a misleading message."""
import math

import numpy as np
import pytest

from deepbrook.engine import DeepLearning, Frame, ParameterError, import_file, parse_setup, validate
from deepbrook.engine.params.declarations import PARAMETER_NAMES, parameter_info


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return Frame.from_arrays({"x": rng.normal(size=60), "y": (rng.random(60) > 0.5).astype(float)},
                             types={"y": "enum"}, name="t")


def _errors(frame, **params):
    return [m for m in validate(dict(params, response_column="y"), frame) if m.level == "error"]


FLOATS = [n for n in PARAMETER_NAMES if parameter_info(n).h2o_type in ("double", "float")]
INTS = [n for n in PARAMETER_NAMES if parameter_info(n).h2o_type in ("int", "long")]


def test_the_declarations_have_numeric_parameters():
    assert "epochs" in FLOATS and "rate" in FLOATS and "max_w2" in FLOATS and len(FLOATS) >= 25
    assert "mini_batch_size" in INTS and "seed" in INTS


@pytest.mark.parametrize("name", FLOATS)
def test_every_float_parameter_rejects_nan(frame, name):
    errors = _errors(frame, **{name: math.nan})
    assert any(m.parameter == name and "got NaN" in m.message for m in errors), errors


@pytest.mark.parametrize("name", FLOATS)
def test_infinity_only_where_h2o_allows_it(frame, name):
    for value in (math.inf, -math.inf):
        errors = [m for m in _errors(frame, **{name: value}) if m.parameter == name]
        if name == "max_w2" and value > 0:  # H2O's own default is Float.POSITIVE_INFINITY
            assert errors == []
        else:
            assert any("must be finite" in m.message for m in errors), (name, value, errors)


@pytest.mark.parametrize("name", INTS)
def test_integers_must_fit_javas_types(frame, name):
    errors = [m for m in _errors(frame, **{name: 10 ** 30}) if m.parameter == name]
    assert any("does not fit a Java" in m.message for m in errors), errors


def test_list_items_are_checked_too(frame):
    errors = _errors(frame, activation="RectifierWithDropout", hidden=[3, 3], hidden_dropout_ratios=[0.1, math.nan])
    assert [m.message for m in errors] == ["hidden_dropout_ratios (item 2) must be a number, got NaN."]
    assert any("hidden (item 1)" in m.message for m in _errors(frame, hidden=[10 ** 12]))


@pytest.mark.parametrize("epochs", [math.nan, math.inf, float("1e999")])
def test_training_with_endless_epochs_is_refused_before_it_starts(frame, epochs):
    with pytest.raises(ParameterError, match="epochs must be"):
        DeepLearning(hidden=[2], epochs=epochs, seed=1).train(y="y", training_frame=frame)
    with pytest.raises(ParameterError, match="epochs must be"):
        DeepLearning(hidden=[2], epochs=epochs, seed=1).train_async(y="y", training_frame=frame)


def test_a_batch_larger_than_the_data_trains_on_all_rows(frame):
    """mini_batch_size=10**9 fits a Java int; its buffers are sized by the rows there are, not by 10**9."""
    model = DeepLearning(hidden=[2], epochs=2, mini_batch_size=10 ** 9, seed=1, reproducible=True).train(
        y="y", training_frame=frame)
    assert model.output["samples"] == pytest.approx(120)
    with pytest.raises(ParameterError, match="mini_batch_size = 1000000000000 does not fit a Java int"):
        DeepLearning(hidden=[2], mini_batch_size=10 ** 12).train(y="y", training_frame=frame)


def test_infinite_max_w2_trains(frame):
    model = DeepLearning(hidden=[2], epochs=1, max_w2=math.inf, seed=1).train(y="y", training_frame=frame)
    assert model.output["epochs"] == pytest.approx(1)


def test_an_empty_frame_is_not_a_constant_response():
    empty = Frame.from_arrays({"x": np.array([], float), "y": np.array([], float)}, types={"y": "enum"}, name="e")
    errors = _errors(empty)
    assert [(m.parameter, m.message) for m in errors] == [
        ("training_frame", "Training frame 'e' has no rows; training needs at least one.")]


def test_a_response_missing_everywhere_says_so():
    f = Frame.from_arrays({"x": np.arange(5.0), "y": np.full(5, np.nan)}, name="na")
    assert [m.message for m in _errors(f)] == ["Response column 'y' has no values: it is missing in every row."]


def test_a_first_row_longer_than_the_sample_is_read(tmp_path):
    """5 MB: longer than the 1 MB sample and than the reader's 4 MB block."""
    p = tmp_path / "long.csv"
    p.write_text("a,b\n" + "x" * (5 << 20) + ",1\nshort,2\n")
    frame = import_file(str(p))
    assert (frame.nrows, frame.names) == (2, ["a", "b"])


def test_duplicate_header_names_are_named_in_a_warning(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("id,score,score,,id\n1,2,3,4,5\n")
    setup = parse_setup(str(p))
    assert setup.column_names == ["id", "score", "C3", "C4", "C5"]
    assert setup.warnings[0].startswith("duplicate column names 'score', 'id' were renamed")
    assert "column 3 'score' -> 'C3'" in setup.warnings[0]
