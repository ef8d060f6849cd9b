"""Files in and out of the workspace: Flow's exportFrame form, and importModel (a path, or an uploaded model file,
which under `deepbrook serve` streams over HTTP to the upload folder like data uploads, within the server's limit).

Both forms only write a routine call into a new cell (`exportFrame ...`, `importModel ...`), so the notebook stays
a replayable script; the routines do the work through the app's path gate.
"""
from __future__ import annotations

from pathlib import Path

import panel as pn
import param

from .. import safe_html as safe
from ._common import button, error_alert, format_call, run_routine, test_id, title
from .import_view import upload_input


class ExportFrameState(param.Parameterized):
    frame = param.String(doc="Key of the frame to export.")
    path = param.String(default="", doc="CSV file to write, relative to the data folder (never replaced).")


class ExportFrameView(pn.viewable.Viewer):
    """Form: a path (default exports/<frame>.csv) and Export."""

    def __init__(self, ctx, frame_name, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = ExportFrameState(frame=frame_name, path=f"exports/{frame_name}.csv")

    def export(self):
        return run_routine(self.ctx, "exportFrame", self.state.frame, self.state.path)

    def __panel__(self):
        path = pn.widgets.TextInput.from_param(self.state.param.path, name="Path (.csv or .csv.gz)", width=360,
                                               css_classes=test_id("export-path"))
        return pn.Column(title(f"Export {self.state.frame}"), path,
                         button("Export", "export-button", self.export, color="primary"),
                         css_classes=test_id("export-frame"), sizing_mode="stretch_width")


def export_frame_view(ctx, frame_name):
    return ExportFrameView(ctx, frame_name)


def export_done_view(ctx, frame, shown_path, nrows):
    return pn.Column(title("Frame exported"),
                     safe.Markdown(f"`{frame}` ({nrows:,} rows) was written to `{shown_path}`.",
                                      css_classes=test_id("export-done")),
                     button("Import it...", "export-import", lambda: run_routine(ctx, "importFiles", [shown_path])),
                     sizing_mode="stretch_width")


class ImportModelState(param.Parameterized):
    path = param.String(default="", doc="A saved model file (what Download model gives), in the data folders.")
    error = param.String(default="")


class ImportModelView(pn.viewable.Viewer):
    """Form: a path in the data folders, or upload the file that a model view's Download gives; then Import."""

    def __init__(self, ctx, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = ImportModelState()

    def uploaded(self, path: str):
        """The model file was stored in the upload folder (see `import_view.upload_input`): import it from there."""
        self.state.path = path
        self.state.error = ""

    def upload_failed(self, message: str):
        self.state.error = message

    def import_model(self):
        if not self.state.path:
            self.state.error = "choose a model file: a path in the data folders or an upload"
            return None
        return run_routine(self.ctx, "importModel", self.state.path)

    def __panel__(self):
        s = self.state
        path = pn.widgets.TextInput.from_param(s.param.path, name="Model file or folder", width=360,
                                               css_classes=test_id("import-model-path"))
        upload = upload_input(self.ctx, "import-model-upload", self.uploaded, self.upload_failed)
        err = error_alert(s.error, "import-model-error")
        s.param.watch(lambda e: err.param.update(object=e.new, visible=bool(e.new)), "error")
        call = safe.Markdown(css_classes=test_id("import-model-call"), margin=(0, 5))
        show = lambda *_: setattr(call, "object", f"`{format_call('importModel', s.path)}`" if s.path else "")  # noqa
        s.param.watch(show, "path")
        show()
        return pn.Column(title("Import a model"), path,
                         pn.Row(safe.Markdown("or upload a model file", margin=(0, 5)), upload), err, call,
                         button("Import", "import-model-button", self.import_model, color="primary"),
                         css_classes=test_id("import-model"), sizing_mode="stretch_width")



def import_model_view(ctx):
    return ImportModelView(ctx)
