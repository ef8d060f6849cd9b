"""Input files: find them, recognise compression and Parquet by their first bytes, read samples, open streams."""
import bz2
import glob
import gzip
import io
import os
import re
import zipfile
from dataclasses import dataclass, field

import pyarrow as pa

from ..errors import ParseError
from .limits import DEFAULT_LIMITS, CountingReader, ReadLimits

SAMPLE_BYTES = 1 << 20
SPREAD_CHUNKS = 16  # H2O guesses types from a sample spread over the file, not only its first lines
SPREAD_BYTES = 64 << 10
SPREAD_SCAN = 16 << 20  # compressed data is read (not seeked) at most this far for the spread sample
_OLE2 = b"\xd0\xcf\x11\xe0"  # Microsoft compound file: an .xls workbook
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
          (b"\x28\xb5\x2f\xfd", "zstd"))


@dataclass(frozen=True)
class Source:
    """One input: a file, or one member of a zip archive."""
    path: str
    compression: str | None = None  # None, "gzip", "bz2", "zstd", "zip"
    member: str | None = None
    file_type: str = "csv"  # "csv" | "parquet" | "arff" | "xls" | "xlsx" | "svmlight" (guessed from the content)
    limits: ReadLimits = field(default=DEFAULT_LIMITS, compare=False, repr=False)

    @property
    def label(self):
        return f"{self.path}!{self.member}" if self.member else self.path

    def open(self):
        """A binary stream of the (decompressed) content, for pyarrow's readers. Decompressed bytes are counted
        as they stream and the read stops at the limit (a small archive may expand without bound)."""
        if self.compression is None:
            self.limits.check_decompressed(os.path.getsize(self.path), self.label)
            return pa.input_stream(self.path)
        if self.compression == "zip":
            with zipfile.ZipFile(self.path) as z:
                self.limits.check_decompressed(z.getinfo(self.member).file_size, self.label)  # as declared
                raw = z.open(self.member)  # stays readable after the archive object closes
        else:
            raw = pa.input_stream(self.path, compression=self.compression)
        return pa.PythonFile(CountingReader(raw, self.limits, self.label), mode="r")

    def sample(self, nbytes=SAMPLE_BYTES):
        """The first nbytes of the decompressed content (fewer at end of file)."""
        try:
            if self.compression == "zip":
                with zipfile.ZipFile(self.path) as z, z.open(self.member) as f:
                    return f.read(nbytes)
            opener = {"gzip": gzip.open, "bz2": bz2.open, None: open}.get(self.compression)
            if opener is None:
                with self.open() as f:
                    return f.read(nbytes)
            with opener(self.path, "rb") as f:
                return f.read(nbytes)
        except (OSError, EOFError, zipfile.BadZipFile, pa.ArrowException) as e:
            raise ParseError(f"cannot read {self.label}: the {self.compression or 'file'} data is corrupt or "
                             f"truncated ({e})", path=self.path) from e

    def spread(self, chunks=SPREAD_CHUNKS, nbytes=SPREAD_BYTES):
        """Byte chunks taken evenly over the content after its first SAMPLE_BYTES (a seek for plain files; a
        bounded sequential read for compressed ones), so a column whose first rows are all NA is still seen."""
        try:
            if self.compression is None:
                size = os.path.getsize(self.path)
                if size <= SAMPLE_BYTES:
                    return []
                out = []
                with open(self.path, "rb") as f:
                    for at in _offsets(SAMPLE_BYTES, size, chunks, nbytes):
                        f.seek(at)
                        out.append(f.read(nbytes))
                return out
            if self.compression == "zip":
                with zipfile.ZipFile(self.path) as z, z.open(self.member) as f:
                    return _stream_spread(f, chunks, nbytes)
            opener = {"gzip": gzip.open, "bz2": bz2.open}.get(self.compression)
            with (opener(self.path, "rb") if opener else self.open()) as f:
                return _stream_spread(f, chunks, nbytes)
        except (OSError, EOFError, zipfile.BadZipFile, pa.ArrowException) as e:
            raise ParseError(f"cannot read {self.label}: the {self.compression or 'file'} data is corrupt or "
                             f"truncated ({e})", path=self.path) from e

    def text(self, encoding):
        """The whole decompressed content as text (slow path for repairs and error line numbers)."""
        with self.open() as f:
            data = f.read()
        return bytes(data).decode(encoding)


