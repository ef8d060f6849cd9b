"""H2O's Deep Learning estimators: every parameter of the engine's ``DeepLearningParameters`` (H2O's names)."""
from .estimator_base import H2OEstimator


class H2ODeepLearningEstimator(H2OEstimator):
    """Deep Learning (feed-forward network trained by SGD), H2O's ``H2ODeepLearningEstimator``."""

    algo = "deeplearning"


class H2OAutoEncoderEstimator(H2ODeepLearningEstimator):
    """Deep Learning with ``autoencoder=True`` (unsupervised: train with x only)."""

    _fixed = {"autoencoder": True}
