"""Read-only views of column arrays.

numba compiles a kernel once per argument type, and a read-only array is a different type from a writable one:
handing every column to a kernel read-only (the frame never writes its columns) keeps it at one compile on a
fresh install instead of two.
"""
import numpy as np


def readonly(a: np.ndarray) -> np.ndarray:
    """``a`` itself when it is read-only, else a read-only view of it (the caller's array stays writable)."""
    if not a.flags.writeable:
        return a
    v = a.view()
    v.flags.writeable = False
    return v
