"""Workspace: a catalog of named frames, models and notebooks, kept in memory or in a directory.

On disk every object lives in its own folder under ``objects/`` (frames: data.parquet + meta.json, models: what
``model.save(path)`` writes, notebooks: notebook.json) and ``manifest.json`` lists them. Every write goes to a
temporary folder/file first and is published with ``os.replace``, manifest last, so a crash at any moment leaves
either the old or the new state, never a half-written object; reopening ignores and removes leftovers.
"""
import datetime as _dt
import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import fsync_dir, fsync_file
from .errors import WorkspaceError
from .frames.frame import Frame
from .frames.names import validate_key

__all__ = ["Workspace", "WorkspaceEntry", "register_model_loader"]

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
KINDS = ("frame", "model", "notebook")
_TMP = ".tmp-"
_model_loader = None
# Folders being written by any Workspace of this process: a second Workspace opened on the same directory must
# not clean them up as leftovers. (One Workspace per directory and process is the intended use; share it.)
_IN_FLIGHT = set()
_IN_FLIGHT_LOCK = threading.Lock()


def register_model_loader(loader):
    """Use ``loader(path) -> model`` instead of deepbrook.engine.model.persist.load_model (tests, plugins).
    Returns the previous loader."""
    global _model_loader
    old, _model_loader = _model_loader, loader
    return old


def _load_model(path):
    if _model_loader is not None:
        return _model_loader(path)
    from .model.persist import load_model  # lazy: the model package imports frames
    return load_model(path)


OK, DAMAGED = "ok", "damaged"
_ROW_FIELDS = ("name", "kind", "created", "description", "folder")   # what the manifest stores per object


@dataclass(frozen=True)
class WorkspaceEntry:
    """One catalog row: name, kind, when it was stored, and a short description (rows x cols for frames).

    ``status`` is "ok", or "damaged" when the object cannot be read (its folder is missing or unreadable, or the
    manifest points outside the workspace); ``reason`` says why. A damaged entry is listed and can be deleted;
    everything else in the workspace stays usable."""
    name: str
    kind: str
    created: str
    description: str = ""
    folder: str = ""
    status: str = OK
    reason: str = ""

    @property
    def damaged(self):
        return self.status != OK

    def row(self):
        """The manifest row (status and reason are found again each time the workspace opens)."""
        return {k: getattr(self, k) for k in _ROW_FIELDS}


