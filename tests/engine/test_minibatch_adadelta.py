"""ADADELTA with mini-batches (issue 19 item 5): epsilon scales with the batch, and validation says what to expect."""
import pandas as pd
import pytest

from deepbrook.engine import DeepLearning, Frame
from deepbrook.engine.model.optimizer import Hyper, batch_epsilon
from deepbrook.engine.params import validate


def test_epsilon_is_scaled_by_the_batch_for_adadelta_only():
    class P:
        adaptive_rate, epsilon, mini_batch_size = True, 1e-8, 64
    assert Hyper.from_params(P, "binomial").epsilon == pytest.approx(64e-8)
    P.mini_batch_size = 1
    assert Hyper.from_params(P, "binomial").epsilon == pytest.approx(1e-8)
    assert batch_epsilon(1e-6, 256) == pytest.approx(256e-6)


def test_validation_warns_about_adadelta_mini_batches_with_a_recipe():
    msgs = [m for m in validate({"mini_batch_size": 64}) if m.parameter == "mini_batch_size"]
    assert len(msgs) == 1 and msgs[0].level == "warning"
    assert "64x fewer ADADELTA updates" in msgs[0].message and "adaptive_rate=False, rate=0.1" in msgs[0].message
    manual = validate({"mini_batch_size": 64, "adaptive_rate": False})
    assert not [m for m in manual if m.parameter == "mini_batch_size"]
    assert not [m for m in validate({"mini_batch_size": 1}) if m.parameter == "mini_batch_size"]


@pytest.fixture(scope="module")
def mnist_frames(mnist):
    x_train, y_train, x_test, y_test = mnist

    def frame(x, y):
        x = x.reshape(len(x), -1)
        cols = {f"p{i}": x[:, i] for i in range(x.shape[1])}
        cols["label"] = y.astype(str)
        return Frame.from_pandas(pd.DataFrame(cols))
    return frame(x_train[:6000], y_train[:6000]), frame(x_test[:2000], y_test[:2000])


@pytest.mark.parametrize("batch", [64, 256])
def test_scaled_epsilon_converges_where_the_unscaled_one_lags(mnist_frames, batch):
    train, test = mnist_frames

    def error(**kw):
        model = DeepLearning(seed=1, reproducible=True, epochs=3, hidden=[64], mini_batch_size=batch, **kw).train(
            y="label", training_frame=train)
        return model.model_performance(test).classification_error
    scaled = error()
    unscaled = error(epsilon=1e-8 / batch)   # what the default epsilon did before: the same effective epsilon
    # measured: batch 64 0.118 vs 0.169, batch 256 0.123 vs 0.227 (one row per update: 0.156)
    assert scaled < unscaled - 0.04, (scaled, unscaled)
    assert scaled < 0.15
