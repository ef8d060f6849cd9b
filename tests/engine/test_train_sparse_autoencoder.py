"""sparsity_beta with mini-batches (issue 19 item 2): the penalty acts, as it does at one row per update."""
import numpy as np
import pytest

from deepbrook.engine import DeepLearning, import_file


@pytest.fixture(scope="module")
def prostate_numeric(prostate_path):
    return import_file(str(prostate_path))[["AGE", "PSA", "VOL", "GLEASON", "DPROS"]]


@pytest.mark.parametrize("mini_batch_size", [1, 16])
def test_sparsity_beta_pulls_mean_hidden_activation_to_the_target(prostate_numeric, mini_batch_size):
    def mean_activation(beta):
        model = DeepLearning(autoencoder=True, hidden=[6], activation="Tanh", epochs=30, seed=2, reproducible=True,
                             mini_batch_size=mini_batch_size, sparsity_beta=beta, average_activation=-0.6).train(
            training_frame=prostate_numeric)
        return model.deepfeatures(prostate_numeric, 0).as_pandas().to_numpy().mean()
    free, sparse = mean_activation(0.0), mean_activation(5.0)
    # before the fix, mini_batch_size=16 ignored sparsity_beta: both runs gave the same model
    assert abs(sparse + 0.6) < 0.5 * abs(free + 0.6), (free, sparse)
