"""parse_setup: guess how to parse a file from a sample (separator, header, encoding, names, types) and show a
preview; every guess is an editable field of ParseSetup, which parse() then follows."""
import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import ParseError
from .columns import guess_type, looks_like_text, looks_numeric, normalize_type
from .names import clean_column_names, default_column_names, renamed_columns, renamed_warning
from .limits import DEFAULT_LIMITS, ReadLimits
from .source import SAMPLE_BYTES, expand_paths, parquet_schema_and_sample
from .table_formats import TABLE_FILE_TYPES, table_setup

DEFAULT_NA_STRINGS = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]
SEPARATORS = [",", "\t", ";", "|", " ", ":"]
SEPARATOR_NAMES = {"comma": ",", "tab": "\t", "\\t": "\t", "semicolon": ";", "pipe": "|", "space": " "}
PREVIEW_ROWS = 10  # Flow shows the first rows of the preview
GUESS_LINES = 1000
SNIFF_LINES = 200
MAX_SAMPLE_BYTES = 64 << 20  # the longest first row parse_setup reads to guess the columns
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

FILE_TYPES = ("csv", "parquet", *TABLE_FILE_TYPES)
_OVERRIDES = {"separator", "header", "quote", "na_strings", "encoding", "column_names", "column_types",
              "skip_columns", "fill_short_rows", "file_type"}


@dataclass
class ParseSetup:
    """What parse() will do; edit any field (e.g. ``setup.column_types["AGE"] = "enum"``) before parsing."""
    paths: list
    separator: str = ","
    header: bool = True
    quote: str | None = '"'
    na_strings: list = field(default_factory=lambda: list(DEFAULT_NA_STRINGS))
    encoding: str = "utf-8"
    column_names: list = field(default_factory=list)
    column_types: dict = field(default_factory=dict)
    skip_columns: list = field(default_factory=list)
    fill_short_rows: bool = False
    preview: pd.DataFrame | None = None
    file_type: str = "csv"  # "csv" | "parquet" | "arff" | "xls" | "xlsx" | "svmlight"
    warnings: list = field(default_factory=list)
    newlines_in_values: bool = False
    _guessed_names: list = field(default_factory=list, repr=False)
    _encoding_guessed: bool = field(default=False, repr=False)
    _sniffed: tuple = field(default=(), repr=False)  # (separator, header, quote, encoding, na) names were read with
    limits: ReadLimits = field(default=DEFAULT_LIMITS, repr=False)  # set by the caller, never by file options

    @property
    def sources(self):
        return expand_paths(self.paths, self.limits)

    def resolved_columns(self):
        """[(position, name, type, keep)] after the user's edits: names by position, types by (new or old) name
        or position, skip_columns by name or position."""
        names = list(self.column_names)
        old = self._guessed_names or names
        if len(names) != len(old):
            raise ParseError(f"column_names has {len(names)} names but the file has {len(old)} columns")
        if len(set(names)) != len(names) or any(not str(n).strip() for n in names):
            fixed = clean_column_names(names)
            raise ParseError(f"column names must be unique and non-empty: {', '.join(renamed_columns(names, fixed))}")
        skip = set()
        for s in self.skip_columns:
            if isinstance(s, (int, np.integer)):
                if not 0 <= s < len(names):
                    raise ParseError(f"skip_columns index {s} is out of range for {len(names)} columns")
                skip.add(int(s))
            elif s in names:
                skip.add(names.index(s))
            elif s in old:
                skip.add(old.index(s))
            else:
                raise ParseError(f"skip_columns names unknown column '{s}'", column=s)
        known = set(names) | set(old) | set(range(len(names)))
        for k in self.column_types:
            if k not in known:
                raise ParseError(f"column_types names unknown column '{k}'", column=k)
        out = []
        for i, (n, o) in enumerate(zip(names, old)):
            t = self.column_types.get(n, self.column_types.get(o, self.column_types.get(i, "real")))
            try:
                t = normalize_type(t, n)
            except ValueError as e:
                raise ParseError(str(e), column=n) from None
            out.append((i, n, t, i not in skip))
        if not any(keep for *_, keep in out):
            raise ParseError("every column is skipped; nothing to parse")
        return out

    def _sniff_key(self):
        return self.separator, self.header, self.quote, self.encoding, tuple(self.na_strings)

    @property
    def stale(self):
        """True when separator, header, quote, encoding or NA strings were edited after the columns were read."""
        return self.file_type == "csv" and bool(self._sniffed) and self._sniff_key() != self._sniffed

    def refresh(self):
        """A new setup and preview for the current settings (Flow re-asks the server after each edit). Column
        names, types and skips are kept while separator, header and quote are unchanged; otherwise the columns
        are read anew."""
        same_columns = not self._sniffed or self._sniff_key()[:3] == self._sniffed[:3]
        keep = dict(column_names=list(self.column_names), column_types=dict(self.column_types),
                    skip_columns=list(self.skip_columns)) if same_columns else {}
        if self.file_type != "csv":
            return parse_setup(self.paths, file_type=self.file_type, column_names=list(self.column_names),
                               column_types=dict(self.column_types), skip_columns=list(self.skip_columns),
                               limits=self.limits)
        return parse_setup(self.paths, separator=self.separator, header=self.header, quote=self.quote,
                           na_strings=list(self.na_strings), encoding=self.encoding,
                           fill_short_rows=self.fill_short_rows, limits=self.limits, **keep)


