"""Uploads (issue 15 item 10, issue 18 item 2): streamed to disk over real HTTP with the limit enforced while
receiving, hostile names refused with a reason, a same-name upload kept beside the first, and an uploaded file
importable whatever the data roots."""
import asyncio
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from bokeh.server.auth_provider import NullAuth
from tornado import httpserver, web

from deepbrook.app.cli import SERVER
from deepbrook.app.context import AppState, CellContext
from deepbrook.app.routines import run
from deepbrook.app.uploads import HEADER, UPLOAD_URL, UploadError, UploadHandler, checked_name
from deepbrook.app.views.import_view import ImportState

HOSTILE_NAMES = {"..": "'.', '..' or hidden", ".": "'.', '..' or hidden", "": "has no name", "/": "path separator",
                 "../../etc/cron.d/x": "path separator", "a\x00b.csv": "NUL character", "..\\x.csv": "path separator",
                 ".bashrc": "hidden", " x.csv": "spaces", "a\nb.csv": "control characters", "x" * 300: "longer than"}


@pytest.fixture
def state(tmp_path):
    elsewhere = tmp_path / "roots"
    elsewhere.mkdir()
    (elsewhere / "other.csv").write_text("a\n1\n")
    # a --data-root that does not hold the workspace: uploads must still be importable (#18 item 2)
    return AppState(workspace_dir=tmp_path / "ws", data_roots=[elsewhere], upload_limit_mb=1, upload_endpoint=True)


class _Server:
    """The upload handler in a real tornado HTTP server on a free port (its own thread and event loop)."""

    def __init__(self, state, auth=None):
        app = web.Application([(f"/{UPLOAD_URL}", UploadHandler, {"state": lambda: state})])
        app.auth_provider = auth or NullAuth()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(app,), daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self, app):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        server = httpserver.HTTPServer(app)
        server.listen(self.port, "127.0.0.1")
        self.ready.set()
        self.loop.run_forever()
        server.stop()

    def url(self, _name=None):
        return f"http://127.0.0.1:{self.port}/{UPLOAD_URL}"

    def post(self, name, data, headers=None):
        return requests.post(self.url(name), params={"name": name}, data=data,
                             headers={HEADER: "1", **(headers or {})}, timeout=30)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def server(state):
    s = _Server(state)
    yield s
    s.stop()


def test_an_upload_streams_to_disk_and_a_same_name_upload_keeps_both(server, state):
    first = server.post("data.csv", b"a,b\n1,2\n")
    assert first.status_code == 200 and first.json() == {"name": "data.csv", "size": 8, "renamed": False}
    second = server.post("data.csv", b"a,b\n3,4\n")
    assert second.json() == {"name": "data_2.csv", "size": 8, "renamed": True}
    assert (state.upload_dir / "data.csv").read_bytes() == b"a,b\n1,2\n"  # the first is never replaced
    assert (state.upload_dir / "data_2.csv").read_bytes() == b"a,b\n3,4\n"
    assert [p.name for p in state.upload_dir.iterdir() if p.name.startswith(".")] == []  # no temp files left


def _refused(post):
    """The server's answer to an upload it stops early, or None when it closed the connection first (a client
    still sending may see only the reset; the browser checks the size before sending)."""
    try:
        return post()
    except requests.RequestException:  # reset while sending or while reading the answer
        return None


def test_the_limit_is_enforced_while_receiving(server, state):
    # Content-Length over the limit: refused before the body is read
    declared = _refused(lambda: server.post("big.csv", b"x" * (2 << 20)))
    assert declared is None or (declared.status_code == 413 and
                                "upload limit of this server is 1 MB" in declared.json()["error"])

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"y" * 65536
    streamed = _refused(lambda: server.post("stream.csv", chunks()))
    assert streamed is None or (streamed.status_code == 413 and
                                "stream.csv is 1.1 MB or more" in streamed.json()["error"])
    assert list(state.upload_dir.iterdir()) == []  # nothing stored, no partial file left
    small = server.post("small.csv", b"x" * 1000)  # the server still serves
    assert small.status_code == 200


