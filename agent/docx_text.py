"""The text of a .docx as its reader sees it on screen, shared by the reader and by revise.

Body paragraphs come in document order, tables read cell by cell, row by row, and every
paragraph carries the number that Word/WPS automatic numbering draws before it (numbering.xml),
so an auto-numbered statement reads exactly like the same text typed by hand. Revise walks the
same blocks to map offsets of that text back onto runs; the rendered number lives in no run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

__all__ = ["Block", "Numbering", "document_text", "format_number", "iter_blocks", "iter_paragraph_elements"]

MAX_LEVELS = 9
_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_VAL = qn("w:val")
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PLACEHOLDER_RE = re.compile(r"%([1-9])")


@dataclass(frozen=True)
class Block:
    """One paragraph of the reader's text: the rendered number (in no run) and the paragraph itself."""

    paragraph: Paragraph
    prefix: str

    @property
    def text(self) -> str:
        return self.prefix + self.paragraph.text


def iter_blocks(document) -> Iterator[Block]:
    """The body's paragraphs in document order, each with its rendered automatic number.

    Args:
        document: a python-docx ``Document``.
    """
    numbering = Numbering.from_document(document)
    parent = document._body  # what python-docx itself gives body paragraphs; cells share its part
    for p in iter_paragraph_elements(document.element.body):
        yield Block(Paragraph(p, parent), numbering.prefix(p))


def document_text(document) -> str:
    """The reader's text of a python-docx ``Document``: block texts joined by newlines."""
    return "\n".join(block.text for block in iter_blocks(document))


def iter_paragraph_elements(container) -> Iterator:
    """``w:p`` elements under a body or cell in reading order, descending into tables and content controls.

    A table-of-contents control is skipped: its entries repeat the headings and would parse twice.
    """
    for child in container.iterchildren():
        if child.tag == _P:
            yield child
        elif child.tag == _TBL:
            for tc in _cells(child):
                yield from iter_paragraph_elements(tc)
        elif child.tag == _SDT:
            if not _is_toc(child):
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    yield from iter_paragraph_elements(content)
        elif child.tag == _CUSTOM_XML:
            yield from iter_paragraph_elements(child)


def _cells(tbl) -> Iterator:
    """The ``w:tc`` of a table row by row; each merged cell once (a span is one element)."""
    for row in _unwrapped(tbl, _TR):
        yield from _unwrapped(row, _TC)


