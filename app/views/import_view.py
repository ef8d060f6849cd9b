"""Flow's import form: a path box completing within the server's data folders, an upload box, and Import.

Only paths inside the server's allowed roots are ever suggested or accepted (the server must not expose its
filesystem). Uploads land in the upload folder, which is always importable: under `deepbrook serve` they stream
over HTTP to disk (`deepbrook.app.uploads`), elsewhere (Jupyter) they come over the websocket, which caps them at
WEBSOCKET_UPLOAD_MB. Either way the form states the real limit and a same-name upload never replaces a file.
"""
from __future__ import annotations

from pathlib import Path

import panel as pn
import param

from .. import safe_html as safe
from ..uploads import UPLOAD_URL, UploadError, checked_name, store_received
from ._common import button, error_alert, run_routine, test_id, title
from .parse_view import display_paths
from .upload_widget import StreamingUpload


MAX_SUGGESTIONS = 12
WEBSOCKET_UPLOAD_MB = 15  # Bokeh's 20 MB websocket message holds a 15 MB file once base64-encoded


class ImportState(param.Parameterized):
    path = param.String(default="", doc="A file or folder inside the data folders (relative or absolute).")
    suggestions = param.List(default=[], doc="Completions of `path` within the data folders.")
    selected = param.List(default=[], doc="Files to import.")
    error = param.String(default="")

    def __init__(self, ctx, **params):
        self.ctx = ctx
        super().__init__(**params)
        self.complete()

    @param.depends("path", watch=True)
    def complete(self):
        self.suggestions = self.ctx.complete_path(self.path)

    def add(self, path=None):
        """Add `path` (default: the typed one) after checking it is inside a data folder."""
        path = (path if path is not None else self.path).strip()
        if not path:
            self.error = "type a file or folder name"
            return False
        try:
            self.ctx.resolve_path(path)
        except (ValueError, FileNotFoundError) as e:
            self.error = str(e)
            return False
        self.error = ""
        if path not in self.selected:
            self.selected = self.selected + [path]
        return True

    def remove(self, path):
        self.selected = [p for p in self.selected if p != path]

    def upload_limit_mb(self) -> float:
        """The limit the form states: the server's with the HTTP endpoint, else what the websocket carries."""
        return upload_limit_mb(self.ctx, websocket=not getattr(self.ctx.app, "upload_endpoint", False))

    def save_upload(self, filename: str, data: bytes) -> str:
        """Store bytes that came over the websocket (size-limited, never replacing a file) and select them."""
        try:
            rel = store_upload(self.ctx, filename, data)
        except UploadError as e:
            self.error = str(e)
            return ""
        return self._select(rel)

    def uploaded(self, answer: dict) -> str:
        """Select the file the upload endpoint stored (its answer comes from the browser: checked again here)."""
        try:
            rel = stored_upload(self.ctx, answer)
        except UploadError as e:
            self.error = str(e)
            return ""
        return self._select(rel)

    def _select(self, rel: str) -> str:
        self.error = ""
        if rel not in self.selected:
            self.selected = self.selected + [rel]
        return rel


def store_upload(ctx, filename: str, data: bytes) -> str:
    """Store bytes that came over the websocket in the upload folder (checked name, the real limit, never
    replacing a file); returns the path cells name it by. UploadError (a ValueError) says what is wrong."""
    target = store_received(ctx.app.upload_dir, filename, data, int(upload_limit_mb(ctx, True) * (1 << 20)))
    return display_paths(ctx, [target])[0]


def stored_upload(ctx, answer: dict) -> str:
    """The path cells name a file by that the upload endpoint stored; the answer comes from the browser, so its
    name is checked again and must be a file in the upload folder. UploadError says what is wrong."""
    target = Path(ctx.app.upload_dir) / checked_name((answer or {}).get("name"))
    if not target.is_file():
        raise UploadError(f"the uploaded file {target.name!r} is not in the upload folder")
    return display_paths(ctx, [target])[0]


