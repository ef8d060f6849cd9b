"""Uploads stream to disk through a small authenticated HTTP endpoint, never through the websocket.

A file sent over Bokeh's websocket must fit one message (20 MB by default: a 30 MB upload dropped the connection)
and sits whole in memory before any size check. Here the browser POSTs the file to ``/deepbrook/upload`` (a Panel
``--plugins`` route); the body streams into a hidden temporary file in the upload folder, counted against the
limit as it arrives, and is then given its final name without replacing anything: a second ``data.csv`` becomes
``data_2.csv``. Names are checked first (``..``, empty, ``/``, NUL, hidden files are refused with a reason).

The endpoint answers only requests that carry the ``X-Deepbrook-Upload`` header (a cross-site form cannot set
it, so no other page can upload into the server) from the page's own origin, and only users the server's auth
provider accepts (Bokeh's ``AuthRequestHandler``: the same login as the app itself).
"""
from __future__ import annotations

import json
import logging
import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlparse

from tornado import web

from bokeh.server.views.auth_request_handler import AuthRequestHandler

log = logging.getLogger("deepbrook.app.uploads")

UPLOAD_URL = "deepbrook/upload"  # relative to the server root (panel serve adds any --prefix)
HEADER = "X-Deepbrook-Upload"
MAX_NAME = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UploadError(ValueError):
    """An upload that cannot be stored: bad name, over the limit, interrupted; the message says which."""
    status = 400


class UploadTooLarge(UploadError):
    status = 413


def checked_name(name) -> str:
    """The file name an upload is stored under, or UploadError saying what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise UploadError("the uploaded file has no name")
    if "\x00" in name:
        raise UploadError(f"the file name {name!r} contains a NUL character")
    if _CONTROL.search(name):
        raise UploadError(f"the file name {name!r} contains control characters")
    if "/" in name or "\\" in name:
        raise UploadError(f"the file name {name!r} contains a path separator; upload a file, not a path")
    if name.strip(".") == "" or name.startswith("."):
        raise UploadError(f"the file name {name!r} is '.', '..' or hidden (starts with '.'); rename the file")
    if name != name.strip():
        raise UploadError(f"the file name {name!r} starts or ends with spaces")
    if len(name) > MAX_NAME:
        raise UploadError(f"the file name {name[:30]!r}... is longer than {MAX_NAME} characters")
    return name


class UploadReceiver:
    """Writes one upload into ``folder`` chunk by chunk, at most ``limit_bytes``; ``finish()`` names it."""

    def __init__(self, folder: Path, name: str, limit_bytes: int, declared_size: int | None = None):
        self.folder, self.name, self.limit = Path(folder), checked_name(name), int(limit_bytes)
        if declared_size is not None and declared_size > self.limit:
            raise UploadTooLarge(self._too_big(declared_size))
        self.size = 0
        self.temp = self.folder / f".upload-{uuid.uuid4().hex}.part"  # hidden: never listed or imported
        self._file = open(self.temp, "xb")

    def _too_big(self, size):
        return (f"{self.name} is {size / 1e6:.1f} MB or more; the upload limit of this server is "
                f"{self.limit / (1 << 20):g} MB")

    def write(self, chunk: bytes):
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLarge(self._too_big(self.size))
        self._file.write(chunk)

    def finish(self) -> Path:
        """Give the file its name; an existing file of that name is kept and this one gets a suffix."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        stem, dot, ext = self.name.partition(".")
        for k in range(1, 10_000):
            target = self.folder / (self.name if k == 1 else f"{stem}_{k}{dot}{ext}")
            try:
                os.link(self.temp, target)  # fails if the name exists: never replaces a file
            except FileExistsError:
                continue
            self.temp.unlink()
            return target
        self.abort()
        raise UploadError(f"too many files named like {self.name} in the upload folder")

    def abort(self):
        if not self._file.closed:
            self._file.close()
        self.temp.unlink(missing_ok=True)


def store_received(folder, name: str, data: bytes, limit_bytes: int) -> Path:
    """Store bytes already received (the websocket path: Jupyter, model uploads) with the same rules."""
    receiver = UploadReceiver(folder, name, limit_bytes, declared_size=len(data))
    receiver.write(data)
    return receiver.finish()


def _app_state():
    from deepbrook.app.server import app_state

    return app_state()


@web.stream_request_body
class UploadHandler(AuthRequestHandler):
    """POST /deepbrook/upload?name=<file name>: the request body is the file; answers JSON {name, size}."""

    def initialize(self, state=None):
        self._state = state or _app_state
        self.receiver = None
        self.failure = None

    async def prepare(self):
        await super().prepare()
        if self.request.method != "POST":
            return
        if not self.current_user:
            raise web.HTTPError(403, "log in first")
        if self.request.headers.get(HEADER) != "1":
            raise web.HTTPError(403, f"uploads need the {HEADER} header")
        origin = self.request.headers.get("Origin")
        if origin and urlparse(origin).netloc != self.request.host:
            raise web.HTTPError(403, "uploads from another site are refused")
        state = self._state()
        declared = self.request.headers.get("Content-Length")
        try:
            self.receiver = UploadReceiver(state.upload_dir, self._raw_name(),
                                           int(state.upload_limit_mb * (1 << 20)),
                                           int(declared) if declared and declared.isdigit() else None)
        except UploadError as e:
            self.failure = str(e)
            self._reply(e.status, {"error": self.failure})
            return
        # tornado's own cap sits one read past ours, so our count (which removes the partial file before
        # answering) always fires first
        self.request.connection.set_max_body_size(self.receiver.limit + (1 << 20))

    def _raw_name(self) -> str:
        """The name as sent: tornado's get_argument would turn a NUL into a space and hide the attack."""
        values = self.request.query_arguments.get("name") or [b""]
        try:
            return values[0].decode("utf-8")
        except UnicodeDecodeError:
            raise UploadError("the file name is not valid UTF-8") from None

    def data_received(self, chunk):
        if self.receiver is None or self.failure:
            return
        try:
            self.receiver.write(chunk)
        except UploadError as e:
            self.failure = str(e)
            self._reply(e.status, {"error": self.failure})

    def post(self):
        if self.failure or self.receiver is None:
            return
        try:
            path = self.receiver.finish()
        except (UploadError, OSError) as e:
            self._reply(500, {"error": f"the upload could not be stored: {e}"})
            return
        log.info("upload stored: %s (%d bytes)", path.name, self.receiver.size)
        self._reply(200, {"name": path.name, "size": self.receiver.size, "renamed": path.name != self.receiver.name})

    def on_connection_close(self):
        if self.receiver is not None:
            self.receiver.abort()  # an interrupted upload leaves nothing behind (finish() already moved a done one)

    def _reply(self, status, body):
        if self._finished:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


# Panel's `--plugins deepbrook.app.uploads` serves these routes next to the app.
ROUTES = [(f"/{UPLOAD_URL}", UploadHandler, {})]
