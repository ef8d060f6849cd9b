"""In the browser: a workspace with a missing object folder serves, getFrames shows the damaged frame with its
reason, and "Delete selected" removes it (issue 15 item 4)."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from deepbrook.engine import Frame, Workspace

pytestmark = pytest.mark.ui


def manifest_names(ws_dir):
    """Names in the server's manifest (read directly: opening a second Workspace would tidy the server's files)."""
    return [r["name"] for r in json.loads((ws_dir / "manifest.json").read_text())["objects"]]


def test_a_damaged_frame_is_listed_with_its_reason_and_deleted_from_the_page(page, tmp_path, serve_helpers):
    free_port, wait_live, stop = serve_helpers
    ws_dir = tmp_path / "ws"
    ws = Workspace(ws_dir)
    rng = np.random.default_rng(0)
    for name in ("broken.hex", "fine.hex"):
        ws.put(name, Frame.from_arrays({"x": rng.normal(size=12)}, name=name))
    rows = json.loads((ws_dir / "manifest.json").read_text())["objects"]
    del ws
    shutil.rmtree(ws_dir / "objects" / next(r["folder"] for r in rows if r["name"] == "broken.hex"))

    port = free_port()
    log_path = tmp_path / "serve.log"
    exe = Path(sys.executable).with_name("deepbrook")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--address", "127.0.0.1", "--workspace",
                                 str(ws_dir), "--num-threads", "2"], stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ})
        try:
            wait_live(f"http://127.0.0.1:{port}/liveness", proc, log_path, timeout=240)
            page.goto(f"http://127.0.0.1:{port}/", timeout=90_000)
            expect(page.locator(".db-model-builder")).to_have_count(1, timeout=90_000)   # the example ran
            cells = page.locator(".db-cell")
            n = cells.count()
            cells.nth(n - 1).locator(".db-editor textarea").click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")
            expect(cells).to_have_count(n + 1)
            box = cells.nth(n).locator(".db-editor textarea")
            box.click()
            expect(box).to_be_focused()
            page.keyboard.type("getFrames")
            page.keyboard.press("Control+Enter")
            table = cells.nth(n).locator(".db-frames-table")
            broken = table.locator(".tabulator-row", has_text="broken.hex")
            expect(broken).to_contain_text("damaged: its folder objects/", timeout=60_000)
            expect(broken).to_contain_text("is missing")
            expect(table.locator(".tabulator-row", has_text="fine.hex")).to_contain_text("ok")
            broken.locator("input[type=checkbox]").click()
            expect(broken.locator("input[type=checkbox]")).to_be_checked()
            for _attempt in range(3):   # a click may reach the server before the checkbox event: repeat it
                cells.nth(n).locator(".db-frames-delete button").click()
                yes = cells.nth(n).locator(".db-frames-delete-yes button")  # Delete asks first (#18)
                try:
                    yes.wait_for(state="visible", timeout=20_000)
                except PlaywrightTimeout:
                    continue  # nothing was selected yet when the click arrived: nothing asked
                expect(cells.nth(n).locator(".db-frames-delete-question")).to_contain_text("broken.hex")
                yes.click()
                deadline = time.monotonic() + 20
                while "broken.hex" in manifest_names(ws_dir) and time.monotonic() < deadline:
                    time.sleep(0.2)                                 # poll interval while the click is handled
                if "broken.hex" not in manifest_names(ws_dir):
                    break
            assert "broken.hex" not in manifest_names(ws_dir) and "fine.hex" in manifest_names(ws_dir)
        finally:
            stop(proc)
