"""Numeric settings shared by every kernel, kept in one place so tests can check them."""
import os

# fastmath flags that keep NaN/Inf semantics (so divergence and missing values stay detectable).
FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

# Every compiled kernel uses these options: cached across processes, releases the GIL.
# error_model="numpy": float division by zero gives inf/nan (checked by callers) instead of a per-element
# ZeroDivisionError branch, which would stop LLVM from vectorizing the update loops.
JIT = dict(cache=True, nogil=True, fastmath=set(FASTMATH), error_model="numpy")  # numba wants a set

# Per-row helpers called once per weight row (thousands of times per training row) are inlined into their callers
# at numba's IR level: an out-of-line call passes every array as a struct of fields on the stack and re-checks
# aliasing, which measured 30-60% on top of a 200-wide ADADELTA row (0.36 ns/weight inlined, 0.60 through a call).
JIT_INLINE = dict(JIT, inline="always")

# Weights, activations and the design matrix are float32 by default (H2O stores float weights too).
FLOAT = "float32"

# A thread-safe numba threading layer; "workqueue" aborts when two threads run a parallel kernel at once.
os.environ.setdefault("NUMBA_THREADING_LAYER", "omp")

# OpenBLAS's idle worker threads spin 2**28 cycles (about 0.1 s) after each call before they sleep; after a
# training chunk, the kernels' BLAS threads (scipy's) then take the cores from the scoring that follows. 2**20
# cycles (about 0.4 ms) still outlasts the gaps between a batch's products. Measured on MNIST batch 256 on 2
# cores: scoring's predictions 36-45 ms -> 24 ms, one epoch end to end 86k -> 91k samples/s, the training kernels
# unchanged (142-144k). Read when a BLAS library loads: scipy's loads on the first compiled kernel, after this.
# A value the user set is kept.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "20")

# Compiled kernels go to a per-user cache keyed by the package version and the kernel sources (``jit_cache.py``);
# a compile in progress is announced (``compile_notice.py``). Both before any kernel module is imported.
from . import compile_notice, jit_cache  # noqa: E402  (after the threading layer: this imports numba)

jit_cache.install()
compile_notice.install()
