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
kernels of ``deepbrook.engine.kernels`` named by its parent process, never a name from a file or a cell.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading

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
            if key not in _helpers and key not in todo and not stored(*key):
                todo.append(key)
        if not todo:
            return False
        names = [(*_name(kernel), sig) for kernel, sig in todo]
        try:  # same interpreter and environment: same package, cache folder and CPU target
            proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if hasattr(os, "setpriority"):  # below this process: it waits for the helper only at the end
                try:
                    os.setpriority(os.PRIO_PROCESS, proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 5))
                except OSError:
                    pass
            proc.stdin.write(pickle.dumps(names))
            proc.stdin.close()
        except (OSError, pickle.PicklingError):
            return False
        for key, (module, name, sig) in zip(todo, names):
            _helpers[key] = proc
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
    if proc is None:
        return False
    try:
        return proc.wait(timeout) == 0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def _compile_from_stdin() -> None:
    """The helper: compile the kernels and signatures its parent wrote to stdin, in order (into the cache)."""
    import importlib

    from numba.core.registry import CPUDispatcher

    calls = pickle.loads(sys.stdin.buffer.read())  # written by ``start`` in the parent process
    kernels = []
    for module, name, sig in calls:  # every name checked before anything compiles
        if not module.startswith(KERNELS_PACKAGE):
            raise SystemExit(f"not a deepbrook kernel module: {module}")
        kernel = getattr(importlib.import_module(module), name)
        if not isinstance(kernel, CPUDispatcher):
            raise SystemExit(f"not a compiled kernel: {module}.{name}")
        kernels.append((kernel, sig))
    for kernel, sig in kernels:
        kernel.compile(sig)


if __name__ == "__main__":
    _compile_from_stdin()