def parse_setup(path_or_paths, *, limits=None, **overrides):
    """Guess the parse settings of one or more files of the same shape; ``overrides`` fix any of them.
    ``limits`` (a ReadLimits) bound what parsing may decompress and hold (default: DEFAULT_LIMITS)."""
    limits = DEFAULT_LIMITS if limits is None else limits
    if not isinstance(limits, ReadLimits):
        raise TypeError(f"limits must be a ReadLimits, got {type(limits).__name__}")
    unknown = set(overrides) - _OVERRIDES - {"sep"}
    if unknown:
        raise TypeError(f"parse_setup got unknown options {sorted(unknown)}; known: {sorted(_OVERRIDES)}")
    if "sep" in overrides:
        overrides["separator"] = overrides.pop("sep")
    paths = [path_or_paths] if isinstance(path_or_paths, str) or not hasattr(path_or_paths, "__iter__") \
        else list(path_or_paths)
    sources = expand_paths(paths, limits)
    first = sources[0]
    file_type = overrides.get("file_type") or first.file_type
    if file_type not in FILE_TYPES:
        raise ParseError(f"unknown file_type {file_type!r}; use one of {', '.join(FILE_TYPES)}")
    if file_type == "parquet" or first.file_type == "parquet":
        setup = _parquet_setup(paths, sources, overrides)
    elif file_type in TABLE_FILE_TYPES:
        setup = table_setup(ParseSetup, paths, first, file_type, overrides)
    else:
        setup = _csv_setup(paths, first, overrides)
    setup.limits = limits
    return setup


# ------------------------------------------------------------------------------------------------ CSV
def _sample(source):
    """(first bytes, cut?) holding at least two whole lines: a sample grows (to MAX_SAMPLE_BYTES) while its first
    row is longer than it, so a long first row is read, not mistaken for "no data rows"."""
    size = SAMPLE_BYTES
    raw = source.sample(size)
    while len(raw) >= size and raw.count(b"\n") < 2 and size < MAX_SAMPLE_BYTES:
        size = min(size * 4, MAX_SAMPLE_BYTES)
        raw = source.sample(size)
    truncated = len(raw) >= size
    if truncated and raw.count(b"\n") < 2:
        raise ParseError(f"the first rows of {source.label} are longer than {MAX_SAMPLE_BYTES >> 20} MB each; "
                         f"such rows cannot be parsed", path=source.path)
    return raw, truncated


