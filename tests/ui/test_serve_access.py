"""Serving beyond loopback: refused without a login and an origin list; with them, a real `deepbrook serve` keeps
out unauthenticated requests, websockets opened by other sites' pages and made-up session ids.

Before the fix `--address 0.0.0.0` allowed every websocket origin (`*`), without a login and with unsigned session
ids: any page a user visited could open a session and drive the shared notebook.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from bokeh.util.token import generate_jwt_token, generate_session_id
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from deepbrook.app.access import UnsafeServeError, access_settings, is_loopback

DEEPBROOK = [str(Path(sys.executable).with_name("deepbrook"))]
PASSWORD = "Correct Horse 9"  # mixed case: Panel 1.9's own basic auth lower-cases what it compares with


def serve(*argv, timeout=30):
    return subprocess.run([*DEEPBROOK, "serve", *argv], capture_output=True, text=True, timeout=timeout,
                          env={k: v for k, v in os.environ.items()
                               if not k.startswith(("DEEPBROOK_", "PANEL_", "BOKEH_"))})


def test_all_interfaces_without_login_and_origins_refuses_to_start_and_says_what_to_pass(tmp_path, serve_helpers):
    port = serve_helpers[0]()  # a free port
    done = serve("--address", "0.0.0.0", "--port", str(port), "--workspace", str(tmp_path / "ws"))
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0" in done.stderr
    assert "--basic-auth" in done.stderr and "--oauth-provider" in done.stderr
    assert "--allow-websocket-origin" in done.stderr and "--address 127.0.0.1" in done.stderr
    assert "starting" not in done.stdout  # it never got as far as starting the server
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing listens


def test_each_missing_piece_is_named(tmp_path):
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"ana": PASSWORD}))
    only_login = serve("--address", "::", "--basic-auth", str(users))
    assert only_login.returncode == 2 and "--allow-websocket-origin HOST[:PORT]" in only_login.stderr
    assert "a login:" not in only_login.stderr
    only_origin = serve("--address", "10.1.2.3", "--allow-websocket-origin", "10.1.2.3:5006")
    assert only_origin.returncode == 2 and "a login:" in only_origin.stderr
    assert "HOST[:PORT] for each" not in only_origin.stderr
    wildcard = serve("--address", "0.0.0.0", "--basic-auth", str(users), "--allow-websocket-origin", "*")
    assert wildcard.returncode == 2 and "wildcard" in wildcard.stderr
    typo = serve("--address", "0.0.0.0", "--basic-auth", str(tmp_path / "usres.json"),
                 "--allow-websocket-origin", "deepbrook.example.org")
    assert typo.returncode == 2 and "no credentials file" in typo.stderr  # a mistyped path never becomes the password
    users.write_text('["ana"]')
    bad = serve("--address", "0.0.0.0", "--basic-auth", str(users), "--allow-websocket-origin", "h")
    assert bad.returncode == 2 and "JSON object of user names" in bad.stderr


def test_loopback_needs_nothing_and_keeps_its_own_origins():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("deepbrook.example.org")
    args, env = access_settings("127.0.0.1", 5006, environ={})
    assert {args[i + 1] for i in range(0, len(args), 2)} == {"127.0.0.1:5006", "localhost:5006"}
    assert env == {}  # as before: no login, Bokeh's defaults
    with pytest.raises(UnsafeServeError, match="wildcard"):
        access_settings("127.0.0.1", 5006, origins=["*.example.org"], environ={})


def test_settings_come_from_the_environment_for_containers(tmp_path):
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"ana": PASSWORD}))
    args, env = access_settings("0.0.0.0", 5006, environ={
        "DEEPBROOK_BASIC_AUTH": str(users), "DEEPBROOK_ALLOW_WEBSOCKET_ORIGIN": "a.example.org, b.example.org:8443",
        "PANEL_COOKIE_SECRET": "c" * 40, "BOKEH_SECRET_KEY": "k" * 40})
    assert {"a.example.org", "b.example.org:8443"} <= set(args)
    assert env["PANEL_COOKIE_SECRET"] == "c" * 40 and env["BOKEH_SECRET_KEY"] == "k" * 40  # given secrets are kept
    assert env["BOKEH_SIGN_SESSIONS"] == "true" and env["DEEPBROOK_BASIC_AUTH"] == str(users)


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory, serve_with):
    """`deepbrook serve --address 0.0.0.0` with a credentials file and one allowed origin."""
    tmp = tmp_path_factory.mktemp("guarded")
    users = tmp / "users.json"
    users.write_text(json.dumps({"ana": PASSWORD}))
    with serve_with(tmp / "ws", "--address", "0.0.0.0", "--basic-auth", str(users),
                    "--allow-websocket-origin", "deepbrook.example.org") as base:
        yield base


def logged_in(base, password=PASSWORD) -> requests.Session:
    session = requests.Session()
    session.post(base + "login", data={"username": "ana", "password": password}, allow_redirects=False, timeout=30)
    return session


def open_websocket(base, token, origin, cookies=None) -> str:
    """Open the app's websocket as a browser on `origin` would; returns "open" or the refusal."""
    headers = {"Origin": origin}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())

    async def attempt():
        request = HTTPRequest(base.replace("http://", "ws://") + "server/ws", headers=headers)
        try:
            conn = await websocket_connect(request, subprotocols=["bokeh", token])
        except HTTPClientError as e:
            return f"refused {e.code}"
        try:
            first = await asyncio.wait_for(conn.read_message(), 30)
            return "open" if first and '"ACK"' in first else f"closed {first!r}"
        finally:
            conn.close()

    # its own thread: Playwright's sync API may leave an event loop running in this one (earlier browser tests)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, attempt()).result()


