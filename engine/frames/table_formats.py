"""Formats read whole into a table before typing (ARFF, XLS/XLSX, SVMLight): the reader for each file type and the
parse setup built from what it read. CSV and Parquet keep their streaming readers (setup.py, reader.py)."""
from typing import NamedTuple

import pandas as pd
import pyarrow as pa

from ..errors import ParseError
from .columns import guess_type
from .names import clean_column_names, renamed_columns

TABLE_FILE_TYPES = ("arff", "xls", "xlsx", "svmlight")
PREVIEW_ROWS = 10


class TableRead(NamedTuple):
    """What a reader found: column names, an arrow table (text columns, or numbers), declared types (None: guess)."""
    names: list
    table: pa.Table
    types: dict | None
    header: bool = False  # the first row held the names (spreadsheets)


def string_table(names, columns):
    """An arrow table of text columns (None = NA) in the order of `names`."""
    return pa.table([pa.array(columns[n], type=pa.string()) for n in names], names=[str(i) for i in range(len(names))])


def read_table(source, file_type, setup_like):
    """The TableRead of one source for a table file type; `setup_like` gives separator, header, encoding."""
    if file_type == "arff":
        from .arff import read_arff
        return read_arff(source, separator=getattr(setup_like, "separator", None),
                         encoding=getattr(setup_like, "encoding", "utf-8") or "utf-8")
    if file_type in ("xls", "xlsx"):
        from .excel import read_excel
        return read_excel(source, header=getattr(setup_like, "header", None))
    if file_type == "svmlight":
        from .svmlight import read_svmlight
        return read_svmlight(source)
    raise ParseError(f"unknown file type {file_type!r}")


class _Options:
    def __init__(self, ov):
        sep = ov.get("separator")
        self.separator = chr(sep) if isinstance(sep, int) and not isinstance(sep, bool) and 0 < sep < 128 else sep
        h = ov.get("header")
        self.header = h if isinstance(h, bool) else (h == 1 if h in (1, -1) else None)
        self.encoding = ov.get("encoding") or "utf-8"


def table_setup(setup_cls, paths, source, file_type, ov):
    """A ParseSetup for a table file type: names and types from the file (edits in `ov` applied), text preview."""
    opts = _Options(ov)
    read = read_table(source, file_type, opts)
    raw_names = [str(n) for n in read.names]
    names = clean_column_names(raw_names)
    warnings = ["renamed columns: " + "; ".join(renamed_columns(raw_names, names))] if names != raw_names else []
    table = read.table.rename_columns(names)
    if read.types is not None:
        types = {n: read.types[r] for n, r in zip(names, raw_names)}
    else:
        types = {n: ("int" if pa.types.is_floating(table.column(n).type) else guess_type(table.column(n)))
                 for n in names}
    guessed = list(names)
    if ov.get("column_names") is not None:
        user = [str(n) for n in ov["column_names"]]
        if len(user) != len(names):
            raise ParseError(f"column_names has {len(user)} names but {source.label} has {len(names)} columns",
                             path=source.path)
        types = {u: types[g] for u, g in zip(user, names)}
        names = user
    given = ov.get("column_types") or {}
    if isinstance(given, (list, tuple)):
        given = dict(enumerate(given))
    for k, t in given.items():
        types[names[k] if isinstance(k, int) and 0 <= k < len(names) else k] = t
    setup = setup_cls(paths=paths, separator=opts.separator or ",", header=read.header, quote=None,
                      column_names=names, column_types=types, skip_columns=list(ov.get("skip_columns") or []),
                      file_type=file_type, warnings=warnings, encoding=opts.encoding, _guessed_names=guessed)
    setup.resolved_columns()
    head = table.slice(0, PREVIEW_ROWS)
    setup.preview = pd.DataFrame({n: pd.Series([None if v is None else str(v) for v in head.column(i).to_pylist()],
                                               dtype=object) for i, n in enumerate(names)}, columns=names)
    return setup


def read_source_table(setup, source, cols):
    """The kept columns of one source as an arrow table named as the setup says (for reader.parse)."""
    read = read_table(source, setup.file_type, setup)
    if read.table.num_columns != len(cols):
        raise ParseError(f"{source.label} has {read.table.num_columns} columns, expected {len(cols)} like the first "
                         f"file", path=source.path)
    keep = [i for i, _, _, k in cols if k]
    return read.table.select(keep).rename_columns([cols[i][1] for i in keep])
