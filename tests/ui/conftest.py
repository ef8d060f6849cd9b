"""A real `deepbrook serve` in a subprocess for the browser tests (one per test session)."""
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deepbrook_command() -> list[str]:
    script = Path(sys.executable).with_name("deepbrook")
    return [str(script)] if script.exists() else [sys.executable, "-m", "deepbrook.app.cli"]


def wait_live(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"deepbrook serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(proc: subprocess.Popen):
    """Terminate a server process, killing it if it does not exit within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def running_server(workspace: Path, *options: str):
    """`deepbrook serve` on a free port with `workspace` and extra `options`; yields its base URL."""
    port = free_port()
    log_path = workspace.parent / f"server-{workspace.name}.log"
    log = open(log_path, "w")  # a file, not a pipe: a full pipe would block the server
    proc = subprocess.Popen([*deepbrook_command(), "serve", "--port", str(port), "--address", "127.0.0.1",
                             "--workspace", str(workspace), "--num-threads", os.environ.get("DEEPBROOK_UI_THREADS", "2"),
                             *options], stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_live(f"http://127.0.0.1:{port}/liveness", proc, log_path)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Start `deepbrook serve` on a free port with a fresh workspace; yields (base URL, workspace dir)."""
    workspace = tmp_path_factory.mktemp("ui-workspace")
    with running_server(workspace) as url:
        yield url, workspace


@pytest.fixture(scope="session")
def serve_with():
    """`running_server(workspace, *options)` for tests that need their own server options."""
    return running_server


@pytest.fixture
def app_page(page, server):
    """A page with the example notebook loaded and run (its frame summary is showing)."""
    from playwright.sync_api import expect

    url, _ = server
    page.goto(url, timeout=60_000)
    expect(page.locator(".db-model-builder")).to_have_count(1, timeout=60_000)  # the example's last cell
    return page


@pytest.fixture(scope="session")
def serve_helpers():
    """free_port, wait_live and stop for tests that start their own server (e.g. the README's run command)."""
    return free_port, wait_live, stop
