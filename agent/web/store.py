"""The web app's data folder: every item (a draft, a batch check, a typeset file) in its own folder.

Folders are named by ids the app makes (random hex); a name from the browser is never used as a
path. `Item.file()` refuses any name that would leave the item's folder.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agent.errors import InputError
from agent.writer import write_atomic

__all__ = ["WebConfig", "Store", "Item", "NotFound", "is_loopback", "new_id"]

_ID_RE = re.compile(r"^[0-9a-f]{12}$")
KINDS = ("drafts", "checks", "formats")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class NotFound(Exception):
    """No such item, file or download: the page says 找不到 (404)."""


def is_loopback(host: str) -> bool:
    """Whether a bind address reaches only this machine."""
    return host.strip("[]") in LOOPBACK or host.startswith("127.")


class WebConfig(BaseModel):
    """How the app runs: where it keeps its files, demo mode, the access token and the upload bounds."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8300
    demo: bool = False
    token: str | None = None
    max_request_bytes: int = 40 * 1024 * 1024  # one request's body, all files together
    max_file_bytes: int = 5 * 1024 * 1024  # one uploaded file (a zip's members each too)
    max_files: int = 300  # files in one batch check, a zip's members included
    max_zip_bytes: int = 60 * 1024 * 1024  # a zip's members unpacked, together


def new_id() -> str:
    """A fresh item id: 12 hex digits, sortable by time (8) then random (4)."""
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{secrets.token_hex(2)}"


class Item:
    """One item's folder and its state.json (read and written under a lock: the worker writes it too)."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.id = path.name

    def file(self, name: str) -> Path:
        """A file inside the item's folder. Raises InputError for a name that would leave it."""
        target = (self.path / name).resolve()
        if not target.is_relative_to(self.path.resolve()):
            raise InputError("文件名不合法")
        return target

    def state(self) -> dict:
        with self._lock:
            return json.loads((self.path / "state.json").read_text(encoding="utf-8"))

    def update(self, **changes) -> dict:
        """Change some fields of the state and save it atomically; returns the new state."""
        with self._lock:
            path = self.path / "state.json"
            state = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            state.update(changes)
            write_atomic(path, json.dumps(state, ensure_ascii=False, indent=1))
            return state

    def append_message(self, message: str, **changes) -> None:
        """Add one progress line (and other fields) to the state."""
        with self._lock:
            path = self.path / "state.json"
            state = json.loads(path.read_text(encoding="utf-8"))
            state["messages"] = [*state.get("messages", []), message][-200:]
            state.update(changes)
            write_atomic(path, json.dumps(state, ensure_ascii=False, indent=1))


class Store:
    """The data folder: items by kind and id."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for kind in KINDS:
            (root / kind).mkdir(parents=True, exist_ok=True)

    def create(self, folder: str, **state) -> Item:
        """A new item in one of KINDS with its first state."""
        item = Item(self.root / folder / new_id())
        item.path.mkdir(parents=True)
        item.update(id=item.id, created=time.strftime("%Y-%m-%d %H:%M:%S"), **state)
        return item

    def get(self, kind: str, item_id: str) -> Item:
        """An existing item. Raises NotFound for an unknown or malformed id."""
        if kind not in KINDS or not _ID_RE.match(item_id) or not (self.root / kind / item_id / "state.json").exists():
            raise NotFound(item_id)
        return Item(self.root / kind / item_id)

    def recent(self, kind: str, n: int = 10) -> list[dict]:
        """The newest items of a kind, their states."""
        folders = sorted((p for p in (self.root / kind).iterdir() if _ID_RE.match(p.name)), reverse=True)[:n]
        out = []
        for folder in folders:
            try:
                out.append(Item(folder).state())
            except (OSError, ValueError):
                continue
        return out
