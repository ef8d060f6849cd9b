"""`deepbrook serve`: the panel command it builds, and a real server answering with the Deepbrook page."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from deepbrook.app.cli import SERVER, build_parser, serve_command


def command_for(*argv):
    return serve_command(build_parser().parse_args(["serve", *argv]))


def test_builds_the_panel_serve_command(tmp_path):
    cmd, env, url = command_for("--port", "6123", "--workspace", str(tmp_path / "ws"), "--num-threads", "3",
                                "--dask-scheduler", "tcp://10.0.0.1:8786", "--data-root", str(tmp_path))
    assert cmd[:4] == [sys.executable, "-m", "deepbrook.app.launch", str(SERVER)]
    assert cmd[cmd.index("--port") + 1] == "6123" and cmd[cmd.index("--address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--plugins") + 1] == "deepbrook.app.health" and "--liveness" not in cmd   # app/health.py
    assert cmd[cmd.index("--num-threads") + 1] == "3"
    origins = {cmd[i + 1] for i, a in enumerate(cmd) if a == "--allow-websocket-origin"}
    assert origins == {"127.0.0.1:6123", "localhost:6123"}
    assert "--show" not in cmd
    assert env["DEEPBROOK_WORKSPACE"] == str((tmp_path / "ws").resolve())
    assert env["DEEPBROOK_DASK_SCHEDULER"] == "tcp://10.0.0.1:8786"
    assert env["DEEPBROOK_DATA_ROOTS"] == str(tmp_path.resolve())
    assert url == "http://127.0.0.1:6123/"


def test_limits_and_the_upload_endpoint_reach_the_server(tmp_path, monkeypatch):
    cmd, env, _url = command_for("--workspace", str(tmp_path / "ws"), "--upload-limit-mb", "40",
                                 "--max-decompressed-mb", "100", "--max-frame-mb", "300")
    plugins = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--plugins"]
    assert "deepbrook.app.uploads" in plugins
    for k, v in env.items():
        if k.startswith("DEEPBROOK_"):
            monkeypatch.setenv(k, v)
    from deepbrook.app.context import AppState

    state = AppState.from_env()
    assert state.upload_limit_mb == 40 and state.upload_endpoint
    assert state.read_limits.max_decompressed_bytes == 100 << 20 and state.read_limits.max_frame_bytes == 300 << 20


def test_all_interfaces_and_open(tmp_path):
    users = tmp_path / "users.json"
    users.write_text('{"ana": "Correct Horse 9"}')
    cmd, env, url = command_for("--address", "0.0.0.0", "--open", "--basic-auth", str(users),
                                "--allow-websocket-origin", "deepbrook.example.org")
    origins = {cmd[i + 1] for i, a in enumerate(cmd) if a == "--allow-websocket-origin"}
    assert origins == {"deepbrook.example.org", "127.0.0.1:5006", "localhost:5006"} and "--show" in cmd
    assert env["DEEPBROOK_BASIC_AUTH"] == str(users) and str(users) not in cmd  # the secret stays off argv
    assert env["BOKEH_SIGN_SESSIONS"] == "true" and len(env["BOKEH_SECRET_KEY"]) >= 32
    assert len(env["PANEL_COOKIE_SECRET"]) >= 32
    assert url == "http://127.0.0.1:5006/"


def test_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--port", "eighty"])
    assert "invalid int value" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def test_serve_prints_the_url_and_serves_the_page(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("deepbrook")
    log = open(tmp_path / "log.txt", "w+")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workspace", str(tmp_path / "ws")],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if requests.get(f"http://127.0.0.1:{port}/liveness", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        page = requests.get(f"http://127.0.0.1:{port}/", timeout=60)  # runs create_app for one session
        assert page.status_code == 200 and "<title>Deepbrook</title>" in page.text
        log.seek(0)
        assert f"Deepbrook is starting at http://127.0.0.1:{port}/" in log.read()
        assert (tmp_path / "ws").is_dir()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
