"""Deepbrook inside Jupyter: the same notebook and views, after `pn.extension()`.

`notebook(...)` shows a Deepbrook notebook (toolbar, cells, keyboard) in an output cell; `model_view(model)` shows
one model (or a running Job, live) the way the app does. Both share one in-memory AppState per kernel unless given
another, so frames parsed in one are visible to the others.
"""
from __future__ import annotations

import json
from pathlib import Path

from .context import AppState, CellContext
from .notebook import Notebook
from .routines import run as run_routine_text

_default_app: AppState | None = None


def default_app() -> AppState:
    """The kernel's shared AppState: an in-memory workspace reading the bundled data (created on first use)."""
    global _default_app
    if _default_app is None:
        _default_app = AppState(workspace_dir=None)
    return _default_app


class JupyterContext(CellContext):
    """A context outside a Deepbrook notebook: buttons display their routine's output below, in Jupyter."""

    def run_routine(self, code: str):
        if self.notebook is not None:
            return super().run_routine(code)
        from IPython.display import display

        out = run_routine_text(JupyterContext(self.app), code)
        display(out)
        return out


def notebook(source=None, app: AppState | None = None, run: bool = False, sidebar: bool = False):
    """A Deepbrook notebook view for Jupyter.

    `source`: None (one `assist` cell), a list of routine strings, a notebook dict / JSON text, or a path to a
    saved notebook file. `run=True` runs every cell first (waiting for training jobs).
    """
    import panel as pn

    from .notebook_view import NotebookView

    app = app or default_app()
    nb = Notebook(app)
    if source is None:
        nb.load_json({"cells": [{"kind": "code", "input": "assist"}]})
    elif isinstance(source, (list, tuple)):
        nb.load_json({"cells": [{"kind": "code", "input": str(s)} for s in source]})
    elif isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        nb.load_json(json.loads(Path(source).read_text()))
    else:
        nb.load_json(source)
    if run:
        nb.run_all()
    view = NotebookView(nb, standalone=False)
    return pn.Row(view.sidebar(), view, sizing_mode="stretch_width") if sidebar else view


def model_view(model, app: AppState | None = None):
    """The Deepbrook model view of a model, or of a running Job (its plots update live while it trains)."""
    from . import views

    return views.model_view(JupyterContext(app or default_app()), model)
