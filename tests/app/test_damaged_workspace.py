"""The app on a workspace with a damaged object: listed with its reason, deletable, the rest usable; /liveness
answers 503 with the reason when the server cannot serve (issue 15 item 4)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from deepbrook.app import health
from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routines import RoutineError, run
from deepbrook.app.views.frame_view import frames_table
from deepbrook.app.views.models_view import models_table
from deepbrook.engine import DeepLearning, Frame, Workspace, WorkspaceError


def folder_of(ws_dir, name):
    rows = json.loads((ws_dir / "manifest.json").read_text())["objects"]
    return next(r["folder"] for r in rows if r["name"] == name)


@pytest.fixture
def damaged_dir(tmp_path):
    ws_dir = tmp_path / "ws"
    ws = Workspace(ws_dir)
    rng = np.random.default_rng(0)
    for name in ("broken.hex", "fine.hex"):
        ws.put(name, Frame.from_arrays({"x": rng.normal(size=40), "y": (rng.random(40) > 0.5).astype(float)},
                                       types={"y": "enum"}, name=name))
    model = DeepLearning(hidden=[2], epochs=1, seed=1, model_id="m1").train(y="y", training_frame=ws.get("fine.hex"))
    ws.put("m1", model)
    ws.put("m2", model)
    shutil.rmtree(ws_dir / "objects" / folder_of(ws_dir, "broken.hex"))
    (ws_dir / "objects" / folder_of(ws_dir, "m2") / "model").write_bytes(b"garbage, not a model")
    return ws_dir


def test_damaged_entries_are_listed_with_their_reason_and_deletable(damaged_dir):
    ctx = CellContext(AppState(workspace_dir=damaged_dir, data_roots=[]))
    table = frames_table(ctx).set_index("name")
    assert table.loc["fine.hex", "status"] == "ok" and table.loc["fine.hex", "rows"] == 40
    assert table.loc["broken.hex", "status"].startswith("damaged: its folder objects/")
    assert "is missing" in table.loc["broken.hex", "status"]
    run(ctx, "getFrames")                                            # the listing renders
    with pytest.raises(WorkspaceError, match="'broken.hex' is damaged"):
        run(ctx, 'getFrameSummary "broken.hex"')
    with pytest.raises((WorkspaceError, RoutineError), match="m2"):
        run(ctx, 'getModel "m2"')                                    # found damaged when opened ...
    models = models_table(ctx).set_index("key")
    assert models.loc["m2", "status"].startswith("damaged: ") and models.loc["m1", "status"] == "ok"  # ... and shown
    run(ctx, 'getModel "m1"')
    run(ctx, 'deleteFrame "broken.hex"')
    run(ctx, 'deleteModel "m2"')
    assert ctx.app.workspace.names() == ["fine.hex", "m1"]
    assert Workspace(damaged_dir).names() == ["fine.hex", "m1"]


def test_liveness_check_reflects_whether_the_state_can_serve(damaged_dir, tmp_path):
    state = AppState(workspace_dir=damaged_dir, data_roots=[])
    ok, report = health.check(lambda: state)
    assert ok and report["damaged"] == ["broken.hex"]                # damaged entries do not stop serving

    def cannot_open():
        raise WorkspaceError("workspace manifest /x/manifest.json is unreadable (bad JSON)")

    ok, report = health.check(cannot_open)
    assert not ok and "manifest.json is unreadable" in report["reason"]
    shutil.rmtree(damaged_dir / "objects")
    ok, report = health.check(lambda: state)
    assert not ok and "objects folder" in report["reason"]


def test_served_liveness_is_503_when_the_workspace_cannot_open(tmp_path):
    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    (ws_dir / "manifest.json").write_text("{ this is not json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("deepbrook")
    log = open(tmp_path / "log.txt", "w+")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workspace", str(ws_dir)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        deadline, answer = time.monotonic() + 120, None
        while answer is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/liveness", timeout=10)
            except requests.RequestException:
                time.sleep(0.2)                                       # poll until the server listens
        assert answer is not None, "the server never answered"
        assert answer.status_code == 503 and "manifest.json is unreadable" in answer.json()["reason"]
        (ws_dir / "manifest.json").write_text(json.dumps({"format_version": 1, "objects": []}))
        answer = requests.get(f"http://127.0.0.1:{port}/liveness", timeout=30)   # repaired: healthy again
        assert answer.status_code == 200 and answer.json()["ok"] is True
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
