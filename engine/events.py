"""Thread-safe listener lists: training threads notify, app threads subscribe, and neither blocks the other."""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)


class Listeners:
    """Callbacks called with each event from the notifying thread; a failing callback is logged, never raised,
    so a broken listener can never stop training."""

    def __init__(self):
        self._callbacks: list[Callable[[Any], Any]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``callback(event)`` for every event from now on; returns an unsubscribe function."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe():
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)
        return unsubscribe

    def notify(self, event, copy: Callable[[Any], Any] = lambda e: e):
        """Deliver ``copy(event)`` to each callback (``copy`` gives each its own mutable copy when needed)."""
        with self._lock:
            callbacks = list(self._callbacks)
        for cb in callbacks:
            try:
                cb(copy(event))
            except Exception:  # noqa: BLE001 - listeners must never break the notifier
                log.exception("listener %r failed", cb)

    def __getstate__(self):  # listeners belong to this process's threads: they never travel with a pickle
        return {}

    def __setstate__(self, state):
        self.__init__()
