"""Background jobs: a training run in a thread with progress, cancel, result and live events.

``Job.subscribe(callback)`` delivers event dicts from the training thread (``{"type": "progress", ...}``,
``{"type": "scoring", "row": {...}}``, ``{"type": "done", "status": ...}``); callbacks must return quickly (the
app copies the event into a buffer); an exception in a callback is logged and never stops training.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid

from .compile_notice import COMPILE_MESSAGE, compile_listeners
from .events import Listeners

log = logging.getLogger(__name__)

CREATED, RUNNING, DONE, CANCELLED, FAILED = "CREATED", "RUNNING", "DONE", "CANCELLED", "FAILED"
_counter = itertools.count(1)


class Job:
    """A unit of background work (usually one model build)."""

    def __init__(self, description="", key=None, dest=None):
        self.key = key or f"job_{next(_counter)}_{uuid.uuid4().hex[:8]}"
        self.description = description
        self.dest = dest                   # destination key of what the job builds (the model id)
        self.status = CREATED
        self.progress = 0.0
        self.start_time = None
        self.end_time = None
        self.exception = None
        self.stop_reason = None
        self._model = None
        self._result = None
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._runner = None
        self._listeners = Listeners()
        self._lock = threading.Lock()
        self._thread = None

    @property
    def destination(self):
        return self.dest

    # ------------------------------------------------------------------ state
    @property
    def elapsed(self):
        """Seconds since start (until end once finished)."""
        if self.start_time is None:
            return 0.0
        return (self.end_time or time.time()) - self.start_time

    @property
    def eta(self):
        """Estimated seconds left from progress so far (None until some progress)."""
        if self.status != RUNNING or self.progress <= 0.0:
            return 0.0 if self._done.is_set() else None
        return self.elapsed * (1.0 - self.progress) / self.progress

    @property
    def model(self):
        """The model being built (updated in place while training; final after the job ends)."""
        return self._result if self._result is not None else self._model

    @property
    def cancel_event(self):
        return self._cancel

    @property
    def done(self):
        return self._done.is_set()

    def cancel(self):
        """Ask the job to stop; training stops within a fraction of a second and keeps the model so far."""
        self._cancel.set()

    def result(self, timeout=None):
        """Wait for the end; return the result, re-raise the job's exception, TimeoutError after ``timeout``."""
        # The "done" listeners run on the job's own thread after the work ended: they may read the result at once.
        finished_here = self._runner is threading.current_thread() and self.end_time is not None
        if not finished_here and not self._done.wait(timeout):
            raise TimeoutError(f"job {self.key} still running after {timeout} s")
        if self.exception is not None:
            raise self.exception
        return self._result

    def wait(self, timeout=None):
        return self._done.wait(timeout)

    # ------------------------------------------------------------------ events
    def subscribe(self, callback):
        """Call ``callback(event)`` for every event from now on; returns an unsubscribe function."""
        return self._listeners.subscribe(callback)

    def emit(self, event):
        self._listeners.notify(event)

    def set_progress(self, progress, **info):
        self.progress = float(min(1.0, max(0.0, progress)))
        self.emit({"type": "progress", "progress": self.progress, **info})

    def set_model(self, model):
        self._model = model

    def fail(self, exc):
        """Mark a finished job FAILED with ``exc``: for a "done" listener that could not keep the result (e.g.
        store the model), so the job never reads DONE while its result is lost."""
        with self._lock:
            self.exception = exc
            self.status = FAILED
        log.info("job %s failed after its work ended: %s", self.key, exc)

    # ------------------------------------------------------------------ running
    def start(self, work):
        """Run ``work(job)`` in a daemon thread; its return value becomes the result."""
        self._thread = threading.Thread(target=self._run, args=(work,), name=f"deepbrook-{self.key}", daemon=True)
        self.status = RUNNING
        self.start_time = time.time()
        self._thread.start()
        return self

    def run_here(self, work):
        """Run ``work(job)`` in the calling thread (synchronous training uses the same bookkeeping)."""
        self.status = RUNNING
        self.start_time = time.time()
        self._run(work)
        return self.result()

    def _on_compile(self, event):
        """A running job that waits for numba says so once, in its progress line (the first model of a fresh
        install waits a minute or more for the kernels)."""
        if event.get("status") == "start" and not self._compile_noted:
            self._compile_noted = True
            self.set_progress(self.progress, message=COMPILE_MESSAGE[:1].upper() + COMPILE_MESSAGE[1:] + ".")

    def _run(self, work):
        self._runner = threading.current_thread()
        self._compile_noted = False
        stop_listening = compile_listeners.subscribe(self._on_compile)
        try:
            self._result = work(self)
            self.status = CANCELLED if self._cancel.is_set() else DONE
            if self.status == DONE:
                self.progress = 1.0
        except BaseException as exc:  # noqa: BLE001 - reported through result() / exception
            self.exception = exc
            self.status = FAILED
            log.info("job %s failed: %s", self.key, exc)
        finally:
            stop_listening()
            self.end_time = time.time()
            # Subscribers hear "done" before result() returns, so a waiter never sees a finished job that its
            # listeners (e.g. the app storing the model) have not handled yet.
            self.emit({"type": "done", "status": self.status,
                       "error": None if self.exception is None else str(self.exception)})
            self._done.set()

    def __repr__(self):
        return f"Job({self.key!r}, {self.description!r}, {self.status}, {self.progress:.0%})"


class JobRegistry:
    """Thread-safe list of jobs shared by an app's sessions."""

    def __init__(self):
        self._jobs = {}
        self._lock = threading.Lock()

    def add(self, job):
        with self._lock:
            self._jobs[job.key] = job
        return job

    def get(self, key):
        with self._lock:
            if key not in self._jobs:
                raise KeyError(f"no job '{key}'")
            return self._jobs[key]

    def list(self):
        """Jobs, newest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return sorted(jobs, key=lambda j: j.start_time or 0.0, reverse=True)

    def cancel(self, key):
        self.get(key).cancel()

    def remove(self, key):
        with self._lock:
            self._jobs.pop(key, None)

    def __len__(self):
        with self._lock:
            return len(self._jobs)

    def __iter__(self):
        return iter(self.list())
