"""The bytes of a saved model: reading ``model.json`` and ``.npy`` members with every size and type checked first.

A model is a zip archive (one file, ``model.json`` + ``arrays/<name>.npy``) or, as written by version 1, a folder
with ``model.json`` and ``arrays.npz`` (itself a zip of ``<name>.npy``). Arrays are read member by member: the npy
header (shape, dtype) is checked against what the caller expects and against the member's size before any data is
read, object dtypes are refused (no pickle), and zip's CRC catches damaged bytes.
"""
from __future__ import annotations

import json
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


class ArchiveReader:
    """model.json and the arrays of one saved model (a file or a version-1 folder). Use as a context manager."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_dir():
            if not (path / MODEL_JSON).is_file():
                raise FormatProblem("it is a folder without model.json, not a saved model")
            self._json_file, zip_path, self._prefix = path / MODEL_JSON, path / LEGACY_ARRAYS, ""
        elif path.is_file():
            self._json_file, zip_path, self._prefix = None, path, ARRAY_PREFIX
        else:
            raise FormatProblem("no such file or folder")
        if path.is_file() and path.stat().st_size == 0:
            raise FormatProblem("the file is empty")
        try:
            self._zip = zipfile.ZipFile(zip_path)
        except FileNotFoundError:
            raise FormatProblem(f"{zip_path.name} is missing") from None
        except zipfile.BadZipFile as e:
            raise FormatProblem(f"{zip_path.name} is not a Deepbrook model archive ({e})") from None
        self.arrays = _Arrays(self._zip, self._prefix)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()

    def document(self) -> dict:
        """model.json, parsed (a JSON object)."""
        if self._json_file is not None:
            size = self._json_file.stat().st_size
            raw = None if size > MAX_JSON_BYTES else self._json_file.read_bytes()
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
