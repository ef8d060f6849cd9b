"""The notebook in the browser: toolbar, cells (editor + output), keyboard, outline/help sidebar.

It renders a `Notebook` model and calls its methods; all behaviour worth testing without a browser lives there.
"""
from __future__ import annotations

import contextlib
import html
import io
import json
import threading
import time
from pathlib import Path

import panel as pn
import param

from . import safe_html as safe
from .notebook import Cell, Notebook, job_finished
from .routines import help_table

STATIC = Path(__file__).parent / "static"
CELL_CSS = (STATIC / "notebook.css").read_text()
WIDE_CSS = (STATIC / "wide.css").read_text()
EDITOR_CSS = """
.bk-input { font-family: "JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px;
            line-height: 1.45; background: #fbfbfb; field-sizing: content; min-height: 2.2em; max-height: 40em;
            overflow-y: auto; }
"""
EDITOR_MAX_CHARS = 1_000_000  # a cell holds whatever code a form or the user writes (TextAreaInput cuts at 5000)
RUN_ALL_TICK_MS = 100
LIST_BUTTON_CSS = ".bk-btn { justify-content: flex-start; text-align: left; overflow: hidden; white-space: nowrap; }"
FLAG_TEXT = {"code": "CS", "markdown": "MD", "heading": "H"}
KEYS_HELP = """
**Edit mode** (typing in a cell): `Shift+Enter` run and select the next cell · `Ctrl+Enter` run ·
`Alt+Enter` run and insert a cell below · `Esc` command mode.

**Command mode**: `Enter` edit · `a` / `b` insert above / below · `d d` delete · `z` undo the last delete ·
`x` / `c` cut / copy the cell · `v` / `Shift+V` paste below / above · `Shift+K` / `Shift+J` move the cell up / down ·
`m` markdown · `y` code · `r` run · `j` / `k` (or arrows) select next / previous · `s` save · `h` this help.
"""
HELP_STYLES = {"position": "fixed", "top": "70px", "right": "24px", "z-index": "1000", "max-width": "460px",
               "background": "#fff", "border": "1px solid #c5ced8", "border-radius": "6px", "padding": "4px 14px",
               "box-shadow": "0 4px 16px rgba(0,0,0,.18)"}


class KeyBridge(pn.custom.JSComponent):
    """The page's keyboard, clicks and focus, sent to Python as numbered messages (the page owns the selection and
    the mode; see static/keyboard.js); Python's own selection changes go back with `push_state`."""

    _esm = (STATIC / "keyboard.js").read_text()
    standalone = param.Boolean(default=True, doc="The page is the notebook (served); False inside Jupyter, where "
                                                  "command keys act only after a click in the notebook.")

    def __init__(self, on_event, **params):
        super().__init__(width=0, height=0, margin=0, **params)
        self._on_event = on_event

    def _handle_msg(self, msg):
        self._on_event(msg)

    def push_state(self, selected, mode, ack, scroll=False):
        """Python selected a cell itself: the page takes it if it had seen message `ack`, its last, and no newer."""
        self._send_msg({"state": {"sel": selected, "mode": mode, "ack": ack, "scroll": scroll}})


