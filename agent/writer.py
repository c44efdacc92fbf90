"""Writing files without ever losing the user's data: atomic replace, backups, and checks made before
any work is paid for (an output path that cannot be written is found before the first model call)."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

from agent.errors import OutputPathError

_UMASK_LOCK = threading.Lock()


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write to a temp file in the same folder, fsync, then rename over the target.

    The result keeps the mode of the file it replaces; a new file gets the mode the user's umask
    gives (as `open()` would), not the 0600 of a temp file. A symlink is written through.

    Raises:
        OutputPathError: the folder cannot be created or written, or the target is a folder.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputPathError(f"无法写入（{exc.strerror or type(exc).__name__}）", path=str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputPathError(f"无法写入（{exc.strerror or type(exc).__name__}）", path=str(path)) from exc
        raise
    return path


def _umask() -> int:
    # The umask can only be read by setting it; the lock keeps two writers from racing on it.
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def backup(path: str | Path) -> Path:
    """Copy a file to `NAME.bak` (or `.bak1`, `.bak2`… if taken) before it is changed."""
    path = Path(path)
    candidate = path.with_name(path.name + ".bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak{n}")
        n += 1
    shutil.copy2(path, candidate)
    return candidate


def is_read_only(path: str | Path) -> bool:
    """True when the user cannot, or has said they do not want to, write `path`.

    Besides `os.access`, a file or folder whose owner has switched its write bit off counts as
    read-only even for root: an atomic rename would otherwise replace it silently.
    """
    p = Path(path)
    info = p.stat()
    needed = os.W_OK | (os.X_OK if p.is_dir() else 0)
    if not os.access(p, needed) or not info.st_mode & 0o222:
        return True
    return hasattr(os, "geteuid") and os.geteuid() == info.st_uid and not info.st_mode & stat.S_IWUSR


def check_output_path(path: str | Path, *, what: str = "输出文件", suffixes: tuple[str, ...] | None = None) -> Path:
    """Refuse an output path before any work is done: a folder, a read-only file or folder, a parent
    that is a file. Creates nothing.

    Args:
        path: where the output will go.
        what: how the message names it (输出文件, 报告文件…).
        suffixes: when given, the suffixes that are accepted (lower case, with the dot).

    Raises:
        OutputPathError: the path cannot be written, with what to do instead.
    """
    p = Path(path)
    example = "输出" + next((s for s in suffixes or (".md",) if s), "")
    if str(path).endswith(("/", os.sep)) or (p.exists() and p.is_dir()):
        raise OutputPathError(f"{what}的位置是一个文件夹：请写出文件名，如 {p / example}", path=str(path))
    if suffixes is not None and p.suffix.lower() not in suffixes:
        names = "、".join(s or "不带扩展名" for s in suffixes)
        raise OutputPathError(f"{what}的扩展名“{p.suffix or '（无）'}”不支持：可用 {names}", path=str(path))
    if p.exists():
        if is_read_only(p):
            raise OutputPathError(f"{what}是只读的：请换一个文件名，或先取消只读", path=str(path))
        return p
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputPathError(f"{what}的上级路径 {parent} 不是文件夹", path=str(path))
    if is_read_only(parent):
        raise OutputPathError(f"文件夹 {parent} 不可写：请换一个位置", path=str(path))
    return p
