"""Flow's import form: a path box completing within the server's data folders, an upload box, and Import.

Only paths inside `ctx.app.data_roots` are ever suggested or accepted (the server must not expose its
filesystem); uploads are size-limited and land in the upload folder, which is inside a data root.
"""
from __future__ import annotations

from pathlib import Path

import panel as pn
import param

from ._common import button, error_alert, run_routine, test_id, title
from .parse_view import display_paths


MAX_SUGGESTIONS = 12


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

    def save_upload(self, filename: str, data: bytes) -> str:
        """Write an uploaded file into the upload folder (size-limited) and select it; returns its routine path."""
        try:
            rel = store_upload(self.ctx, filename, data)
        except ValueError as e:
            self.error = str(e)
            return ""
        self.error = ""
        if rel not in self.selected:
            self.selected = self.selected + [rel]
        return rel


def store_upload(ctx, filename: str, data: bytes) -> str:
    """Write an uploaded file into the upload folder; returns the path cells name it by (ValueError over the limit)."""
    limit = float(ctx.app.upload_limit_mb) * 1024 * 1024
    if len(data) > limit:
        raise ValueError(f"{filename} is {len(data) / 1e6:.1f} MB; the upload limit is {ctx.app.upload_limit_mb:g} MB")
    target = Path(ctx.app.upload_dir) / Path(filename).name
    target.write_bytes(data)
    return display_paths(ctx, [target])[0]


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
        self.upload = pn.widgets.FileInput(css_classes=test_id("import-upload"), multiple=False)
        self.upload.param.watch(self._uploaded, "value")
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

    def _uploaded(self, event):
        if event.new is not None and self.upload.filename:
            self.state.save_upload(self.upload.filename, event.new)

    def _render_selected(self, *_):
        rows = []
        for p in self.state.selected:
            rm = pn.widgets.Button(label="×", width=35, css_classes=test_id("import-remove"))
            rm.on_click(lambda _e, p=p: self.state.remove(p))
            rows.append(pn.Row(pn.pane.Markdown(f"`{p}`", margin=(0, 5)), rm))
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
        limit = f"upload (at most {self.ctx.app.upload_limit_mb:g} MB)"
        parts = [title("Import Files", "📂"), pn.Row(self.path, button("Add", "import-add", s.add)), self.suggestions,
                 pn.Row(pn.pane.Markdown(limit, margin=(0, 5)), self.upload), self.selected, err,
                 button("Import", "import-button", self.import_files, color="primary")]
        if self.imported:
            listing = "\n".join(f"- `{p}`" for p in display_paths(self.ctx, self.imported))
            parts += [pn.pane.Markdown(f"**Imported {len(self.imported)} file(s):**\n\n{listing}",
                                       css_classes=test_id("import-result")),
                      button("Parse these files...", "import-parse", self.parse_files, color="primary")]
        return pn.Column(*parts, css_classes=test_id("import-view"), sizing_mode="stretch_width")


def import_files_view(ctx, paths):
    return ImportView(ctx, paths)