def _offsets(start, end, chunks, nbytes):
    """Evenly spaced chunk starts from start to end - nbytes, both included (fewer when the span is short)."""
    if end - start <= nbytes:
        return [start] if end > start else []
    span, k = end - nbytes - start, min(chunks, -(-(end - start) // nbytes))
    return sorted({start + span * i // max(k - 1, 1) for i in range(k)})


def _stream_spread(f, chunks, nbytes):
    """Chunks spread over a forward-only stream of unknown length (read at most SPREAD_SCAN): the head of each
    megabyte after the first sample and the tail of the last one, thinned evenly to ``chunks``."""
    f.read(SAMPLE_BYTES)
    heads, last, pos = [], b"", SAMPLE_BYTES
    while pos < SPREAD_SCAN:
        block = f.read(SAMPLE_BYTES)
        if not block:
            break
        pos += len(block)
        heads.append(block[:nbytes])
        last = block
    if len(last) > nbytes:
        heads.append(last[-nbytes:])
    if len(heads) <= chunks:
        return heads
    return [heads[round(i * (len(heads) - 1) / (chunks - 1))] for i in range(chunks)]


def expand_paths(path_or_paths, limits=DEFAULT_LIMITS):
    """Every input file named by a path, a glob pattern or a list of them; clear errors for missing ones."""
    items = [path_or_paths] if isinstance(path_or_paths, (str, os.PathLike)) else list(path_or_paths)
    if not items:
        raise ParseError("no input files given")
    out = []
    for p in items:
        p = os.path.expanduser(os.fspath(p))
        if any(ch in p for ch in "*?[") and not os.path.exists(p):
            hits = sorted(h for h in glob.glob(p) if os.path.isfile(h))
            if not hits:
                raise ParseError(f"no files match the pattern {p!r}", path=p)
            out.extend(hits)
            continue
        if not os.path.exists(p):
            raise ParseError(f"file not found: {p}", path=p)
        if os.path.isdir(p):
            raise ParseError(f"{p} is a directory, not a file; pass the files inside it (a list or a pattern "
                             f"like '{os.path.join(p, '*.csv')}')", path=p)
        if not os.access(p, os.R_OK):
            raise ParseError(f"file {p} is not readable (permission denied)", path=p)
        out.append(p)
    return [s for p in out for s in _sources(p, limits)]


def _sources(path, limits=DEFAULT_LIMITS):
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PAR1":
        return [Source(path, file_type="parquet", limits=limits)]
    if head == _OLE2:
        return [Source(path, file_type="xls", limits=limits)]
    comp = next((c for magic, c in _MAGIC if head.startswith(magic)), None)
    if comp != "zip":
        return [Source(path, compression=comp, file_type=_inner_type(path, comp, limits), limits=limits)]
    try:
        with zipfile.ZipFile(path) as z:
            members = [m.filename for m in z.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
    except zipfile.BadZipFile as e:
        raise ParseError(f"{path} is not a readable zip archive ({e})", path=path) from e
    if not members:
        raise ParseError(f"zip archive {path} holds no files", path=path)
    for m in members:
        _check_member_name(path, m)
    if "[Content_Types].xml" in members:
        if any(m.startswith("xl/") for m in members):
            return [Source(path, file_type="xlsx", limits=limits)]
        raise ParseError(f"{path} is an Office document that is not an Excel workbook, which cannot be parsed; "
                         f"save it as CSV", path=path)
    return [Source(path, "zip", m, _text_type(Source(path, "zip", m, limits=limits)), limits) for m in members]


def _check_member_name(path, member):
    """Refuse archive members named like paths out of the archive ('..', absolute, drive letters): a crafted zip
    must not name files elsewhere, whoever later extracts it."""
    parts = member.replace("\\", "/").split("/")
    if member.startswith(("/", "\\")) or ".." in parts or (len(member) > 1 and member[1] == ":") or "\x00" in member:
        raise ParseError(f"zip archive {path} holds a member with an unsafe name {member!r} (absolute or with "
                         f"'..'); refusing to read the archive", path=path)


def _inner_type(path, comp, limits=DEFAULT_LIMITS):
    return _text_type(Source(path, comp, limits=limits))


_SVMLIGHT = re.compile(rb"^[-+]?[\d.eE+-]+(\s+(qid:\S+|\d+:\S+))+\s*(#.*)?$")


def _text_type(src):
    """parquet, xls, arff (a header of % comments then @relation), svmlight (`target index:value` lines) or csv."""
    head = src.sample(4)
    if head == b"PAR1":
        return "parquet"
    if head == _OLE2:
        return "xls"
    sample = src.sample(1 << 14)
    lines = sample.splitlines()[:-1] if len(sample) >= 1 << 14 else sample.splitlines()  # last may be cut
    lines = [ln.strip() for ln in lines]
    lines = [ln for ln in lines if ln and not ln.startswith(b"%")]
    if lines and lines[0][:9].lower() == b"@relation":
        return "arff"
    if lines and all(_SVMLIGHT.match(ln) for ln in lines[:20]):
        return "svmlight"
    return "csv"


def read_parquet(source, columns=None):
    """pyarrow Table from a Parquet source; corrupt files raise ParseError."""
    import pyarrow.parquet as pq
    try:
        if source.compression is None:
            meta = pq.ParquetFile(source.path).metadata  # uncompressed sizes, before reading any data
            source.limits.check_frame(sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)),
                                      source.label)
            return pq.read_table(source.path, columns=columns)
        return pq.read_table(pa.BufferReader(source.open().read()), columns=columns)
    except (pa.ArrowException, OSError) as e:
        raise ParseError(f"cannot read Parquet file {source.label}: it is corrupt or not Parquet ({e})",
                         path=source.path) from e


def parquet_schema_and_sample(source, nrows=1000):
    """(schema, sample table of up to nrows rows) of a Parquet source."""
    import pyarrow.parquet as pq
    try:
        f = pq.ParquetFile(source.path if source.compression is None else io.BytesIO(source.open().read()))
        batches = f.iter_batches(batch_size=nrows)
        first = next(batches, None)
        sample = pa.Table.from_batches([first]) if first is not None else f.schema_arrow.empty_table()
        return f.schema_arrow, sample
    except (pa.ArrowException, OSError) as e:
        raise ParseError(f"cannot read Parquet file {source.label}: it is corrupt or not Parquet ({e})",
                         path=source.path) from e
