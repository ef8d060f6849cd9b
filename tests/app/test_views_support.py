"""Shared pieces of the view tests: a real app state and a context whose notebook replays routine calls.

`ReplayContext.run_routine` does what the notebook does with a button's code (parse it and run the whitelisted
routine), but synchronously and without cells, so a test can click a button and assert on the workspace.
"""
import time

import pytest

from deepbrook.app.context import AppState, CellContext
from deepbrook.engine import Workspace


class ReplayContext(CellContext):
    """Records every routine call a view writes and runs it through the real routine dispatcher."""

    def __init__(self, app, execute=True):
        super().__init__(app)
        self.calls: list[str] = []
        self.outputs = []
        self.execute = execute

    def run_routine(self, code):
        from deepbrook.app.routines import run

        self.calls.append(code)
        if self.execute:
            self.outputs.append(run(self, code))
        return code


@pytest.fixture
def app(tmp_path, prostate_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tiny.csv").write_text("a;b;c\n1;x;2.5\n2;y;3.5\n3;x;\n4;z;1.0\n")
    return AppState(workspace=Workspace(None), data_roots=[data, prostate_path.parent])


@pytest.fixture
def ctx(app):
    return ReplayContext(app)


@pytest.fixture
def prostate(app, prostate_path):
    from deepbrook.engine import parse, parse_setup

    frame = parse(parse_setup(str(prostate_path)), destination="prostate.hex")
    app.workspace.put("prostate.hex", frame)
    return frame


def poll(predicate, timeout=60.0, step=None):
    """Wait on state: call `step()` then `predicate()` until it holds (or fail after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if step is not None:
            step()
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError(f"condition not reached in {timeout} s")
