"""Frames: parse setup guessing, pyarrow-based parsing, the immutable columnar Frame and its summaries."""
from .columns import NUMERIC_TYPES, TYPES
from .frame import Frame, split_frame
from .limits import DEFAULT_LIMITS, ReadLimits
from .preview import parse_preview
from .reader import import_file, parse
from .setup import ParseSetup, parse_setup
from .summary import PERCENTILES, summary_table

__all__ = ["DEFAULT_LIMITS", "Frame", "NUMERIC_TYPES", "PERCENTILES", "ParseSetup", "ReadLimits", "TYPES",
           "import_file", "parse", "parse_preview", "parse_setup", "split_frame", "summary_table"]