def test_unauthenticated_requests_get_the_login_page_only(guarded_server):
    base = guarded_server
    page = requests.get(base, allow_redirects=False, timeout=30)
    assert page.status_code == 302 and "login" in page.headers["Location"]
    assert "Deepbrook" in requests.get(base + "login", timeout=30).text
    wrong = logged_in(base, password=PASSWORD.lower())  # what Panel's own check would have compared with
    assert "user" not in wrong.cookies
    assert wrong.get(base, allow_redirects=False, timeout=30).status_code == 302
    assert requests.get(base + "liveness", timeout=30).json()["ok"] is True  # health checks still work


def test_a_logged_in_user_gets_the_app_and_only_from_allowed_origins(guarded_server):
    base = guarded_server
    session = logged_in(base)
    page = session.get(base, timeout=120)
    assert page.status_code == 200 and "<title>Deepbrook</title>" in page.text
    token = re.search(r'"token":\s*"([^"]+)"', page.text).group(1)
    own = base.rstrip("/")
    cookies = session.cookies.get_dict()
    assert open_websocket(base, token, "http://evil.example", cookies) == "refused 403"  # cross-site page
    assert open_websocket(base, token, own, None) == "refused 403"  # no login cookie
    assert open_websocket(base, token, own, cookies) == "open"


def test_a_made_up_session_id_is_refused(guarded_server):
    base = guarded_server
    cookies = logged_in(base).cookies.get_dict()
    forged = generate_jwt_token(generate_session_id(signed=False), signed=False)  # what `*` origins let pages do
    assert open_websocket(base, forged, base.rstrip("/"), cookies).startswith(("refused", "closed"))


def test_every_response_carries_the_security_headers(guarded_server):
    base = guarded_server
    session = logged_in(base)
    page = session.get(base, timeout=120)
    static = re.search(r'src="(static/[^"]+\.js[^"]*)"', page.text).group(1)
    for response in (page, requests.get(base + "login", timeout=30), requests.get(base + "liveness", timeout=30),
                     requests.get(base, allow_redirects=False, timeout=30), session.get(base + static, timeout=30)):
        assert response.headers["X-Frame-Options"] == "DENY", response.url
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "connect-src 'self'" in csp
        assert "https:" not in csp and "*" not in csp  # no other origin is allowed for anything
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
