"""H2O's estimators (only Deep Learning is built here)."""
from .deeplearning import H2OAutoEncoderEstimator, H2ODeepLearningEstimator  # noqa: F401
from .estimator_base import H2OEstimator  # noqa: F401

__all__ = ["H2OEstimator", "H2ODeepLearningEstimator", "H2OAutoEncoderEstimator"]
