"""Tell the user when numba compiles deepbrook's kernels: the first model of a fresh install waits for it.

A numba event listener sees every compile in the process and keeps deepbrook's: the first one in a process logs
``COMPILE_MESSAGE`` (a warning, so it shows without any logging setup), and every kernel compile is announced
to ``compile_listeners`` (``{"kernel", "signature", "status": "start" | "end", "seconds"}``) for an app to show.
``compiled()`` lists what this process compiled (``deepbrook warmup`` reports it). A kernel loaded from the
cache is not a compile and says nothing.
"""
from __future__ import annotations

import logging
import threading
import time

from numba.core import event

from .events import Listeners

COMPILE_MESSAGE = ("compiling training kernels, once per install (a minute or more; later processes load them "
                   "from the cache; `deepbrook warmup` does it ahead)")
log = logging.getLogger("deepbrook.engine")
compile_listeners = Listeners()
_lock = threading.Lock()
_compiled: list[dict] = []
_announced = False


def kernel_name(dispatcher) -> str | None:
    """``module.function`` of a deepbrook kernel (None for anything else numba compiles)."""
    fn = getattr(dispatcher, "py_func", None)
    module = getattr(fn, "__module__", "") or ""
    if not module.startswith("deepbrook.engine"):
        return None
    return f"{module.rsplit('.', 1)[-1]}.{fn.__name__}"


class _Listener(event.Listener):
    def __init__(self):
        self._starts = threading.local()

    def on_start(self, ev):
        global _announced
        name = kernel_name(ev.data["dispatcher"])
        if name is None:
            return
        stack = self._starts.__dict__.setdefault("stack", [])
        stack.append(time.perf_counter())
        with _lock:
            first, _announced = not _announced, True
        if first:
            log.warning(COMPILE_MESSAGE)
        compile_listeners.notify({"kernel": name, "signature": _signature(ev), "status": "start", "seconds": 0.0})

    def on_end(self, ev):
        name = kernel_name(ev.data["dispatcher"])
        if name is None:
            return
        took = time.perf_counter() - self._starts.stack.pop()
        item = {"kernel": name, "signature": _signature(ev), "status": "end", "seconds": took}
        with _lock:
            _compiled.append(item)
        compile_listeners.notify(item, copy=dict)


def _signature(ev) -> str:
    return "(" + ", ".join(str(a) for a in ev.data["args"]) + ")"


def compiled() -> list[dict]:
    """Every deepbrook kernel signature this process compiled so far (nested compiles included), in order."""
    with _lock:
        return [dict(c) for c in _compiled]


_listener = _Listener()


def install():
    """Register the numba listener once per process."""
    if _listener not in event._registered.get("numba:compile", ()):
        event.register("numba:compile", _listener)
