"""Thread -> UI handoff for running jobs (stack-recipe section 5, pattern 3).

The training thread only appends events to a lock-guarded buffer (`JobFeed`, filled by `job.subscribe`);
a per-session periodic callback (`Poller`) drains it on the event loop, where Bokeh sources may be changed.
No Bokeh call ever happens on the training thread.
"""
from __future__ import annotations

import threading

import panel as pn

RUNNING = ("CREATED", "RUNNING")
POLL_MS = 500


def is_running(job) -> bool:
    return job is not None and str(job.status) in RUNNING


class JobFeed:
    """Collects a job's events from the training thread; `drain()` hands them over on the event loop."""

    def __init__(self, job):
        self.job = job
        self._lock = threading.Lock()
        self._events: list[dict] = []
        self._closed = False
        self.last_progress: dict = {}  # the latest progress event (iterations, epochs, speed...)
        self._unsubscribe = job.subscribe(self._push)

    def _push(self, event):  # training thread: never blocks, never touches Bokeh
        with self._lock:
            if not self._closed:
                self._events.append(event)

    def drain(self) -> list[dict]:
        with self._lock:
            events, self._events = self._events, []
        for e in events:
            if e.get("type") == "progress":
                self.last_progress = e
        return events

    def close(self):
        with self._lock:
            self._closed = True
            self._events = []
        if callable(self._unsubscribe):
            self._unsubscribe()


class Poller:
    """Calls `tick()` every `period` ms on the session's event loop until `tick` returns False.

    Outside a server session (tests, no running loop) nothing is scheduled and callers drive `tick` themselves.
    The callback is stopped when the cell output is replaced or the session ends (`ctx.on_cleanup`).
    """

    def __init__(self, ctx, tick, period=POLL_MS):
        self._tick = tick
        self._cb = None
        try:
            self._cb = pn.state.add_periodic_callback(self._run, period=period)
        except Exception:  # no event loop to attach to (e.g. a bare script): the view still works, without live
            self._cb = None
        if ctx is not None and hasattr(ctx, "on_cleanup"):
            ctx.on_cleanup(self.stop)

    def _run(self):
        if self._tick() is False:
            self.stop()

    @property
    def running(self) -> bool:
        return self._cb is not None and self._cb.running

    def stop(self):
        if self._cb is not None:
            try:
                self._cb.stop()
            except Exception:  # already stopped / session gone
                pass
            self._cb = None


def progress_message(event: dict) -> str:
    """Flow's line under the bar: 'Iterations: 2. Epochs: 12.0000. Speed: 1,066 samples/sec.'"""
    parts = []
    if event.get("iterations") is not None:
        parts.append(f"Iterations: {int(event['iterations'])}.")
    if event.get("epochs") is not None:
        parts.append(f"Epochs: {float(event['epochs']):.4f}.")
    speed = event.get("speed", event.get("training_speed"))
    if speed is not None:
        parts.append(f"Speed: {float(speed):,.0f} samples/sec.")
    if event.get("message"):
        parts.append(str(event["message"]))
    return " ".join(parts)


STOP_REASONS = {"epochs": "all epochs trained", "early_stopping": "early stopping", "cancelled": "cancelled",
                "max_runtime_secs": "max_runtime_secs reached", "failed": "failed"}


def final_message(model) -> str:
    """What a finished training did, from the model's own counts (the last progress event of a run that was one
    long iteration still said "Iterations: 0"): 'Iterations: 10. Epochs: 100.0000. Stopped: all epochs trained.'"""
    out = getattr(model, "output", None) or {}
    line = progress_message({k: out.get(k) for k in ("iterations", "epochs")})
    reason = out.get("stop_reason")
    if reason:
        line = f"{line} Stopped: {STOP_REASONS.get(str(reason), str(reason))}.".strip()
    return line


def finished_status(model) -> str:
    """DONE, or CANCELLED for a model whose training was cancelled (kept as it was, as H2O keeps it)."""
    out = getattr(model, "output", None) or {}
    return "CANCELLED" if out.get("stop_reason") == "cancelled" else "DONE"
