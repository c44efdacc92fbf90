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
