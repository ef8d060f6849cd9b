"""The bytes of a saved model: reading ``model.json`` and ``.npy`` members with every size and type checked first.

A model is a zip archive (one file, ``model.json`` + ``arrays/<name>.npy``) or, as written by version 1, a folder
with ``model.json`` and ``arrays.npz`` (itself a zip of ``<name>.npy``). Arrays are read member by member: the npy
header (shape, dtype) is checked against what the caller expects and against the member's size before any data is
read, object dtypes are refused (no pickle), and zip's CRC catches damaged bytes.
"""
from __future__ import annotations

import errno
import json
import os
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .model_codec import FormatProblem

MODEL_JSON = "model.json"
LEGACY_ARRAYS = "arrays.npz"
ARRAY_PREFIX = "arrays/"
MAX_JSON_BYTES = 256 << 20
_ARRAY_KINDS = "biufUS"


DEFAULT_MAX_MODEL_BYTES = 16 << 30  # a model file, and what it decompresses to; servers pass their own limit


class ArchiveReader:
    """model.json and the arrays of one saved model (a file or a version-1 folder). Use as a context manager.

    Each file is opened once, without following a symbolic link in its last component (``O_NOFOLLOW``), and read
    only through that descriptor: what was checked (``fstat``: a regular file or folder, its size, and, given
    ``expect``, the same device and inode as the caller's check) is what is read, even if the path is swapped
    meanwhile. ``allow(real_path)`` is asked about the opened file's real location (``/proc/self/fd``) where the
    system tells it. ``max_bytes`` bounds the file on disk and what its members declare they decompress to (zip
    never inflates a member past its declared size)."""

    def __init__(self, path: Path, max_bytes: int | None = None, expect=None, allow=None):
        self.path = path
        self.max_bytes = DEFAULT_MAX_MODEL_BYTES if max_bytes is None else int(max_bytes)
        self._fds = []
        try:
            self._open_all(path, expect, allow)
        except BaseException:
            self._close_fds()
            raise
        self.arrays = _Arrays(self._zip, self._prefix)

    def _open_all(self, path, expect, allow):
        fd, st = self._open(path, None, dir_ok=True)
        _check_identity(st, expect)
        if allow is not None:
            real = _fd_path(fd)
            if real is not None and not allow(real):
                raise FormatProblem(f"it leads to {real}, outside the folders models are read from")
        if stat.S_ISDIR(st.st_mode):
            json_fd, json_st = self._open(MODEL_JSON, fd, missing="it is a folder without model.json, not a saved "
                                                                  "model")
            zip_fd, zip_st = self._open(LEGACY_ARRAYS, fd, missing=f"{LEGACY_ARRAYS} is missing")
            self._json_file = os.fdopen(json_fd, "rb", closefd=False)
            self._json_size, self._prefix = json_st.st_size, ""
            self._check_size(json_st.st_size + zip_st.st_size, "the model folder")
        else:
            if st.st_size == 0:
                raise FormatProblem("the file is empty")
            self._check_size(st.st_size, "the file")
            zip_fd, zip_st, self._json_file, self._prefix = fd, st, None, ARRAY_PREFIX
        self._raw = os.fdopen(zip_fd, "rb", closefd=False)
        try:
            self._zip = zipfile.ZipFile(self._raw)
        except zipfile.BadZipFile as e:
            name = LEGACY_ARRAYS if self._json_file is not None else path.name
            raise FormatProblem(f"{name} is not a Deepbrook model archive ({e})") from None
        declared = sum(i.file_size for i in self._zip.infolist()) + (self._json_size if self._json_file else 0)
        self._check_size(declared, "its contents once decompressed")

    def _open(self, name, dir_fd, dir_ok=False, missing="no such file or folder"):
        """One descriptor for ``name`` (never through a final symbolic link); (fd, fstat) of a regular file, or of
        a folder where ``dir_ok``."""
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | getattr(os, "O_CLOEXEC", 0), dir_fd=dir_fd)
        except FileNotFoundError:
            raise FormatProblem(missing) from None
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise FormatProblem(f"{Path(name).name} is a symbolic link; model files are not read through "
                                    "links") from None
            raise
        self._fds.append(fd)
        st = os.fstat(fd)
        if not (stat.S_ISREG(st.st_mode) or (dir_ok and stat.S_ISDIR(st.st_mode))):
            raise FormatProblem(f"{Path(name).name} is not a regular file")
        return fd, st

    def _check_size(self, size, what):
        if size > self.max_bytes:
            raise FormatProblem(f"{what} is {_size(size)}, more than the {_size(self.max_bytes)} a model file may "
                                "have here")

    def _close_fds(self):
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()
        if self._json_file is not None:
            self._json_file.close()
        self._raw.close()
        self._close_fds()

    def document(self) -> dict:
        """model.json, parsed (a JSON object)."""
        if self._json_file is not None:
            size = self._json_size
            raw = None if size > MAX_JSON_BYTES else self._json_file.read(MAX_JSON_BYTES + 1)
        else:
            info = _member(self._zip, MODEL_JSON)
            size = info.file_size
            raw = None if size > MAX_JSON_BYTES else self._zip.read(info)
        if raw is None:
            raise FormatProblem(f"model.json is {size} bytes, more than the {MAX_JSON_BYTES} a model file may hold")
        if not raw.strip():
            raise FormatProblem("model.json is empty")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise FormatProblem(f"model.json is not UTF-8 ({e})") from None
        except json.JSONDecodeError as e:
            raise FormatProblem(f"model.json is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") \
                from None
        except RecursionError:
            raise FormatProblem("model.json is nested too deeply") from None
        if not isinstance(doc, dict):
            raise FormatProblem(f"model.json holds a {type(doc).__name__}, not an object")
        return doc


