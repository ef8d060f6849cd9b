"""The notebook model: ordered cells, running them, Run All, and the versioned JSON file format.

No browser needed: the view (`notebook_view.py`) only renders this model and calls its methods, so every notebook
behaviour is tested in plain Python. A cell's output is whatever its routine returned (a Panel object).
"""
from __future__ import annotations

import functools
import itertools
import json
import logging
import re
import threading
import time
import uuid

import param

from .context import AppState, CellContext
from .routine_parser import RoutineSyntaxError
from .routines import RoutineError, run as run_routine_text

log = logging.getLogger("deepbrook.app")
FORMAT_VERSION = 1
FLOW_VERSION = "1.0.0"  # the version H2O Flow writes into its .flow files
KINDS = ("code", "markdown", "heading")
# Flow's .flow files name kinds cs/md/h1..h6; they are read too.
_FLOW_KINDS = {"cs": "code", "md": "markdown", "raw": "markdown", **{f"h{i}": "heading" for i in range(1, 7)}}
CELL_ID = re.compile(r"^[0-9a-f]{10}$")  # what Cell ids look like; the browser names the cells it inserts


def _locked(method):
    """Serialise structure edits and runs: `panel serve --num-threads` may deliver a tab's events on two threads."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)
    return wrapper


class Cell(param.Parameterized):
    """One notebook cell: its input text, kind, last output and run status."""

    id = param.String(default="", doc="Stable id (survives moves), used by the view and browser tests.")
    kind = param.Selector(objects=list(KINDS), default="code")
    input = param.String(default="")
    output = param.Parameter(default=None, doc="The last rendered output (a Panel object) or None.")
    status = param.Selector(objects=["idle", "running", "ok", "error"], default="idle")
    error = param.String(default="", doc="Error message of the last failed run.")
    execution_count = param.Integer(default=None, allow_None=True)
    elapsed = param.Number(default=None, allow_None=True, doc="Seconds the last run took.")
    job = param.Parameter(default=None, doc="The background Job this cell's last run started, if any.")
    notes = param.List(default=[], item_type=str, doc="What the last run wants the user to know (ignored options).")

    def __init__(self, **params):
        params.setdefault("id", uuid.uuid4().hex[:10])
        super().__init__(**params)
        self.context = None

    def release(self):
        """Stop what the previous output keeps running (periodic callbacks) before it is dropped."""
        if self.context is not None:
            self.context.cleanup()
            self.context = None


class Notebook(param.Parameterized):
    """An ordered list of cells run against one AppState (shared with other tabs)."""

    title = param.String(default="Untitled", doc="Name used when saving into the workspace.")
    cells = param.List(default=[], item_type=Cell)
    selected = param.String(default="", doc="Id of the selected cell.")
    mode = param.Selector(objects=["command", "edit"], default="command")
    progress = param.String(default="", doc="'Running cell i of n' while Run All goes, then the outcome.")
    running = param.Boolean(default=False)
    message = param.String(default="", doc="Last notebook-level message (saved, opened, finished...).")

    def __init__(self, app: AppState, doc=None, **params):
        super().__init__(**params)
        self.app = app
        self.doc = doc
        self._counter = itertools.count(1)
        self._stop = False
        self.lock = threading.RLock()
        self.clipboard = None  # (kind, input) of the cell last cut or copied
        self._deleted: list[tuple[int, str, str]] = []  # (index, kind, input) of deleted cells, for undo

    # ----------------------------------------------------------------------------------------------- structure
    def cell(self, cell=None) -> Cell:
        """`cell` as a Cell: a Cell, an id, an index, or None for the selected cell."""
        if isinstance(cell, Cell):
            return cell
        if isinstance(cell, int):
            return self.cells[cell]
        key = cell if cell is not None else self.selected
        for c in self.cells:
            if c.id == key:
                return c
        raise KeyError(f"no cell {key!r}")

    def index(self, cell=None) -> int:
        return self.cells.index(self.cell(cell))

    @property
    def selected_cell(self):
        try:
            return self.cell()
        except KeyError:
            return None

    def select(self, cell):
        self.selected = self.cell(cell).id

    def select_next(self, step=1):
        if not self.cells:
            return
        i = self.index() if self.selected_cell is not None else 0
        self.select(max(0, min(len(self.cells) - 1, i + step)))

    @_locked
    def insert(self, index: int, kind="code", input="", id=None) -> Cell:
        """A new cell at `index`; `id` (the browser's name for it, so keys typed for it find it) is used when it is a
        well-formed id no other cell has."""
        if kind not in KINDS:
            raise ValueError(f"cell kind must be one of {KINDS}, got {kind!r}")
        fresh = isinstance(id, str) and CELL_ID.match(id) and all(c.id != id for c in self.cells)
        cell = Cell(kind=kind, input=input, **({"id": id} if fresh else {}))
        cells = list(self.cells)
        cells.insert(max(0, min(index, len(cells))), cell)
        self.cells = cells
        return cell

    def insert_above(self, cell=None, kind="code", input="", id=None) -> Cell:
        i = self.index(cell) if self.cells and (cell is not None or self.selected_cell) else 0
        new = self.insert(i, kind, input, id)
        self.select(new)
        return new

    def insert_below(self, cell=None, kind="code", input="", id=None) -> Cell:
        if not self.cells or (cell is None and self.selected_cell is None):
            new = self.insert(len(self.cells), kind, input, id)
        else:
            new = self.insert(self.index(cell) + 1, kind, input, id)
        self.select(new)
        return new

    def append(self, kind="code", input="") -> Cell:
        return self.insert(len(self.cells), kind, input)

    @_locked
    def move(self, cell=None, step=-1):
        c = self.cell(cell)
        i = self.cells.index(c)
        j = max(0, min(len(self.cells) - 1, i + step))
        if i != j:
            cells = list(self.cells)
            cells.insert(j, cells.pop(i))
            self.cells = cells

    def move_up(self, cell=None):
        self.move(cell, -1)

    def move_down(self, cell=None):
        self.move(cell, +1)

    @_locked
    def delete(self, cell=None):
        c = self.cell(cell)
        i = self.cells.index(c)
        c.release()
        self._deleted.append((i, c.kind, c.input))
        self.cells = [x for x in self.cells if x is not c]
        if self.cells:
            self.select(min(i, len(self.cells) - 1))
        else:
            self.selected = ""
        return c

    @_locked
    def undo_delete(self):
        """Put the last deleted (or cut) cell back where it was (Flow's `z`); None when nothing was deleted."""
        if not self._deleted:
            return None
        i, kind, text = self._deleted.pop()
        return self._put(i, kind, text)

    def copy(self, cell=None):
        """Flow's `c`: the cell's kind and input go to this notebook's clipboard."""
        c = self.cell(cell)
        self.clipboard = (c.kind, c.input)
        return c

    @_locked
    def cut(self, cell=None):
        """Flow's `x`: copy, then delete (undone by `z` like a delete)."""
        return self.delete(self.copy(cell))

    @_locked
    def paste(self, above=False, cell=None, id=None):
        """Flow's `v` / `Shift+V`: a new cell holding the clipboard, below (or above) the cell."""
        if self.clipboard is None:
            raise ValueError("nothing to paste: copy (c) or cut (x) a cell first")
        if not self.cells:
            i = 0
        else:
            i = self.index(cell) + (0 if above else 1)
        return self._put(i, *self.clipboard, id=id)

    def _put(self, index, kind, text, id=None):
        """A cell back into the notebook, selected; markdown and headings are rendered, as when a notebook opens."""
        new = self.insert(index, kind, text, id)
        self.select(new)
        if kind != "code":
            self.run_cell(new)
        return new

    @_locked
    def set_kind(self, kind, cell=None):
        c = self.cell(cell)
        if kind not in KINDS:
            raise ValueError(f"cell kind must be one of {KINDS}, got {kind!r}")
        if c.kind != kind:
            c.release()
            c.param.update(kind=kind, output=None, status="idle", error="")

    @_locked
    def clear_output(self, cell=None):
        c = self.cell(cell)
        c.release()
        c.param.update(output=None, status="idle", error="", elapsed=None, job=None)

    def clear_outputs(self):
        for c in self.cells:
            self.clear_output(c)

    @_locked
    def clear(self):
        for c in self.cells:
            c.release()
        self.cells = []
        self._deleted = []  # another notebook comes: its cells are not this one's deletions
        self.selected = ""

    # --------------------------------------------------------------------------------------------------- running
    def context_for(self, cell) -> CellContext:
        return CellContext(self.app, self, cell, doc=self.doc)

    @_locked
    def run_cell(self, cell=None) -> bool:
        """Run one cell now; True on success. Errors land in the cell (status "error"), never raise."""
        c = self.cell(cell)
        c.release()
        # a text cell renders at once: it goes straight to "ok". Its "running" and "ok" updates, a moment apart on
        # a callback thread, could reach the page in the wrong order and leave its input row shown as running
        # (seen about one run in five of tests/ui/test_command_keys_ui.py)
        c.param.update(status="running" if c.kind == "code" else c.status, error="", job=None, notes=[])
        start = time.perf_counter()
        ctx = self.context_for(c)
        try:
            output = render_text_cell(c) if c.kind != "code" else run_routine_text(ctx, c.input)
        except (RoutineError, RoutineSyntaxError) as e:
            return self._fail(c, str(e), start)
        except Exception as e:  # engine errors (ParseError, ParameterError, WorkspaceError...) are user-facing
            return self._fail(c, f"{type(e).__name__}: {e}", start)
        c.context = ctx
        job = getattr(output, "job", None) or _job_of(ctx)
        if ctx.notes:
            output = _with_notes(output, ctx.notes)
        c.param.update(output=output, status="ok", notes=list(ctx.notes), elapsed=time.perf_counter() - start, job=job,
                       execution_count=next(self._counter) if c.kind == "code" else c.execution_count)
        return True

    def _fail(self, c, message, start):
        log.info("cell %s failed: %s", self.cells.index(c) + 1 if c in self.cells else "?", message)
        c.param.update(output=None, status="error", error=message, elapsed=time.perf_counter() - start,
                       execution_count=next(self._counter) if c.kind == "code" else c.execution_count)
        return False

    def stop(self):
        """Ask a running Run All to stop after the current cell (it no longer waits for that cell's job)."""
        self._stop = True

    @property
    def stop_requested(self) -> bool:
        return self._stop

    def run_all_steps(self, start=0, skip=None):
        """Run cells from `start`, one per step: yields after each cell the job to wait for (or None).

        ``skip(cell)`` may give a reason not to run a cell; the cell then shows that reason instead of an output.
        """
        self._stop = False
        cells = list(self.cells)[start:]
        n = len(cells)
        self.running = True
        outcome = "Finished running your notebook."
        try:
            for i, c in enumerate(cells, 1):
                if self._stop:
                    outcome = "Stopped running your notebook."
                    break
                self.progress = f"Running cell {i} of {n}"
                self.select(c)
                reason = skip(c) if skip is not None else None
                if reason:
                    self.show_skipped(c, reason)
                    continue
                if not self.run_cell(c):
                    outcome = f"Failed running your notebook at cell {i} of {n}."
                    break
                yield c.job
                if not self._job_succeeded(c):
                    outcome = f"Failed running your notebook at cell {i} of {n}."
                    break
        finally:
            self.running = False
            self.progress = ""
            self.message = outcome

    @_locked
    def _job_succeeded(self, c) -> bool:
        """After Run All waited for a cell's job: a job that failed or was cancelled fails its cell."""
        job = c.job
        status = getattr(job, "status", "DONE") if job is not None else "DONE"
        if status in ("FAILED", "CANCELLED"):
            exc = getattr(job, "exception", None)
            why = f"{type(exc).__name__}: {exc}" if exc is not None else "the job was cancelled"
            c.param.update(status="error", error=f"job {getattr(job, 'key', '')} {status.lower()}: {why}")
            return False
        return True

    @_locked
    def show_skipped(self, cell, reason):
        """A cell left unrun on purpose: its output says why (it runs as usual when the user runs it)."""
        from . import safe_html as safe

        c = self.cell(cell)
        c.release()
        c.param.update(output=safe.Alert(reason, alert_type="info", sizing_mode="stretch_width",
                                            css_classes=["db-cell-skipped"]),
                       status="idle", error="", job=None, elapsed=None)

    def run_all(self, start=0, timeout=None, skip=None, on_cell=None) -> bool:
        """Run every cell in order (blocking: waits for each started job); stops at the first failing cell.

        ``on_cell(number, cell)`` is told about each cell once it (and its job) has finished, failed or all.
        """
        steps = self.run_all_steps(start, skip)
        done = 0

        def tell(upto):
            nonlocal done
            if on_cell is not None:
                for i in range(done, upto):
                    on_cell(start + i + 1, self.cells[start + i])
            done = max(done, upto)

        for job in steps:
            if job is not None:
                waited = time.perf_counter()
                _wait_job(job, timeout)
                if not job_finished(job):  # over the time allowed: cancel it, and its cell fails
                    job.cancel()
                    _wait_job(job, 60)
                cell = self.selected_cell  # the cell that started the job: its time includes the job's
                cell.elapsed = (cell.elapsed or 0) + time.perf_counter() - waited
            tell(self.index() - start)  # the cells before the one just run are final now
        tell(min(len(self.cells), self.index() - start + 1) if self.cells else 0)
        return self.message.startswith("Finished")

    # ---------------------------------------------------------------------------------------------- persistence
    def to_json(self) -> dict:
        """Kinds and inputs only (never outputs), like Flow's .flow files."""
        return {"version": FORMAT_VERSION, "name": self.title,
                "cells": [{"kind": c.kind, "input": c.input} for c in self.cells]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    def to_flow_json(self) -> dict:
        """The notebook as an H2O Flow `.flow` file (Flow opens it): cs / md / h1..h6 cells, inputs only."""
        return {"version": FLOW_VERSION, "cells": [flow_cell(c.kind, c.input) for c in self.cells]}

    def dumps_flow(self) -> str:
        return json.dumps(self.to_flow_json(), indent=2)

    @_locked
    def load_json(self, data, run_text_cells=True):
        """Replace the cells with those of `data` (dict or JSON text); renders markdown/heading cells."""
        cells = cells_from_json(data)
        self.clear()
        self.cells = [Cell(kind=k, input=i) for k, i in cells]
        if isinstance(data, dict) and data.get("name"):
            self.title = str(data["name"])
        if self.cells:
            self.select(0)
        if run_text_cells:
            for c in self.cells:
                if c.kind != "code":
                    self.run_cell(c)
        return self

    @classmethod
    def from_json(cls, data, app: AppState, **kw) -> "Notebook":
        return cls(app, **kw).load_json(data)

    def save(self, name=None):
        """Save into the workspace under `name` (kind "notebook")."""
        name = (name or self.title or "").strip()
        if not name:
            raise ValueError("give the notebook a name before saving")
        self.title = name
        self.app.workspace.put(name, self.to_json())
        self.message = f"Notebook {name!r} saved."
        return name

    def open(self, name):
        """Open a saved notebook with its outputs rebuilt from the workspace (nothing runs again)."""
        data = self.app.workspace.get(name)
        if not isinstance(data, dict) or "cells" not in data:
            raise ValueError(f"{name!r} is not a notebook")
        self.restore({**data, "name": name})
        self.message = f"Notebook {name!r} opened."
        return self

    def restore(self, data):
        """Load `data` and rebuild each code cell's output from the workspace (see app/rebuild.py)."""
        self.load_json(data)
        self.rebuild_outputs()
        return self

    @_locked
    def rebuild_outputs(self):
        """Views of what the code cells made, from the workspace; cells that can only be run keep no output."""
        from .rebuild import rebuild_output

        for c in self.cells:
            if c.kind != "code":
                continue
            ctx = self.context_for(c)
            output = rebuild_output(ctx, c.input)
            if output is not None:
                c.release()
                c.context = ctx
                c.param.update(output=output, status="ok", error="", elapsed=None, job=None)

    def saved_notebooks(self) -> list[str]:
        return [e.name for e in self.app.workspace.list("notebook")]


def cells_from_json(data) -> list[tuple[str, str]]:
    """(kind, input) pairs from our format or Flow's {"version": "1.0.0", "cells": [{"type", "input"}]}."""
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as e:
            raise ValueError(f"not a notebook file: invalid JSON at line {e.lineno}, column {e.colno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("not a notebook file: expected an object with a 'cells' list")
    version = data.get("version", FORMAT_VERSION)
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise ValueError(f"notebook format version {version} is newer than this Deepbrook reads ({FORMAT_VERSION})")
    out = []
    for i, c in enumerate(data["cells"], 1):
        if not isinstance(c, dict) or not isinstance(c.get("input", ""), str):
            raise ValueError(f"not a notebook file: cell {i} must be an object with a text 'input'")
        kind = c.get("kind") or _FLOW_KINDS.get(c.get("type", "cs"))
        if kind not in KINDS:
            raise ValueError(f"cell {i} has unknown kind {c.get('kind') or c.get('type')!r}")
        text = c.get("input", "")
        if c.get("type", "") in _FLOW_KINDS and c["type"].startswith("h") and not text.startswith("#"):
            text = "#" * int(c["type"][1]) + " " + text
        out.append((kind, text))
    return out


def flow_cell(kind, text) -> dict:
    """One cell as Flow stores it: code -> cs, markdown -> md, a heading "## T" -> h2 with input "T"."""
    if kind == "heading":
        stripped = text.lstrip()
        level = min(6, max(1, len(stripped) - len(stripped.lstrip("#"))))
        return {"type": f"h{level}", "input": stripped.lstrip("#").strip()}
    return {"type": "md" if kind == "markdown" else "cs", "input": text}


def render_text_cell(cell):
    """Markdown and heading cells render their text (a heading without '#' gets one), sanitized: a shared
    notebook's markdown must not run script in its readers' browsers."""
    from . import safe_html as safe

    text = cell.input
    if cell.kind == "heading" and not text.lstrip().startswith("#"):
        text = "# " + text
    return safe.Markdown(text, sizing_mode="stretch_width", css_classes=["db-md-output"])


def _with_notes(output, notes):
    """The routine's output under a note listing what the user should know (options that had no effect)."""
    import panel as pn

    from . import safe_html as safe

    alert = safe.Alert("\n".join(f"- {n}" for n in notes), alert_type="info", sizing_mode="stretch_width",
                       css_classes=["db-cell-notes"])
    wrapped = pn.Column(alert, output, sizing_mode="stretch_width")
    wrapped.job = getattr(output, "job", None)
    return wrapped


def _job_of(ctx):
    return getattr(ctx, "job", None)


def job_finished(job) -> bool:
    return getattr(job, "status", "DONE") in ("DONE", "CANCELLED", "FAILED")


def _wait_job(job, timeout=None):
    try:
        job.result(timeout=timeout)
    except Exception:  # the job view shows failures; Run All only waits for the end
        pass
