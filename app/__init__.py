"""Deepbrook's Flow-like notebook app (Panel). Reaches the engine only through ``deepbrook.engine``.

In Jupyter (after ``pn.extension()``): ``deepbrook.app.notebook(...)`` shows a notebook and
``deepbrook.app.model_view(model)`` a model (live while it trains). Served: ``deepbrook serve``.
"""
# Load the `notebook` submodule first: the function defined below must own the name `deepbrook.app.notebook`
# (``from deepbrook.app.notebook import Notebook`` keeps working through sys.modules).
from . import notebook as _notebook_module  # noqa: F401
from .context import AppState, CellContext
from .notebook import Cell, Notebook


def notebook(source=None, app=None, run=False, sidebar=False):
    """A Deepbrook notebook view for Jupyter; see ``deepbrook.app.jupyter.notebook``."""
    from .jupyter import notebook as _notebook

    return _notebook(source, app=app, run=run, sidebar=sidebar)


def model_view(model, app=None):
    """The model view of a model or running Job, for Jupyter; see ``deepbrook.app.jupyter.model_view``."""
    from .jupyter import model_view as _model_view

    return _model_view(model, app=app)


__all__ = ["AppState", "Cell", "CellContext", "Notebook", "model_view", "notebook"]
