"""Parse any draft text into a Document: title, opening, parts, sections (areas) and points.

The parser never raises on odd structure: it returns what it found plus `warnings` saying what
it could not find, because checking a half-structured draft is still useful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agent.diskcache import compile_re
from agent.document import DocKind, Document, Node, Span
from agent.furniture import find_furniture
from agent.kinds import infer_kind
from agent.normalize import repair_extraction, simplified
from agent.numbering import (
    CN_NUM,
    SECTION_STYLES,
    cn_to_int,
    find_shi_markers,
    markup_len,
    match_style,
    section_style_of,
)
from agent.reader import read_source
from agent.resources import load_table

HEADING_MAX = 40  # a part heading alone on its line is short
INLINE_HEADING_MAX = 30  # a heading followed by text in the same paragraph ends within this
TITLE_MAX = 80
SENTENCE_END = "。！？!?"
HEAD_END = "。：:；;！!？?"
# Where the first of those characters is, found by the regex engine rather than a loop over characters.
HEAD_END_RE = compile_re("[" + re.escape(HEAD_END) + "]")
SENTENCE_END_NL_RE = compile_re("[" + re.escape(SENTENCE_END) + "\n]")


def _first_at(pattern: re.Pattern[str], text: str, default: int | None = None) -> int | None:
    """Index of the first character of text in the pattern's class, or `default`."""
    m = pattern.search(text)
    return m.start() if m else default


@dataclass
class Para:
    """A non-blank line: span without its line break, and where its text starts after markup."""

    start: int
    end: int
    text_start: int


@cache
def _part_patterns() -> list[tuple[str, re.Pattern[str]]]:
    table = load_table("parts.yaml")
    return [(entry["kind"], compile_re("|".join(entry["patterns"]))) for entry in table["part_kinds"]]


@cache
def _closing_re() -> re.Pattern[str]:
    return compile_re("|".join(load_table("parts.yaml")["closing_patterns"]))


@cache
def _title_re() -> re.Pattern[str]:
    return compile_re("|".join(load_table("parts.yaml")["title_patterns"]))


def classify_heading(heading: str) -> str:
    """The part kind a heading names (problems, causes, …) or "other"."""
    for kind, pattern in _part_patterns():
        if pattern.search(heading):
            return kind
    return "other"


def _names_several_parts(heading: str) -> bool:
    """“…存在的问题及整改措施” names the whole document (a title), not one part."""
    return sum(1 for kind, pattern in _part_patterns() if kind != "last_year" and pattern.search(heading)) >= 2


def split_paragraphs(text: str, skip: list[Span] | None = None) -> list[Para]:
    """Non-blank lines with their exact offsets (CR, LF and CRLF all end a line), minus skipped lines."""
    paras = []
    spans = [(s.start, s.end) for s in skip or ()]
    skipped = set(spans)
    for m in LINE_RE.finditer(text):
        line = m.group(0)
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        start = m.start() + lead
        end = m.start() + len(line.rstrip())
        if spans and ((start, end) in skipped or any(a <= start and end <= b for a, b in spans)):
            continue
        # Markup opens with one of these characters: most lines have none to measure.
        paras.append(Para(start, end, start + markup_len(text[start:end]) if text[start] in MARKUP_FIRST else start))
    return paras


LINE_RE = compile_re(r"[^\r\n]+")
MARKUP_FIRST = "#*_-+>"  # what `numbering.MARKUP_RE` can begin with


def parse_file(path: str | Path, *, repair: bool = False, kind: DocKind | None = None) -> Document:
    """Read a .txt/.md/.docx file and parse it (`repair`: undo PDF hard wraps first, as check does)."""
    source = read_source(path)
    return parse_text(source.text, source=source.path, repair=repair, kind=kind)


