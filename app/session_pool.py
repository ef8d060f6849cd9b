"""Callbacks of one browser tab run one at a time, in the order the tab sent them; tabs still run in parallel.

`panel serve --num-threads N` hands every callback to one shared ThreadPoolExecutor, so two messages of the same tab
can run at once and finish in either order: a Select's new value could reach Python after the click on the button
that reads it, a click's focus after the key typed next. `SessionOrderedExecutor` keeps a queue per Bokeh document
(Panel passes the document with every task it submits) and runs each queue in FIFO order on the shared workers.
"""
from __future__ import annotations

import functools
import logging
import threading
from collections import deque
from concurrent.futures import Executor, Future, ThreadPoolExecutor

from bokeh.document import Document

log = logging.getLogger("deepbrook.app")


def document_of(fn, args) -> Document | None:
    """The Bokeh document a Panel task belongs to: a positional argument of the call or of a wrapped partial."""
    while True:
        for a in args:
            if isinstance(a, Document):
                return a
        if not isinstance(fn, functools.partial):
            return None
        fn, args = fn.func, fn.args


class SessionOrderedExecutor(Executor):
    """A thread pool that runs the tasks of one document in submission order, one at a time."""

    def __init__(self, max_workers: int | None = None):
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="deepbrook-session")
        self._lock = threading.Lock()
        self._queues: dict[int, deque] = {}  # id(document) -> tasks waiting behind the running one

    @property
    def max_workers(self) -> int:
        return self._pool._max_workers

    def submit(self, fn, /, *args, **kwargs) -> Future:
        doc = document_of(fn, args)
        if doc is None:
            return self._pool.submit(fn, *args, **kwargs)
        future = Future()
        task = (future, fn, args, kwargs)
        key = id(doc)
        with self._lock:
            waiting = self._queues.get(key)
            if waiting is not None:  # this tab has a task running: queue behind it
                waiting.append(task)
                return future
            self._queues[key] = deque()
        self._pool.submit(self._drain, key, task)
        return future

    def _drain(self, key, task):
        """Run `task`, then every task queued for the same document meanwhile, in order."""
        while True:
            future, fn, args, kwargs = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as e:  # the future carries it to Panel's done-callback
                    future.set_exception(e)
            with self._lock:
                waiting = self._queues[key]
                if not waiting:
                    del self._queues[key]
                    return
                task = waiting.popleft()

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


_INSTALL = threading.Lock()


def order_session_callbacks(state) -> bool:
    """Swap Panel's callback pool (`state._thread_pool`, set by `--num-threads`) for a SessionOrderedExecutor with
    as many workers; True when the pool is (now) ordered, False without threads (`--num-threads 0`: callbacks run
    on the event loop, in order anyway). Panel keeps no public hook for this: tests/app/test_session_pool.py checks
    that `pn.config.nthreads` still creates the pool this replaces."""
    with _INSTALL:
        return _install(state)


def _install(state) -> bool:
    pool = getattr(state, "_thread_pool", None)
    if pool is None or isinstance(pool, SessionOrderedExecutor):
        return pool is not None
    if not isinstance(pool, ThreadPoolExecutor):
        log.warning("Panel's callback pool is a %s, not a ThreadPoolExecutor: tab callbacks may run out of order",
                    type(pool).__name__)
        return False
    state._thread_pool = SessionOrderedExecutor(max_workers=pool._max_workers)
    pool.shutdown(wait=False)  # tasks already queued there still run
    return True
