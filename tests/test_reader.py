"""Reading inputs: encodings, CRLF, .docx, and every kind of bad input as a one-line InputError."""

from __future__ import annotations

import pytest

from agent.errors import InputError
from agent.parser import parse_file
from agent.reader import MAX_TEXT_BYTES, read_source


def test_gbk_input_is_detected(tmp_path, seed_000):
    path = tmp_path / "gbk.txt"
    path.write_bytes(seed_000.encode("gbk"))
    source = read_source(path)
    assert source.encoding == "gb18030"
    assert source.text == seed_000
    assert len(parse_file(path).part("problems").children) == 6


def test_utf8_bom_and_crlf(tmp_path, seed_001):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + seed_001.replace("\n", "\r\n").encode("utf-8"))
    source = read_source(path)
    assert source.encoding == "utf-8-sig"
    assert not source.text.startswith("\ufeff")
    assert len(parse_file(path).part("problems").children) == 5


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("empty.txt", b"", "空的"),
        ("blank.txt", b"  \n\n", "空的"),
        ("binary.txt", b"\x00\x01\x02PNG\x00", "二进制"),
        ("latin.txt", bytes(range(0x80, 0x100)) * 3, "编码"),
        ("corrupt.docx", b"not a zip at all", ".docx"),
    ],
)
def test_bad_input_raises_input_error_naming_file(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_source(path)
    assert expected in str(info.value)
    assert name in str(info.value)
    assert info.value.exit_code == 2


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="不存在"):
        read_source(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="文件夹"):
        read_source(tmp_path)


def test_oversized_text(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(InputError, match="5 MB"):
        read_source(path)


def test_oversized_docx(tmp_path, monkeypatch):
    import agent.reader as reader

    monkeypatch.setattr(reader, "MAX_DOCX_BYTES", 10)
    path = tmp_path / "big.docx"
    path.write_bytes(b"PK\x03\x04" + b"0" * 100)
    with pytest.raises(InputError, match="过大"):
        read_source(path)


def test_bom_with_invalid_utf8_is_input_error(tmp_path):
    path = tmp_path / "bad-bom.txt"
    path.write_bytes(b"\xef\xbb\xbf\xe4\xb8\xad\xff\xfe")
    with pytest.raises(InputError, match="UTF-8"):
        read_source(path)


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

# A stand-in for LibreOffice (named a fake on purpose): it records its arguments and, depending
# on FAKE_SOFFICE_MODE, copies FAKE_SOFFICE_DOCX into --outdir as <input stem>.docx, writes
# nothing, or hangs with a child process as soffice.bin would.
FAKE_SOFFICE = """#!{python}
import os, pathlib, shutil, subprocess, sys, time
args = sys.argv[1:]
pathlib.Path(os.environ["FAKE_SOFFICE_LOG"]).write_text("\\n".join(args), encoding="utf-8")
mode = os.environ.get("FAKE_SOFFICE_MODE", "ok")
if mode == "ok":
    out = pathlib.Path(args[args.index("--outdir") + 1])
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(os.environ["FAKE_SOFFICE_DOCX"], out / (pathlib.Path(args[-1]).stem + ".docx"))
elif mode == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pathlib.Path(os.environ["FAKE_SOFFICE_LOG"] + ".child").write_text(str(child.pid))
    time.sleep(60)
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """PATH holding only a fake `soffice`; returns the log file of its arguments."""
    import sys

    bindir = tmp_path / "fake-bin"
    bindir.mkdir()
    script = bindir / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "soffice-args.txt"
    monkeypatch.setenv("PATH", str(bindir))
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(log))
    return log


def _statement_docx(path):
    from tests.test_docx_text import statement_docx

    return statement_docx(path, auto=True)


@pytest.mark.parametrize("name", ["旧材料.doc", "renamed.docx"])
def test_binary_doc_without_libreoffice_says_save_as_docx(tmp_path, monkeypatch, name):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    path = tmp_path / name
    path.write_bytes(OLE_HEADER)
    with pytest.raises(InputError) as info:
        read_source(path)
    message = str(info.value)
    assert name in message and "另存为" in message and ".docx" in message
    assert "\n" not in message and info.value.exit_code == 2


def test_doc_is_converted_with_soffice(tmp_path, monkeypatch, fake_soffice):
    from tests.test_docx_text import hand_text

    monkeypatch.setenv("FAKE_SOFFICE_DOCX", str(_statement_docx(tmp_path / "converted.docx")))
    path = tmp_path / "对照检查.doc"
    path.write_bytes(OLE_HEADER)
    source = read_source(path)
    assert source.text == hand_text() and source.format == "docx"
    args = fake_soffice.read_text(encoding="utf-8").split("\n")
    assert "--headless" in args and args[args.index("--convert-to") + 1] == "docx"
    assert any(a.startswith("-env:UserInstallation=file://") for a in args)  # never the user's profile
    assert args[-1].endswith("input.doc")  # an ASCII copy, not the Chinese name


def test_doc_conversion_that_writes_nothing_is_input_error(tmp_path, monkeypatch, fake_soffice):
    monkeypatch.setenv("FAKE_SOFFICE_MODE", "nothing")
    path = tmp_path / "broken.doc"
    path.write_bytes(OLE_HEADER)
    with pytest.raises(InputError, match="未能.*另存为") as info:
        read_source(path)
    assert "broken.doc" in str(info.value)


def test_doc_conversion_timeout_kills_soffice_and_its_children(tmp_path, monkeypatch, fake_soffice):
    import os
    import time

    import agent.reader as reader

    monkeypatch.setenv("FAKE_SOFFICE_MODE", "hang")
    monkeypatch.setattr(reader, "SOFFICE_TIMEOUT", 2)
    path = tmp_path / "slow.doc"
    path.write_bytes(OLE_HEADER)
    began = time.monotonic()
    with pytest.raises(InputError, match="超时"):
        read_source(path)
    assert time.monotonic() - began < 20
    child = int(fake_soffice.with_name(fake_soffice.name + ".child").read_text())
    status = f"/proc/{child}/status"
    deadline = time.monotonic() + 5
    while os.path.exists(status) and "\nState:\tZ" not in open(status).read() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(status) or "\nState:\tZ" in open(status).read()


def test_docx_saved_under_doc_name_is_read_directly(tmp_path, monkeypatch):
    from tests.test_docx_text import hand_text

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no LibreOffice needed
    path = tmp_path / "wps.doc"
    path.write_bytes(_statement_docx(tmp_path / "real.docx").read_bytes())
    assert read_source(path).text == hand_text()


def test_docx_reading_does_not_import_docx_until_needed():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import sys, agent.reader, agent.revise, agent.check; "
                          "print('docx' in sys.modules, 'lxml' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
