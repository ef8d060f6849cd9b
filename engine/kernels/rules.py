"""Call a training kernel with its update rule as a compile-time constant.

The optimizer (``hyper.RULE_*``) decides which weight-update loops a kernel needs. Passed as a literal, it lets
``updates.update_row`` compile only that rule's loop, so a default model's kernels are a fraction of the size they
are with every rule behind run-time switches (cold start, issue 20). Numba types a Python ``int`` argument as
``int64``, never as a literal, so the kernel is compiled (or loaded from the cache) for the explicit signature
with ``Literal[int](rule)`` and that compiled entry is called directly.
"""
import threading

from numba import typeof, types

from .hyper import rule_of

_ENTRIES = {}
_LOCK = threading.Lock()


def call_with_rule(kernel, args, cfg):
    """``kernel(*args, rule)`` where ``rule = rule_of(hyp, opt)`` of ``cfg = (lay, drop, hyp, opt)``."""
    rule = rule_of(cfg[2], cfg[3])
    sig = tuple(typeof(a) for a in args) + (types.literal(rule),)
    key = (kernel, sig)
    entry = _ENTRIES.get(key)
    if entry is None:
        with _LOCK:  # one compile per signature, even when threads ask at once
            entry = _ENTRIES.get(key)
            if entry is None:
                entry = _ENTRIES[key] = kernel.compile(sig)
    return entry(*args, rule)
