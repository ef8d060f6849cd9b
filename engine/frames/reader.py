"""parse / import_file: read files with pyarrow's multi-threaded CSV and Parquet readers into a Frame."""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import ParseError
from .columns import (enum_from_arrow, enum_from_numeric, enum_from_values, finish_numeric, strings_to_numeric,
                      strings_to_time, time_to_ms)
from .frame import Frame
from .limits import DEFAULT_LIMITS
from .names import frame_name_for
from .setup import parse_setup, split_fields
from .source import Source, read_parquet
from .table_formats import TABLE_FILE_TYPES, read_source_table

__all__ = ["parse", "import_file", "read_csv_table", "table_to_frame"]

BLOCK_SIZE = 4 << 20
MAX_BLOCK_SIZE = 256 << 20  # the longest row parse reads (blocks grow from BLOCK_SIZE as long rows need)
PARALLEL_ROWS = 100_000  # convert columns on several threads from this many rows
_ARROW = {"int": pa.float64(), "real": pa.float64(), "enum": pa.dictionary(pa.int32(), pa.string()),
          "string": pa.string(), "uuid": pa.string(), "time": pa.timestamp("ms")}


def import_file(path, destination=None, **overrides):
    """parse(parse_setup(path, **overrides), destination): one call from file to Frame."""
    return parse(parse_setup(path, **overrides), destination)


def parse(setup, destination=None):
    """Read every file of the setup into one Frame named ``destination`` (default: <first file stem>.hex)."""
    if setup.stale:  # separator/header/quote/encoding edited: read the columns (and preview) again first
        setup.__dict__.update(setup.refresh().__dict__)
    cols = setup.resolved_columns()
    sources = setup.sources
    tables, held = [], 0
    for src in sources:
        if setup.file_type == "parquet" or src.file_type == "parquet":
            t = _parquet_table(setup, src, cols)
        elif setup.file_type in TABLE_FILE_TYPES:
            t = read_source_table(setup, src, cols)
        else:
            if src is not sources[0]:
                _check_same_shape(setup, src, sources[0], len(cols))
            t = read_csv_table(setup, src, label=src.label)
        held += t.nbytes
        setup.limits.check_frame(held, src.label)
        tables.append(t)
    table = _concat(tables, sources)
    if table.num_rows == 0:
        raise ParseError(f"{sources[0].label} holds no data rows", path=sources[0].path)
    frame = table_to_frame(table, setup, name=destination or frame_name_for(sources[0].member or sources[0].path))
    if frame.invalid_counts:
        setup.warnings.append("values that are not valid for their column type became NA: " +
                              ", ".join(f"{c}: {k}" for c, k in frame.invalid_counts.items()))
    return frame


# ------------------------------------------------------------------------------------------------ CSV
def read_csv_table(setup, data, label, encoding=None):
    """The arrow Table of one CSV source (a Source or bytes); columns typed as the setup says (numeric columns
    holding text come back as text, converted and counted by table_to_frame)."""
    cols = setup.resolved_columns()
    encoding = encoding or setup.encoding
    try:
        try:
            return _read_csv(setup, data, cols, encoding, label, numeric_as_text=False)
        except _ConversionError:
            # a numeric/time column holds text beyond the guessed sample: read those columns as text and let
            # values that are no number become NA, counted per column (H2O does the same)
            return _read_csv(setup, data, cols, encoding, label, numeric_as_text=True)
    except _EncodingError:
        if isinstance(data, Source) and setup._encoding_guessed and encoding.lower().replace("-", "") == "utf8":
            setup.warnings.append(f"{label} is not valid utf-8 beyond the sampled part; read as latin-1")
            return read_csv_table(setup, data, label, encoding="latin-1")
        raise ParseError(f"{label} is not valid {encoding} text; set encoding='latin-1' (or the file's real "
                         f"encoding)", path=label) from None


class _ConversionError(Exception):
    pass


class _EncodingError(Exception):
    pass