class CellView(pn.viewable.Viewer):
    """One cell: type flag, editor, status line and output."""

    def __init__(self, cell: Cell, notebook_view: "NotebookView"):
        super().__init__()
        self.cell = cell
        self._nbv = notebook_view
        self._from_editor = False
        self.flag = safe.HTML("", width=44, margin=(8, 2, 0, 0), css_classes=["db-flag"])
        self.editor = pn.widgets.TextAreaInput(
            value=cell.input, rows=1, max_length=EDITOR_MAX_CHARS, sizing_mode="stretch_width", margin=(4, 4),
            placeholder="routine, e.g. assist" if cell.kind == "code" else "markdown text",
            css_classes=["db-editor"], stylesheets=[EDITOR_CSS])
        self.status_line = safe.HTML("", margin=(0, 8), css_classes=["db-cell-status"],
                                        styles={"color": "#888", "font-size": "11px"})
        self.output = pn.Column(sizing_mode="stretch_width", margin=(0, 0, 0, 46), css_classes=["db-output"])
        # the input row of a rendered markdown/heading cell hides unless the cell is selected (CSS, see notebook.css)
        self.panel = pn.Column(pn.Row(self.flag, self.editor, sizing_mode="stretch_width", margin=0,
                                      css_classes=["db-input"]),
                               self.status_line, self.output, sizing_mode="stretch_width",
                               stylesheets=[CELL_CSS])
        self.editor.param.watch(self._typed, "value_input")
        self.editor.param.watch(self._typed, "value")
        self._watchers = [cell.param.watch(self._render_input, ["input"]),
                          cell.param.watch(self._render_output, ["output", "status", "error", "elapsed",
                                                                 "execution_count", "kind"]),
                          cell.param.watch(lambda _e: notebook_view.autosave(), ["input", "kind"])]
        self._render_output()
        self.update_classes()

    def __panel__(self):
        return self.panel

    def _typed(self, event):
        self.typed(event.new)

    def typed(self, text):
        """Text the browser's editor holds: into the cell, never echoed back (it would overwrite newer keys)."""
        if text is not None and text != self.cell.input:
            self._from_editor = True
            try:
                self.cell.input = text
            finally:
                self._from_editor = False

    def _render_input(self, *_):
        if not self._from_editor and self.editor.value != self.cell.input:
            self.editor.value = self.cell.input

    def update_classes(self):
        """Id, kind and status; the selection classes (db-selected, db-edit) are the page's own (keyboard.js)."""
        classes = ["db-cell", f"db-cell-id-{self.cell.id}", f"db-kind-{self.cell.kind}",
                   f"db-status-{self.cell.status}"]
        if self.panel.css_classes != classes:
            self.panel.css_classes = classes

    def _render_output(self, *_):
        c = self.cell
        count = "" if c.execution_count is None or c.kind != "code" else c.execution_count
        colour = {"error": "#d32f2f", "running": "#f0a500", "ok": "#2f6fb5"}.get(c.status, "#9aa5b1")
        self.flag.object = (f'<div style="font:600 11px sans-serif;color:#fff;background:{colour};'
                            f'border-radius:3px;padding:2px 4px;text-align:center">{FLAG_TEXT[c.kind]}</div>'
                            f'<div style="font:11px monospace;color:#888;text-align:center">[{count}]</div>')
        if c.status == "running":
            self.status_line.object = "running…"
        elif c.elapsed is not None and c.kind == "code":  # rendering text takes no time worth a line
            self.status_line.object = f"{c.elapsed * 1000:.0f} ms" if c.elapsed < 10 else f"{c.elapsed:.1f} s"
        else:
            self.status_line.object = ""
        if c.status == "error":
            self.output.objects = [safe.Alert(
                f"<b>Error</b><pre style='white-space:pre-wrap;margin:4px 0 0'>{html.escape(c.error)}</pre>",
                alert_type="danger", sizing_mode="stretch_width", css_classes=["db-cell-error"])]
        else:
            self.output.objects = [] if c.output is None else [c.output]
        self.update_classes()

    def dispose(self):
        for w in self._watchers:
            self.cell.param.unwatch(w)
        self._watchers = []