class Workspace:
    """Named frames, models and notebooks; ``Workspace(None)`` keeps them in memory only. Thread-safe: share one
    Workspace per directory (the server keeps one per process); two processes writing one directory at once is
    not supported (each rewrites the manifest from its own view)."""

    def __init__(self, directory=None):
        self.directory = None if directory is None else os.path.abspath(os.fspath(directory))
        self._lock = threading.RLock()
        self._entries = {}
        self._cache = {}  # name -> object (all objects in memory mode; loaded ones on disk)
        self._unreadable_rows = []  # manifest rows without a usable name: written back unchanged
        if self.directory is not None:
            if os.path.exists(self.directory) and not os.path.isdir(self.directory):
                raise WorkspaceError(f"workspace path {self.directory} is a file, not a directory")
            os.makedirs(os.path.join(self.directory, "objects"), exist_ok=True)
            self._load_manifest()
            self._remove_leftovers()

    def __repr__(self):
        return f"<Workspace {self.directory or '(in memory)'}: {len(self._entries)} objects>"

    # ------------------------------------------------------------------------------------------ public API
    def put(self, name, obj, replace=True):
        """Store obj under name (frame, model with .save(path), or JSON-able dict = notebook); returns the entry.
        The files are written outside the lock (a big frame does not block other threads); publishing is one
        manifest replace under the lock."""
        name = self._key(name)
        kind = _kind_of(obj)
        if not replace and name in self:
            raise WorkspaceError(f"workspace already has an object named '{name}'")
        entry = WorkspaceEntry(name, kind, _now(), _describe(obj, kind), folder=uuid.uuid4().hex)
        with _in_flight(entry.folder):
            if self.directory is not None:
                self._write_object(entry, obj)
            with self._lock:
                old = self._entries.get(name)
                if not replace and old is not None:
                    self._discard(entry.folder)
                    raise WorkspaceError(f"workspace already has an object named '{name}'")
                self._entries[name] = entry
                try:
                    self._save_manifest()
                except BaseException:
                    if old is None:
                        self._entries.pop(name, None)
                    else:
                        self._entries[name] = old
                    self._discard(entry.folder)
                    raise
                if old is not None:
                    self._discard(old.folder)
                if kind == "frame":
                    self._cache[name] = obj if obj.name == name else obj.rename(name)
                else:
                    self._cache[name] = json.loads(json.dumps(obj)) if kind == "notebook" else obj
        return entry

    def get(self, name):
        """The object stored under name; WorkspaceError if there is none."""
        with self._lock:
            entry = self._entry(name)
            if entry.damaged:
                raise WorkspaceError(f"{entry.kind} '{name}' is damaged and cannot be opened: {entry.reason} "
                                     f"(delete it to remove the entry)")
            if name not in self._cache:
                try:
                    self._cache[name] = self._read_object(entry)
                except WorkspaceError as e:
                    self._entries[name] = replace(entry, status=DAMAGED, reason=str(e))
                    raise
            obj = self._cache[name]
            return json.loads(json.dumps(obj)) if entry.kind == "notebook" else obj

    def list(self, kind=None):
        """Entries (optionally of one kind), oldest first."""
        if kind is not None and kind not in KINDS:
            raise WorkspaceError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        with self._lock:
            return [e for e in sorted(self._entries.values(), key=lambda e: (e.created, e.name))
                    if kind is None or e.kind == kind]

    def names(self, kind=None):
        return [e.name for e in self.list(kind)]

    def delete(self, name):
        """Remove name from the catalog and its files from disk (only ever inside the workspace's objects folder:
        a damaged entry that points elsewhere loses its catalog row and nothing else)."""
        with self._lock:
            entry = self._entry(name)
            del self._entries[name]
            try:
                self._save_manifest()
            except BaseException:
                self._entries[name] = entry
                raise
            self._cache.pop(name, None)
            self._discard(entry.folder)

    def rename(self, old, new):
        """Give an object a new name (files stay where they are; only the manifest changes)."""
        new = self._key(new)
        with self._lock:
            entry = self._entry(old)
            if new == old:
                return entry
            if new in self._entries:
                raise WorkspaceError(f"cannot rename '{old}' to '{new}': that name is taken")
            moved = replace(entry, name=new)
            del self._entries[old]
            self._entries[new] = moved
            try:
                self._save_manifest()
            except BaseException:
                del self._entries[new]
                self._entries[old] = entry
                raise
            obj = self._cache.pop(old, None)
            if obj is not None:
                self._cache[new] = obj.rename(new) if entry.kind == "frame" else obj
            return moved

    def __contains__(self, name):
        with self._lock:
            return name in self._entries

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter([e.name for e in self.list()])

    def entry(self, name):
        with self._lock:
            return self._entry(name)

    # ------------------------------------------------------------------------------------------ internals
    @staticmethod
    def _key(name):
        try:
            return validate_key(name, "workspace name")
        except ValueError as e:
            raise WorkspaceError(str(e)) from None

    def _entry(self, name):
        if name not in self._entries:
            raise WorkspaceError(f"workspace has no object named '{name}'" +
                                 (f" (it holds: {', '.join(sorted(self._entries)[:20])})" if self._entries else
                                  " (it is empty)"))
        return self._entries[name]

    def _path(self, *parts):
        return os.path.join(self.directory, *parts)

    def _load_manifest(self):
        path = self._path(MANIFEST)
        if not os.path.exists(path):
            return
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            rows = data["objects"]
            if not isinstance(rows, list):
                raise TypeError("'objects' is not a list")
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as e:
            raise WorkspaceError(f"workspace manifest {path} is unreadable ({e})") from e
        if data.get("format_version", 1) > FORMAT_VERSION:
            raise WorkspaceError(f"workspace {self.directory} was written by a newer version "
                                 f"(format {data['format_version']})")
        for i, row in enumerate(rows):
            entry = self._entry_from_row(i, row)
            if entry is None:
                self._unreadable_rows.append(row)    # kept as is in the manifest; its folder is never removed
            elif entry.name in self._entries:
                self._unreadable_rows.append(row)
            else:
                self._entries[entry.name] = entry

    def _entry_from_row(self, i, row):
        """A manifest row as an entry, flagged damaged when its object cannot be opened (None: not even a name)."""
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in ("name", "kind", "folder")):
            return None
        fields = {k: row[k] if isinstance(row.get(k), str) else "" for k in _ROW_FIELDS}
        entry = WorkspaceEntry(**fields)
        reason = self._folder_problem(entry)
        if reason is None and entry.kind not in KINDS:
            reason = f"unknown kind {entry.kind!r}"
        return entry if reason is None else replace(entry, status=DAMAGED, reason=reason)

    def _folder_problem(self, entry):
        """Why the entry's object folder cannot be used, or None."""
        if not self._inside_objects(entry.folder):
            return (f"its folder {entry.folder!r} points outside the workspace's objects folder; refused (never "
                    f"opened, never deleted)")
        folder = self._path("objects", entry.folder)
        if not os.path.isdir(folder):
            return f"its folder objects/{entry.folder} is missing"
        needed = {"frame": ("data.parquet", "meta.json"), "model": ("model",), "notebook": ("notebook.json",)}
        missing = [f for f in needed.get(entry.kind, ()) if not os.path.exists(os.path.join(folder, f))]
        return f"objects/{entry.folder} lacks {', '.join(missing)}" if missing else None

    def _inside_objects(self, folder):
        """A plain folder name whose real path is directly inside objects/ (no '..', separators or symlink out)."""
        if not _plain_name(folder):
            return False
        objects = os.path.realpath(self._path("objects"))
        return os.path.dirname(os.path.realpath(os.path.join(objects, folder))) == objects

    def health(self):
        """Problems that stop the workspace from serving (empty list: fine). Cheap: for liveness checks."""
        if self.directory is None:
            return []
        problems = []
        for what, path in (("workspace folder", self.directory), ("objects folder", self._path("objects"))):
            if not os.path.isdir(path):
                problems.append(f"the {what} {path} is missing")
            elif not os.access(path, os.R_OK | os.W_OK | os.X_OK):
                problems.append(f"the {what} {path} is not readable and writable")
        manifest = self._path(MANIFEST)
        if os.path.exists(manifest) and not os.access(manifest, os.R_OK):
            problems.append(f"the manifest {manifest} is not readable")
        return problems

    def _remove_leftovers(self):
        """Folders not in the manifest are from writes that never finished (or deletes cut short)."""
        with _IN_FLIGHT_LOCK:
            live = {e.folder for e in self._entries.values()} | _IN_FLIGHT | \
                {r["folder"] for r in self._unreadable_rows if isinstance(r, dict) and isinstance(r.get("folder"), str)}
        for d in os.listdir(self._path("objects")):
            if d not in live:
                self._discard(d)
        for f in os.listdir(self.directory):
            if f.startswith(_TMP) and f[len(_TMP):].split(".")[0] not in live:
                p = self._path(f)
                shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.remove(p)

    def _save_manifest(self):
        if self.directory is None:
            return
        data = {"format_version": FORMAT_VERSION,
                "objects": [e.row() for e in sorted(self._entries.values(), key=lambda e: e.name)] +
                list(self._unreadable_rows)}
        tmp = self._path(f"{_TMP}{uuid.uuid4().hex}.json")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._path(MANIFEST))
        fsync_dir(self.directory)

    def _discard(self, folder):
        """Delete objects/<folder>: only a plain name directly inside objects/ (a symlink there loses the link,
        never what it points to)."""
        if self.directory is None or not _plain_name(folder):
            return
        path = self._path("objects", folder)
        if os.path.islink(path):
            os.remove(path)
        elif os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)

    def _write_object(self, entry, obj):
        """Write into a temporary folder, fsync, then move it into objects/ in one rename."""
        tmp = self._path(f"{_TMP}{entry.folder}")
        os.makedirs(tmp)
        try:
            if entry.kind == "frame":
                _write_frame(obj, tmp)
            elif entry.kind == "model":
                obj.save(tmp, filename="model")
            else:
                with open(os.path.join(tmp, "notebook.json"), "w", encoding="utf-8") as f:
                    json.dump(obj, f)
            with open(os.path.join(tmp, "object.json"), "w", encoding="utf-8") as f:
                json.dump(entry.row(), f)
            for root, _, files in os.walk(tmp):
                for fn in files:
                    fsync_file(os.path.join(root, fn))
            os.replace(tmp, self._path("objects", entry.folder))
        except BaseException as e:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(e, Exception) and not isinstance(e, WorkspaceError):
                raise WorkspaceError(f"cannot store '{entry.name}' in the workspace: {e}") from e
            raise

    def _read_object(self, entry):
        folder = self._path("objects", entry.folder)
        try:
            if entry.kind == "frame":
                return _read_frame(folder, entry.name)
            if entry.kind == "model":
                return _load_model(os.path.join(folder, "model"))
            with open(os.path.join(folder, "notebook.json"), encoding="utf-8") as f:
                return json.load(f)
        except WorkspaceError:
            raise
        except Exception as e:
            raise WorkspaceError(f"cannot load {entry.kind} '{entry.name}' from {folder}: {e}") from e


