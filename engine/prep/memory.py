"""Large arrays that are about to be written whole get their pages from the kernel in big steps, not one fault
per page."""
import ctypes
import ctypes.util
import mmap

import numpy as np

PREFAULT_BYTES = 8 << 20
_MADV_POPULATE_WRITE = 23  # Linux >= 5.14
_PAGE = mmap.PAGESIZE
_LIBC = []


def filled_soon(shape, dtype):
    """An uninitialised array like ``np.empty``; from ``PREFAULT_BYTES`` on (Linux) an anonymous mapping whose
    pages the writers map up front with ``prefault`` (each writer its own rows, so the mapping runs in parallel).

    Writing a fresh ``np.empty`` takes a page fault per page; mapping a range in one call is cheaper. Measured on
    the development VM for MNIST's 60,000 x 717 float32 design: 0.05 s to map + 0.07 s to fill, against 0.55 s to
    fill a fresh ``np.empty``; on a later 2-core VM one MAP_POPULATE call took 56-66 ms of CPU time on the thread
    that allocates while the fill threads waited (benchmarks/train_speed.py's end-to-end time includes it).
    Not ``np.empty``, although NumPy asks for transparent huge pages and a fill loop of the same size in one
    process measured 52 ms against 84: interleaved with other work (the benchmark's contenders in turns), the huge
    pages measured 60-246 ms per MNIST transform against a steady 70-78 ms here (new 2 MiB pages on a VM are
    often ones the host has not backed yet).
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if getattr(mmap, "MAP_POPULATE", None) is None or nbytes < PREFAULT_BYTES:
        return np.empty(shape, dtype)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def _madvise():
    if not _LIBC:
        try:
            fn = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).madvise
            fn.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
            fn.restype = ctypes.c_int
        except (OSError, AttributeError):
            fn = None
        _LIBC.append(fn)
    return _LIBC[0]


def prefault(a):
    """Map the pages of the contiguous array ``a`` for writing in one call (the GIL is released meanwhile).

    Only the whole pages inside ``a`` (a neighbour's rows share the edge pages, and fault them themselves); a no-op
    for small arrays, where the call is unavailable (not Linux, kernel before 5.14), or on any failure: the
    writes then fault the pages one by one, the same result."""
    if a.nbytes < PREFAULT_BYTES or not a.flags.c_contiguous:
        return
    madvise = _madvise()
    if madvise is None:
        return
    start = a.ctypes.data
    lo = -(-start // _PAGE) * _PAGE
    hi = (start + a.nbytes) // _PAGE * _PAGE
    if hi > lo:
        madvise(lo, hi - lo, _MADV_POPULATE_WRITE)