def parse_text(text: str, source: str = "", *, repair: bool = False, kind: DocKind | None = None) -> Document:
    """Parse text into a Document; structure problems become `warnings`, never exceptions.

    Matching runs on the simplified text (same offsets). Page furniture and a table of contents are
    kept out of the parts. `repair` joins hard-wrapped lines first, which changes the text (check
    does it; revise, which must keep every byte, does not). `kind` overrides the inferred kind.
    """
    if repair:
        text = repair_extraction(text)
    norm = simplified(text)
    doc = Document(text=text, source=source, normalized=norm if norm != text else None)
    doc.furniture = find_furniture(norm)
    paras = _split_glued(norm, split_paragraphs(norm, doc.furniture))
    if not paras:
        doc.warnings.append("文档没有正文")
        return doc
    _parse_body(doc, norm, paras)
    opening = doc.part("opening")
    doc.kind = kind or infer_kind(doc.title, norm[opening.start:opening.end] if opening else "")
    _add_warnings(doc)
    return doc


GLUE_BEFORE = "。！？!?；;"
# A heading glued to the end of the previous paragraph: （三）… or 二、原因… right after a sentence end.
SECTION_MARK_RE = compile_re(rf"[（(]([{CN_NUM}]{{1,2}})[）)]")
GLUED_PART_RE = compile_re(rf"(?:(?<=[{GLUE_BEFORE}])[ \t\u3000]*|(?<=[\u4e00-\u9fff])[ \t\u3000]+)([{CN_NUM}]{{1,2}})、")
NUMBERED_COMMA_RE = compile_re(rf"[{CN_NUM}]、")  # what every GLUED_PART_RE match holds; sre finds it fast
# The first item on the same line as its heading: 一、存在的问题：（一）… / （一）学习方面。1、…
ITEM_START_RE = compile_re(rf"[（(][{CN_NUM}]{{1,2}}[）)]|[（(]?[0-9０-９]{{1,2}}[）)、.．](?![0-9])|[①-⑳]|一是")


def _split_glued(text: str, paras: list[Para]) -> list[Para]:
    """Split paragraphs where a heading is glued to the previous text or an item to its heading.

    A glued （N） must continue the （N-1） seen before it (or restart at （一）), and a glued N、 must
    name a part, so “…一、…二、…” inside a sentence never becomes a heading.
    """
    out: list[Para] = []
    last_section = 0
    for para in paras:
        cuts = {para.text_start, *_item_after_heading(text, para)}
        # Both patterns need what most paragraphs lack (a numeral before 、, a bracket): look for it first.
        glued_parts = GLUED_PART_RE.finditer(text, para.text_start, para.end) \
            if NUMBERED_COMMA_RE.search(text, para.text_start, para.end) else ()
        for m in glued_parts:
            after = text[m.end():m.end() + 24]
            cut = _first_at(HEAD_END_RE, after)
            if classify_heading(after[:16]) != "other" and cut is not None and 2 <= cut <= 20:
                at = m.end() - len(m.group(0).lstrip())
                cuts.add(at)
                cuts.update(_item_after_heading(text, Para(at, para.end, at)))
        bracketed = text.find("（", para.text_start, para.end) != -1 or text.find("(", para.text_start, para.end) != -1
        markers = sorted((m.end() - len(m.group(0).lstrip()), cn_to_int(m.group(1)), m.group(0).strip() == m.group(0))
                         for m in (SECTION_MARK_RE.finditer(text, para.text_start, para.end) if bracketed else ()))
        for at, number, _ in markers:
            glued = at in cuts or (at > para.text_start and text[at - 1] in GLUE_BEFORE + " \t\u3000"
                                   and text[:at].rstrip(" \t\u3000")[-1:] in GLUE_BEFORE)
            if not glued:
                continue
            if at in cuts or number in (last_section + 1, 1):
                cuts.add(at)
                last_section = number
        pieces = sorted(cuts)
        for i, start in enumerate(pieces):
            end = _trim_end(text, start, pieces[i + 1]) if i + 1 < len(pieces) else para.end
            out.append(Para(para.start if i == 0 else start, end, para.text_start if i == 0 else start))
    return out


