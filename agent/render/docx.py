"""The .docx renderer in 党政机关公文格式 (GB/T 9704).

A4 with the standard margins; a document grid of 22 lines × 28 characters; the title in 二号
方正小标宋简体, broken between words into balanced lines; body 三号 仿宋_GB2312 at a fixed 28 pt;
一级标题 黑体 and 二级标题 楷体_GB2312 as real heading styles (Word's navigation pane lists them);
page numbers `— 1 —` in 四号 宋体 at the outer edge; 【请补充】/【请核实】 slots highlighted; the GB fonts
declared with the stock-Windows fonts as alternates; document properties set, not python-docx's.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from docx import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from agent.document import Document
from agent.render import paragraphs

__all__ = ["DocMeta", "render_docx", "break_title", "FONT_FALLBACKS", "CHARS_PER_LINE", "LINES_PER_PAGE"]

TITLE_FONT, BODY_FONT, PART_FONT, SECTION_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_SIZE = Pt(22), Pt(16), Pt(14)  # 二号, 三号, 四号
LINE = Pt(28)
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
# The GB fonts are on few stock machines: each is declared with the font a stock Windows has, which
# Word and LibreOffice substitute by name. (方正小标宋 → 宋体; a bold fallback cannot be expressed
# conditionally in OOXML, and bolding the title would thicken it where 方正小标宋 is installed.)
FONT_FALLBACKS = {
    "仿宋_GB2312": ("仿宋", "FangSong", "modern", "02010609060101010101"),
    "楷体_GB2312": ("楷体", "KaiTi", "modern", "02010609060101010101"),
    "方正小标宋简体": ("宋体", "SimSun", "roman", "02010600030101010101"),
    "黑体": ("SimHei", "SimHei", "modern", "02010609060101010101"),
    "宋体": ("SimSun", "SimSun", "roman", "02010600030101010101"),
}
_RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                      "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                      "w:specVanish", "w:oMath")
CONDENSE_TWIPS = -5  # see char_pitch_twips(); checked in tests
SLOT_RE = re.compile(r"【请(?:补充|核实)[^】]*】")
# Where a title may break: after these words, before these words (never inside one), around numbers.
_BREAK_AFTER = ("、", "，", "年度", "年", "专题", "主题教育", "学习教育", "领导班子", "班子", "党组", "党委",
                "支部", "（", "）")
_BREAK_BEFORE = ("个人对照检查材料", "对照检查材料", "对照检查", "专题民主生活会", "民主生活会", "组织生活会",
                 "领导班子", "（", "发言提纲", "检视剖析材料")


@dataclass
class DocMeta:
    """Document properties (File → Info in Word): from the notes when drafting, else from the text."""

    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = "对照检查材料"
    comments: str = "duizhao 按 GB/T 9704 排版"
    created: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))


def render_docx(doc: Document, meta: DocMeta | None = None) -> bytes:
    """The document as .docx bytes in GB/T 9704 layout.

    Args:
        doc: the parsed statement; its paragraphs and roles decide fonts and styles, never its words.
        meta: document properties; the title defaults to the document's title.
    Returns:
        The bytes of a .docx file.
    """
    out = DocxDocument()
    _page_setup(out)
    _styles(out)
    _declare_fonts(out)
    paras = list(paragraphs(doc))
    signature = _signature_lines(paras)
    for index, para in enumerate(paras):
        if index in signature:
            # 署名 and date: right-aligned, four characters in from the margin (GB/T 9704 7.3.5).
            p = out.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _slots(p, para.text, BODY_FONT, BODY_SIZE)
            fmt = p.paragraph_format
            fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
            fmt.right_indent = Pt(BODY_SIZE.pt * 4)
            continue
        if para.role == "title":
            p = out.add_paragraph(style="公文标题")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            lines = break_title(para.text)
            for i, line in enumerate(lines):
                run = _run(p, line, TITLE_FONT, TITLE_SIZE)
                if i < len(lines) - 1:
                    run.add_break()
            continue
        if para.role == "part":
            p = out.add_paragraph(style="Heading 1")
            _slots(p, para.text, PART_FONT, BODY_SIZE)
        elif para.role in ("section", "section_inline"):
            p = out.add_paragraph(style="Heading 2")
            _slots(p, para.text[:para.heading_len], SECTION_FONT, BODY_SIZE)
            if para.heading_len < len(para.text):
                _slots(p, para.text[para.heading_len:], BODY_FONT, BODY_SIZE)
        else:
            p = out.add_paragraph()
            _slots(p, para.text, BODY_FONT, BODY_SIZE)
        # Direct formatting as well as the style: WPS and older Word versions honour both the same.
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        fmt.first_line_indent = Pt(BODY_SIZE.pt * 2)
    _properties(out, meta or DocMeta(), doc.title)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _signature_lines(paras: list) -> set[int]:
    """Indexes of the 署名 and date lines under the closing (at most two short lines at the very end)."""
    from agent.parser import SIGNATURE_RE

    found: set[int] = set()
    for i in range(len(paras) - 1, max(len(paras) - 3, 0), -1):
        if paras[i].role not in ("body", "closing", "paragraph") or not SIGNATURE_RE.match(paras[i].text):
            break
        found.add(i)
    return found


def break_title(title: str, width: float = 20.0) -> list[str]:
    """The title in lines of at most `width` full-width characters, broken only between words.

    Break points come from the genre's vocabulary (年度, 专题, 民主生活会, 个人对照检查材料…) and
    punctuation; among the ways to break, the fewest lines win, then the most even lengths (the
    梯形/菱形 shapes GB/T 9704 asks for). A title with no break point that fits is left whole.
    """
    if _width(title) <= width:
        return [title]
    cuts = _break_points(title)
    best: tuple | None = None
    points = sorted(cuts)
    # Few cut points (a dozen at most), so trying every subset in order of size is cheap.
    from itertools import combinations

    for n in range(1, min(len(points), 4) + 1):
        for combo in combinations(points, n):
            bounds = [0, *combo, len(title)]
            lines = [title[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            widths = [_width(line) for line in lines]
            if max(widths) > width:
                continue
            # Even lines, and a longer line above a shorter one when they differ (倒梯形).
            key = (max(widths) - min(widths), 0 if widths[0] >= widths[-1] else 1)
            if best is None or key < best[0]:
                best = (key, lines)
        if best:
            return best[1]
    return [title]


def _break_points(title: str) -> set[int]:
    cuts: set[int] = set()
    for word in _BREAK_AFTER:
        for m in re.finditer(re.escape(word), title):
            cuts.add(m.end())
    for word in _BREAK_BEFORE:
        for m in re.finditer(re.escape(word), title):
            cuts.add(m.start())
    for m in re.finditer(r"\d{4}年度?", title):  # a year stays with its 年/年度
        cuts.add(m.start())
        cuts.add(m.end())
    # Never inside a word listed above (e.g. between 个 and 人 of 个人对照检查材料).
    for word in _BREAK_AFTER + _BREAK_BEFORE:
        if len(word) < 2:
            continue
        for m in re.finditer(re.escape(word), title):
            cuts -= set(range(m.start() + 1, m.end()))
    for m in re.finditer(r"\d{4}年度?", title):
        cuts -= set(range(m.start() + 1, m.end()))
    return {c for c in cuts if 0 < c < len(title)}


def _width(text: str) -> float:
    """Printed width in full-width characters (Latin letters and digits are half width)."""
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in text)


def _page_setup(out) -> None:
    section = out.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.footer_distance = Mm(28) - Mm(7)  # the page number sits 7 mm below the 版心 (GB/T 9704 7.5)
    # 22 lines × 28 characters. Lines: the fixed 28 pt pitch fits 22 in the 225 mm 版心. Characters:
    # 28 of 三号 need 15.79 pt each in the 156 mm width, so every character is condensed by 0.25 pt
    # (Normal style). Word's own way, a character grid with a negative charSpace, is not used:
    # LibreOffice gives each 16 pt character two cells of a 15.79 pt grid (15 characters a line).
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE.pt * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)
    # Odd pages carry the number at the right, even pages at the left (the outer edge when printed both sides).
    out.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph, align) -> None:
    """`— N —` in 四号 宋体, one character in from the outer edge, the number a PAGE field."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_SIZE
    else:
        fmt.left_indent = PAGE_SIZE
    _run(paragraph, "— ", PAGE_FONT, PAGE_SIZE)
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = _run(paragraph, "1", PAGE_FONT, PAGE_SIZE)
    paragraph._p.remove(run._element)
    field_.append(run._element)
    paragraph._p.append(field_)
    _run(paragraph, " —", PAGE_FONT, PAGE_SIZE)


