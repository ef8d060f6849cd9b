"""Where numba keeps deepbrook's compiled kernels, and when a cached kernel is stale.

numba's own choice (``cache=True``) is ``__pycache__`` next to the source (an editable install), else a user-wide
folder, and it checks only the source file of the kernel itself: a kernel whose callee in another file changed
loads its old machine code. Deepbrook's kernels instead go to a per-user folder keyed by the package version and
by a hash of every kernel source file:

    $DEEPBROOK_CACHE_DIR/numba/<version>/<sources hash>/   (default ~/.cache/deepbrook, or $XDG_CACHE_HOME/deepbrook)

so any change to any kernel file starts a new folder (never stale machine code), identical sources share one
folder whatever the install path (a reinstall, a new virtual environment or a CI cache stays warm), and a
read-only install still caches. ``NUMBA_CACHE_DIR``, when set, wins (numba's own layout under it); an unwritable
folder falls back to numba's defaults. Old folders are never deleted here; removing them is always safe.

Several processes may compile into one folder at once (a helper compiling ahead, ``compile_ahead.py``; a server's
warm-up beside a user's script). numba adds a signature to a kernel's index file by reading, extending and
replacing it, so two processes adding different signatures at once could drop one (that kernel would compile
again in every later process). In our folders the read-extend-replace runs under an exclusive file lock.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache, wraps
from pathlib import Path

from numba.core import caching

try:
    import fcntl
except ImportError:  # Windows: numba's unlocked save
    fcntl = None

ENGINE = Path(__file__).resolve().parent
ENV_CACHE_DIR = "DEEPBROOK_CACHE_DIR"


def _kernel_sources() -> list[Path]:
    """Every file a compiled kernel's machine code can depend on (kernels call each other across files)."""
    return sorted([*ENGINE.joinpath("kernels").glob("*.py"), ENGINE / "frames" / "kernels.py", ENGINE / "config.py",
                   Path(__file__).resolve()])


@lru_cache(maxsize=1)
def sources_hash() -> str:
    """sha256 over the kernel sources (names and contents), computed once per process."""
    h = hashlib.sha256()
    for p in _kernel_sources():
        h.update(p.relative_to(ENGINE).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_version() -> str:
    try:
        from importlib.metadata import version
        return version("deepbrook")
    except Exception:  # noqa: BLE001 - running from a source tree that is not installed
        return "unknown"


def cache_dir() -> Path | None:
    """The folder deepbrook's kernels are cached in; None when ``NUMBA_CACHE_DIR`` decides (numba's layout)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    root = os.environ.get(ENV_CACHE_DIR)
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        root = Path(base) / "deepbrook"
    return Path(root).expanduser() / "numba" / package_version() / sources_hash()[:16]


class DeepbrookCacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """numba cache locator for functions defined in deepbrook's engine (see the module docstring)."""

    def __init__(self, py_func, py_file, path: Path):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = str(path)

    def get_cache_path(self):
        return self._cache_path

    def get_source_stamp(self):
        return sources_hash()

    @classmethod
    def from_function(cls, py_func, py_file):
        path = cache_dir()
        if path is None or not Path(py_file).resolve().is_relative_to(ENGINE):
            return None
        self = cls(py_func, py_file, path)
        try:
            self.ensure_cache_path()
        except OSError:
            return None  # not writable: numba's own locators decide
        return self


INDEX_LOCK = ".index.lock"  # in each of our cache folders: held while a kernel's index file is extended


def _locked_index_save(save):
    """numba's ``IndexDataCacheFile.save`` under an exclusive lock when the file is in one of our folders."""
    @wraps(save)
    def save_locked(self, key, data):
        root = cache_dir()
        if fcntl is None or root is None or not Path(self._cache_path).resolve().is_relative_to(root.resolve()):
            return save(self, key, data)
        with open(Path(self._cache_path) / INDEX_LOCK, "ab") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
            return save(self, key, data)

    save_locked.deepbrook_locked = True
    return save_locked


def install():
    """Put the deepbrook locator first (before any kernel module is imported: the locator is chosen at decoration)
    and lock index updates in our folders."""
    classes = caching.CacheImpl._locator_classes
    if DeepbrookCacheLocator not in classes:
        classes.insert(0, DeepbrookCacheLocator)
    if not getattr(caching.IndexDataCacheFile.save, "deepbrook_locked", False):
        caching.IndexDataCacheFile.save = _locked_index_save(caching.IndexDataCacheFile.save)