def _read_csv(setup, data, cols, encoding, label, numeric_as_text):
    names = [n for _, n, _, _ in cols]
    keep = [n for _, n, _, k in cols if k]
    types = {n: (pa.string() if numeric_as_text and t in ("int", "real", "time") else _ARROW[t])
             for _, n, t, k in cols if k}
    bad = []

    def on_bad_row(row):
        bad.append(row)
        return "skip"

    ro, po, co = _options(setup, names, encoding, True, on_bad_row, types, keep)
    table = _arrow_read(data, ro, po, co, label, numeric_as_text, setup.limits)
    if bad:
        if setup.fill_short_rows and all(r.actual_columns < r.expected_columns for r in bad):
            return _fill_short_rows(setup, data, names, types, keep, encoding, label, numeric_as_text)
        _raise_bad_row(setup, data, names, encoding, label, bad)
    return table


def _arrow_read(data, ro, po, co, label, numeric_as_text, limits=DEFAULT_LIMITS):
    """pyarrow's streaming CSV reader (as fast as read_csv here), its memory counted batch by batch against the
    frame limit, with its errors sorted into encoding / conversion / ParseError."""
    try:
        reader = pacsv.open_csv(_stream(data), read_options=ro, parse_options=po, convert_options=co)
        batches, held = [], 0
        for batch in reader:
            held += batch.nbytes
            limits.check_frame(held, label)
            batches.append(batch)
        return pa.Table.from_batches(batches, schema=reader.schema)
    except pa.ArrowInvalid as e:
        msg = str(e)
        if "UTF8" in msg or "utf-8" in msg.lower() or "codec" in msg:
            raise _EncodingError(msg) from None
        if "conversion error" in msg and not numeric_as_text:
            raise _ConversionError(msg) from None
        if "Empty CSV file" in msg:
            raise ParseError(f"{label} is empty", path=label) from None
        if "straddl" in msg and ro.block_size < MAX_BLOCK_SIZE:  # a row longer than a block: larger blocks
            ro.block_size = min(ro.block_size * 4, MAX_BLOCK_SIZE)
            return _arrow_read(data, ro, po, co, label, numeric_as_text, limits)
        if "straddl" in msg:
            raise ParseError(f"cannot parse {label}: a row is longer than {MAX_BLOCK_SIZE >> 20} MB", path=label) \
                from None
        raise ParseError(f"cannot parse {label}: {msg}", path=label) from None
    except UnicodeDecodeError as e:
        raise _EncodingError(str(e)) from None
    except (OSError, EOFError) as e:
        raise ParseError(f"cannot read {label}: the data is corrupt or truncated ({e})", path=label) from None


def _fill_short_rows(setup, data, names, types, keep, encoding, label, numeric_as_text):
    """H2O's fill for short rows: missing trailing fields become NA, rows stay in place. A single-threaded pass
    tells each short row's number; the short rows, completed with separators, are parsed by pyarrow too and put
    back where they were."""
    short = []

    def on_bad_row(row):
        short.append((row.number, row.text + setup.separator * (row.expected_columns - row.actual_columns)))
        return "skip"

    ro, po, co = _options(setup, names, encoding, False, on_bad_row, types, keep)
    table = _arrow_read(data, ro, po, co, label, numeric_as_text, setup.limits)
    text = "".join(t + "\n" for _, t in short).encode("utf-8")
    ro, po, co = _options(setup, names, "utf-8", False, None, types, keep, skip_rows=0)
    filled = _arrow_read(text, ro, po, co, label, numeric_as_text)
    total = table.num_rows + filled.num_rows
    at = np.array([-1 if n is None else n - 1 - (1 if setup.header else 0) for n, _ in short], dtype=np.int64)
    if filled.num_rows != len(short) or at.min(initial=0) < 0 or at.max(initial=-1) >= total:
        raise ParseError(f"{label}: cannot place the short rows back in order; fix the file or parse without "
                         f"fill_short_rows", path=label)
    source = np.full(total, -1, dtype=np.int64)
    source[at] = table.num_rows + np.arange(len(at))
    source[source < 0] = np.arange(table.num_rows)
    return pa.concat_tables([table, filled]).take(pa.array(source))


