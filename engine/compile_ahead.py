"""Compile a kernel in a helper process while this process compiles another one (cold start, issue 20).

numba compiles on one core, under one lock per process, so the first model of a fresh install compiles its
training kernel (~8 s) and then its scoring kernel (~2 s) one after the other while a second core waits.
``start((kernel, args), ...)``, called before training, hands kernels and signatures (the numba types of
``args``) to a helper Python process that compiles them into the shared cache folder (``jit_cache.py``) while this
process compiles the training kernel. ``wait(kernel, args)``, just before the scoring kernel's first call, waits
for that helper, so the call loads the machine code from the cache instead of compiling it again.

Measured and left out: also handing the helper the row kernel's backward pass (``backward_row`` for the types
the row kernel passes it, so that its callees are in the cache when the training kernel's compile reaches them)
saved 0.1-0.5 s of a 9 s cold start: the helper first compiles ``backward_row``'s own body, so it is barely ahead
when the training kernel's compile gets there, and its scoring kernel comes later.

Nothing starts when the signature is already compiled in this process or stored in the cache folder, when the
kernel is not cached, or with ``DEEPBROOK_COMPILE_AHEAD=0``. A helper that fails, or is still running after
``WAIT_S``, costs only its CPU: the call then compiles here, as it would have without one. The helper compiles only
kernels of ``deepbrook.engine.kernels`` named by its parent process, never a name from a file or a cell, and it
reads only JSON: each argument's description (array dtype, dimensions, layout, writeable; tuples of those; ints),
from which it builds stand-in arguments of the same numba types, checked against the signature the parent wrote.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import numpy as np
from numba import typeof

ENV_SWITCH = "DEEPBROOK_COMPILE_AHEAD"
KERNELS_PACKAGE = "deepbrook.engine.kernels."
WAIT_S = 120.0  # a helper compiles one kernel in seconds; past this, compiling here is the surer way

_lock = threading.Lock()
_helpers: dict = {}  # (kernel, signature) -> subprocess.Popen of the helper compiling it
started: list[dict] = []  # every helper this process started: {"kernel", "signature"} (tests, benchmarks)


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def signature(args) -> tuple:
    """The numba types a call with ``args`` compiles for."""
    return tuple(typeof(a) for a in args)


MAX_NDIM = 8


def describe(value):
    """A JSON description of an argument, enough to rebuild one of the same numba type (``stand_in``); TypeError
    for kinds a kernel call here never passes."""
    if isinstance(value, tuple):
        return {"tuple": [describe(v) for v in value]}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.ndim <= MAX_NDIM:
        layout = "C" if value.flags.c_contiguous else "F" if value.flags.f_contiguous else "A"
        return {"dtype": value.dtype.str, "ndim": value.ndim, "layout": layout,
                "writeable": bool(value.flags.writeable)}
    if type(value) is int:
        return {"int": True}
    raise TypeError(f"compile ahead: no description for {type(value).__name__} arguments")


def stand_in(desc):
    """An argument of the type ``describe`` described (small arrays of zeros); ValueError for anything else."""
    if not isinstance(desc, dict):
        raise ValueError("compile ahead: an argument description is a JSON object")
    if "tuple" in desc:
        return tuple(stand_in(d) for d in desc["tuple"])
    if desc.get("int") is True:
        return 0
    dtype, ndim, layout = np.dtype(str(desc.get("dtype"))), desc.get("ndim"), desc.get("layout")
    if dtype.kind not in "biuf" or type(ndim) is not int or not 0 <= ndim <= MAX_NDIM or layout not in "CFA":
        raise ValueError(f"compile ahead: not an argument description: {desc!r}")
    if layout == "A":  # every other element: contiguous in no order
        a = np.zeros((4,) * ndim, dtype)[(slice(None, None, 2),) * ndim]
    else:
        a = np.zeros((2,) * ndim if layout == "F" else (1,) * ndim, dtype, order=layout)
    a.flags.writeable = bool(desc.get("writeable", True))
    return a


def stored(kernel, sig) -> bool:
    """Whether ``kernel`` has machine code for ``sig`` in this process or in its cache folder (no loading).
    Unsure (numba's cache internals changed) counts as stored: then no helper starts."""
    if sig in kernel.overloads:
        return True
    try:
        cache = kernel._cache
        if not getattr(cache, "_enabled", False):
            return True  # not cached: a helper's compile could not reach this process
        return cache._index_key(sig, kernel.targetctx.codegen()) in cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - numba internals: never let an optimization break training
        return True


def _name(kernel) -> tuple[str, str]:
    fn = kernel.py_func
    if not fn.__module__.startswith(KERNELS_PACKAGE):
        raise ValueError(f"compile ahead: {fn.__module__}.{fn.__name__} is not a deepbrook kernel")
    return fn.__module__, fn.__name__


def start(*calls) -> bool:
    """Start one helper compiling, in order, each ``(kernel, args)`` of ``calls`` (the types of ``args``) that
    is not compiled or stored already, nor on another helper. Returns whether one started."""
    if not enabled():
        return False
    with _lock:
        todo = []
        for kernel, args in calls:
            key = (kernel, signature(args))
            if key not in _helpers and key not in [t[:2] for t in todo] and not stored(*key):
                todo.append((*key, args))
        if not todo:
            return False
        try:
            request = json.dumps([dict(zip(("module", "name"), _name(kernel)), signature=str(sig),
                                       args=[describe(a) for a in args]) for kernel, sig, args in todo])
        except TypeError:
            return False
        try:  # same interpreter and environment: same package, cache folder and CPU target
            proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if hasattr(os, "setpriority"):  # below this process: it waits for the helper only at the end
                try:
                    os.setpriority(os.PRIO_PROCESS, proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 5))
                except OSError:
                    pass
            proc.stdin.write(request.encode())
            proc.stdin.close()
        except OSError:
            return False
        for kernel, sig, _ in todo:
            _helpers[(kernel, sig)] = proc
            module, name = _name(kernel)
            started.append({"kernel": f"{module.rsplit('.', 1)[-1]}.{name}", "signature": str(sig)})
    return True


