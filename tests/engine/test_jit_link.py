"""jit_link: a kernel's large callees are linked after the kernel's own code is optimized, and it still computes
what the Python code says."""
import numpy as np
from numba import njit
from numba.core import codegen

from deepbrook.engine import jit_cache, jit_link


def test_installed_for_the_pinned_numba_and_part_of_the_kernel_sources_hash():
    assert jit_link.supported()
    assert codegen.CPUCodeLibrary.finalize is jit_link._finalize
    assert jit_cache.ENGINE / "jit_link.py" in jit_cache._kernel_sources()


def _scale(x, s):
    for i in range(x.shape[0]):
        x[i] *= s


def _norm(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * x[i]
    return np.sqrt(total)


def _normalize(x):
    n = norm(x)
    if n > 0.0:
        scale(x, 1.0 / n)
    return n


def test_callees_linked_after_the_caller_is_optimized_give_the_same_results(monkeypatch):
    monkeypatch.setattr(jit_link, "SMALL_MODULE_CHARS", 0)  # every callee counts as large: all linked late
    global norm, scale
    norm, scale = njit(_norm), njit(_scale)                   # fresh dispatchers (no cache): compiled here
    normalize = njit(_normalize)
    x = np.arange(1.0, 6.0)
    expected = x / np.sqrt((x * x).sum())
    assert normalize(x) == np.sqrt(55.0)
    np.testing.assert_allclose(x, expected, rtol=1e-15)
    libraries = normalize.overloads[normalize.signatures[0]].library._linking_libraries
    assert libraries and all(getattr(lib, "_deepbrook_link_chars", None) for lib in libraries)