class _Arrays(Mapping):
    """name -> array, read on access; ``header(name)`` gives (shape, dtype) without reading the data."""

    def __init__(self, zf, prefix):
        self._zip, self._prefix = zf, prefix
        self._names = {n[len(prefix):-4]: n for n in zf.namelist() if n.startswith(prefix) and n.endswith(".npy")}
        self._cache = {}

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __contains__(self, name):
        return name in self._names

    def header(self, name):
        with self._open(name) as f:
            return _read_header(f, name)[:2]

    def __getitem__(self, name):
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def get_checked(self, name, shape, dtype):
        """The array ``name``, refused unless its header says exactly ``shape`` and ``dtype`` (checked before the
        data is read, so a forged header cannot make us allocate or read past what the network declares)."""
        got_shape, got_dtype = self.header(name)
        if got_shape != tuple(shape) or got_dtype != np.dtype(dtype):
            raise FormatProblem(f"array {name} is {got_dtype}{list(got_shape)}; the declared network needs "
                                f"{np.dtype(dtype)}{list(shape)}")
        return self[name]

    def _open(self, name):
        if name not in self._names:
            raise FormatProblem(f"array {name!r} is missing from the file")
        return self._zip.open(self._names[name])

    def _read(self, name):
        member = self._zip.getinfo(self._names[name])
        with self._zip.open(member) as f:
            shape, dtype, fortran, header_len = _read_header(f, name)
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if header_len + nbytes != member.file_size:
                raise FormatProblem(f"array {name} is truncated or padded: its header declares {nbytes} bytes of "
                                    f"data, the file holds {member.file_size - header_len}")
            out = np.empty(shape[::-1] if fortran else shape, dtype)
            view = memoryview(out.reshape(-1).view(np.uint8)) if out.size else memoryview(b"")
            done = 0
            while done < nbytes:
                n = f.readinto(view[done:])
                if not n:
                    raise FormatProblem(f"array {name} is truncated: {done} of {nbytes} bytes")
                done += n
            if f.read(1):
                raise FormatProblem(f"array {name} has data after its declared end")
        return out.T if fortran else out


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO put in place of a model opens at once (and is refused)


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < (1 << 20) else f"{n / (1 << 20):,.1f} MB"


def _check_identity(st, expect):
    """The opened file must be the one the caller checked (same device and inode), if it says which."""
    if expect is None:
        return
    dev, ino = (expect.st_dev, expect.st_ino) if hasattr(expect, "st_ino") else expect
    if (st.st_dev, st.st_ino) != (dev, ino):
        raise FormatProblem("the file was replaced between the check of its path and its opening; not read")


def _fd_path(fd) -> Path | None:
    """The real path of an open descriptor, where the system tells it (Linux's /proc/self/fd)."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def _read_header(f, name):
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise FormatProblem(f"array {name} has npy version {version}, expected 1.0 or 2.0")
    except ValueError as e:
        raise FormatProblem(f"array {name} has a damaged header ({e})") from None
    if dtype.hasobject or dtype.kind not in _ARRAY_KINDS or dtype.fields is not None:
        raise FormatProblem(f"array {name} has dtype {dtype}; model files hold only numbers and text (no "
                            "objects, no pickle)")
    if any(not isinstance(s, int) or s < 0 for s in shape):
        raise FormatProblem(f"array {name} has an invalid shape {shape}")
    return tuple(shape), dtype, bool(fortran) and len(shape) > 1, f.tell()


def _member(zf, name):
    try:
        return zf.getinfo(name)
    except KeyError:
        raise FormatProblem(f"{name} is missing from the archive") from None


def write_arrays(zf, arrays, prefix):
    """Add every array as ``<prefix><name>.npy`` (stored, not compressed; never pickled)."""
    for name, a in arrays.items():
        a = np.asarray(a)
        with zf.open(f"{prefix}{name}.npy", "w", force_zip64=a.nbytes > (1 << 30)) as f:
            np.lib.format.write_array(f, a, allow_pickle=False)
