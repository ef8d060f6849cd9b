"""Each browser tab's notebook, autosaved so that reloading the tab brings it back (Flow keeps it in local storage).

The tab names itself with a random id kept in the browser's sessionStorage (it survives a reload, not a new tab);
the server keeps one JSON file per id under `<workspace>/autosave/`, apart from the saved notebooks and out of the
data folders. Writes are atomic (temporary file, then os.replace), so a crash leaves the previous autosave.
"""
from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

TAB_ID = re.compile(r"^[0-9a-f]{32}$")


class AutosaveStore:
    """Tab id -> notebook JSON, in a folder (or in memory when the workspace has no folder)."""

    def __init__(self, directory=None):
        self.directory = Path(directory) if directory is not None else None
        self._memory: dict[str, dict] = {}
        self._lock = threading.Lock()

    @staticmethod
    def valid(tab_id) -> bool:
        return isinstance(tab_id, str) and bool(TAB_ID.match(tab_id))

    def _path(self, tab_id) -> Path:
        return self.directory / f"{tab_id}.json"

    def save(self, tab_id, data: dict):
        if not self.valid(tab_id):
            raise ValueError(f"not a tab id: {tab_id!r}")
        with self._lock:
            if self.directory is None:
                self._memory[tab_id] = json.loads(json.dumps(data))
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self._path(tab_id).with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self._path(tab_id))

    def load(self, tab_id) -> dict | None:
        """The tab's last autosave, or None (unknown id, or an unreadable file: the tab then keeps its page)."""
        if not self.valid(tab_id):
            return None
        with self._lock:
            if self.directory is None:
                return self._memory.get(tab_id)
            try:
                return json.loads(self._path(tab_id).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