def test_an_oversized_upload_is_answered_with_the_reason(server):
    """A client that declares its size and waits (as a browser's XHR does) reads the reason."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", f"/{UPLOAD_URL}?name=big.csv")
    conn.putheader(HEADER, "1")
    conn.putheader("Content-Length", str(5 << 20))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413 and b"upload limit of this server is 1 MB" in r.read()


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_hostile_names_get_a_clear_error_over_http(server, state, name):
    r = server.post(name, b"a\n1\n")
    assert r.status_code == 400 and HOSTILE_NAMES[name] in r.json()["error"]
    assert list(state.upload_dir.iterdir()) == []


def test_requests_without_the_header_or_from_another_site_are_refused(server, state):
    assert requests.post(server.url("x.csv"), params={"name": "x.csv"}, data=b"a", timeout=10).status_code == 403
    assert server.post("x.csv", b"a", headers={"Origin": "http://evil.example"}).status_code == 403
    assert list(state.upload_dir.iterdir()) == []


def test_the_servers_login_is_required(state):
    class NotLoggedIn:  # the server's auth provider finds no user in the request
        get_user = staticmethod(lambda handler: None)
        get_user_async = None

    s = _Server(state, auth=NotLoggedIn())
    try:
        assert s.post("x.csv", b"a").status_code == 403
    finally:
        s.stop()
    assert list(state.upload_dir.iterdir()) == []


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_hostile_names_over_the_websocket_path_too(state, name):
    ctx = CellContext(state)
    s = ImportState(ctx)
    assert s.save_upload(name, b"a\n1\n") == ""
    assert HOSTILE_NAMES[name] in s.error
    with pytest.raises(UploadError):
        checked_name(name)


def test_websocket_uploads_keep_both_files_and_state_their_real_limit(tmp_path):
    app = AppState(workspace_dir=tmp_path / "ws", upload_limit_mb=200)  # Jupyter: no HTTP endpoint
    s = ImportState(CellContext(app))
    assert s.upload_limit_mb() == 15  # what one websocket message holds, not the 200 MB the form used to say
    assert s.save_upload("u.csv", b"a\n1\n") == "uploads/u.csv"
    assert s.save_upload("u.csv", b"a\n2\n") == "uploads/u_2.csv"
    assert s.save_upload("huge.csv", b"x" * (16 << 20)) == "" and "upload limit of this server is 15 MB" in s.error


def test_an_answer_naming_another_file_is_refused(state):
    s = ImportState(CellContext(state))
    assert s.uploaded({"name": "../roots/other.csv"}) == "" and "path separator" in s.error
    assert s.uploaded({"name": "missing.csv"}) == "" and "not in the upload folder" in s.error


def test_an_uploaded_file_is_importable_whatever_the_data_roots(server, state):
    server.post("mine.csv", b"x,y\n1,2\n3,4\n")
    ctx = CellContext(state)
    picked = ImportState(ctx).uploaded({"name": "mine.csv"})
    assert picked == "mine.csv"  # relative to the upload folder, itself a root
    run(ctx, f'parseFiles "{picked}", destination_frame: "mine.hex"')
    assert state.workspace.get("mine.hex").nrows == 2
    run(ctx, 'parseFiles "other.csv"')  # the --data-root still works
    assert "other.hex" in state.workspace.names("frame")


def test_the_form_states_the_servers_limit(state):
    from deepbrook.app.views.import_view import ImportView

    view = ImportView(CellContext(state))
    text = " ".join(str(getattr(o, "object", "")) for o in view.__panel__().objects[3].objects)
    assert "at most 1 MB" in text
    assert type(view.upload).__name__ == "StreamingUpload" and view.upload.limit_bytes == 1 << 20


def test_a_served_upload_needs_panels_login(tmp_path):
    """Panel's own --basic-auth in front of the real plugin route: no login, no upload; logged in, stored."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DEEPBROOK_WORKSPACE": str(tmp_path / "ws"), "DEEPBROOK_UPLOAD_ENDPOINT": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "panel", "serve", str(SERVER), "--port",
                             str(port), "--basic-auth", "secret-pw", "--cookie-secret", "x" * 32, "--plugins",
                             "deepbrook.app.uploads"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/login", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        url = f"{base}/{UPLOAD_URL}"
        anonymous = requests.post(url, params={"name": "x.csv"}, data=b"a\n1\n", headers={HEADER: "1"}, timeout=10)
        assert anonymous.status_code == 403
        session = requests.Session()
        login = session.post(f"{base}/login", data={"username": "u", "password": "secret-pw"}, timeout=30,
                             allow_redirects=False)  # the redirect would open (and run) the app page
        assert login.status_code == 302
        stored = session.post(url, params={"name": "x.csv"}, data=b"a\n1\n", headers={HEADER: "1"}, timeout=10)
        assert stored.status_code == 200 and stored.json()["name"] == "x.csv"
        assert [p.name for p in (tmp_path / "ws" / "data" / "uploads").iterdir()] == ["x.csv"]
    finally:
        proc.terminate()
        proc.wait(15)


def test_a_state_without_workspace_writes_nothing_into_the_data_roots(tmp_path):
    """`deepbrook run --data-root DIR` (no workspace) must not create an uploads folder inside the user's data."""
    roots = tmp_path / "readonly-data"
    roots.mkdir()
    (roots / "a.csv").write_text("x\n1\n")
    before = sorted(p.name for p in roots.iterdir())
    app = AppState(data_roots=[roots])
    assert app.resolve_path("a.csv") == roots / "a.csv"
    assert sorted(p.name for p in roots.iterdir()) == before


def test_model_uploads_stream_over_http_too(server, state):
    """The importModel form's upload (#15 item 10, the part left): the same HTTP endpoint and limit as data, not the
    websocket; the browser's answer is checked before it becomes the form's path."""
    from deepbrook.app.views.transfer_view import ImportModelView

    view = ImportModelView(CellContext(state))
    upload = next(o for o in view.__panel__().objects[2].objects if type(o).__name__ == "StreamingUpload")
    assert upload.limit_bytes == 1 << 20 and upload.url == UPLOAD_URL
    assert server.post("big.model", b"x" * (2 << 20)).status_code == 413  # the limit holds while receiving
    assert server.post("m.model", b"PK\x05\x06" + b"\0" * 18).status_code == 200
    upload.uploaded = {"name": "m.model"}
    assert view.state.path == "m.model" and view.state.error == ""
    upload.uploaded = {"name": "../m.model"}
    assert "path separator" in view.state.error and view.state.path == "m.model"
    upload.error = "the upload failed: the connection to the server was lost"
    assert view.state.error == "the upload failed: the connection to the server was lost"