class NotebookView(pn.viewable.Viewer):
    """Toolbar + cells + sidebar for one Notebook (one per browser tab)."""

    def __init__(self, notebook: Notebook, standalone: bool = True):
        super().__init__()
        self.notebook = nb = notebook
        self._views: dict[str, CellView] = {}
        self._ack = 0  # number of the page's last message handled
        self._applying = False  # handling a page message: the page already shows the selection it makes
        self._swapping = False  # a whole notebook is being loaded: the page gets its cells once, at the end
        self._run_all_cb = None
        self._tab_id = None
        self._autosaved = None  # the JSON text last autosaved
        self.keys = KeyBridge(self._on_event, standalone=standalone)
        self.autosave_status = safe.HTML("", css_classes=["db-autosave"], margin=(0, 10),
                                         styles={"color": "#888", "font-size": "11px"})
        self.cells_column = pn.Column(sizing_mode="stretch_width", css_classes=["db-cells"])
        self.progress = safe.HTML("", css_classes=["db-progress"], sizing_mode="stretch_width", margin=(0, 10))
        self.toolbar = self._make_toolbar()
        self.keys_help = safe.Markdown(f"#### Keyboard shortcuts (`h` closes)\n{KEYS_HELP}", visible=False,
                                       css_classes=["db-keys-help"], styles=HELP_STYLES)
        self.outline = pn.Column(sizing_mode="stretch_width", css_classes=["db-outline"])
        self.notebooks_list = pn.Column(sizing_mode="stretch_width", css_classes=["db-notebooks"])
        nb.param.watch(self._sync_cells, ["cells"])
        nb.param.watch(self._sync_selection, ["selected", "mode"])
        nb.param.watch(self._show_progress, ["progress", "message", "running"])
        self._sync_cells()
        self._refresh_saved()

    # ------------------------------------------------------------------------------------------------ layout
    def __panel__(self):
        return pn.Column(self.toolbar, self.progress, self.cells_column, self.autosave_status, self.keys_help, self.keys,
                         sizing_mode="stretch_width", css_classes=["db-notebook"])

    def sidebar(self):
        rows = "\n".join(f"| `{u}` | {d} |" for _g, u, d in help_table())
        help_md = safe.Markdown(f"### Routines\n| routine | what it does |\n|---|---|\n{rows}\n\n"
                                   f"### Keyboard\n{KEYS_HELP}", sizing_mode="stretch_width",
                                   css_classes=["db-help"], stylesheets=[WIDE_CSS])
        tabs = pn.Tabs(("Outline", self.outline), ("Notebooks", self.notebooks_list), ("Help", help_md),
                       sizing_mode="stretch_width", css_classes=["db-sidebar"])
        tabs.param.watch(lambda e: self._refresh_saved() if e.new == 1 else None, "active")  # another tab may save
        return tabs

    def _button(self, label, tid, fn, description=None, color="default"):
        """A toolbar button; with `fn` None the page handles it (keyboard.js: it acts on the cell the page shows
        selected, as a key would)."""
        b = pn.widgets.Button(label=label, button_type=color, css_classes=[f"db-tb-{tid}"],
                              description=description, margin=(4, 2), height=34)
        if fn is not None:
            b.on_click(lambda _e: self._guard(fn))
        return b

    def _make_toolbar(self):
        nb = self.notebook
        self.name_input = pn.widgets.TextInput(value=nb.title, width=200, css_classes=["db-nb-name"], margin=(4, 4))
        self.name_input.link(nb, value="title")
        nb.param.watch(lambda e: setattr(self.name_input, "value", e.new), "title")
        self.kind_select = pn.widgets.Select(options={"Code": "code", "Markdown": "markdown", "Heading": "heading"},
                                             value="code", width=110, margin=(4, 2), css_classes=["db-kind"])
        self.kind_select.param.watch(lambda e: self._guard(lambda: nb.set_kind(e.new)), "value")
        self.open_select = pn.widgets.Select(options=[], width=160, margin=(4, 2), css_classes=["db-open-select"])
        self.run_all_button = pn.widgets.Button(label="▶▶ Run All", button_type="primary",
                                                css_classes=["db-tb-run-all"], margin=(4, 2), height=34)
        self.run_all_button.on_click(self._run_all)
        self.download = pn.widgets.FileDownload(callback=self._download_file, filename=f"{nb.title}.flow.json",
                                                label="Download", button_type="default", css_classes=["db-download"],
                                                margin=(4, 2), height=34, embed=False)
        self.download_flow = pn.widgets.FileDownload(
            callback=self._download_flow_file, filename=f"{nb.title}.flow", label="Download .flow",
            button_type="default", css_classes=["db-download-flow"], margin=(4, 2), height=34, embed=False,
            description="Download as an H2O Flow notebook (.flow), which H2O Flow opens")
        self.upload = pn.widgets.FileInput(accept=".json,.flow", multiple=False, css_classes=["db-upload"],
                                           margin=(4, 2), width=200)
        self.upload.param.watch(self._uploaded, "value")
        b = self._button
        return pn.FlexBox(
            self.name_input,
            b("Save", "save", self._save, description="Save this notebook in the workspace under its name"),
            self.open_select, b("Open", "open", self._open, description="Open the chosen saved notebook"),
            b("New", "new", self._new, description="Start an empty notebook"),
            b("+ Above", "insert-above", None, description="Insert a cell above (a)"),
            b("+ Below", "insert-below", None, description="Insert a cell below (b)"),
            b("↑", "move-up", None, description="Move the cell up (Shift+K)"),
            b("↓", "move-down", None, description="Move the cell down (Shift+J)"),
            b("Delete", "delete", None, description="Delete the cell (d d; z undoes)"),
            b("Clear", "clear", nb.clear_outputs, description="Clear all outputs"),
            self.kind_select,
            b("▶ Run", "run", None, color="primary", description="Run the selected cell (Ctrl+Enter)"),
            self.run_all_button,
            b("■ Stop", "stop", nb.stop, description="Stop Run All after the current cell"),
            self.download, self.download_flow, self.upload,
            sizing_mode="stretch_width", align_items="center", css_classes=["db-toolbar"])

    # ---------------------------------------------------------------------------------------------- syncing
    def _sync_cells(self, *_):
        if self._swapping:
            return
        nb = self.notebook
        ids = {c.id for c in nb.cells}
        for cid in list(self._views):
            if cid not in ids:
                self._views.pop(cid).dispose()
        for c in nb.cells:
            if c.id not in self._views:
                self._views[c.id] = CellView(c, self)
        self.cells_column.objects = [self._views[c.id].panel for c in nb.cells]
        self._sync_outline()

    def _sync_outline(self, *_):
        items = []
        for i, c in enumerate(self.notebook.cells, 1):
            first = (c.input.strip().splitlines() or ["(empty)"])[0][:48]
            btn = pn.widgets.Button(label=f"{i}. {first}", button_type="light", sizing_mode="stretch_width",
                                    margin=(1, 2), css_classes=["db-outline-item", f"db-outline-{c.id}"],
                                    stylesheets=[LIST_BUTTON_CSS])
            btn.on_click(lambda _e, cid=c.id: self._jump(cid))
            items.append(btn)
        self.outline.objects = items

    @contextlib.contextmanager
    def _swap(self):
        """Load a whole notebook (open, upload, a reload's restore) out of sight, then show its cells in one update.

        These run on a callback thread while the server's loop renders what they change. Cell by cell, outputs
        built on the thread raced the loop building the page's models: the browser got patches naming models it
        never received ("reference p1817 isn't known") and showed the reopened notebook without outputs.
        """
        self._swapping = True
        try:
            yield
        finally:
            self._swapping = False
            self._sync_cells()

    def _jump(self, cid):
        self.notebook.select(cid)  # the page is told, and scrolls the cell into view

    def _sync_selection(self, event=None):
        sel = self.notebook.selected_cell
        if sel is not None and self.kind_select.value != sel.kind:
            self.kind_select.value = sel.kind
        if event is not None and not self._applying:  # Python's own choice (Run All, outline, an output's button)
            self._push_state(scroll=event.name == "selected")

    def _push_state(self, scroll=False):
        nb = self.notebook
        self.keys.push_state(nb.selected, nb.mode, self._ack, scroll)

    def _show_progress(self, *_):
        nb = self.notebook
        if nb.running and nb.progress:
            text, colour = f"⏳ {nb.progress}", "#8a5a00"
        else:
            text, colour = nb.message, ("#b00020" if nb.message.startswith(("Failed", "Error")) else "#2e7d32")
        self.progress.object = f'<div style="color:{colour};font-size:13px">{html.escape(text)}</div>' if text else ""
        self.run_all_button.disabled = nb.running
        self._sync_outline()

    def _refresh_saved(self):
        try:
            names = self.notebook.saved_notebooks()
        except Exception:  # the sidebar must not break the page if the workspace is unreadable
            names = []
        self.open_select.options = names
        rows = []
        for name in names:
            btn = pn.widgets.Button(label=name, button_type="light", sizing_mode="stretch_width", margin=(1, 2),
                                    css_classes=["db-notebook-item"], stylesheets=[LIST_BUTTON_CSS])
            btn.on_click(lambda _e, n=name: self._guard(lambda: self._open(n)))
            rows.append(btn)
        self.notebooks_list.objects = rows or [safe.Markdown("*No saved notebooks yet.*")]

    # ---------------------------------------------------------------------------------------------- actions
    def _guard(self, fn):
        """Run a toolbar action; a failure becomes the notebook message, never an exception in the page."""
        try:
            with self.notebook.lock:  # one action at a time per tab, whichever thread delivers it
                return fn()
        except Exception as e:
            self.notebook.message = f"Error: {e}"

    def _run(self, cell, value=None, select_next=False, insert=False, new=None):
        """Run `cell` with the text its editor held (`value`); then, for Shift/Alt+Enter, select the next cell or
        insert one (named `new` by the page, which is already focusing it)."""
        nb = self.notebook
        c = nb.cell(cell)
        if value is not None and c.id in self._views:
            self._views[c.id].typed(value)
        nb.select(c)
        nb.run_cell(c)
        self._sync_outline()
        if insert or (select_next and nb.index(c) == len(nb.cells) - 1):
            nb.insert_below(c, id=new)
            nb.mode = "edit"
        elif select_next:
            nb.select_next()
            nb.mode = "command"

    def _run_all(self, _event=None):
        """Run All as short steps on a periodic callback: one cell per tick, then wait for its job, if any.

        Each step is its own callback, so the page shows "Running cell i of n" as it goes and stays responsive
        (Stop, other cells' live views) whether or not `panel serve` runs callbacks on threads.
        """
        if self._run_all_cb is not None:
            return
        steps = self.notebook.run_all_steps()
        waiting = [None]
        busy = threading.Lock()

        def tick():
            if not busy.acquire(blocking=False):  # the previous tick is still running its cell
                return
            try:
                if waiting[0] is not None and not job_finished(waiting[0]) and not self.notebook.stop_requested:
                    return
                waiting[0] = next(steps)
            except StopIteration:
                self._run_all_cb.stop()
                self._run_all_cb = None
            finally:
                busy.release()

        self._run_all_cb = pn.state.add_periodic_callback(tick, period=RUN_ALL_TICK_MS)

    def _save(self):
        name = self.notebook.save(self.name_input.value)
        self._refresh_saved()
        return name

    def _open(self, name=None):
        name = name or self.open_select.value
        if not name:
            raise ValueError("choose a saved notebook to open")
        with self._swap():
            self.notebook.open(name)
        self.download.filename = f"{name}.flow.json"

    def _new(self):
        nb = self.notebook
        nb.clear()
        nb.title = "Untitled"
        nb.select(nb.append("code", ""))
        nb.message = "New notebook."

    def _download_file(self):
        self.download.filename = f"{self.notebook.title or 'notebook'}.flow.json"
        return io.StringIO(self.notebook.dumps())

    def _download_flow_file(self):
        self.download_flow.filename = f"{self.notebook.title or 'notebook'}.flow"
        return io.StringIO(self.notebook.dumps_flow())

    def _uploaded(self, event):
        if event.new:
            self._guard(lambda: self._load_upload(event.new, self.upload.filename))

    def _load_upload(self, data, filename):
        with self._swap():
            self.notebook.load_json(data)
        if filename and self.notebook.title in ("", "Untitled"):
            self.notebook.title = filename.split(".")[0]
        self.notebook.message = f"Notebook {filename!r} loaded; press Run All to run it."

    # ---------------------------------------------------------------------------------------------- autosave
    def _start_autosave(self, tab_id):
        """The page told us its tab id: give back the tab's autosaved notebook (a reload), then keep saving it."""
        store = self.notebook.app.autosaves
        if self._tab_id is not None or not store.valid(tab_id):
            return
        self._tab_id = tab_id
        saved = store.load(tab_id)
        if saved is not None:
            with self._swap():
                self.notebook.restore(saved)
            self.notebook.message = "Notebook restored as it was before the page was reloaded."
            self.download.filename = f"{self.notebook.title or 'notebook'}.flow.json"
        self._autosaved = self.notebook.dumps()
        self.notebook.param.watch(lambda _e: self.autosave(), ["cells", "title"])  # cells watch their input/kind

    def autosave(self):
        """Save the tab's notebook when it changed since the last autosave (inputs, kinds, order, title); called on
        every such change (watchers, no periodic callback)."""
        if self._tab_id is None:
            return False
        text = self.notebook.dumps()
        if text == self._autosaved:
            return False
        try:
            self.notebook.app.autosaves.save(self._tab_id, json.loads(text))
        except OSError as e:
            self.autosave_status.object = f"autosave failed: {html.escape(str(e))}"
            return False
        self._autosaved = text
        self.autosave_status.object = f"autosaved {time.strftime('%H:%M:%S')}"
        return True

    # ---------------------------------------------------------------------------------------------- keyboard
    def _on_event(self, msg):
        self._guard(lambda: self._dispatch(msg))

    def _dispatch(self, msg):
        """One message of the page, in the order sent: act on the cell it names, then take the page's selection."""
        nb = self.notebook
        kind = msg.get("type")
        if kind == "tab":
            self._start_autosave(msg.get("id"))
            return
        if isinstance(msg.get("seq"), int):
            self._ack = msg["seq"]
        ids = {c.id for c in nb.cells}
        cid = msg.get("cell") if msg.get("cell") in ids else None
        key = msg.get("key") if kind == "key" else None
        self._applying = True
        try:
            if cid is not None:
                nb.select(cid)
            if key is not None:
                try:
                    self._command(key, cid, msg)
                except Exception as e:  # e.g. a paste with nothing copied: said, and the page is set right below
                    nb.message = f"Error: {e}"
            if key not in SERVER_CHOOSES and msg.get("sel") in {c.id for c in nb.cells}:
                nb.select(msg["sel"])
            if msg.get("mode") in ("command", "edit"):
                nb.mode = msg["mode"]
        finally:
            self._applying = False
        if key in SERVER_CHOOSES or (nb.selected, nb.mode) != (msg.get("sel") or "", msg.get("mode")):
            # what the page guessed did not happen (a paste with nothing to paste...); a page just opened stays put
            self._push_state(scroll=kind != "hello")

    def _command(self, key, cid, msg):
        nb = self.notebook
        new = msg.get("new")
        if key in ("run", "run-next", "run-insert"):
            if cid is not None:
                self._run(cid, msg.get("value"), select_next=key == "run-next", insert=key == "run-insert", new=new)
        elif key in ("a", "b"):
            nb.insert_above(cid, id=new) if key == "a" else nb.insert_below(cid, id=new)
        elif key in ("v", "V"):
            nb.paste(above=key == "V", cell=cid, id=new)
        elif key == "z":
            nb.undo_delete()
        elif key == "s":
            self._save()
        elif key in ("h", "escape"):
            self.keys_help.visible = key == "h" and not self.keys_help.visible
        elif cid is None:
            return
        elif key in CELL_COMMANDS:
            CELL_COMMANDS[key](nb, cid)


# Command-mode keys acting on the selected cell (Flow's names); the page moves its selection itself where one moves.
CELL_COMMANDS = {
    "dd": lambda nb, c: nb.delete(c),
    "x": lambda nb, c: nb.cut(c),
    "c": lambda nb, c: nb.copy(c),
    "K": lambda nb, c: nb.move_up(c),
    "J": lambda nb, c: nb.move_down(c),
    "m": lambda nb, c: nb.set_kind("markdown", c),
    "y": lambda nb, c: nb.set_kind("code", c),
    "r": lambda nb, c: nb.run_cell(c),
}
SERVER_CHOOSES = {"z"}  # keys whose new selection only Python knows (the cell put back)
