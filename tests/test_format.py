"""`duizhao format`: any statement re-typeset in GB/T 9704 with exactly its words."""

from __future__ import annotations

import io
import subprocess
import sys

import docx
import pytest

from agent.docx_text import document_text
from agent.reader import read_source
from agent.typeset import typeset, words
from tests.conftest import CLEAN, RAW, ROOT
from tests.test_docx_text import statement_docx

STATEMENTS = [*CLEAN, *RAW, ROOT / "examples" / "draft-2023-zhuti.md", ROOT / "tests" / "data" / "good-2023.md"]


@pytest.mark.parametrize("path", STATEMENTS, ids=lambda p: p.name[:12])
def test_format_keeps_every_word(path):
    result = typeset(path)
    back = document_text(docx.Document(io.BytesIO(result.data)))
    assert words(back) == words(read_source(path).text)
    assert result.unchanged


def test_words_ignores_layout_only():
    assert words("# 标题\n\n**（一）**学习。\n  二是 x") == "标题（一）学习。二是x"
    assert words("学习。") != words("学习")


@pytest.mark.parametrize("auto", [True, False])
def test_format_of_word_automatic_numbering_keeps_the_displayed_numbers(tmp_path, auto):
    src = statement_docx(tmp_path / "in.docx", auto=auto)
    result = typeset(src)
    text = document_text(docx.Document(io.BytesIO(result.data)))
    assert result.unchanged
    assert "一、" in text and "（一）" in text  # automatic numbers become text in the output
    d = docx.Document(io.BytesIO(result.data))
    assert any(p.style.name == "Heading 1" for p in d.paragraphs)


def test_format_cli_writes_docx_and_refuses_other_suffixes(tmp_path):
    out = tmp_path / "排版.docx"
    run = subprocess.run([sys.executable, "-m", "agent", "format", str(CLEAN[0]), "-o", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "文字未改动" in run.stderr and out.stat().st_size > 5000
    bad = subprocess.run([sys.executable, "-m", "agent", "format", str(CLEAN[0]), "-o", str(tmp_path / "x.txt")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and ".docx" in bad.stderr