def _unwrapped(parent, tag: str) -> Iterator:
    """Children with `tag`, looking through content controls and custom XML wrapped around them."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _unwrapped(content, tag)
        elif child.tag == _CUSTOM_XML:
            yield from _unwrapped(child, tag)


def _is_toc(sdt) -> bool:
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and "Contents" in (gallery.get(_VAL) or "")


def _int(el, default: int | None = None) -> int | None:
    """The integer w:val of an element; a missing element or garbage value gives `default`."""
    if el is None:
        return default
    try:
        return int(el.get(_VAL))
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str | None
    start: int
    restart: int | None  # w:lvlRestart: one-based level whose use restarts this one; 0 never
    legal: bool
    style: str | None


def _level(lvl) -> _Level:
    fmt_el = lvl.find(qn("w:numFmt"))
    if fmt_el is None:  # Word 2010 writes custom formats as mc:AlternateContent with a plain fallback
        fmt_el = lvl.find(f"{_MC}AlternateContent/{_MC}Fallback/{qn('w:numFmt')}")
    text_el = lvl.find(qn("w:lvlText"))
    legal = lvl.find(qn("w:isLgl"))
    return _Level(
        fmt=(fmt_el.get(_VAL) if fmt_el is not None else None) or "decimal",
        text=text_el.get(_VAL) if text_el is not None else None,
        start=_int(lvl.find(qn("w:start")), 1),
        restart=_int(lvl.find(qn("w:lvlRestart"))),
        legal=legal is not None and legal.get(_VAL, "1") not in ("0", "false", "off"),
        style=_val(lvl.find(qn("w:pStyle"))),
    )


def _val(el) -> str | None:
    return el.get(_VAL) if el is not None else None


class Numbering:
    """Word's list counters, advanced paragraph by paragraph in document order.

    Counters belong to the abstract numbering definition, as in Word: two w:num that share an
    abstractNum continue one list, and a w:num with w:startOverride restarts it where that num is
    first used (this is how Word writes "重新开始编号").
    """

    def __init__(self, numbering_el=None, styles_el=None) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_link: dict[str, str] = {}  # abstractNum → w:numStyleLink style
        self._nums: dict[str, tuple[str, dict[int, tuple[int | None, _Level | None]]]] = {}
        self._styles: dict[str, tuple[str | None, str | None, int | None]] = {}  # id → basedOn, numId, ilvl
        self._default_style: str | None = None
        self._counters: dict[str, list[int | None]] = {}
        self._seen: set[str] = set()
        if numbering_el is not None:
            self._load_numbering(numbering_el)
        if styles_el is not None:
            self._load_styles(styles_el)

    @classmethod
    def from_document(cls, document) -> Numbering:
        """The numbering and style definitions of a python-docx ``Document`` (either part may be absent)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        part = document.part
        numbering_el = styles_el = None
        for rel in part.rels.values():
            if rel.is_external:
                continue
            if rel.reltype == RT.NUMBERING:
                numbering_el = getattr(rel.target_part, "element", None)
            elif rel.reltype == RT.STYLES:
                styles_el = getattr(rel.target_part, "element", None)
        return cls(numbering_el, styles_el)

    def _load_numbering(self, root) -> None:
        for abstract in root.iterchildren(qn("w:abstractNum")):
            key = abstract.get(qn("w:abstractNumId"))
            self._abstract[key] = {
                lvl_no: _level(lvl) for lvl in abstract.iterchildren(qn("w:lvl"))
                if (lvl_no := _int_attr(lvl, "w:ilvl")) is not None and 0 <= lvl_no < MAX_LEVELS
            }
            link = _val(abstract.find(qn("w:numStyleLink")))
            if link:
                self._style_link[key] = link
        for num in root.iterchildren(qn("w:num")):
            overrides: dict[int, tuple[int | None, _Level | None]] = {}
            for override in num.iterchildren(qn("w:lvlOverride")):
                lvl_no = _int_attr(override, "w:ilvl")
                if lvl_no is None or not 0 <= lvl_no < MAX_LEVELS:
                    continue
                lvl = override.find(qn("w:lvl"))
                overrides[lvl_no] = (_int(override.find(qn("w:startOverride"))),
                                     _level(lvl) if lvl is not None else None)
            self._nums[num.get(qn("w:numId"))] = (_val(num.find(qn("w:abstractNumId"))), overrides)

    def _load_styles(self, root) -> None:
        for style in root.iterchildren(qn("w:style")):
            kind = style.get(qn("w:type"))
            if kind not in ("paragraph", "numbering"):  # a numbering style is what numStyleLink names
                continue
            sid = style.get(qn("w:styleId"))
            if kind == "paragraph" and style.get(qn("w:default")) in ("1", "true", "on"):
                self._default_style = sid
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            num_id = _val(num_pr.find(qn("w:numId"))) if num_pr is not None else None
            ilvl = _int(num_pr.find(qn("w:ilvl"))) if num_pr is not None else None
            self._styles[sid] = (_val(style.find(qn("w:basedOn"))), num_id, ilvl)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """numId and ilvl a paragraph style gives, looking up its basedOn chain."""
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            based_on, num_id, ilvl = self._styles[style_id]
            if num_id is not None or ilvl is not None:
                return num_id, ilvl
            style_id = based_on
        return None, None

    def _resolve(self, num_id: str) -> tuple[str | None, dict[int, _Level], dict]:
        """abstractNum id, effective levels and overrides of a w:num (following w:numStyleLink)."""
        abstract_id, overrides = self._nums.get(num_id, (None, {}))
        for _ in range(3):  # numStyleLink → numbering style → numId → abstractNum; bounded against cycles
            link = self._style_link.get(abstract_id or "")
            if not link:
                break
            linked, _ = self._style_numbering(link)
            abstract_id = self._nums.get(linked or "", (None, {}))[0]
        levels = dict(self._abstract.get(abstract_id or "", {}))
        for lvl_no, (_, lvl) in overrides.items():
            if lvl is not None:
                levels[lvl_no] = lvl
        return abstract_id, levels, overrides

    def prefix(self, p) -> str:
        """The number Word draws before paragraph element `p`; advances the counters. "" if none."""
        p_pr = p.find(qn("w:pPr"))
        style_id = _val(p_pr.find(qn("w:pStyle"))) if p_pr is not None else None
        style_id = style_id or self._default_style
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        num_id = _val(num_pr.find(qn("w:numId"))) if num_pr is not None else None
        ilvl = _int(num_pr.find(qn("w:ilvl"))) if num_pr is not None else None
        if num_id is None or ilvl is None:  # what the paragraph leaves out comes from its style
            style_num, style_ilvl = self._style_numbering(style_id)
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_ilvl
        if num_id is None or num_id == "0" or num_id not in self._nums:  # numId 0: numbering switched off
            return ""
        abstract_id, levels, overrides = self._resolve(num_id)
        if abstract_id is None:
            return ""
        if ilvl is None:  # a style's numPr without ilvl: the level that names this style, else level 0
            ilvl = next((n for n, lvl in levels.items() if lvl.style and lvl.style == style_id), 0)
        ilvl = min(max(ilvl, 0), MAX_LEVELS - 1)
        lvl = levels.get(ilvl)
        if lvl is None:
            return ""
        counters = self._counters.setdefault(abstract_id, [None] * MAX_LEVELS)
        if num_id not in self._seen:
            self._seen.add(num_id)
            for lvl_no, (start, _) in overrides.items():
                if start is not None:
                    counters[lvl_no] = start - 1
        counters[ilvl] = lvl.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, MAX_LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            limit = deeper if restart is None or restart > deeper else restart
            if ilvl < limit:
                counters[deeper] = None
        if lvl.fmt == "bullet" or not lvl.text:
            # A bullet is a symbol, often a Wingdings/Symbol private-use character that would read
            # as garbage; it carries no number, so its hand-typed equivalent is the text alone.
            return ""
        # w:suff (tab by default, space, nothing) is not rendered: a hand-typed statement writes
        # "一、存在的问题" and "（一）在…方面" with nothing between number and text, and the parser
        # accepts optional spaces after every numbering style anyway.
        return _PLACEHOLDER_RE.sub(lambda m: self._placeholder(int(m.group(1)) - 1, lvl, levels, counters),
                                   lvl.text)

    @staticmethod
    def _placeholder(index: int, lvl: _Level, levels: dict[int, _Level], counters: list[int | None]) -> str:
        ref = levels.get(index)
        value = counters[index]
        if value is None:
            value = ref.start if ref else 1
        fmt = ref.fmt if ref else "decimal"
        if fmt == "none":
            return ""
        return format_number(value, "decimal" if lvl.legal else fmt)