def _item_after_heading(text: str, para: Para) -> list[int]:
    """Where the first item starts when a numbered heading and that item share a line."""
    line = text[para.text_start:para.end]
    numbered = match_style(line, "part") or match_style(line, "cn_paren") or match_style(line, "arabic_dot")
    if not numbered:
        return []
    _, prefix_len = numbered
    rest = line[prefix_len:]
    for m in ITEM_START_RE.finditer(rest, 2, min(len(rest), INLINE_HEADING_MAX + 2)):
        before = rest[:m.start()].rstrip(" \t\u3000")
        if not before or (before[-1] not in HEAD_END and not classify_heading(before) != "other"):
            continue
        if m.group(0) == "一是":
            return []  # 一是 items are found inside the part's or area's body already
        inner = match_style(rest[m.start():], "cn_paren") or match_style(rest[m.start():], "arabic_dot") \
            or match_style(rest[m.start():], "arabic_paren") or match_style(rest[m.start():], "circled")
        if inner and inner[0] == 1:
            return [para.text_start + prefix_len + m.start()]
        return []
    return []


def _parse_body(doc: Document, text: str, paras: list[Para]) -> None:
    """Title, opening, parts and closing into `doc.nodes` (text is the simplified text)."""
    index = _title_paras(text, paras)
    if index:
        first, last = paras[0], paras[index - 1]
        title = "".join(_clean(text[p.text_start:p.end]) for p in paras[:index])
        doc.nodes.append(Node(id="title", kind="title", part_kind="title", title=title,
                              start=first.start, end=last.end, body_start=last.end))
    headings = _implicit_problems(text, paras[index:], _find_part_headings(text, paras[index:]))
    closing_at = _find_closing(text, paras, headings)
    body_end = paras[closing_at].start if closing_at is not None else len(text.rstrip())
    first_heading = headings[0][0].start if headings else body_end
    opening_paras = [p for p in paras[index:] if p.start < first_heading]
    if opening_paras:
        doc.nodes.append(Node(id="opening", kind="opening", part_kind="opening", title="开头",
                              start=opening_paras[0].start, end=opening_paras[-1].end,
                              body_start=opening_paras[0].start))
    for ordinal, (para, kind, number, prefix_len, head_end, body_start, style) in enumerate(headings, start=1):
        end = headings[ordinal][0].start if ordinal < len(headings) else body_end
        # A part ends with its last paragraph: page furniture after it stays outside.
        end = max((p.end for p in paras if para.start <= p.start < end), default=_trim_end(text, para.start, end))
        part = Node(id=str(ordinal), kind="part", part_kind=kind, number=number,
                    prefix=text[para.text_start:para.text_start + prefix_len].strip(),
                    title=_clean(text[para.text_start + prefix_len:head_end]),
                    start=para.start, end=end, body_start=body_start)
        part.children = _parse_sections(text, part, [p for p in paras if body_start <= p.start < end], style)
        doc.nodes.append(part)
    if closing_at is not None:
        # The 署名 and date under the closing are not part of it: revising the closing leaves them be.
        last = len(paras) - 1
        while last > closing_at and SIGNATURE_RE.match(text[paras[last].text_start:paras[last].end]):
            last -= 1
        doc.nodes.append(Node(id="closing", kind="closing", part_kind="closing", title="结尾",
                              start=paras[closing_at].start, end=paras[last].end, body_start=paras[closing_at].start))


def _clean(heading: str) -> str:
    """A heading without markup and trailing punctuation."""
    return heading.strip().strip("*#_ ").rstrip("。：:；;，,").strip()


def _title_paras(text: str, paras: list[Para]) -> int:
    """How many leading paragraphs form the title: 0, 1, or 2 when a short line is continued by the next."""
    if not _is_title(text, paras[0]):
        return 0
    if len(paras) > 1:
        first = text[paras[0].text_start:paras[0].end].strip("*# ")
        second = text[paras[1].text_start:paras[1].end].strip("*# ")
        # A title broken over two lines: the first names the person or unit, the second the meeting.
        if (not _title_re().search(first) and _title_re().search(second) and len(first) + len(second) <= TITLE_MAX
                and _is_title(text, paras[1])):
            return 2
    return 1


def _is_title(text: str, para: Para) -> bool:
    line = text[para.text_start:para.end].strip("*# ")
    if _heading_match(text, para, "part") or section_style_of(line) or find_shi_markers(line):
        return False
    # A line ending on a colon leads into what follows ("现就存在的问题剖析如下："): the opening, never a title.
    if _title_re().search(line) and len(line) <= TITLE_MAX * 2 and line[-1] not in "，,；;：:":
        return True
    return bool(line) and len(line) <= TITLE_MAX and line[-1] not in SENTENCE_END + "：:，,"