# ---------------------------------------------------------------------------------------------- frames on disk
def _write_frame(frame, folder):
    """data.parquet holds the stored arrays as they are (codes for enums); meta.json the types and domains."""
    arrays, names = [], []
    for c in frame.names:
        a = frame.values(c)
        arrays.append(pa.array(a, type=pa.string(), from_pandas=True) if a.dtype == object else pa.array(a))
        names.append(c)
    pq.write_table(pa.table(arrays, names=names), os.path.join(folder, "data.parquet"))
    meta = {"name": frame.name, "types": frame.types, "domains": {c: frame.domain(c) for c in frame.names
                                                                  if frame.is_enum(c)},
            "invalid": frame.invalid_counts, "dtypes": {c: str(frame.values(c).dtype) for c in frame.names},
            "nrows": frame.nrows}
    with open(os.path.join(folder, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f)


def _read_frame(folder, name):
    with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    table = pq.read_table(os.path.join(folder, "data.parquet"))
    cols = {}
    for c in table.column_names:
        arr = table.column(c)
        if meta["dtypes"][c] == "object":
            cols[c] = arr.to_numpy(zero_copy_only=False).astype(object, copy=False)
        else:
            cols[c] = arr.to_numpy().astype(np.dtype(meta["dtypes"][c]), copy=False)
    if table.num_rows != meta["nrows"]:
        raise WorkspaceError(f"frame '{name}' in {folder} has {table.num_rows} rows, expected {meta['nrows']}")
    return Frame(cols, meta["types"], meta["domains"], name=name, invalid=meta.get("invalid"))


# ---------------------------------------------------------------------------------------------- helpers
def _plain_name(folder):
    return bool(folder) and folder not in (".", "..") and not any(c in folder for c in ("/", "\\", "\0", os.sep))


def _kind_of(obj):
    if isinstance(obj, Frame):
        return "frame"
    if isinstance(obj, dict):
        try:
            json.dumps(obj)
        except (TypeError, ValueError) as e:
            raise WorkspaceError(f"a notebook must be a JSON-able dict: {e}") from None
        return "notebook"
    if callable(getattr(obj, "save", None)):
        return "model"
    raise WorkspaceError(f"cannot store a {type(obj).__name__}: the workspace holds Frames, models (with "
                         f"save(path)) and notebooks (JSON-able dicts)")


def _describe(obj, kind):
    if kind == "frame":
        return f"{obj.nrows} rows x {obj.ncols} columns"
    if kind == "notebook":
        return f"{len(obj.get('cells', []))} cells" if isinstance(obj.get("cells"), list) else "notebook"
    return type(obj).__name__


class _in_flight:
    """Marks a folder name as being written (see _IN_FLIGHT)."""

    def __init__(self, folder):
        self.folder = folder

    def __enter__(self):
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT.add(self.folder)

    def __exit__(self, *exc):
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT.discard(self.folder)


def _now():
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
