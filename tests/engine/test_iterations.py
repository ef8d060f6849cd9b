"""train_samples_per_iteration (H2O semantics doc 4.1): the special values, the auto caps, and what they enable."""
import pytest

from deepbrook.engine import DeepLearning, import_file
from deepbrook.engine.model.iterations import auto_rows, fixed_rows


@pytest.fixture(scope="module")
def prostate_split(prostate_path):
    frame = import_file(str(prostate_path)).as_type("CAPSULE", "enum")
    return frame.split_frame([0.75], seed=1)


def test_fixed_values_follow_h2o():
    assert fixed_rows(0, 380, 10) == 380                      # one epoch
    assert fixed_rows(-1, 380, 10) == 380                     # all rows (not replicated)
    assert fixed_rows(-1, 380, 10, n_workers=3, replicated=True) == 3 * 380
    assert fixed_rows(50, 380, 10) == 50
    assert fixed_rows(10 ** 9, 380, 2.5) == 950               # at most epochs * N
    assert fixed_rows(10 ** 9, 3, 0.1) == 1                   # at least one row


def test_auto_caps_follow_h2o_in_order():
    # 10 epochs of 380 rows: at most epochs * N / 10 = 380 rows per iteration, i.e. at least 10 iterations
    assert auto_rows(1e6, 380, 10) == 380
    assert auto_rows(1e6, 380, 1000) == 3800                  # at most 10 passes of what -1 does
    assert auto_rows(1e6, 380, 1000, n_workers=2) == 7600
    # within 20% above a whole number of epochs: rounded down to it
    assert auto_rows(3 * 380 + 70, 380, 1000) == 3 * 380
    assert auto_rows(3 * 380 + 100, 380, 1000) == 3 * 380 + 100
    # at most 10 s of rows on one node, at most 100000 rows per node, at least 1
    assert auto_rows(5e6, 10 ** 7, 1000, seconds_per_row=1e-3) == 10_000
    assert auto_rows(5e6, 10 ** 7, 1000) == 100_000
    assert auto_rows(0.2, 380, 10) == 1


def test_default_auto_iterations_give_ten_scorings_on_small_data(prostate_split):
    train, valid = prostate_split
    model = DeepLearning(seed=1, ignored_columns=["ID"], score_each_iteration=True, hidden=[20, 20]).train(
        y="CAPSULE", training_frame=train, validation_frame=valid)
    assert model.output["iterations"] >= 10          # before: 2 (a 2000-row probe, then the rest in one go)
    history = model.scoring_history()
    assert len(history) - 1 >= 10                    # placeholder row + one row per iteration
    assert history["epochs"].iloc[1] == pytest.approx(1.0, abs=0.01)  # epochs * N / 10 rows = one epoch


def test_default_early_stopping_can_fire_on_small_data(prostate_split):
    # Defaults: stopping_rounds=5, stopping_tolerance=0, logloss on the validation frame. Before the fix the run
    # scored twice and trained all 200 epochs.
    train, valid = prostate_split
    model = DeepLearning(seed=1, ignored_columns=["ID"], score_each_iteration=True, epochs=200).train(
        y="CAPSULE", training_frame=train, validation_frame=valid)
    assert model.output["stop_reason"] == "early_stopping"
    assert model.output["epochs"] < 200
    assert len(model.scoring_history()) - 1 >= 11    # 2k = 10 scorings are needed before stopping is decided


def test_reproducible_turns_auto_into_one_epoch_iterations(prostate_split):
    train, _ = prostate_split
    model = DeepLearning(seed=1, ignored_columns=["ID"], reproducible=True, epochs=3, hidden=[10]).train(
        y="CAPSULE", training_frame=train)
    assert model.params.train_samples_per_iteration == -1
    assert model.output["iterations"] == 3
    assert list(model.scoring_history()["epochs"].iloc[1:4].round(6)) == [1.0, 2.0, 3.0]
