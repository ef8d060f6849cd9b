"""H2O's grid search."""
from .grid_search import H2OGridSearch  # noqa: F401
