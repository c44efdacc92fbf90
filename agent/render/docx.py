"""The .docx renderer in 党政机关公文格式 (GB/T 9704): A4, fixed margins, fonts, 28 pt lines, page numbers."""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from agent.document import Document
from agent.render import paragraphs

TITLE_FONT, BODY_FONT, PART_FONT, SECTION_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)
LINE = Pt(28)


def render_docx(doc: Document) -> bytes:
    """The document as .docx bytes."""
    out = DocxDocument()
    _page_setup(out)
    for para in paragraphs(doc):
        p = out.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.space_before = fmt.space_after = Pt(0)
        if para.role == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, para.text, TITLE_FONT, TITLE_SIZE)
            continue
        fmt.first_line_indent = Pt(BODY_SIZE.pt * 2)
        if para.role == "part":
            _run(p, para.text, PART_FONT, BODY_SIZE)
        elif para.role in ("section", "section_inline"):
            _run(p, para.text[:para.heading_len], SECTION_FONT, BODY_SIZE)
            if para.heading_len < len(para.text):
                _run(p, para.text[para.heading_len:], BODY_FONT, BODY_SIZE)
        else:
            _run(p, para.text, BODY_FONT, BODY_SIZE)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _page_setup(out) -> None:
    section = out.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = out.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", BODY_FONT, Pt(14))
    _page_field(footer)
    _run(footer, " —", BODY_FONT, Pt(14))


def _run(paragraph, text: str, font: str, size: Pt):
    """Add a run with both the Latin and the east-Asian font name set (Word uses the latter for 汉字)."""
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = size
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _page_field(paragraph) -> None:
    """A PAGE field, so Word numbers each page itself."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
