"""Read limits: how many decompressed bytes a file may yield and how much memory one parsed frame may take.

A 200 KB gzip can expand to gigabytes (a "zip bomb"); a shared server must stop such a read while it streams,
not after it has filled the memory. Both limits are counted as the data arrives and raise a ParseError naming the
file and the limit. The defaults suit one person's machine; a server passes its own (``deepbrook serve
--max-decompressed-mb/--max-frame-mb``).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass

from ..errors import ParseError

GB = 1 << 30
MB = 1 << 20


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a modest machine
        return 8 * GB


@dataclass(frozen=True)
class ReadLimits:
    """``max_decompressed_bytes``: bytes one input file (or archive member) may yield once decompressed;
    ``max_frame_bytes``: memory one parsed frame may take (as read, before compaction). None = no limit."""
    max_decompressed_bytes: int | None = 16 * GB
    max_frame_bytes: int | None = None

    def __post_init__(self):
        for name in ("max_decompressed_bytes", "max_frame_bytes"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0):
                raise ValueError(f"{name} must be a positive number of bytes or None, got {v!r}")
        if self.max_frame_bytes is None:  # half the machine's memory
            object.__setattr__(self, "max_frame_bytes", _physical_memory() // 2)

    @classmethod
    def from_mb(cls, max_decompressed_mb=None, max_frame_mb=None):
        """Limits given in MB (the server's options); None keeps the default."""
        d = cls()
        return cls(d.max_decompressed_bytes if max_decompressed_mb is None else int(max_decompressed_mb * MB),
                   d.max_frame_bytes if max_frame_mb is None else int(max_frame_mb * MB))

    def check_decompressed(self, nbytes, label):
        limit = self.max_decompressed_bytes
        if limit is not None and nbytes > limit:
            raise ParseError(f"{label} expands to more than {_size(limit)} once decompressed, the limit of this "
                             f"server (max_decompressed_bytes); refusing to read further", path=label)

    def check_frame(self, nbytes, label):
        limit = self.max_frame_bytes
        if limit is not None and nbytes > limit:
            raise ParseError(f"{label} needs more than {_size(limit)} of memory as a frame, the limit of this "
                             f"server (max_frame_bytes); parse fewer columns (skip_columns) or a smaller file",
                             path=label)


DEFAULT_LIMITS = ReadLimits()


def _size(n):
    return f"{n / GB:.3g} GB" if n >= GB else f"{n / MB:.3g} MB" if n >= MB else f"{n} bytes"


class CountingReader(io.RawIOBase):
    """A read-only stream that counts the bytes it passes on and stops with a ParseError past the limit."""

    def __init__(self, raw, limits: ReadLimits, label: str):
        super().__init__()
        self._raw, self._limits, self._label, self.count = raw, limits, label, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._raw.read(len(buffer))
        n = len(data)
        self.count += n
        self._limits.check_decompressed(self.count, self._label)
        buffer[:n] = data
        return n

    def read(self, size=-1):
        if size is None or size < 0:
            return self.readall()
        data = bytes(self._raw.read(size))
        self.count += len(data)
        self._limits.check_decompressed(self.count, self._label)
        return data

    def readall(self):
        chunks = []
        while True:
            chunk = self.read(MB)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def close(self):
        try:
            self._raw.close()
        finally:
            super().close()
