"""Parse any draft text into a Document: title, opening, parts, sections (areas) and points.

The parser never raises on odd structure: it returns what it found plus `warnings` saying what
it could not find, because checking a half-structured draft is still useful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agent.document import Document, Node
from agent.numbering import (
    SECTION_STYLES,
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


@dataclass
class Para:
    """A non-blank line: span without its line break, and where its text starts after markup."""

    start: int
    end: int
    text_start: int


@cache
def _part_patterns() -> list[tuple[str, re.Pattern[str]]]:
    table = load_table("parts.yaml")
    return [(entry["kind"], re.compile("|".join(entry["patterns"]))) for entry in table["part_kinds"]]


@cache
def _closing_re() -> re.Pattern[str]:
    return re.compile("|".join(load_table("parts.yaml")["closing_patterns"]))


@cache
def _title_re() -> re.Pattern[str]:
    return re.compile("|".join(load_table("parts.yaml")["title_patterns"]))


def classify_heading(heading: str) -> str:
    """The part kind a heading names (problems, causes, …) or "other"."""
    for kind, pattern in _part_patterns():
        if pattern.search(heading):
            return kind
    return "other"


def split_paragraphs(text: str) -> list[Para]:
    """Non-blank lines with their exact offsets (CR, LF and CRLF all end a line)."""
    paras = []
    for m in re.finditer(r"[^\r\n]+", text):
        line = m.group(0)
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        start = m.start() + lead
        end = m.start() + len(line.rstrip())
        paras.append(Para(start, end, start + markup_len(text[start:end])))
    return paras


def parse_file(path: str | Path) -> Document:
    """Read a .txt/.md/.docx file and parse it."""
    source = read_source(path)
    return parse_text(source.text, source=source.path)


def parse_text(text: str, source: str = "") -> Document:
    """Parse text into a Document; structure problems become `warnings`, never exceptions."""
    doc = Document(text=text, source=source)
    paras = split_paragraphs(text)
    if not paras:
        doc.warnings.append("文档没有正文")
        return doc
    index = 0
    if _is_title(text, paras[0]):
        first = paras[0]
        doc.nodes.append(Node(id="title", kind="title", part_kind="title", title=_clean(text[first.text_start:first.end]),
                              start=first.start, end=first.end, body_start=first.end))
        index = 1
    headings = _find_part_headings(text, paras[index:])
    closing_at = _find_closing(text, paras, headings)
    body_end = paras[closing_at].start if closing_at is not None else len(text.rstrip())
    first_heading = headings[0][0].start if headings else body_end
    opening_paras = [p for p in paras[index:] if p.start < first_heading]
    if opening_paras:
        doc.nodes.append(Node(id="opening", kind="opening", part_kind="opening", title="开头",
                              start=opening_paras[0].start, end=opening_paras[-1].end,
                              body_start=opening_paras[0].start))
    for ordinal, (para, kind, number, prefix_len, head_end, body_start) in enumerate(headings, start=1):
        end = headings[ordinal][0].start if ordinal < len(headings) else body_end
        end = _trim_end(text, para.start, end)
        part = Node(id=str(ordinal), kind="part", part_kind=kind, number=number,
                    prefix=text[para.text_start:para.text_start + prefix_len].strip(),
                    title=_clean(text[para.text_start + prefix_len:head_end]),
                    start=para.start, end=end, body_start=body_start)
        part.children = _parse_sections(text, part, [p for p in paras if body_start <= p.start < end])
        doc.nodes.append(part)
    if closing_at is not None:
        last = paras[-1]
        doc.nodes.append(Node(id="closing", kind="closing", part_kind="closing", title="结尾",
                              start=paras[closing_at].start, end=last.end, body_start=paras[closing_at].start))
    _add_warnings(doc)
    return doc


def _clean(heading: str) -> str:
    """A heading without markup and trailing punctuation."""
    return heading.strip().strip("*#_ ").rstrip("。：:；;，,").strip()


def _is_title(text: str, para: Para) -> bool:
    line = text[para.text_start:para.end].strip("*# ")
    if _heading_match(text, para) or section_style_of(line):
        return False
    if _title_re().search(line) and len(line) <= TITLE_MAX * 2:
        return True
    return bool(line) and len(line) <= TITLE_MAX and line[-1] not in SENTENCE_END + "：:，,"


def _heading_match(text: str, para: Para) -> tuple[str, int, int, int, int, str] | None:
    """If a paragraph opens a part: (kind, number, prefix length, heading end, body start, style)."""
    line = text[para.text_start:para.end]
    numbered = match_style(line, "part")
    number, prefix_len = numbered if numbered else (0, 0)
    style = "part" if numbered else "plain"
    rest = line[prefix_len:]
    cut = next((i for i, ch in enumerate(rest) if ch in HEAD_END), None)
    if cut is not None and cut <= INLINE_HEADING_MAX and rest[cut:].strip(HEAD_END + " *"):
        head, body = rest[:cut], para.text_start + prefix_len + cut + 1
    elif len(rest.strip("*# ")) <= HEADING_MAX:
        head, body = rest, para.end
    else:
        return None
    kind = classify_heading(head)
    if style == "plain" and (kind == "other" or body != para.end or len(head.strip("*# ")) > 20
                             or "，" in head or find_shi_markers(line) or section_style_of(line)):
        return None
    return kind, number, prefix_len, para.text_start + prefix_len + len(head), body, style


def _find_part_headings(text: str, paras: list[Para]) -> list[tuple[Para, str, int | None, int, int, int]]:
    """Part headings in order, keeping only the numbering style the named parts use."""
    candidates = []
    for para in paras:
        found = _heading_match(text, para)
        if found:
            candidates.append((para, *found))
    named = [c for c in candidates if c[1] != "other"]
    if not named:
        return []
    top_style = named[0][6]
    headings, last_number = [], 0
    for para, kind, number, prefix_len, head_end, body, style in candidates:
        # Parts share one numbering style: a differently numbered line is inside a part.
        if style != top_style:
            continue
        # An unnamed 一、 heading counts only where it continues the sequence.
        if kind == "other" and number != last_number + 1:
            continue
        if para.start < named[0][0].start and kind == "other":
            continue
        headings.append((para, kind, number or None, prefix_len, head_end, body))
        last_number = number or last_number
    return headings


def _find_closing(text: str, paras: list[Para], headings: list) -> int | None:
    """Index of the first closing paragraph (表态/请批评指正) after the last part, if any."""
    if not headings:
        return None
    last_head = headings[-1][0]
    for i in range(len(paras) - 1, max(len(paras) - 3, -1), -1):
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


def _parse_sections(text: str, part: Node, paras: list[Para]) -> list[Node]:
    """Sections of a part: numbered headings （一）/1./（1）/①, else 一是… items."""
    style = next((s for p in paras if (s := section_style_of(text[p.text_start:p.end]))), None)
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
    cut = next((i for i, ch in enumerate(line) if ch in HEAD_END), None)
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
        cut = next((j for j, ch in enumerate(sentence) if ch in SENTENCE_END + "\n"), len(sentence))
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