def wait(kernel, args, timeout: float = WAIT_S) -> bool:
    """Before calling ``kernel(*args)``: wait for a helper compiling it (if any). Returns whether the helper
    finished its compile; a helper past ``timeout`` is stopped and the call compiles here."""
    if not _helpers:
        return False
    key = (kernel, signature(args))
    with _lock:
        proc = _helpers.pop(key, None)
        for other in [k for k, p in _helpers.items() if p.poll() is not None]:  # done, never waited for: reaped
            del _helpers[other]
    if proc is None:
        return False
    try:
        return proc.wait(timeout) == 0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def _compile_from_stdin() -> None:
    """The helper: compile the kernels and signatures its parent wrote to stdin (JSON), in order, into the cache.
    Every request is checked before anything compiles."""
    import importlib

    from numba.core.registry import CPUDispatcher

    todo = []
    for req in json.loads(sys.stdin.buffer.read()):
        module, name = str(req["module"]), str(req["name"])
        if not module.startswith(KERNELS_PACKAGE) or not module.replace(".", "").replace("_", "").isalnum():
            raise SystemExit(f"not a deepbrook kernel module: {module}")
        kernel = getattr(importlib.import_module(module), name, None)
        if not isinstance(kernel, CPUDispatcher):
            raise SystemExit(f"not a compiled kernel: {module}.{name}")
        sig = signature(stand_in(d) for d in req["args"])
        if str(sig) != req["signature"]:
            raise SystemExit(f"{module}.{name}: the arguments describe {sig}, not {req['signature']}")
        todo.append((kernel, sig))
    for kernel, sig in todo:
        kernel.compile(sig)


if __name__ == "__main__":
    _compile_from_stdin()
