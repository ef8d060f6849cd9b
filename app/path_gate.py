"""The one gate every path a notebook cell names goes through: it must lead (symlinks resolved) into a data root.

A served notebook is shared: a cell must not read `/etc/passwd` through a link in a data folder, list the
server's folders, or write a checkpoint over someone's files. So every name is resolved with symlinks followed,
and the result - every file a folder or glob yields, too - must lie inside one of the roots. The workspace's
object store is never reachable by path, even when a root contains it (only the workspace code writes there).
"""
from __future__ import annotations

import glob
import os
from pathlib import Path

GLOB_CHARS = "*?["


class PathNotAllowed(ValueError):
    """A path outside the server's data roots was asked for (the server must not expose its filesystem)."""


def checked_text(path, what="path") -> str:
    """The path as text, refusing what can never name a file here: non-text, empty, NUL bytes."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise PathNotAllowed(f"a {what} must be text in quotes, got {type(path).__name__}")
    if not path.strip():
        raise PathNotAllowed(f"a {what} must not be empty; name a file or folder inside the data folders")
    if "\x00" in path:
        raise PathNotAllowed(f"the {what} {path!r} contains a NUL character")
    return path


class PathGate:
    """Resolves names against `roots` (read) and `writable` roots (write), never leaving them.

    ``private`` folders (the workspace's object store) are refused even when a root contains them.
    """

    def __init__(self, roots, writable=None, private=()):
        self.roots = _unique(Path(r).expanduser().resolve() for r in roots)
        self.writable = _unique(Path(r).expanduser().resolve() for r in (writable if writable is not None
                                                                         else self.roots))
        self.private = [Path(p).expanduser().resolve() for p in private]

    def _where(self):
        return ", ".join(map(str, self.roots))

    def allowed(self, real: Path, roots=None) -> bool:
        """True when the resolved path lies inside one of `roots` (default: the readable roots) and not in a
        private folder."""
        inside = any(real.is_relative_to(r) for r in (self.roots if roots is None else roots))
        return inside and not any(real.is_relative_to(p) for p in self.private)

    def _outside(self, path, real=None):
        how = f" (it leads to {real}, through a symbolic link or '..')" if real is not None and \
            str(real) != str(path) else ""
        return PathNotAllowed(f"path {str(path)!r} is outside the allowed data folders{how}; allowed: "
                              f"{self._where()}")

    def resolve(self, path) -> Path:
        """An existing file or folder inside a root; relative names are looked up in each root in order."""
        text = checked_text(path)
        p = Path(text).expanduser()
        refused = None
        for name in _forms(p):
            for base in ([None] if name.is_absolute() else self.roots):
                candidate = name if base is None else base / name
                real = candidate.resolve()
                if not self.allowed(real):
                    refused = refused or (candidate, real)
                    continue
                if real.exists():
                    return real
        if refused is not None and (refused[0].exists() or refused[0].is_symlink() or p.is_absolute()
                                    or ".." in p.parts):
            raise self._outside(text, refused[1])
        raise FileNotFoundError(f"no file {text!r} in the data folders ({self._where()})")

    def files(self, path) -> list[Path]:
        """Every file a name yields - the file itself, the visible files of a folder, or a glob's matches - each
        checked (a link inside a folder must not lead out of the roots)."""
        text = checked_text(path)
        if any(ch in text for ch in GLOB_CHARS):
            try:
                found = self.resolve(text)
            except FileNotFoundError:
                return self._glob(text)
        else:
            found = self.resolve(text)
        if not found.is_dir():
            return [found]
        out = []
        for entry in sorted(found.iterdir()):
            if entry.name.startswith("."):
                continue
            real = entry.resolve()
            if not self.allowed(real):
                raise self._outside(str(entry), real)
            if real.is_file():
                out.append(real)
        return out

    def _glob(self, pattern) -> list[Path]:
        hits = []
        for name, base in ((n, b) for n in _forms(Path(pattern).expanduser())
                           for b in ([None] if n.is_absolute() else self.roots)):
            full = str(name if base is None else base / name)
            for hit in sorted(glob.glob(full)):
                real = Path(hit).resolve()
                if not self.allowed(real):
                    raise self._outside(hit, real)
                if real.is_file() and real not in hits:
                    hits.append(real)
            if hits:
                break
        if not hits:
            raise FileNotFoundError(f"no files match {pattern!r} in the data folders ({self._where()})")
        return hits

    def output(self, path, what="folder") -> Path:
        """Where a cell may write (an export or checkpoint folder): inside a writable root, links resolved.
        Relative names go under the first writable root. The folder need not exist yet."""
        text = checked_text(path, what)
        if not self.writable:
            raise PathNotAllowed(f"this server has no folder that notebooks may write to; {what} {text!r} refused")
        p = Path(text).expanduser()
        real = (p if p.is_absolute() else self.writable[0] / p).resolve()
        if not self.allowed(real, self.writable):
            raise PathNotAllowed(f"{what} {text!r} is outside the folders notebooks may write to"
                                 f"{f' (it leads to {real})' if str(real) != text else ''}; allowed: "
                                 f"{', '.join(map(str, self.writable))}")
        return real


def _forms(p: Path) -> list[Path]:
    """The name, then (for a relative name with leading '..') the name below a root: H2O Flow writes paths relative
    to the folder H2O was started in (``../smalldata/x.csv``), which we read as relative to each data root."""
    if p.is_absolute() or not p.parts or p.parts[0] != "..":
        return [p]
    parts = p.parts
    while parts and parts[0] in ("..", "."):
        parts = parts[1:]
    return [p, Path(*parts)] if parts else [p]


def _unique(paths):
    out = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out
