"""Call a training kernel with its update rule and model spec as compile-time constants.

The optimizer (``hyper.RULE_*``) decides which weight-update loops a kernel needs; the spec (``hyper.spec_of``: the
loss, autoencoder, and whether max_w2 or sparsity are on) which output gradient and which optional steps.
Passed as literals they let the overloads in ``updates.py`` and ``backward.py`` compile only the code they name, so
a default model's kernels are a fraction of the size they are with every rule, loss and option behind run-time
switches (cold start, issue 20). Numba types a Python ``int`` argument as ``int64``, never as a literal, so the
kernel is compiled (or loaded from the cache) for the explicit signature ending in ``Literal[int](rule),
Literal[int](spec)`` and that compiled entry is called directly.
"""
import threading

import numpy as np
from numba import typeof, types

from .hyper import rule_of, spec_of

_ENTRIES = {}
_SIGNATURES = {}
_LOCK = threading.Lock()


def _shape_of_types(a):
    """What numba's ``typeof`` looks at, as a cheap hashable key (arrays: dtype, dimensions, layout flags,
    writeable, aligned; tuples: their items'; other values: their class). ``typeof`` itself builds type objects
    for every array of the nested argument tuples: 0.2 ms of each ~2 ms training chunk of 256 rows."""
    if isinstance(a, tuple):
        return tuple(_shape_of_types(x) for x in a)
    if isinstance(a, np.ndarray):
        f = a.flags
        return (type(a), a.dtype.str, a.ndim, f.c_contiguous, f.f_contiguous, f.writeable, f.aligned)
    if type(a) is int:  # numba types an int by its range
        return int, -2**63 <= a < 2**63
    return type(a)


def call_specialized(kernel, args, cfg):
    """``kernel(*args, rule, spec)`` for the rule and spec of ``cfg = (lay, drop, hyp, opt)``."""
    rule, spec = rule_of(cfg[2], cfg[3]), spec_of(cfg[1], cfg[2], cfg[3])
    shape = (_shape_of_types(args), rule, spec)
    sig = _SIGNATURES.get(shape)
    if sig is None:
        sig = _SIGNATURES.setdefault(shape, tuple(typeof(a) for a in args) + (types.literal(rule),
                                                                             types.literal(spec)))
    key = (kernel, sig)
    entry = _ENTRIES.get(key)
    if entry is None:
        with _LOCK:  # one compile per signature, even when threads ask at once
            entry = _ENTRIES.get(key)
            if entry is None:
                entry = _ENTRIES[key] = kernel.compile(sig)
    return entry(*args, rule, spec)