def _check_same_shape(setup, src, first, width):
    """Files parsed together must have the first file's number of columns (checked on their first line)."""
    sample = src.sample(1 << 16)
    line = next((ln for ln in sample.decode(setup.encoding, errors="replace").splitlines() if ln.strip()), None)
    if line is None:
        raise ParseError(f"{src.label} is empty (parsed together with {first.label})", path=src.path)
    n = len(split_fields([line], setup.separator, setup.quote)[0])
    if n != width:
        raise ParseError(f"{src.label} has {n} columns on its first line, but {first.label} has {width}; files "
                         f"parsed together need the same shape", line=1, path=src.path)


def _options(setup, names, encoding, use_threads, on_bad_row, types, keep, skip_rows=None):
    """pyarrow Read/Parse/ConvertOptions that follow the setup."""
    skip_rows = (1 if setup.header else 0) if skip_rows is None else skip_rows
    ro = pacsv.ReadOptions(use_threads=use_threads, column_names=names, skip_rows=skip_rows,
                           encoding=encoding, block_size=BLOCK_SIZE)
    po = pacsv.ParseOptions(delimiter=setup.separator, quote_char=setup.quote or False, double_quote=True,
                            newlines_in_values=setup.newlines_in_values, invalid_row_handler=on_bad_row)
    co = pacsv.ConvertOptions(column_types=types, null_values=list(setup.na_strings), strings_can_be_null=True,
                              quoted_strings_can_be_null=True, include_columns=keep)
    return ro, po, co


