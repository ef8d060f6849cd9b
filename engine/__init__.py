"""Deepbrook's engine: frames, H2O-style Deep Learning on numba, scoring and persistence.

This module's names are the engine's public API; the app imports nothing else.
"""
from . import config as _config  # noqa: F401  (sets the thread-safe numba layer before numba loads)
from .errors import DeepbrookError, ParameterError, ParseError, TrainingError, WorkspaceError
from .frames import Frame, ParseSetup, import_file, parse, parse_setup, split_frame
from .workspace import Workspace, WorkspaceEntry
from .params import (DeepLearningParameters, Message, ParamInfo, ResolvedParameters, check_checkpoint_compatible,
                     parameter_info, resolve, validate)

__all__ = ["DeepbrookError", "ParameterError", "ParseError", "TrainingError", "WorkspaceError"]
__all__ += ["Frame", "ParseSetup", "import_file", "parse", "parse_setup", "split_frame", "Workspace", "WorkspaceEntry"]
__all__ += ["DeepLearningParameters", "Message", "ParamInfo", "ResolvedParameters", "check_checkpoint_compatible",
            "parameter_info", "resolve", "validate"]
from .model.metrics import ModelMetrics, make_metrics
from .model.persist import load_model, save_model
from .model.scoring import ScoringHistory
from .grid import GridSearch
__all__ += ["ModelMetrics", "make_metrics", "load_model", "save_model", "ScoringHistory", "GridSearch"]
from .estimator import DeepLearning
from .jobs import Job, JobRegistry
from .model.model import DeepLearningModel
__all__ += ["DeepLearning", "DeepLearningModel", "Job", "JobRegistry", "DeepLearningClassifier",
            "DeepLearningRegressor"]


def __getattr__(name):
    """scikit-learn loads only when its estimators are used (it doubles the engine's import time)."""
    if name in ("DeepLearningClassifier", "DeepLearningRegressor"):
        from . import sklearn as _sklearn
        return getattr(_sklearn, name)
    raise AttributeError(f"module 'deepbrook.engine' has no attribute {name!r}")
