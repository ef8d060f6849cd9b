"""MNIST, the issue's quality bar: hidden [200, 200], Rectifier, defaults otherwise, one epoch."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearning, Frame


def _frame(x, y, name):
    cols = {f"C{i + 1}": x[:, i] for i in range(x.shape[1])}
    cols["label"] = y.astype(np.int32)
    return Frame.from_arrays(cols, types={"label": "enum"}, name=name)


@pytest.mark.slow
def test_mnist_one_epoch_default_mode(mnist):
    x_train, y_train, x_test, y_test = mnist
    train, test = _frame(x_train, y_train, "mnist_train"), _frame(x_test, y_test, "mnist_test")
    model = DeepLearning(hidden=[200, 200], activation="Rectifier", epochs=1, seed=1).train(
        y="label", training_frame=train)
    assert model.output["samples"] == pytest.approx(60000, abs=1)
    assert model.network.sizes == [717, 200, 200, 10]          # ignore_const_cols drops 67 blank pixels
    pred = model.predict(test).as_pandas()
    assert list(pred.columns) == ["predict"] + [f"p{d}" for d in range(10)]
    error = float((pred["predict"].astype(int).to_numpy() != y_test).mean())
    print(f"MNIST test error after one epoch: {error:.4f}")
    assert error <= 0.045
    np.testing.assert_allclose(pred[[f"p{d}" for d in range(10)]].to_numpy().sum(axis=1), 1.0, rtol=1e-5)
    history = model.scoring_history()
    assert history["epochs"].iloc[-1] == pytest.approx(1.0)
    assert history["training_classification_error"].iloc[-1] < 0.06
