"""Page furniture around a statement copied from a material site, and a table of contents before its body.

Both are kept out of the parts (the parser skips their lines) and reported as contamination. The
patterns are data (`agent/data/furniture.yaml`), read from real pages.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from agent.document import Span
from agent.numbering import match_style, section_style_of
from agent.resources import load_table

if TYPE_CHECKING:
    from agent.rules.helpers import Matcher

TOC_MIN_LINES = 3  # a table of contents lists at least this many headings
TOC_LINE_MAX = 40
BODY_LINE = 50  # the first line this long that ends a sentence starts the body: the header zone ends


@cache
def _patterns() -> tuple[Matcher, Matcher, Matcher, int]:
    # late: the parser loads the rules package only once it parses
    from agent.rules.helpers import prefiltered

    table = load_table("furniture.yaml")
    # The patterns are looked for in every (short) line, the inline ones in every line, and sre has no
    # first-character map for them: prefiltered, the same matches are found at a third of the cost.
    join = lambda key: prefiltered("|".join(f"(?:{p})" for p in table[key]))  # noqa: E731
    return join("line_patterns"), join("head_patterns"), join("inline_patterns"), int(table["max_line"])


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, without surrounding white space."""
    out = []
    for m in re.finditer(r"[^\r\n]+", text):
        line = m.group(0)
        if line.strip():
            lead = len(line) - len(line.lstrip())
            out.append((m.start() + lead, m.start() + len(line.rstrip())))
    return out


def find_furniture(text: str) -> list[Span]:
    """Spans of page furniture and of a table of contents in `text` (simplified text), in order."""
    line_re, head_re, inline_re, max_line = _patterns()
    lines = _lines(text)
    header_end = next((i for i, (s, e) in enumerate(lines) if e - s >= BODY_LINE and re.search(r"[。，,；]", text[s:e])),
                      len(lines))
    spans: list[Span] = []
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if e - s <= max_line and (line_re.search(line) or (i < header_end and head_re.search(line))):
            spans.append(Span(start=s, end=e, reason="网站页面信息"))
        else:
            spans.extend(Span(start=s + m.start(), end=s + m.end(), reason="网站页面信息")
                         for m in inline_re.finditer(line))
    whole = {(sp.start, sp.end) for sp in spans}
    kept = [(s, e) for s, e in lines if (s, e) not in whole]
    spans.extend(_repeated_title(text, kept))
    spans.extend(_table_of_contents(text, kept, header_end))
    return sorted(spans, key=lambda sp: sp.start)


def _repeated_title(text: str, lines: list[tuple[int, int]]) -> list[Span]:
    """A site that prints the title twice: the second copy is furniture."""
    if len(lines) >= 2 and text[lines[0][0]:lines[0][1]] == text[lines[1][0]:lines[1][1]] \
            and lines[0][1] - lines[0][0] <= 80:
        return [Span(start=lines[1][0], end=lines[1][1], reason="重复的标题")]
    return []


def _heading_like(line: str) -> bool:
    return len(line) <= TOC_LINE_MAX and bool(match_style(line, "part") or section_style_of(line)) \
        and not re.search(r"[。；;]", line[:-1])


def _table_of_contents(text: str, lines: list[tuple[int, int]], header_end: int) -> list[Span]:
    """A run of heading lines before the body whose headings all appear again later."""
    run: list[tuple[int, int]] = []
    for s, e in lines:
        if s >= (lines[header_end][0] if header_end < len(lines) else len(text)):
            break
        line = text[s:e].strip()
        if line in ("目录", "目 录") or _heading_like(line):
            run.append((s, e))
            continue
        if len(run) >= TOC_MIN_LINES:
            break
        run = []
    headings = [(s, e) for s, e in run if _heading_like(text[s:e].strip())]
    if len(headings) < TOC_MIN_LINES:
        return []
    # The body repeats the list: its first heading, and at least one more, come again later.
    after = text[run[-1][1]:]
    repeated = sum(1 for s, e in headings if text[s:e].strip() in after)
    first = text[headings[0][0]:headings[0][1]].strip()
    if first not in after or repeated < 2:
        return []
    return [Span(start=run[0][0], end=run[-1][1], reason="目录")]
