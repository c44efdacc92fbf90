"""Reading user files: .txt/.md in any supported encoding, .docx and old .doc, with clear errors."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from pydantic import BaseModel

from agent.errors import InputError

MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_DOCX_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}
DOCX_SUFFIXES = {".docx"}
DOC_SUFFIXES = {".doc"}
SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".docx", ".doc"}
SOFFICE_TIMEOUT = 60  # seconds; a first start of LibreOffice alone can take ten
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: binary .doc (also when renamed .docx)
SAVE_AS_DOCX = "请在 Word/WPS 中“另存为”→“Word 文档（*.docx）”后再试"
# Tried in order once charset-normalizer has no confident answer: these are the encodings
# Chinese office files actually come in.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")


class SourceText(BaseModel):
    """Decoded text plus what is needed to write it back byte for byte."""

    path: str
    text: str
    encoding: str  # codec name usable with str.encode; "utf-8-sig" keeps a BOM
    format: str  # "txt", "md" or "docx" (also for a .doc, read through its .docx conversion)


def read_source(path: str | Path) -> SourceText:
    """Read a draft or notes file into text.

    Raises:
        InputError: missing file, folder, empty, binary, undecodable, oversized or corrupt .docx,
            or a .doc that cannot be converted.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("文件不存在", path=str(p))
    if p.is_dir():
        raise InputError("这是一个文件夹，需要一个文件", path=str(p))
    suffix = p.suffix.lower()
    if suffix in DOCX_SUFFIXES | DOC_SUFFIXES:
        return SourceText(path=str(p), text=read_docx_text(p), encoding="utf-8", format="docx")
    size = p.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InputError(f"文件过大（{size // 1024} KB），文本不能超过 5 MB", path=str(p))
    data = p.read_bytes()
    text, encoding = decode_bytes(data, str(p))
    fmt = "md" if suffix in {".md", ".markdown"} else "txt"
    return SourceText(path=str(p), text=text, encoding=encoding, format=fmt)


def decode_bytes(data: bytes, label: str = "") -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030/GBK; return (text, encoding).

    Raises:
        InputError: empty, binary, or not decodable in a supported encoding.
    """
    if not data.strip():
        raise InputError("文件是空的", path=label or None)
    if b"\x00" in data[:8192] or data[:4] in (b"PK\x03\x04", b"%PDF"):
        raise InputError("这是二进制文件，不是文本（支持 .txt/.md/.docx）", path=label or None)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(f"文件声明为 UTF-8（有 BOM），但第 {exc.start} 字节处不是有效的 UTF-8",
                             path=label or None) from exc
    for enc in FALLBACK_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8" or _looks_like_text(text):
            return text, enc
    guess = _guess_encoding(data)
    if guess:
        return guess
    raise InputError("无法识别文件编码（支持 UTF-8、GBK/GB18030）", path=label or None)


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes many byte strings; accept the result only if it is mostly common characters."""
    common = 0
    for ch in text:
        if ch.isascii() or ch.isspace():
            common += 1
            continue
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(text) >= 0.9


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    """Last resort for other legacy encodings (Big5 and the like): charset-normalizer's best guess."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        return None
    return str(best), best.encoding


def read_docx_text(path: Path) -> str:
    """The text of a .docx (or .doc) as the reader sees it; see `agent.docx_text`.

    Body paragraphs and table cells in document order, joined by newlines, each auto-numbered
    paragraph preceded by its rendered number. A binary .doc is converted with LibreOffice first.

    Raises:
        InputError: oversized, empty, not a zip, not a Word document, or a .doc without LibreOffice.
    """
    size = path.stat().st_size
    if size > MAX_DOCX_BYTES:
        raise InputError(f"文件过大（{size // 1024} KB），Word 文档不能超过 20 MB", path=str(path))
    if size == 0:
        raise InputError("文件是空的", path=str(path))
    with path.open("rb") as fh:
        head = fh.read(8)
    # WPS often saves a .docx under a .doc name; and a binary .doc is sometimes renamed .docx.
    legacy = head == OLE_MAGIC or (path.suffix.lower() in DOC_SUFFIXES and not head.startswith(b"PK\x03\x04"))
    if not legacy:
        return _docx_text(path, path)
    with tempfile.TemporaryDirectory(prefix="duizhao-doc-") as tmp:
        return _docx_text(_convert_doc(path, Path(tmp)), path)


def _docx_text(path: Path, label: Path) -> str:
    try:
        import docx

        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f".docx 文件已损坏或不是 Word 文档（{type(exc).__name__}）", path=str(label)) from exc
    except Exception as exc:  # python-docx raises a zoo of lxml/opc errors on corrupt parts
        raise InputError(f".docx 文件无法解析（{type(exc).__name__}）", path=str(label)) from exc
    from agent.docx_text import document_text

    text = document_text(document)
    if not text.strip():
        raise InputError("文件是空的", path=str(label))
    return text


def _convert_doc(path: Path, tmp: Path) -> Path:
    """Convert an old binary .doc with headless LibreOffice into `tmp`; return the .docx.

    Raises:
        InputError: LibreOffice missing, timed out, or produced nothing.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise InputError(f"这是旧版 Word 文档（.doc），无法直接读取：{SAVE_AS_DOCX}（或安装 LibreOffice 自动转换）",
                         path=str(path))
    # An ASCII copy: LibreOffice under a C locale mishandles Chinese file names. Its own profile
    # dir: with the user's LibreOffice open, a shared profile makes the conversion a silent no-op.
    src = tmp / "input.doc"
    shutil.copyfile(path, src)
    out = tmp / "out"
    cmd = [soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--norestore",
           "--convert-to", "docx", "--outdir", str(out), str(src)]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as exc:
        raise InputError(f"无法启动 LibreOffice（{exc.strerror or type(exc).__name__}）；{SAVE_AS_DOCX}",
                         path=str(path)) from exc
    try:
        proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        # soffice is a launcher: kill its whole session so no soffice.bin is left behind.
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        raise InputError(f"LibreOffice 转换 .doc 超时（{SOFFICE_TIMEOUT} 秒）；{SAVE_AS_DOCX}", path=str(path)) from exc
    result = out / "input.docx"
    if not result.is_file():
        raise InputError(f"LibreOffice 未能把 .doc 转成 .docx（文件可能已损坏或加密）；{SAVE_AS_DOCX}",
                         path=str(path))
    return result