def _styles(out) -> None:
    """Normal = body; 标题 1/2 = part and section headings (outline levels for navigation); a title style."""
    normal = out.styles["Normal"]
    _style_font(normal, BODY_FONT, BODY_SIZE)
    _condense(normal, CONDENSE_TWIPS)
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(BODY_SIZE.pt * 2)
    pf.widow_control = False  # 公文 fill every line of a page: no lines pushed over for widows
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, font, level in (("Heading 1", PART_FONT, 0), ("Heading 2", SECTION_FONT, 1)):
        style = out.styles[name]
        _style_font(style, font, BODY_SIZE)
        _condense(style, CONDENSE_TWIPS)
        style.font.bold = style.font.cs_bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        spf = style.paragraph_format
        spf.line_spacing_rule, spf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        spf.space_before = spf.space_after = Pt(0)
        spf.first_line_indent = Pt(BODY_SIZE.pt * 2)
        # Word's heading styles keep a paragraph on one page: a heading that opens a long paragraph
        # (（一）在…方面。一是…) would leave half a page blank.
        spf.keep_with_next = spf.keep_together = spf.page_break_before = False
        spf.widow_control = False
        spf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        ppr = style.element.get_or_add_pPr()
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is None:
            outline = OxmlElement("w:outlineLvl")
            ppr.append(outline)
        outline.set(qn("w:val"), str(level))
    title = out.styles.add_style("公文标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    _style_font(title, TITLE_FONT, TITLE_SIZE)
    _condense(title, 0)
    tpf = title.paragraph_format
    tpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tpf.first_line_indent = Pt(0)
    tpf.line_spacing_rule, tpf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(35)  # 二号 needs more than 28 pt
    tpf.space_after = LINE  # one blank line under the title


def char_pitch_twips() -> int:
    """The condensing (negative, in 1/20 pt) that fits exactly CHARS_PER_LINE 三号 characters a line."""
    width_pt = (PAGE_W - MARGINS["left"] - MARGINS["right"]) / 12700
    pitch = width_pt / CHARS_PER_LINE  # 15.79 pt
    # Round towards more condensing: 28 must fit, 29 must not.
    return -math.ceil((BODY_SIZE.pt - pitch) * 20)


def _condense(style, twips: int) -> None:
    rpr = style.element.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)  # Word rejects rPr children out of order
    spacing.set(qn("w:val"), str(twips))