Heading = tuple[Para, str, int | None, int, int, int, str]  # para, kind, number, prefix, head end, body, style


def _heading_match(text: str, para: Para, top: str) -> tuple[str, int, int, int, int, str] | None:
    """If a paragraph opens a part: (kind, number, prefix length, heading end, body start, style).

    `top` is the numbering style parts use ("part" for 一、/第一部分, "cn_paren" where （一） is the
    top level); an unnumbered heading (style "plain") must name a part kind and stand alone.
    """
    line = text[para.text_start:para.end]
    numbered = match_style(line, top)
    number, prefix_len = numbered if numbered else (0, 0)
    style = top if numbered else "plain"
    rest = line[prefix_len:]
    cut = _first_at(HEAD_END_RE, rest)
    if cut is not None and cut <= INLINE_HEADING_MAX and rest[cut:].strip(HEAD_END + " *"):
        head, body = rest[:cut], para.text_start + prefix_len + cut + 1
    elif len(rest.strip("*# ")) <= HEADING_MAX:
        head, body = rest, para.end
    else:
        return None
    kind = classify_heading(head)
    if style == "plain" and (kind == "other" or body != para.end or len(head.strip("*# ")) > 20
                             or _names_several_parts(head)
                             or "，" in head or find_shi_markers(line) or section_style_of(line)):
        return None
    if top != "part" and kind == "other":
        return None  # （一）在理论学习方面 is an area, not a part, when （一） is the top level
    return kind, number, prefix_len, para.text_start + prefix_len + len(head), body, style


def _find_part_headings(text: str, paras: list[Para]) -> list[Heading]:
    """Part headings in order, in the one numbering style the named parts use.

    一、 is tried first; where no 一、 heading names a part, （一） may be the top level.
    """
    for top in ("part", "cn_paren"):
        candidates = [(para, *found) for para in paras if (found := _heading_match(text, para, top))]
        named = [c for c in candidates if c[1] != "other"]
        if named:
            break
    else:
        return []
    top_style = named[0][6]
    first_named = named[0]
    headings, last_number = [], 0
    for para, kind, number, prefix_len, head_end, body, style in candidates:
        # Parts share one numbering style: a differently numbered line is inside a part.
        if style != top_style:
            continue
        # An unnamed 一、 heading counts only where it continues the sequence; before the first
        # named part only as the leading 一、… of a sequence that reaches it (一、会前准备 二、存在的问题).
        if kind == "other" and number != last_number + 1:
            continue
        if para.start < first_named[0].start and kind == "other" and not (first_named[2] or 0) > number:
            continue
        headings.append((para, kind, number or None, prefix_len, head_end, body, style))
        last_number = number or last_number
    return headings


def _implicit_problems(text: str, paras: list[Para], headings: list[Heading]) -> list[Heading]:
    """With no “存在的问题” heading, areas numbered （一）… before the next part open the problems part."""
    if any(h[1] == "problems" for h in headings):
        return headings
    limit = headings[0][0].start if headings else None
    for para in paras:
        if limit is not None and para.start >= limit:
            break
        if section_style_of(text[para.text_start:para.end]) == "cn_paren":
            return [(para, "problems", None, 0, para.text_start, para.start, "implicit"), *headings]
    return headings


# A signature line (a name, a unit, a date) under the closing: short, no sentence punctuation.
SIGNATURE_RE = re.compile(r"^\s*(?:[^\s，。；：！？,.;:!?]{2,20}|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)\s*$")


def _find_closing(text: str, paras: list[Para], headings: list) -> int | None:
    """Index of the first closing paragraph (表态/请批评指正) after the last part, if any."""
    if not headings:
        return None
    last_head = headings[-1][0]
    end = len(paras)
    while end > 0 and end > len(paras) - 3 and SIGNATURE_RE.match(text[paras[end - 1].text_start:paras[end - 1].end]):
        end -= 1  # a 署名 and date under the closing
    for i in range(end - 1, max(end - 3, -1), -1):
        para = paras[i]
        if para.start <= last_head.start:
            break
        line = text[para.text_start:para.end]
        if section_style_of(line) or find_shi_markers(line):
            break
        if _closing_re().search(line) and len(line) <= 200:
            return i
    return None


