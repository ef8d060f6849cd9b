"""How numba links a compiled kernel with the kernels it calls: the caller's own code is optimized, then its large
callees are linked in as they are.

numba links the whole compiled module of every kernel a kernel calls into the caller's LLVM module and runs the
full optimization pipeline over the lot, so a callee is optimized again in every kernel above it. Over a default
model's 38 kernels the optimized modules held 2.3x the kernels' own code, and LLVM took about 12 s of a 21 s cold
start. Here a small callee is still linked before the optimization (LLVM may inline it, so a call in a hot loop
stays as fast), a large one (forward_row, backward_row and the like), already optimized in its own module, after
it. Measured on a default model: about 10% less compile time (2 of 21 s CPU), the same predictions bit for bit,
the same training and scoring speed (benchmarks/cold_start.py; the kernels timed before and after).

This replaces numba's ``CPUCodeLibrary.finalize`` (for every numba kernel of the process; the code it produces is
as correct), written against numba 0.68 (pinned in pyproject.toml); another version is left alone.
"""
from __future__ import annotations

import numba
from numba.core import codegen
from numba.core.compiler_lock import require_global_compiler_lock

SMALL_MODULE_CHARS = 100_000  # a callee's module printed shorter than this is linked before the optimization


def _linked_late(library) -> bool:
    """Whether ``library`` (a callee) is large enough to link after the caller's optimization (size cached)."""
    size = getattr(library, "_deepbrook_link_chars", None)
    if size is None:
        size = len(str(library._get_module_for_linking()))
        library._deepbrook_link_chars = size
    return size >= SMALL_MODULE_CHARS


def _finalize(self):
    """numba 0.68's ``CPUCodeLibrary.finalize`` with the large callees linked after ``_optimize_final_module``."""
    require_global_compiler_lock()
    self._codegen._check_llvm_bugs()
    self._raise_if_finalized()
    seen, late = set(), []
    for library in self._linking_libraries:
        if library not in seen:
            self._reload_init.update(library._reload_init)
            seen.add(library)
            if _linked_late(library):
                late.append(library)
            else:
                self._final_module.link_in(library._get_module_for_linking(), preserve=True)
    self._optimize_final_module()
    for library in late:
        self._final_module.link_in(library._get_module_for_linking(), preserve=True)
    self._final_module.verify()
    self._finalize_final_module()


def supported() -> bool:
    return numba.__version__.split(".")[:2] == ["0", "68"]


def install():
    """Use ``_finalize`` where numba is the version it was written against (before any kernel compiles)."""
    if supported():
        codegen.CPUCodeLibrary.finalize = _finalize
