"""Run one piece of work per thread, the calling thread taking piece 0 (numba kernels release the GIL)."""
from __future__ import annotations

import threading


def run_on_threads(n: int, work, name: str, on_error=None) -> None:
    """Call ``work(t)`` for t in 0..n-1, piece 0 here and the others on daemon threads named ``name-t``; wait for
    all, then re-raise the first error. ``on_error()`` runs as soon as a piece fails (e.g. to tell the others to
    stop), so no thread waits for a piece that will never come."""
    errors = []

    def guarded(t):
        try:
            work(t)
        except BaseException as exc:  # noqa: BLE001 - re-raised below once every thread has stopped
            if on_error is not None:
                on_error()
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,), name=f"{name}-{t}", daemon=True) for t in range(1, n)]
    for th in threads:
        th.start()
    guarded(0)
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