def _style_font(style, font: str, size) -> None:
    style.font.name = font
    style.font.size = size
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)  # a theme font would override the GB font
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _declare_fonts(out) -> None:
    """fontTable entries for the GB fonts, each with a stock-Windows alternate name, GB2312 charset."""
    part = out.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob) if not hasattr(part, "element") else part.element
    for name, (alt, _latin, family, panose) in FONT_FALLBACKS.items():
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'))
    if not hasattr(part, "element"):
        from lxml import etree

        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(out, meta: DocMeta, title: str) -> None:
    props = out.core_properties
    props.title = meta.title or title
    props.author = meta.author
    props.last_modified_by = meta.author
    props.subject = meta.subject
    props.keywords = meta.keywords
    props.comments = meta.comments
    props.category = "对照检查材料"
    props.created = props.modified = meta.created.replace(tzinfo=None)
    props.revision = 1
    # python-docx's template carries a thumbnail of its own sample page: drop it.
    for rel in list(out.part.package.rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            out.part.package.rels.pop(rel.rId)


def _slots(paragraph, text: str, font: str, size) -> None:
    """Add text in a font, with 【请补充…】/【请核实…】 slots highlighted yellow so none is missed."""
    pos = 0
    for m in SLOT_RE.finditer(text):
        if m.start() > pos:
            _run(paragraph, text[pos:m.start()], font, size)
        _run(paragraph, m.group(0), font, size).font.highlight_color = WD_COLOR_INDEX.YELLOW
        pos = m.end()
    if pos < len(text) or not text:
        _run(paragraph, text[pos:], font, size)


def _run(paragraph, text: str, font: str, size):
    """A run with every font slot set (Word uses the east-Asian one for 汉字, the others for digits)."""
    run = paragraph.add_run(text)
    run.font.name = font
    if size is not None:
        run.font.size = size
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run
