"""Deepbrook's engine: frames, H2O-style Deep Learning on numba, scoring and persistence.

This module's names are the engine's public API; the app imports nothing else.
"""
from . import config as _config  # noqa: F401  (sets the thread-safe numba layer before numba loads)
from .errors import DeepbrookError, ParameterError, ParseError, TrainingError, WorkspaceError

__all__ = ["DeepbrookError", "ParameterError", "ParseError", "TrainingError", "WorkspaceError"]
