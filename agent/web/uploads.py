"""Uploads, bounded: request size, file size, file count, zip members; names made safe before use.

A browser-given name only ever becomes the last part of a path inside an item's folder, after
`safe_name` has kept letters, digits, CJK and a few marks; folder names inside a zip are kept the
same way (so 第一支部/张三.docx still gives the 单位), never `..` or an absolute path.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path, PurePosixPath

from agent.errors import InputError, LimitError
from agent.reader import SUPPORTED_SUFFIXES

__all__ = ["safe_name", "save_uploads", "BodyLimit", "UploadedFile"]

_UNSAFE_RE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff\u3400-\u4dbf（）()【】《》〔〕·._+\- ]+")
CHECK_SUFFIXES = tuple(s for s in SUPPORTED_SUFFIXES if s != ".doc")  # .doc needs LibreOffice: not on a server


class UploadedFile:
    """A file read from the form: its safe relative path and its bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.data = name, data


def safe_name(name: str, default: str = "文件") -> str:
    """One path component from a browser-given name: no folders, no dots in front, at most 80 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_RE.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:70].strip(" ._") or default
    return f"{stem}.{suffix[:8].lower()}" if suffix else stem


def _safe_relative(name: str) -> str:
    """A zip member's path as safe components (folders kept, `..` and roots dropped)."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    return "/".join(safe_name(p) for p in parts[-4:])


async def read_upload(upload, limit: int) -> bytes:
    """An UploadFile's bytes, refused past `limit`. Raises LimitError with the file's name."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise LimitError(f"文件“{safe_name(upload.filename or '')}”超过 {limit // (1024 * 1024)} MB，未接收")
    return data


async def one_upload(form, field: str, *, what: str, suffixes: tuple[str, ...], limit: int) -> tuple[str, bytes]:
    """The one file a form field must carry: its safe name and bytes.

    Raises:
        InputError: no file chosen, or a kind of file the page does not take (both named in Chinese).
        LimitError: larger than `limit`.
    """
    upload = form.get(field)
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise InputError(f"请选择{what}文件")
    name = safe_name(upload.filename, what)
    if not name.lower().endswith(suffixes):
        raise InputError(f"{what}只能是 {'、'.join(suffixes)} 文件")
    return name, await read_upload(upload, limit)


def unzip(data: bytes, *, max_files: int, max_file_bytes: int, max_total: int) -> list[UploadedFile]:
    """The checkable files inside a zip (folders kept), bounded in count, size and unpacked total.

    Raises:
        InputError: not a zip; LimitError: too many files, a member too large, too much unpacked.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError("不是有效的 .zip 文件") from exc
    out, total = [], 0
    for info in archive.infolist():
        name = _decode_name(info)
        leaf = name.rstrip("/").rsplit("/", 1)[-1]
        if info.is_dir() or leaf.startswith((".", "~$")) or "__MACOSX" in name:
            continue
        if not leaf.lower().endswith(CHECK_SUFFIXES):
            continue
        if len(out) >= max_files:
            raise LimitError(f"压缩包里的文件超过 {max_files} 份，请分批上传")
        if info.file_size > max_file_bytes:
            raise LimitError(f"压缩包里的“{safe_name(leaf)}”超过 {max_file_bytes // (1024 * 1024)} MB")
        total += info.file_size
        if total > max_total:
            raise LimitError(f"压缩包解开后超过 {max_total // (1024 * 1024)} MB，请分批上传")
        with archive.open(info) as fh:
            content = fh.read(max_file_bytes + 1)  # the header's size is not trusted
        if len(content) > max_file_bytes:
            raise LimitError(f"压缩包里的“{safe_name(leaf)}”超过 {max_file_bytes // (1024 * 1024)} MB")
        out.append(UploadedFile(_safe_relative(name), content))
    return out


def _decode_name(info: zipfile.ZipInfo) -> str:
    """Zips made on a Chinese Windows store names in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def save_uploads(files: list[UploadedFile], folder: Path) -> list[Path]:
    """Write files under `folder`, renaming duplicates (张三.docx, 张三-2.docx); returns their paths."""
    paths = []
    root = folder.resolve()
    for f in files:
        target = (folder / f.name).resolve()
        if not target.is_relative_to(root):  # safe_name makes this impossible; refuse rather than trust it
            raise InputError("文件名不合法")
        stem, n = target.stem, 2
        while target.exists():
            target = target.with_name(f"{stem}-{n}{target.suffix}")
            n += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.data)
        paths.append(target)
    return paths


class BodyLimit:
    """ASGI middleware: a request body past `limit` bytes is refused with 413 and a Chinese message.

    A declared Content-Length is checked before anything is read; a body without one is counted as
    it streams and cut off at the limit.
    """

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send) -> None:
        mb = self.limit // (1024 * 1024)
        body = (f"<!doctype html><meta charset='utf-8'><title>上传过大</title><p>上传的内容超过 {mb} MB，未接收。"
                "请减少文件数量或分批上传。</p><p><a href='/'>返回</a></p>").encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
