"""Deepbrook's engine: frames, H2O-style Deep Learning on numba, scoring and persistence.

This module's names are the engine's public API; the app imports nothing else.
"""
from . import config as _config  # noqa: F401  (sets the thread-safe numba layer before numba loads)
from .errors import (DeepbrookError, ModelFormatError, ParameterError, ParseError, TrainingError,
                     WorkspaceError)
from .estimator import DeepLearning
from .frames import (Frame, ParseSetup, ReadLimits, import_file, parse, parse_preview, parse_setup,
                     split_frame)
from .frames.names import frame_name_for, validate_key
from .grid import GridSearch, leaderboard, main_metrics, model_metric
from .jobs import Job, JobRegistry
from .model.metrics import ModelMetrics, make_metrics
from .model.model import DeepLearningModel
from .model.persist import load_model, save_model
from .model.scoring import ScoringHistory
from .compile_notice import compile_listeners
from .warmup import warmup
from .params import (DeepLearningParameters, Message, ParamInfo, ResolvedParameters, check_checkpoint_compatible,
                     parameter_info, resolve, validate)
from .workspace import Workspace, WorkspaceEntry

__all__ = [
    # errors
    "DeepbrookError", "ModelFormatError", "ParameterError", "ParseError", "TrainingError", "WorkspaceError",
    # frames and the workspace
    "Frame", "ParseSetup", "import_file", "parse", "parse_preview", "parse_setup", "split_frame", "Workspace",
    "WorkspaceEntry",
    "validate_key", "frame_name_for", "ReadLimits",
    # parameters
    "DeepLearningParameters", "Message", "ParamInfo", "ResolvedParameters", "check_checkpoint_compatible",
    "parameter_info", "resolve", "validate",
    # training, models, jobs
    "DeepLearning", "DeepLearningModel", "Job", "JobRegistry", "GridSearch", "leaderboard",
    "main_metrics", "model_metric",
    "DeepLearningClassifier", "DeepLearningRegressor",
    # outputs and persistence
    "ModelMetrics", "make_metrics", "ScoringHistory", "load_model", "save_model",
    # compiled kernels: ahead-of-use compile, and the compile notices an app can show
    "warmup", "compile_listeners",
]


def __getattr__(name):
    """scikit-learn loads only when its estimators are used (it doubles the engine's import time)."""
    if name in ("DeepLearningClassifier", "DeepLearningRegressor"):
        from . import sklearn as _sklearn
        return getattr(_sklearn, name)
    raise AttributeError(f"module 'deepbrook.engine' has no attribute {name!r}")