def _csv_setup(paths, source, ov):
    raw, truncated = _sample(source)
    if not raw.strip():
        raise ParseError(f"file {source.label} is empty" if not raw else f"file {source.label} holds only "
                         f"blank lines", path=source.path)
    encoding, guessed = _encoding(raw, ov.get("encoding"), source.label, truncated)
    text = _decode(raw, encoding, truncated)
    _reject_binary(text, source.label)
    lines = text.splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # last line of a cut sample is partial
    lines = [ln for ln in lines if ln.strip()]
    head = lines[:GUESS_LINES]
    quote = ov.get("quote", '"')
    if quote is not None and (not isinstance(quote, str) or len(quote) != 1):
        raise ParseError(f"quote must be one character or None, got {quote!r}")
    sep = _separator(ov.get("separator"), head, quote, source.label)
    rows = split_fields(head[:SNIFF_LINES], sep, quote)
    warnings = []
    width = _width(rows)
    header = _header(rows, ov.get("header"), ov.get("na_strings", DEFAULT_NA_STRINGS))
    na = list(ov.get("na_strings", DEFAULT_NA_STRINGS))
    data = rows[1:] if header else rows
    if header and not data:
        raise ParseError(f"file {source.label} has a header line but no data rows", path=source.path)
    if header:
        raw_names = list(rows[0]) + [""] * (width - len(rows[0]))
        names = clean_column_names(raw_names[:max(width, len(rows[0]))])
        if names != [str(n).strip() for n in raw_names[:len(names)]]:
            warnings.append(renamed_warning(raw_names, names))
    else:
        names = default_column_names(width)
    guessed_names = list(names)
    if ov.get("column_names") is not None:
        user = [str(n) for n in ov["column_names"]]
        if len(user) != len(names):
            raise ParseError(f"column_names has {len(user)} names but {source.label} has {len(names)} columns")
        names = user
    sample = _read_sample(lines[:GUESS_LINES], guessed_names, header, sep, quote, na)
    spanning = any("\n" in v or "\r" in v for r in data for v in r) or \
        bool(quote and any(ln.count(quote) % 2 for ln in head))
    guess = sample if spanning else _read_sample(
        lines[:GUESS_LINES] + _spread_lines(source, lines[GUESS_LINES:], encoding, truncated),
        guessed_names, header, sep, quote, na)
    types = {n: guess_type(guess.column(n)) for n in guessed_names}
    given = ov.get("column_types") or {}
    if isinstance(given, (list, tuple)):
        given = dict(enumerate(given))
    types = {names[i]: types[g] for i, g in enumerate(guessed_names)}
    for k, t in given.items():
        key = names[k] if isinstance(k, (int, np.integer)) and 0 <= k < len(names) else k
        key = names[guessed_names.index(key)] if key in guessed_names and key not in names else key
        types[key] = t
    setup = ParseSetup(paths=paths, separator=sep, header=header, quote=quote, na_strings=na, encoding=encoding,
                       column_names=names, column_types=types, skip_columns=list(ov.get("skip_columns") or []),
                       fill_short_rows=bool(ov.get("fill_short_rows", False)), file_type="csv", warnings=warnings,
                       newlines_in_values=any("\n" in v or "\r" in v for r in data for v in r),
                       _guessed_names=guessed_names, _encoding_guessed=guessed)
    setup._sniffed = setup._sniff_key()
    setup.resolved_columns()  # validate the edits now, not at parse time
    if not setup.newlines_in_values and quote and any(ln.count(quote) % 2 for ln in head):
        setup.newlines_in_values = True  # a quoted field spans lines
    # H2O's preview: the first rows' fields as the parser splits them (text; None = NA), whatever the types
    head = sample.slice(0, PREVIEW_ROWS)
    setup.preview = pd.DataFrame({n: pd.Series(head.column(i).to_pylist(), dtype=object)
                                  for i, n in enumerate(names)}, columns=names)
    return setup