def upload_input(ctx, css_class: str, on_stored, on_error):
    """The upload box of a form: under `deepbrook serve` the file streams over HTTP to the upload endpoint (the
    server's limit, enforced while receiving); elsewhere (Jupyter) it comes over the websocket (15 MB at most).
    ``on_stored(path)`` gets the path cells name the stored file by, ``on_error(message)`` what went wrong."""
    def stored(store):
        try:
            on_stored(store())
        except UploadError as e:
            on_error(str(e))

    if getattr(ctx.app, "upload_endpoint", False):
        widget = StreamingUpload(url=UPLOAD_URL, limit_bytes=int(upload_limit_mb(ctx, False) * (1 << 20)),
                                 css_classes=test_id(css_class))
        widget.param.watch(lambda e: stored(lambda: stored_upload(ctx, e.new)) if e.new else None, "uploaded")
        widget.param.watch(lambda e: on_error(e.new) if e.new else None, "error")
    else:
        widget = pn.widgets.FileInput(css_classes=test_id(css_class), multiple=False,
                                      width=320)  # wide enough for the browser's own "No file chosen"
        widget.param.watch(lambda e: stored(lambda: store_upload(ctx, widget.filename, e.new))
                           if e.new is not None and widget.filename else None, "value")
    return widget


def upload_limit_mb(ctx, websocket: bool) -> float:
    """The real limit of an upload: the server's, and at most what one websocket message carries on that path."""
    limit = float(ctx.app.upload_limit_mb)
    return min(limit, WEBSOCKET_UPLOAD_MB) if websocket else limit


class ImportView(pn.viewable.Viewer):
    def __init__(self, ctx, paths=(), **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = s = ImportState(ctx)
        self.imported = list(paths)
        self.path = pn.widgets.TextInput(name="Path", value=s.path, placeholder="data file or folder",
                                         css_classes=test_id("import-path"), sizing_mode="stretch_width")
        self.path.param.watch(self._typed, "value_input")
        self.suggestions = pn.Column(css_classes=test_id("import-suggestions"))
        s.param.watch(self._render_suggestions, "suggestions")
        self._render_suggestions()
        self.upload = upload_input(ctx, "import-upload", s._select, lambda msg: setattr(s, "error", msg))
        self.selected = pn.Column(css_classes=test_id("import-selected"))
        s.param.watch(self._render_selected, "selected")
        self._render_selected()

    def _typed(self, event):
        self.state.path = event.new or ""

    def _render_suggestions(self, *_):
        """Flow's search results: each completion with a + that selects it (a folder completes further)."""
        rows = []
        for p in self.state.suggestions[:MAX_SUGGESTIONS]:
            b = pn.widgets.Button(label=f"+ {p}", css_classes=test_id("import-suggestion"), margin=(1, 5))
            b.on_click(lambda _e, p=p: self._pick(p))
            rows.append(b)
        self.suggestions.objects = rows

    def _pick(self, path):
        if path.endswith("/"):
            self.path.value = path
            self.state.path = path
        else:
            self.state.add(path)

    def _render_selected(self, *_):
        rows = []
        for p in self.state.selected:
            rm = pn.widgets.Button(label="×", width=35, css_classes=test_id("import-remove"))
            rm.on_click(lambda _e, p=p: self.state.remove(p))
            rows.append(pn.Row(safe.Markdown(f"`{p}`", margin=(0, 5)), rm))
        self.selected.objects = rows

    def import_files(self):
        if not self.state.selected and self.state.path and not self.state.add():
            return None
        if not self.state.selected:
            self.state.error = "choose at least one file"
            return None
        return run_routine(self.ctx, "importFiles", list(self.state.selected))

    def parse_files(self):
        return run_routine(self.ctx, "setupParse", paths=display_paths(self.ctx, self.imported))

    def __panel__(self):
        s = self.state
        err = error_alert(s.error, "import-error")
        s.param.watch(lambda e: err.param.update(object=e.new, visible=bool(e.new)), "error")
        limit = f"upload (at most {s.upload_limit_mb():g} MB)"
        parts = [title("Import Files", "📂"), pn.Row(self.path, button("Add", "import-add", s.add)), self.suggestions,
                 pn.Row(safe.Markdown(limit, margin=(0, 5)), self.upload), self.selected, err,
                 button("Import", "import-button", self.import_files, color="primary")]
        if self.imported:
            listing = "\n".join(f"- `{p}`" for p in display_paths(self.ctx, self.imported))
            parts += [safe.Markdown(f"**Imported {len(self.imported)} file(s):**\n\n{listing}",
                                       css_classes=test_id("import-result")),
                      button("Parse these files...", "import-parse", self.parse_files, color="primary")]
        return pn.Column(*parts, css_classes=test_id("import-view"), sizing_mode="stretch_width")


def import_files_view(ctx, paths):
    return ImportView(ctx, paths)