def _int_attr(el, name: str) -> int | None:
    try:
        return int(el.get(qn(name)))
    except (TypeError, ValueError):
        return None


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CN_LOWER = ("零一二三四五六七八九", ("", "十", "百", "千"))
_CN_LEGAL = ("零壹贰叁肆伍陆柒捌玖", ("", "拾", "佰", "仟"))
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def format_number(n: int, fmt: str) -> str:
    """`n` written in a Word w:numFmt; formats with a limited range fall back to decimal beyond it.

    Args:
        n: the counter value.
        fmt: the w:numFmt value, e.g. "chineseCounting", "decimalEnclosedCircle", "upperRoman".
    """
    if fmt in ("none", "bullet"):
        return ""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):
        return _chinese(n, *_CN_LOWER, drop_leading_one=True)
    if fmt == "chineseLegalSimplified":
        # Legal (大写) numerals keep 壹拾壹: they exist so that a number cannot be altered.
        return _chinese(n, *_CN_LEGAL, drop_leading_one=False)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n)) if n >= 0 else str(n)
    if fmt == "ideographTraditional" and 1 <= n <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= len(_EARTHLY_BRANCHES):
        return _EARTHLY_BRANCHES[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)  # ①..⑳
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)  # ⑴..⒇
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)  # ⒈..⒛
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(_FULL_WIDTH)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)  # Word: … z, aa, bb
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        roman, rest = "", n
        for value, numeral in _ROMAN:
            count, rest = divmod(rest, value)
            roman += numeral * count
        return roman if fmt == "lowerRoman" else roman.upper()
    return str(n)


def _chinese(n: int, digits: str, units: tuple[str, ...], *, drop_leading_one: bool) -> str:
    """1..9999 in Chinese counting (十一, 二十, 一百零五); other values in decimal."""
    if n == 0:
        return digits[0]
    if not 0 < n < 10_000:
        return str(n)
    out, zero = [], False
    text = str(n)
    for i, ch in enumerate(text):
        d = int(ch)
        if d == 0:
            zero = True
            continue
        if zero:
            out.append(digits[0])
            zero = False
        out.append(digits[d] + units[len(text) - 1 - i])
    result = "".join(out)
    if drop_leading_one and 10 <= n < 20:
        result = result[1:]  # 十一, not 一十一
    return result
