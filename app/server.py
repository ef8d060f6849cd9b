"""`panel serve` entry point: one AppState per process (shared by tabs), one Notebook per tab.

`deepbrook serve` runs `python -m panel serve <this file>`; settings arrive through DEEPBROOK_* variables.
"""
from __future__ import annotations

import copy
import functools
import json
import logging
import threading
from pathlib import Path

import panel as pn
from panel.theme import Fast as PanelFast

from deepbrook.app.context import AppState
from deepbrook.app.notebook import Notebook
from deepbrook.app.notebook_view import NotebookView
from deepbrook.app.routine_parser import RoutineSyntaxError, parse_call
from deepbrook.app.session_pool import order_session_callbacks

EXAMPLE = Path(__file__).parent / "examples" / "welcome.flow.json"
STATE_KEY = "deepbrook-app-state"
log = logging.getLogger("deepbrook.app")

pn.extension("tabulator")


def app_state() -> AppState:
    """The process-wide state (created once; pn.state.cache is shared by all sessions)."""
    return pn.state.as_cached(STATE_KEY, _new_state)


def _new_state() -> AppState:
    state = AppState.from_env()
    _warm_up_in_background()
    return state


def _warm_up_in_background():
    """Load/compile the numba kernels while the first user reads the page, so the first build starts at once."""
    threading.Thread(target=_warm_up, name="deepbrook-warmup", daemon=True).start()


def _warm_up():
    """``engine.warmup`` (tiny models through the public API: every common kernel compiled or loaded once)."""
    from deepbrook.engine import warmup

    try:
        report = warmup()
        if report["compiled"]:
            log.info("compiled %d kernel signatures in %.0f s (cached for later starts)", len(report["compiled"]),
                     report["seconds"])
    except Exception:  # warm-up is an optimisation only
        log.exception("numba warm-up failed")


def example_notebook() -> dict:
    """The bundled example (read and parsed once per server process; each page gets its own copy)."""
    return copy.deepcopy(_parsed_example())


@functools.lru_cache(maxsize=1)
def _parsed_example() -> dict:
    return json.loads(EXAMPLE.read_text())


def keeps_existing_frames(state: AppState):
    """The example's rule for `Notebook.run_all(skip=...)`: a `parseFiles` cell whose destination frame is already
    in the workspace is not run, so opening a tab (or restarting on a kept workspace) never replaces a frame that
    someone parsed, edited with changeColumnType or is training on."""
    def skip(cell):
        if cell.kind != "code":
            return None
        try:
            call = parse_call(cell.input)
        except RoutineSyntaxError:
            return None
        dest = call.kwargs.get("destination_frame") if call.name == "parseFiles" else None
        if isinstance(dest, str) and dest in state.workspace.names("frame"):
            return (f"'{dest}' is already in the workspace, so it was kept as it is: opening a page never replaces "
                    f"a frame. Run this cell (Shift+Enter) to parse the file again and replace '{dest}'.")
        return None
    return skip


def example_for_page(state: AppState, example: dict | None = None, run_example: bool = True) -> Notebook:
    """A new tab's notebook: the example, already run, except parses that would replace an existing frame."""
    nb = Notebook(state, doc=pn.state.curdoc)
    nb.load_json(example if example is not None else example_notebook())
    if run_example and not nb.run_all(timeout=60, skip=keeps_existing_frames(state)):
        log.warning("the example notebook did not run cleanly: %s", nb.message)
    nb.message = ""
    return nb


class Fast(PanelFast):
    """Panel's Fast design without its Google Fonts stylesheet (the one resource it fetched from another site):
    offline the page no longer waits for it, online no visit is announced to a third party. Text falls back to
    the browser's sans-serif. The name stays `Fast`: Panel finds a design's bundled files by its class name."""

    _resources = {kind: res for kind, res in PanelFast._resources.items() if kind != "font"}


def create_app(state: AppState | None = None, example: dict | None = None, run_example: bool = True):
    """A fresh page for one browser tab: the example notebook, already run, inside the Deepbrook template."""
    nb = example_for_page(state or app_state(), example, run_example)
    view = NotebookView(nb)
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        pn.state.on_session_destroyed(lambda _ctx: nb.clear())
    return pn.template.FastListTemplate(
        title="Deepbrook", sidebar=[view.sidebar()], main=[view], sidebar_width=300,
        accent="#2f6fb5", header_background="#1f3b57", main_max_width="1200px", design=Fast)


if __name__.startswith("bokeh_app"):
    order_session_callbacks(pn.state)  # before this tab's first callback (a no-op after the first tab)
    create_app().servable(title="Deepbrook")