def _stream(data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        return pa.BufferReader(bytes(data))
    return data.open()


def _raise_bad_row(setup, data, names, encoding, label, bad):
    """Find the first malformed row again, single-threaded so pyarrow knows its row number, and say where. With
    fill_short_rows the short rows are fine, so the first long one is named; the hint to fill short rows is given
    only when it would help (no long rows)."""
    n_long = sum(r.actual_columns > r.expected_columns for r in bad)
    first = []

    def on_bad_row(row):
        if not first and (row.actual_columns > row.expected_columns or not setup.fill_short_rows):
            first.append(row)
        return "skip"

    ro, po, co = _options(setup, names, encoding, False, on_bad_row, {names[0]: pa.string()}, names[:1])
    pacsv.read_csv(_stream(data), read_options=ro, parse_options=po, convert_options=co)
    row = first[0]
    line = _physical_line(data, encoding, row.number) if row.number is not None else None
    what = "too many" if row.actual_columns > row.expected_columns else "too few"
    if n_long and n_long < len(bad):
        more = f" ({len(bad)} malformed rows in all: {len(bad) - n_long} too short, {n_long} too long)"
    else:
        more = f" ({len(bad)} malformed rows in all)" if len(bad) > 1 else ""
    hint = ""
    if not n_long:
        hint = "; parse with fill_short_rows=True to fill missing fields with NA"
    elif n_long < len(bad):
        hint = ("; fill_short_rows fills the short rows with NA, but rows with too many fields must be fixed in "
                "the file (or parsed with another separator or quote)")
    where = f"line {line}" if line else "a row"
    text = row.text if len(row.text) <= 80 else row.text[:77] + "..."
    raise ParseError(f"{label}: {where} has {what} fields: {row.actual_columns} instead of {row.expected_columns}"
                     f"{more}: {text!r}{hint}", line=line, path=label)


def _physical_line(data, encoding, number):
    """pyarrow counts non-empty rows; turn that into the file's line number."""
    text = bytes(data).decode(encoding) if isinstance(data, (bytes, bytearray)) else data.text(encoding)
    seen = 0
    for i, ln in enumerate(text.splitlines(), start=1):
        if ln.strip():
            seen += 1
            if seen == number:
                return i
    return number


# ------------------------------------------------------------------------------------------------ Parquet
def _parquet_table(setup, src, cols):
    table = read_parquet(src)
    if table.num_columns != len(cols):
        raise ParseError(f"{src.label} has {table.num_columns} columns, expected {len(cols)} like the first file",
                         path=src.path)
    keep = [i for i, _, _, k in cols if k]
    return table.select(keep).rename_columns([cols[i][1] for i in keep])


# ------------------------------------------------------------------------------------------------ to Frame
def _concat(tables, sources):
    if len(tables) == 1:
        return tables[0]
    base = tables[0]
    for t, s in zip(tables[1:], sources[1:]):
        if t.column_names != base.column_names:
            raise ParseError(f"{s.label} has columns {t.column_names}, unlike {sources[0].label} "
                             f"({base.column_names}); files parsed together need the same shape", path=s.path)
    fixed = []
    for t in tables:
        arrays = []
        for name in base.column_names:
            kinds = {str(x.schema.field(name).type) for x in tables}
            col = t.column(name)
            if len(kinds) > 1:  # one file read a column as text: read it as text everywhere
                col = col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
                col = col.cast(pa.string())
            arrays.append(col)
        fixed.append(pa.table(arrays, names=base.column_names))
    return pa.concat_tables(fixed)


def table_to_frame(table, setup, name=None):
    """Frame from an arrow table whose columns follow setup's (kept) columns and types; text that is not valid
    for a numeric/time column becomes NA and is counted (frame.invalid_counts). Columns convert in parallel
    (numpy and arrow release the GIL)."""
    types = {n: t for _, n, t, k in setup.resolved_columns() if k}
    jobs = [(n, table.column(n), types[n]) for n in table.column_names]
    if table.num_rows >= PARALLEL_ROWS and len(jobs) > 1:
        with ThreadPoolExecutor(min(len(jobs), os.cpu_count() or 1, 8)) as pool:
            done = list(pool.map(lambda job: _convert_named(*job), jobs))
    else:
        done = [_convert_named(*job) for job in jobs]
    cols, ts, doms, invalid = {}, {}, {}, {}
    for n, (values, t, domain, n_bad) in zip(table.column_names, done):
        cols[n], ts[n], invalid[n] = values, t, n_bad
        if domain is not None:
            doms[n] = domain
    return Frame(cols, ts, doms, name=name, invalid=invalid)


def _convert_named(name, arr, t):
    try:
        return convert_column(arr, t)
    except (pa.ArrowException, TypeError, ValueError) as e:
        raise ParseError(f"column '{name}' ({arr.type}) cannot be read as {t}: {e}", column=name) from None


def convert_column(arr, t):
    """(stored array, final type, domain or None, values that became NA) of one arrow column read as type t."""
    n_bad, domain = 0, None
    if pa.types.is_dictionary(arr.type) and t != "enum":
        arr = arr.cast(arr.type.value_type)
    if t in ("int", "real"):
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            v, n_bad = strings_to_numeric(arr.cast(pa.string()))
        elif pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
            v = time_to_ms(arr)
        elif pa.types.is_integer(arr.type) and arr.null_count == 0:
            v = arr.to_numpy()
        else:  # nulls become NaN
            v = (arr if arr.type == pa.float64() else arr.cast(pa.float64())).to_numpy()
        values, t = (np.asarray(v, dtype=np.float64), "real") if t == "real" else finish_numeric(v)
    elif t == "enum":
        if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
            codes, domain = enum_from_numeric(arr.cast(pa.float64()).to_numpy())
        elif pa.types.is_boolean(arr.type):
            codes, domain = enum_from_values([None if v is None else str(v) for v in arr.to_pylist()])
        else:
            codes, domain = enum_from_arrow(arr if pa.types.is_dictionary(arr.type) else arr.cast(pa.string()))
        values = codes.astype(np.int32, copy=False)
    elif t == "time":
        if pa.types.is_string(arr.type):
            values, n_bad = strings_to_time(arr)
        elif pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
            values = time_to_ms(arr)
        else:
            values = arr.cast(pa.float64()).to_numpy()
    else:  # string, uuid
        if not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        values = arr.to_numpy(zero_copy_only=False).astype(object, copy=False)
    return values, t, domain, n_bad
