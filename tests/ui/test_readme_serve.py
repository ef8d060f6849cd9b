"""The README's run command (scripts/serve.sh) serves the app at the printed address with the example loaded."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.ui


def test_readme_run_command_serves_the_example(page, tmp_path, serve_helpers):
    free_port, wait_live, stop = serve_helpers
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "VENV": str(Path(sys.executable).parents[1])}  # the venv the README's test command made
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve.sh"), "--port", str(port),
                                 "--address", "127.0.0.1", "--workspace", str(tmp_path / "ws")],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        try:
            wait_live(f"http://127.0.0.1:{port}/liveness", proc, log_path, timeout=240)
            deadline = time.monotonic() + 30
            printed = []
            while not printed and time.monotonic() < deadline:   # the address the script printed
                printed = re.findall(r"http://127\.0\.0\.1:\d+/?\S*", log_path.read_text())
                time.sleep(0.2)
            assert printed and f":{port}" in printed[0]
            page.goto(printed[0], timeout=60_000)
            expect(page).to_have_title("Deepbrook")
            expect(page.locator(".db-model-builder")).to_have_count(1, timeout=90_000)  # the example ran to its form
            expect(page.locator(".db-frame-summary").first).to_contain_text("prostate.hex")
        finally:
            stop(proc)
