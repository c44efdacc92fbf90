"""Renderers: round trips through text, markdown and .docx, and the GB/T 9704 .docx format."""

from __future__ import annotations

import re

import docx
import pytest
from docx.shared import Mm, Pt

from agent.parser import parse_file, parse_text
from agent.render import render_markdown, render_text, write_document
from agent.render.docx import render_docx
from tests.conftest import CLEAN


def _shape(doc):
    return [(n.id, n.title, re.sub(r"[\s*#]", "", doc.slice(n))) for n in doc.walk()]


@pytest.mark.parametrize("seed", CLEAN, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx"])
def test_round_trip_keeps_sections_and_text(tmp_path, seed, suffix):
    original = parse_file(seed)
    out = write_document(original, tmp_path / f"out{suffix}")
    again = parse_file(out)
    assert _shape(again) == _shape(original)


def test_markdown_marks_title_and_parts(seed_000):
    md = render_markdown(parse_text(seed_000))
    assert md.startswith("# 某市委常委")
    assert "\n## 一、存在的问题\n" in md
    assert "**（一）在理论学习方面。**一是" in md


def test_text_render_is_one_paragraph_per_line(seed_001):
    text = render_text(parse_text(seed_001))
    assert "\n\n" not in text
    assert text.splitlines()[0].startswith("副市长2021年度党史")


def test_docx_follows_gbt_9704(tmp_path, seed_000):
    path = tmp_path / "x.docx"
    path.write_bytes(render_docx(parse_text(seed_000)))
    d = docx.Document(str(path))
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    title, body = d.paragraphs[0], d.paragraphs[1]
    assert title.alignment == 1  # centred
    assert title.runs[0].font.size == Pt(22)
    east_asia = title.runs[0]._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    assert east_asia == "方正小标宋简体"
    assert body.paragraph_format.line_spacing == Pt(28)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert body.runs[0].font.name == "仿宋_GB2312"
    part = next(p for p in d.paragraphs if p.text.startswith("一、"))
    assert part.runs[0].font.name == "黑体"
    area = next(p for p in d.paragraphs if p.text.startswith("（一）"))
    assert area.runs[0].font.name == "楷体_GB2312" and area.runs[0].text == "（一）在理论学习方面。"
    footer = sec.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert 'w:instr="PAGE"' in footer._p.xml
    assert Mm(1)  # keep the import honest
