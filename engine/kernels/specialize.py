"""Call a training kernel with its update rule and output head as compile-time constants.

The optimizer (``hyper.RULE_*``) decides which weight-update loops a kernel needs, the head (``hyper.head_of``:
loss, autoencoder) which output gradient. Passed as literals they let ``updates.update_row`` and
``backward.output_delta_units`` compile only the code they name, so a default model's kernels are a fraction of
the size they are with every rule and loss behind run-time switches (cold start, issue 20). Numba types a Python
``int`` argument as ``int64``, never as a literal, so the kernel is compiled (or loaded from the cache) for the
explicit signature ending in ``Literal[int](rule), Literal[int](head)`` and that compiled entry is called directly.
"""
import threading

from numba import typeof, types

from .hyper import head_of, rule_of

_ENTRIES = {}
_LOCK = threading.Lock()


def call_specialized(kernel, args, cfg):
    """``kernel(*args, rule, head)`` for the rule and head of ``cfg = (lay, drop, hyp, opt)``."""
    rule, head = rule_of(cfg[2], cfg[3]), head_of(cfg[3])
    sig = tuple(typeof(a) for a in args) + (types.literal(rule), types.literal(head))
    key = (kernel, sig)
    entry = _ENTRIES.get(key)
    if entry is None:
        with _LOCK:  # one compile per signature, even when threads ask at once
            entry = _ENTRIES.get(key)
            if entry is None:
                entry = _ENTRIES[key] = kernel.compile(sig)
    return entry(*args, rule, head)
