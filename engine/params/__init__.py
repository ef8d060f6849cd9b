"""H2O Deep Learning parameters declared once; validation, resolution and checkpoint rules derived from them."""
from .declarations import PARAMETER_NAMES, DeepLearningParameters, declared_default, parameter_info
from .meta import GROUP_TITLES, GROUPS, ParamInfo
from .resolve import ResolvedParameters, resolve
from .rules import Message, check_checkpoint_compatible, validate

__all__ = ["DeepLearningParameters", "declared_default", "GROUPS", "GROUP_TITLES", "Message", "PARAMETER_NAMES", "ParamInfo",
           "ResolvedParameters", "check_checkpoint_compatible", "parameter_info", "resolve", "validate"]
