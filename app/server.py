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
import param
from panel.theme import Fast as PanelFast

from deepbrook.app import safe_html
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
    if run_example:
        run_example_cells(nb, state)
    return nb


def run_example_cells(nb: Notebook, state: AppState, on_cell=None):
    """Run the example's cells, keeping frames already in the workspace (`keeps_existing_frames`)."""
    with nb.lock:  # a Run All or an opened notebook of the same tab waits for the example
        if not nb.run_all(timeout=60, skip=keeps_existing_frames(state), on_cell=on_cell):
            log.warning("the example notebook did not run cleanly: %s", nb.message)
        nb.message = ""


def _resolved_theme(theme: type) -> type:
    """`theme` with its stylesheet paths stored resolved. Panel reads `base_css`/`css` for every model it styles,
    and a `param.Filename` resolves its path on each read (a new `resolve_path` object, `getcwd`, `stat`): ~200
    file-system calls per page, each releasing the GIL, so on a busy server each cost the event loop a thread
    switch. Same names and values, read as plain strings."""
    attrs = {name: param.String(default=None if theme.param[name].default is None else str(theme.param[name].default),
                                allow_None=True) for name in ("base_css", "css")}
    return type(theme.__name__, (theme,), {"__doc__": theme.__doc__, **attrs})


class Fast(PanelFast):
    """Panel's Fast design without its Google Fonts stylesheet (the one resource it fetched from another site):
    offline the page no longer waits for it, online no visit is announced to a third party. Text falls back to
    the browser's sans-serif. The name stays `Fast`: Panel finds a design's bundled files by its class name."""

    _resources = {kind: res for kind, res in PanelFast._resources.items() if kind != "font"}
    _themes = {name: _resolved_theme(theme) for name, theme in PanelFast._themes.items()}


def create_app(state: AppState | None = None, example: dict | None = None, run_example: bool = True):
    """A fresh page for one browser tab inside the Deepbrook template.

    Served, the first answer is light (the template and a "loading" line); the notebook is built and the example
    run once the page has connected (`pn.state.onload`, on Panel's callback threads), and each cell's output reaches
    the page as its own small update. Bokeh builds a page on the server's event loop, so building the example's
    ~300 models for every `GET /` made page loads stall `/liveness` and every other user's events; a request that
    never connects (a crawler, a health probe of `/`) now costs only the light page. Outside a server session
    (tests, Jupyter) the notebook is built at once."""
    state = state or app_state()
    main = pn.Column(safe_html.HTML("Opening the notebook…", css_classes=["db-page-loading"],
                                    styles={"color": "#888"}), sizing_mode="stretch_width")
    sidebar = pn.Column(sizing_mode="stretch_width")
    template = pn.template.FastListTemplate(
        title="Deepbrook", sidebar=[sidebar], main=[main], sidebar_width=300,
        accent="#2f6fb5", header_background="#1f3b57", main_max_width="1200px", design=Fast)
    doc = pn.state.curdoc
    served = doc is not None and doc.session_context is not None
    threaded = served and bool(pn.config.nthreads)  # Panel's callback threads (`--num-threads` > 0)

    def paced():  # only a worker may wait for the loop; without threads the build runs on the loop itself
        if threaded and not getattr(doc, CLOSED, False):
            wait_until_applied(doc)

    def build():
        nb = example_for_page(state, example, run_example=False)
        view = NotebookView(nb)  # cells without outputs yet: a small first update
        if served:
            pn.state.on_session_destroyed(lambda _ctx: close_page(nb))
        main.objects = [view]
        paced()
        sidebar.objects = [view.sidebar()]
        paced()
        if run_example:  # each output reaches the page as its cell finishes, one at a time
            run_example_cells(nb, state, on_cell=lambda _i, _cell: paced())

    if served:
        pn.state.onload(lambda: _logged(build), threaded=threaded)
    else:
        build()
    return template


CLOSED = "_deepbrook_closed"


def close_page(nb: Notebook):
    """A tab's session ended: clear its notebook (stops its live views) on a thread of its own. This runs on the
    event loop, and the tab's page may still be building on a worker holding the notebook's lock: waiting for it
    here would stall the server (and the builder, which waits for the loop)."""
    if nb.doc is not None:
        setattr(nb.doc, CLOSED, True)  # the builder stops waiting for the loop
    threading.Thread(target=nb.clear, name="deepbrook-close-page", daemon=True).start()


def wait_until_applied(doc, timeout: float = 30.0) -> bool:
    """Block this (worker) thread until the event loop has applied the page updates queued so far.

    Panel hands a worker thread's changes to the event loop, which builds their Bokeh models there; waiting after
    each piece keeps one piece per page in the loop's queue at a time, so requests in between (`/liveness`, other
    users' clicks) wait for one piece, not for whole pages. `add_next_tick_callback` is the Document's thread-safe
    entry and runs callbacks in order; the timeout covers a session that closes meanwhile."""
    applied = threading.Event()
    try:
        doc.add_next_tick_callback(applied.set)
    except Exception:  # the session is gone: nothing left to pace
        return False
    return applied.wait(timeout)


def _logged(fn):
    """Run a page-building callback; a failure is logged with its traceback (Panel's thread pool drops it)."""
    try:
        fn()
    except Exception:
        log.exception("building the page failed")
        raise


if __name__.startswith("bokeh_app"):
    order_session_callbacks(pn.state)  # before this tab's first callback (a no-op after the first tab)
    create_app().servable(title="Deepbrook")
