"""`/liveness` that tells the truth: healthy only when the server can serve a page.

Panel's own `--liveness` answers 200 as soon as Tornado runs, even when every page fails because the shared state
cannot be built (e.g. the workspace does not open). `deepbrook serve` loads this module with `panel serve
--plugins`: `GET /liveness` builds (or reuses) the process's AppState, which opens the workspace, and asks the
workspace whether its folders are usable. 200 with `{"ok": true, ...}` or 503 with the reason. Cheap: no page is
built and nothing is parsed (damaged entries are counted, not a failure: the rest of the workspace serves).
"""
from __future__ import annotations

import logging

from tornado import web

log = logging.getLogger("deepbrook.app")


def check(state_factory=None) -> tuple[bool, dict]:
    """(healthy, report) for the process's app state (``state_factory`` builds or returns it)."""
    if state_factory is None:
        from deepbrook.app.server import app_state as state_factory
    try:
        state = state_factory()
    except Exception as e:   # any failure to build the shared state means no page can be served
        log.exception("liveness: the app state cannot be built")
        return False, {"ok": False, "reason": f"the server cannot open its state: {e}"}
    problems = state.workspace.health()
    if problems:
        return False, {"ok": False, "reason": "; ".join(problems)}
    damaged = [e.name for e in state.workspace.list() if e.damaged]
    return True, {"ok": True, "objects": len(state.workspace), "damaged": damaged}


class LivenessHandler(web.RequestHandler):
    """GET /liveness: 200 when the server can serve, 503 (with the reason) when it cannot."""

    def get(self):
        ok, report = check()
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.set_status(200 if ok else 503)
        self.write(report)


ROUTES = [(r"/liveness", LivenessHandler, {})]