def _trim_end(text: str, start: int, end: int) -> int:
    """Move an end offset back over trailing whitespace."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _parse_sections(text: str, part: Node, paras: list[Para], top_style: str = "part") -> list[Node]:
    """Sections of a part: numbered headings （一）/1./（1）/①, else 一是… items."""
    allowed = SECTION_STYLES[SECTION_STYLES.index(top_style) + 1:] if top_style in SECTION_STYLES else SECTION_STYLES
    style = next((s for p in paras if (s := section_style_of(text[p.text_start:p.end])) in allowed), None)
    if style:
        return _numbered_children(text, part, paras, style, depth="section")
    return _shi_children(text, part, part.body_start, part.end, depth="section")


def _numbered_children(text: str, parent: Node, paras: list[Para], style: str, depth: str) -> list[Node]:
    heads = []
    for para in paras:
        m = match_style(text[para.text_start:para.end], style)
        if m:
            heads.append((para, *m))
    children = []
    for i, (para, number, prefix_len) in enumerate(heads, start=1):
        end = heads[i][0].start if i < len(heads) else parent.end
        end = _trim_end(text, para.start, end)
        line = text[para.text_start + prefix_len:para.end]
        title, body_start = _split_title(line, para.text_start + prefix_len, para.end)
        node = Node(id=f"{parent.id}.{i}", kind=depth, part_kind=parent.part_kind, number=number,
                    prefix=text[para.text_start:para.text_start + prefix_len].strip(), title=title,
                    start=para.start, end=end, body_start=body_start)
        if depth == "section":
            node.children = _parse_points(text, node, [p for p in paras if body_start <= p.start < end], style)
        children.append(node)
    return children


def _split_title(line: str, offset: int, para_end: int) -> tuple[str, int]:
    """Split a numbered line into its title (first clause) and the offset where the body starts."""
    cut = _first_at(HEAD_END_RE, line)
    if cut is None:
        return _clean(line), para_end
    return _clean(line[:cut]), offset + cut + 1


def _parse_points(text: str, section: Node, paras: list[Para], section_style: str) -> list[Node]:
    """Points of a section: 一是… markers, else paragraphs numbered one level below the section."""
    points = _shi_children(text, section, section.body_start, section.end, depth="point")
    if points:
        return points
    lower = SECTION_STYLES[SECTION_STYLES.index(section_style) + 1:]
    style = next((s for p in paras if (s := section_style_of(text[p.text_start:p.end])) in lower), None)
    if style:
        return _numbered_children(text, section, paras, style, depth="point")
    return []


def _shi_children(text: str, parent: Node, start: int, end: int, depth: str) -> list[Node]:
    markers = find_shi_markers(text, start, end)
    children = []
    for i, (offset, number, length) in enumerate(markers, start=1):
        stop = markers[i][0] if i < len(markers) else end
        stop = _trim_end(text, offset, stop)
        sentence = text[offset + length:stop]
        cut = _first_at(SENTENCE_END_NL_RE, sentence, len(sentence))
        children.append(Node(id=f"{parent.id}.{i}", kind=depth, part_kind=parent.part_kind, number=number,
                             prefix=text[offset:offset + length], title=_clean(sentence[:cut]),
                             start=offset, end=stop, body_start=offset + length))
    return children


def _add_warnings(doc: Document) -> None:
    kinds = {n.part_kind for n in doc.nodes}
    if not any(k in kinds for k in ("problems", "causes", "measures", "other")):
        doc.warnings.append("未识别出任何一级标题（如“一、存在的问题”），无法划分部分")
        return
    for kind, label in (("problems", "存在的问题"), ("causes", "原因剖析"), ("measures", "整改措施")):
        if kind not in kinds:
            doc.warnings.append(f"未找到“{label}”部分")