def _spread_lines(source, rest, encoding, truncated):
    """Lines spread over the file beyond the first GUESS_LINES (H2O samples the whole file): evenly picked from
    the rest of the first sample, plus whole lines of chunks read further on. Rows of the wrong width are
    dropped by the sample reader."""
    step = max(-(-len(rest) // GUESS_LINES), 1)
    picked = rest[::step][:GUESS_LINES]
    if truncated and not encoding.startswith("utf-16"):
        for chunk in source.spread():
            whole = chunk.split(b"\n")[1:-1]  # the first and last lines of a chunk are cut
            every = max(-(-len(whole) // (GUESS_LINES // 8)), 1)
            picked += [ln.decode(encoding, errors="replace").rstrip("\r") for ln in whole[::every]]
    return [ln for ln in picked if ln.strip()]


def _encoding(raw, given, label, truncated):
    """(encoding, guessed?) - utf-8 when the sample decodes as utf-8, else latin-1 (decodes any byte)."""
    if given:
        try:
            name = codecs.lookup(given).name
        except LookupError:
            raise ParseError(f"unknown encoding {given!r} (try 'utf-8' or 'latin-1')") from None
        try:
            _decode(raw, name, truncated)
        except UnicodeDecodeError as e:
            line = raw[:e.start].count(b"\n") + 1
            raise ParseError(f"{label} is not valid {given} text: byte {raw[e.start]:#04x} at line {line} cannot be "
                             f"decoded; set encoding='latin-1' (or the file's real encoding)", line=line,
                             path=label) from None
        return given, False
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", True
    try:
        _decode(raw, "utf-8", truncated)
        return "utf-8", True
    except UnicodeDecodeError:
        return "latin-1", True


def _decode(raw, encoding, truncated):
    if truncated:  # do not fail on a multi-byte character cut at the end of the sample
        cut = raw.rfind(b"\n")
        raw = raw[:cut + 1] if cut > 0 else raw
    text = raw.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _reject_binary(text, label):
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    if "\x00" in sample or bad > 0.01 * max(len(sample), 1):
        raise ParseError(f"{label} looks like a binary file, not delimited text or Parquet "
                         f"({bad} control bytes in the first {len(sample)} characters)", path=label)


def _read_sample(lines, names, header, sep, quote, na):
    """The sample lines read as text (NA strings -> null) by the same pyarrow reader parse() uses."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    options = dict(  # one block for the whole sample: its first row may be longer than pyarrow's default block
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if header else 0,
                                       block_size=max(1 << 20, len(data) + 1)),
        parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=quote or False, newlines_in_values=True,
                                         invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=list(na),
                                             strings_can_be_null=True, quoted_strings_can_be_null=True))
    try:
        return pacsv.read_csv(pa.BufferReader(data), **options)
    except pa.ArrowInvalid as e:
        raise ParseError(f"cannot read the first lines as delimited text with separator {sep!r}: {e}") from None


def split_fields(lines, sep, quote):
    """Rows of fields for the sample lines (the csv module respects quotes)."""
    text = "\n".join(lines)
    kw = dict(delimiter=sep, quotechar=quote or '"', quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
              skipinitialspace=False, strict=False)
    try:
        return [r for r in csv.reader(io.StringIO(text), **kw) if r]
    except csv.Error:
        return [ln.split(sep) for ln in lines]


def _separator(given, lines, quote, label):
    if given is not None:
        if isinstance(given, int) and not isinstance(given, bool) and 0 < given < 128:
            given = chr(given)  # Flow/H2O send the separator as its ASCII code (44 = ',')
        sep = SEPARATOR_NAMES.get(given.lower(), given) if isinstance(given, str) else given
        if not isinstance(sep, str) or len(sep) != 1:
            raise ParseError(f"separator must be a single character, got {given!r}")
        if not any(sep in ln for ln in lines):
            raise ParseError(f"separator {sep!r} does not occur in the first {len(lines)} lines of {label}; "
                             f"leave separator unset to guess it", path=label)
        return sep
    best, best_score = ",", None
    for rank, sep in enumerate(SEPARATORS):
        if not any(sep in ln for ln in lines):
            continue
        counts = Counter(len(r) for r in split_fields(lines[:200], sep, quote))
        width, hits = counts.most_common(1)[0]
        if width < 2:
            continue
        score = (hits / sum(counts.values()), width > 1, -rank)
        if best_score is None or score > best_score:
            best, best_score = sep, score
    return best


def _width(rows):
    counts = Counter(len(r) for r in rows[1:] or rows)
    return counts.most_common(1)[0][0]


def _header(rows, given, na):
    """H2O-like: the first row is a header when none of its fields is a number and it differs from the data."""
    if isinstance(given, bool):
        return given
    if given in (1, -1):  # H2O's check_header: 1 = header, -1 = data, 0 = guess
        return given == 1
    first = [v.strip() for v in rows[0]]
    if any(looks_numeric(v) for v in first if v):
        return False
    data = rows[1:]
    if not data:
        return True
    for i, v in enumerate(first):
        col = [r[i].strip() for r in data if i < len(r) and r[i].strip() not in na]
        if col and all(looks_numeric(x) for x in col):
            return True  # text above numbers
    return all(first[i] not in {r[i].strip() for r in data if i < len(r)} for i in range(len(first)))


# ------------------------------------------------------------------------------------------------ Parquet
def _parquet_setup(paths, sources, ov):
    schema, sample = parquet_schema_and_sample(sources[0])
    raw_names = list(schema.names)
    names = clean_column_names(raw_names)
    warnings = [renamed_warning(raw_names, names)] if names != raw_names else []
    types = {}
    for n, f in zip(names, schema):
        t = f.type
        if pa.types.is_dictionary(t) or pa.types.is_boolean(t):
            types[n] = "enum"
        elif pa.types.is_integer(t):
            types[n] = "int"
        elif pa.types.is_floating(t) or pa.types.is_decimal(t):
            types[n] = "real"
        elif pa.types.is_timestamp(t) or pa.types.is_date(t):
            types[n] = "time"
        else:
            col = sample.column(f.name).drop_null().to_pylist() if sample.num_rows else []
            col = [str(v) for v in col]
            types[n] = "string" if looks_like_text(len(set(col)), len(col)) else "enum"
    for k, t in (ov.get("column_types") or {}).items():
        types[k] = t
    setup = ParseSetup(paths=paths, separator=",", header=True, quote=None, column_names=names, column_types=types,
                       skip_columns=list(ov.get("skip_columns") or []), file_type="parquet", warnings=warnings,
                       _guessed_names=list(names), encoding="utf-8")
    setup.resolved_columns()
    setup.preview = sample.slice(0, PREVIEW_ROWS).rename_columns(names).to_pandas()  # stored values, all columns
    return setup
