"""XLS and XLSX workbooks (first sheet, as H2O reads them) with python-calamine: one Rust reader for both."""
import io
import os
import zipfile
from datetime import date, datetime, time, timedelta

from ..errors import ParseError
from .names import default_column_names
from .table_formats import TableRead, string_table


def _text(v):
    """A cell as the text a CSV would hold (numbers keep their value, dates become ISO), None when empty."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() and abs(v) < 2 ** 53 else repr(v)
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, timedelta):
        return str(v.total_seconds())
    return str(v)


def read_excel(source, header=None):
    """A TableRead of the first sheet; `header` True/False, or None to guess (text above numbers)."""
    from python_calamine import CalamineError, CalamineWorkbook

    from .setup import DEFAULT_NA_STRINGS, _header

    label = source.label
    try:
        if source.compression is None and source.member is None:
            size = os.path.getsize(source.path)
            if zipfile.is_zipfile(source.path):  # xlsx: what its parts declare they expand to
                with zipfile.ZipFile(source.path) as z:
                    size = sum(i.file_size for i in z.infolist())
            source.limits.check_decompressed(size, label)
            book = CalamineWorkbook.from_path(source.path)
        else:
            with source.open() as f:
                book = CalamineWorkbook.from_filelike(io.BytesIO(bytes(f.read())))
        if not book.sheet_names:
            raise ParseError(f"workbook {label} has no sheets", path=label)
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except CalamineError as e:
        raise ParseError(f"cannot read workbook {label}: it is corrupt or not an Excel file ({e})",
                         path=label) from None
    rows = [[_text(v) for v in r] for r in rows]
    rows = [r for r in rows if any(v is not None for v in r)]
    if not rows:
        raise ParseError(f"the first sheet of {label} is empty", path=label)
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    if header is None:
        header = _header([[v or "" for v in r] for r in rows[:200]], None, DEFAULT_NA_STRINGS)
    names = [v or "" for v in rows[0]] if header else default_column_names(width)
    data = rows[1:] if header else rows
    if not data:
        raise ParseError(f"the first sheet of {label} has a header row but no data rows", path=label)
    keys = [str(i) for i in range(width)]
    return TableRead(names, string_table(keys, {k: [r[i] for r in data] for i, k in enumerate(keys)}), None,
                     header=bool(header))
