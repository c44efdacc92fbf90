"""The .docx in GB/T 9704: grid, title breaks, page numbers, heading styles, slots, properties, fonts."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt

from agent.parser import parse_text
from agent.render.docx import (
    CHARS_PER_LINE,
    CONDENSE_TWIPS,
    FONT_FALLBACKS,
    DocMeta,
    break_title,
    char_pitch_twips,
    render_docx,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def rendered(seed_000):
    return render_docx(parse_text(seed_000))


def _xml(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode("utf-8")


def test_line_grid_and_condensing_give_22_lines_of_28_characters(rendered):
    d = docx.Document(io.BytesIO(rendered))
    grid = d.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}linePitch") == "560"  # 28 pt
    # 22 lines of 28 pt fit the 225 mm 版心, 23 do not.
    body_height = (d.sections[0].page_height - d.sections[0].top_margin - d.sections[0].bottom_margin) / 12700
    assert 22 * 28 <= body_height < 23 * 28
    # 28 condensed 三号 characters fit the 156 mm width, 29 do not.
    width = (d.sections[0].page_width - d.sections[0].left_margin - d.sections[0].right_margin) / 12700
    pitch = 16 + CONDENSE_TWIPS / 20
    assert CHARS_PER_LINE * pitch <= width < (CHARS_PER_LINE + 1) * pitch
    assert char_pitch_twips() == CONDENSE_TWIPS
    spacing = d.styles["Normal"].element.rPr.find(f"{W}spacing")
    assert spacing.get(f"{W}val") == str(CONDENSE_TWIPS)


@pytest.mark.parametrize("title,lines", [
    ("某市委常委、常务副市长2023年度主题教育专题民主生活会个人对照检查材料",
     ["某市委常委、常务副市长2023年度主题教育", "专题民主生活会个人对照检查材料"]),
    ("县委书记2024年度民主生活会个人对照检查材料", ["县委书记2024年度民主生活会", "个人对照检查材料"]),
    ("县长对照检查材料", ["县长对照检查材料"]),
])
def test_title_breaks_between_words_into_lines_that_fit(title, lines):
    assert break_title(title) == lines


def test_title_never_splits_a_word():
    for title in ("某某单位党组书记、局长2021年度党史学习教育专题民主生活会个人对照检查材料",
                  "市政府党组成员、副市长2025年度民主生活会个人对照检查材料"):
        out = break_title(title)
        assert "".join(out) == title and len(out) >= 2
        for a, b in zip(out, out[1:], strict=False):
            assert not (a.endswith("个") and b.startswith("人")) and not (a.endswith("民主") and b.startswith("生活"))
            assert not a[-1:].isdigit() or not b[:1].isdigit()


def test_title_is_centred_with_explicit_breaks(rendered):
    d = docx.Document(io.BytesIO(rendered))
    title = d.paragraphs[0]
    assert title.style.name == "公文标题" and title.alignment == 1
    assert title._p.xml.count("<w:br/>") == len(break_title(title.text.replace("\n", ""))) - 1
    assert title.runs[0].font.size == Pt(22)


def test_page_numbers_are_songti_4hao_at_the_outer_edge(rendered):
    d = docx.Document(io.BytesIO(rendered))
    assert d.settings.odd_and_even_pages_header_footer
    sec = d.sections[0]
    odd, even = sec.footer.paragraphs[0], sec.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # right on odd pages, left on even pages
    assert odd.paragraph_format.right_indent == Pt(14) and even.paragraph_format.left_indent == Pt(14)
    for footer in (odd, even):
        xml = footer._p.xml
        assert 'w:instr="PAGE"' in xml
        assert xml.count('w:eastAsia="宋体"') == 3 and xml.count('<w:sz w:val="28"/>') == 3  # 四号 = 14 pt
        assert "— " in footer._p.xml and " —" in footer._p.xml


def test_headings_are_real_styles_for_the_navigation_pane(rendered):
    d = docx.Document(io.BytesIO(rendered))
    parts = [p for p in d.paragraphs if p.style.name == "Heading 1"]
    areas = [p for p in d.paragraphs if p.style.name == "Heading 2"]
    assert [p.text[:2] for p in parts] == ["一、", "二、", "三、"]
    assert len(areas) >= 6 and areas[0].text.startswith("（一）")
    for name, font, level in (("Heading 1", "黑体", "0"), ("Heading 2", "楷体_GB2312", "1")):
        style = d.styles[name]
        assert style.element.pPr.find(f"{W}outlineLvl").get(f"{W}val") == level
        assert style.font.name == font and style.font.size == Pt(16) and style.font.bold is False
        assert style.paragraph_format.keep_together is False  # else a long （一）… paragraph jumps a page
    # An inline heading keeps its body in 仿宋.
    assert areas[0].runs[0].font.name == "楷体_GB2312" and areas[0].runs[-1].font.name == "仿宋_GB2312"


def test_slots_are_highlighted():
    doc = parse_text("县长2023年度民主生活会对照检查材料\n按照部署，我认真学习。\n一、存在的问题\n（一）理论学习方面。"
                     "一是学习不够。如，【请补充：具体事例】。二是数字【请核实：45天】待查。\n")
    d = docx.Document(io.BytesIO(render_docx(doc)))
    marked = [r.text for p in d.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked == ["【请补充：具体事例】", "【请核实：45天】"]


def test_properties_are_the_documents_not_python_docx(rendered):
    d = docx.Document(io.BytesIO(rendered))
    props = d.core_properties
    assert props.author == "" and "python-docx" not in (props.last_modified_by or "")
    assert props.title.startswith("某市委常委") and props.created.year >= 2025
    names = zipfile.ZipFile(io.BytesIO(rendered)).namelist()
    assert "docProps/thumbnail.jpeg" not in names
    custom = render_docx(parse_text("县长对照检查材料\n正文。\n"), DocMeta(author="县委办", subject="2024年度民主生活会"))
    props = docx.Document(io.BytesIO(custom)).core_properties
    assert (props.author, props.subject) == ("县委办", "2024年度民主生活会")


def test_gb_fonts_declare_stock_windows_fallbacks(rendered):
    table = _xml(rendered, "word/fontTable.xml")
    for name, (alt, *_rest) in FONT_FALLBACKS.items():
        entry = table[table.index(f'w:name="{name}"'):]
        entry = entry[:entry.index("</w:font>")]
        assert f'<w:altName w:val="{alt}"/>' in entry and '<w:charset w:val="86"/>' in entry
    assert FONT_FALLBACKS["仿宋_GB2312"][0] == "仿宋" and FONT_FALLBACKS["楷体_GB2312"][0] == "楷体"


def test_signature_and_date_under_the_closing_are_right_aligned_and_in_the_properties():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    text = ("某局长2025年度民主生活会个人对照检查材料\n按照要求，现对照检查如下。\n一、存在的问题\n（一）理论学习方面。"
            "一是学习不深。如，缺席2次。二是学用脱节。如，拖期3天。\n二、原因剖析\n一是理论学习不够。我学得不深。\n"
            "三、整改措施\n（一）强化学习。每月学习2次。\n以上对照检查，恳请同志们批评指正。\n张某\n2026年1月10日\n")
    data = render_docx(parse_text(text), DocMeta(author="张某"))
    document = docx.Document(io.BytesIO(data))
    paras = [p for p in document.paragraphs if p.text]
    assert [p.text for p in paras[-2:]] == ["张某", "2026年1月10日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in paras[-2:])
    assert paras[-3].alignment != WD_ALIGN_PARAGRAPH.RIGHT  # the closing itself stays a body paragraph
    assert document.core_properties.author == "张某"
