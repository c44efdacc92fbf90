"""Numbering habits of Chinese official documents: 一、 （一） 1. （1） ① 一是, full and half width."""

from __future__ import annotations

import re

# Compiled programs from the start-up cache: these patterns are compiled on every start of `check`.
from agent.diskcache import compile_re

CN_DIGITS = "零一二三四五六七八九"
CN_NUM = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Leading markup a paragraph may carry before its numbering: markdown headings, bold, list bullets.
MARKUP_RE = compile_re(r"^(?:#{1,6}\s*|\*\*|__|[-*+]\s+|>\s*)*")

STYLES: dict[str, re.Pattern[str]] = {
    "part": compile_re(rf"^(?:第([{CN_NUM}]+)部分[、：:，,.．\s]*|([{CN_NUM}]{{1,3}})\s*[、.．]\s*)"),
    "cn_paren": compile_re(rf"^[（(]\s*([{CN_NUM}]{{1,3}})\s*[）)]\s*[、.．]?\s*"),
    "arabic_dot": compile_re(r"^([0-9０-９]{1,2})\s*[.．、](?![0-9０-９])\s*"),
    "arabic_paren": compile_re(r"^[（(]\s*([0-9０-９]{1,2})\s*[）)]\s*[、.．]?\s*"),
    "circled": compile_re(rf"^([{CIRCLED}])\s*"),
}
# Lower levels that may number points under a section of a given style.
SECTION_STYLES = ("cn_paren", "arabic_dot", "arabic_paren", "circled")

SHI_RE = compile_re(rf"([{CN_NUM}]{{1,3}})是(?!否|非|不是)")
# Items may also run 第一，… 第二，… or 首先…其次…再次…最后; a sequence keeps to the form its first used.
# Behind a lookahead of the characters an item can begin with (the same matches): the alternatives open
# with groups, so sre has no first-character map of its own and would try all three at every character.
ITEM_RE = compile_re(rf"(?=[{CN_NUM}第首其再最])(?:([{CN_NUM}]{{1,3}})是(?!否|非|不是)|第([{CN_NUM}]{{1,3}})[，、,：:]"
                     r"|(首先|其次|再次|最后)[，,：:]?)")
ORDINAL_WORDS = {"首先": 1, "其次": 2, "再次": 3}
# Characters after which 一是… starts a new item: sentence ends, colons, or a paragraph break.
SHI_BOUNDARY = set("。；;！!？?：:\n\r") | {""}


def cn_to_int(text: str) -> int | None:
    """Convert a Chinese numeral up to 99 (一, 十, 十二, 二十三) to int, or None."""
    if not text or any(ch not in CN_DIGITS + "十" for ch in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = CN_DIGITS.index(tens) if tens else 1
        o = CN_DIGITS.index(ones) if ones else 0
        return t * 10 + o
    if len(text) == 1:
        return CN_DIGITS.index(text)
    return None


def int_to_cn(n: int) -> str:
    """Convert 1..99 to a Chinese numeral."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def marker_number(raw: str) -> int | None:
    """The integer value of a numbering token in any of the supported scripts."""
    raw = raw.strip()
    if raw in CIRCLED:
        return CIRCLED.index(raw) + 1
    if raw.isdigit():
        return int(raw.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return cn_to_int(raw)


def markup_len(line: str) -> int:
    """Length of leading markdown/bullet markup on a line."""
    return MARKUP_RE.match(line).end()


def match_style(line: str, style: str) -> tuple[int, int] | None:
    """If `line` (markup already stripped) starts with numbering of `style`: (number, prefix length)."""
    m = STYLES[style].match(line)
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    number = marker_number(raw)
    return (number, m.end()) if number else None


def section_style_of(line: str) -> str | None:
    """The section-level numbering style a line starts with, if any."""
    for style in SECTION_STYLES:
        if match_style(line, style):
            return style
    return None


def find_shi_markers(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """Find a 一是/二是/… (or 第一，第二，…) sequence in text[start:end] at sentence starts.

    Returns (offset, number, marker length) for each; only an unbroken sequence from 一 in one
    form is kept, which rejects prose such as “统一是…” or a stray “三是” inside a sentence.
    """
    end = len(text) if end is None else end
    found: list[tuple[int, int, int]] = []
    expected, form = 1, None
    for m in ITEM_RE.finditer(text, start, end):
        kind = next(k for k in (1, 2, 3) if m.group(k))
        if kind == 3:
            # 最后 closes a 首先… sequence at whatever number it reached.
            word = m.group(3)
            number = expected if word == "最后" and form == 3 else ORDINAL_WORDS.get(word, 0)
        else:
            number = cn_to_int(m.group(kind))
        if number != expected or (form is not None and kind != form):
            continue
        i = m.start()
        while i > start and text[i - 1] in " \t\u3000*#“\"":
            i -= 1
        if i > start and text[i - 1] not in SHI_BOUNDARY:
            continue
        found.append((m.start(), number, m.end() - m.start()))
        expected, form = expected + 1, kind
        if kind == 3 and m.group(3) == "最后":
            break
    if form == 3 and len(found) < 2:
        return []  # a lone 首先 is prose, not a list
    return found
