"""Process and cell context handed to every routine and view.

`AppState` is the one per-server-process state (workspace, job registry, allowed data roots) shared by all browser
tabs; `CellContext` is what one running cell sees: the app state, its notebook and cell, and `run_routine`, Flow's
core idea that every button in an output inserts and runs a new cell holding the literal routine call.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from .autosave import AutosaveStore
from .path_gate import PathGate, PathNotAllowed  # noqa: F401  (PathNotAllowed is part of this module's API)

APP_DIR = Path(__file__).resolve().parent
# Bundled data: the repository's assets/data (editable install) and the packaged copy in app/examples/data.
BUNDLED_DATA_DIRS = [p for p in (APP_DIR.parent / "assets" / "data", APP_DIR / "examples" / "data") if p.is_dir()]
DEFAULT_WORKSPACE = Path(os.environ.get("DEEPBROOK_HOME", Path.home() / ".deepbrook")) / "workspace"

ENV_WORKSPACE = "DEEPBROOK_WORKSPACE"
ENV_DATA_ROOTS = "DEEPBROOK_DATA_ROOTS"
ENV_UPLOAD_LIMIT = "DEEPBROOK_UPLOAD_LIMIT_MB"
ENV_UPLOAD_ENDPOINT = "DEEPBROOK_UPLOAD_ENDPOINT"  # "1" when `deepbrook serve` serves deepbrook.app.uploads
ENV_DECOMPRESSED_LIMIT = "DEEPBROOK_MAX_DECOMPRESSED_MB"
ENV_FRAME_LIMIT = "DEEPBROOK_MAX_FRAME_MB"
ENV_MODEL_LIMIT = "DEEPBROOK_MAX_MODEL_MB"
# a served notebook's defaults: a file may expand to 2 GB, a parsed frame may hold 4 GB
DEFAULT_MAX_DECOMPRESSED_MB = 2048.0
DEFAULT_MAX_FRAME_MB = 4096.0
DEFAULT_MAX_MODEL_MB = 1024.0  # a model file and what it decompresses to (importModel)
ENV_DASK = "DEEPBROOK_DASK_SCHEDULER"


class AppState:
    """Everything one server process shares between tabs: workspace, jobs, data roots, limits.

    ``workspace_dir=None`` keeps objects in memory only (tests, Jupyter).
    """

    def __init__(self, workspace_dir=None, data_roots=None, upload_limit_mb=200, dask_scheduler=None,
                 workspace=None, jobs=None, max_decompressed_mb=DEFAULT_MAX_DECOMPRESSED_MB,
                 max_frame_mb=DEFAULT_MAX_FRAME_MB, upload_endpoint=False, max_model_mb=DEFAULT_MAX_MODEL_MB):
        self.workspace_dir = Path(workspace_dir).expanduser().resolve() if workspace_dir else None
        if self.workspace_dir is not None:
            self.workspace_dir.mkdir(parents=True, exist_ok=True)
        if workspace is None:
            from deepbrook.engine import Workspace

            workspace = Workspace(self.workspace_dir)
        self.workspace = workspace
        if jobs is None:
            from deepbrook.engine import JobRegistry

            jobs = JobRegistry()
        self.jobs = jobs
        # the workspace's own "data" folder (uploads land there), never its object store
        self.data_dir = self.workspace_dir / "data" if self.workspace_dir else None
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        roots = list(data_roots) if data_roots is not None else [
            *([self.data_dir] if self.data_dir else []), *BUNDLED_DATA_DIRS]
        self.data_roots = [Path(r).expanduser().resolve() for r in roots]
        self.upload_limit_mb = float(upload_limit_mb)
        self.upload_endpoint = bool(upload_endpoint)  # uploads stream over HTTP (else over the websocket)
        from deepbrook.engine import ReadLimits

        # what one parse may decompress and hold: enforced while the file streams (zip bombs stop early)
        self.read_limits = ReadLimits.from_mb(max_decompressed_mb, max_frame_mb)
        self.max_model_bytes = int(float(max_model_mb) * (1 << 20))
        self.dask_scheduler = dask_scheduler or None
        self.lock = threading.RLock()
        # uploads are importable whatever the data roots (#18); notebooks write only below the workspace's data
        # folder and the data roots that are not the bundled examples; the object store is never a path
        readable = [*self.data_roots, *([self.upload_dir] if self.data_dir else [])]  # no workspace: no uploads folder
        writable = [*([self.data_dir] if self.data_dir else []),
                    *(r for r in readable if not any(r.is_relative_to(b.resolve()) for b in BUNDLED_DATA_DIRS))]
        private = [self.workspace_dir / "objects", self.workspace_dir / "manifest.json"] if self.workspace_dir \
            else []
        self.gate = PathGate(readable, writable, private)
        self.predictions = {}  # predictions frame -> (model key, frame name), for getPredictions
        self.grids = {}  # grid id -> the engine's GridSearch (its models are in the workspace), for getGrid
        self.autosaves = AutosaveStore(self.workspace_dir / "autosave" if self.workspace_dir else None)

    @classmethod
    def from_env(cls, **overrides):
        """Build the state from the DEEPBROOK_* variables that `deepbrook serve` sets for `panel serve`."""
        env = os.environ
        kwargs = dict(workspace_dir=env.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE,
                      upload_limit_mb=float(env.get(ENV_UPLOAD_LIMIT, 200)),
                      max_decompressed_mb=float(env.get(ENV_DECOMPRESSED_LIMIT, DEFAULT_MAX_DECOMPRESSED_MB)),
                      max_frame_mb=float(env.get(ENV_FRAME_LIMIT, DEFAULT_MAX_FRAME_MB)),
                      max_model_mb=float(env.get(ENV_MODEL_LIMIT, DEFAULT_MAX_MODEL_MB)),
                      upload_endpoint=env.get(ENV_UPLOAD_ENDPOINT) == "1",
                      dask_scheduler=env.get(ENV_DASK) or None)
        if env.get(ENV_DATA_ROOTS):
            kwargs["data_roots"] = [p for p in env[ENV_DATA_ROOTS].split(os.pathsep) if p]
        kwargs.update(overrides)
        return cls(**kwargs)

    @property
    def upload_dir(self) -> Path:
        """Where uploaded files land (the workspace's data/uploads); always one of the roots cells may read.
        Without a workspace it is the first data root's uploads folder, created only when an upload arrives."""
        d = (self.data_dir or self.data_roots[0]) / "uploads"
        d.mkdir(parents=True, exist_ok=True)
        return d

    @property
    def allowed_roots(self) -> list[Path]:
        """The folders cells may read from: the data roots and the upload folder."""
        return list(self.gate.roots)

    def resolve_path(self, path) -> Path:
        """An existing file or folder inside a data root (symlinks followed); relative paths are looked up in each
        root in order. The single gate for what a cell reads: `PathNotAllowed` for anything leading outside."""
        return self.gate.resolve(path)

    def resolve_files(self, path) -> list[Path]:
        """The files a name yields (a file, a folder's visible files, a glob's matches), each inside a root."""
        return self.gate.files(path)

    def resolve_output(self, path, what="folder") -> Path:
        """A folder a cell may write to (exports, checkpoints): inside the writable roots, need not exist."""
        return self.gate.output(path, what)

    def complete_path(self, prefix: str, limit: int = 50) -> list[str]:
        """Completions of a typed path, within the data roots only (relative names for files under a root)."""
        prefix = str(prefix or "")
        out = []
        for root in self.allowed_roots:
            base = Path(prefix).expanduser()
            full = base if base.is_absolute() else root / base
            folder, stem = (full, "") if prefix.endswith(("/", os.sep)) or not prefix else (full.parent, full.name)
            try:
                folder = folder.resolve()
                if not folder.is_relative_to(root) or not self.gate.allowed(folder) or not folder.is_dir():
                    continue
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for e in entries:
                if e.name.startswith(".") or not e.name.lower().startswith(stem.lower()) or \
                        not self.gate.allowed(e.resolve()):  # links out of the roots are not offered
                    continue
                shown = str(e) if base.is_absolute() else str(e.relative_to(root))
                shown += "/" if e.is_dir() else ""
                if shown not in out:
                    out.append(shown)
                if len(out) >= limit:
                    return out
        return out


class CellContext:
    """What a routine or view sees while its cell runs: app state, notebook, cell, and `run_routine`."""

    def __init__(self, app: AppState, notebook=None, cell=None, doc=None):
        self.app = app
        self.notebook = notebook
        self.cell = cell
        self.doc = doc  # the session's Bokeh Document (None in tests / Jupyter), for thread -> UI handoff
        self.job = None  # a routine that starts a background job sets it, so Run All can wait for it
        self.notes = []  # what the cell tells the user besides its view (options that had no effect here)
        self._cleanups = []

    @property
    def workspace(self):
        return self.app.workspace

    @property
    def jobs(self):
        return self.app.jobs

    def run_routine(self, code: str):
        """Insert a cell below this one holding `code` and run it (every output button does this)."""
        if self.notebook is None:
            raise RuntimeError("run_routine needs a notebook; this view is shown outside one")
        new = self.notebook.insert_below(self.cell, kind="code", input=code)
        self.notebook.select(new)
        self.notebook.run_cell(new)
        return new

    def note(self, text: str):
        """Tell the user something about this run above the cell's output (and on `deepbrook run`'s report)."""
        self.notes.append(str(text))

    def resolve_path(self, path) -> Path:
        return self.app.resolve_path(path)

    def complete_path(self, prefix: str) -> list[str]:
        return self.app.complete_path(prefix)

    def on_cleanup(self, fn):
        """Register `fn()` to run when this cell's output is replaced or cleared (stop periodic callbacks)."""
        self._cleanups.append(fn)
        return fn

    def cleanup(self):
        fns, self._cleanups = self._cleanups, []
        for fn in fns:
            try:
                fn()
            except Exception:  # a failing cleanup must not stop the others
                pass
