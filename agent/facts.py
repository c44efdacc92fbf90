"""Figures in text (numbers with units, dates, percentages, counts) and how to compare them."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel

from agent.numbering import cn_to_int
from agent.resources import load_table

SLOT_RE = re.compile(r"【请(?:补充|核实)[:：][^】]*】|〔[^〕]*〕")
CN_COUNT = "两二三四五六七八九十百千"


class Figure(BaseModel):
    """A figure found in text and the numeric values it asserts."""

    start: int
    end: int
    text: str
    values: list[float]


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    units = load_table("wordlists.yaml")["measure_words"]
    arabic = re.compile(r"\d+(?:\.\d+)?(?:\s*[%％]|\s*(?:" + units + r"))?")
    chinese = re.compile(rf"[{CN_COUNT}]+(?:{units})")
    formulae = re.compile("|".join(map(re.escape, sorted(load_table("wordlists.yaml")["formulae"], key=len, reverse=True))))
    return arabic, chinese, formulae


def _masked(text: str) -> str:
    """Blank out slots and political formulae (their numbers are not facts), keeping offsets."""
    _, _, formulae = _patterns()
    for pattern in (SLOT_RE, formulae):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def extract_figures(text: str) -> list[Figure]:
    """Every figure in text, in order: arabic numbers (with unit when present) and Chinese counts ≥ 2."""
    arabic, chinese, _ = _patterns()
    masked = _masked(text)
    figures = [Figure(start=m.start(), end=m.end(), text=m.group(0), values=[float(re.match(r"\d+(?:\.\d+)?", m.group(0)).group(0))])
               for m in arabic.finditer(masked)]
    for m in chinese.finditer(masked):
        digits = re.match(rf"[{CN_COUNT}]+", m.group(0)).group(0).replace("两", "二")
        value = cn_to_int(digits)
        if value and value >= 2:
            figures.append(Figure(start=m.start(), end=m.end(), text=m.group(0), values=[float(value)]))
    return sorted(figures, key=lambda f: f.start)


def numbers_in(text: str) -> set[float]:
    """All numeric values text asserts (for grounding: a draft figure must be among a note's)."""
    values: set[float] = set()
    for figure in extract_figures(text):
        values.update(figure.values)
    return values


def cjk(text: str) -> str:
    """Only the CJK ideographs of text."""
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


NON_CJK_RE = re.compile(r"[^\u4e00-\u9fff]+")


def cjk_count(text: str) -> int:
    """Number of CJK ideographs (the 字数 the genre counts)."""
    return len(NON_CJK_RE.sub("", text))


def bigrams(text: str) -> set[str]:
    """CJK character bigrams, for fuzzy overlap between a note fact and draft text."""
    chars = cjk(text)
    return {chars[i:i + 2] for i in range(len(chars) - 1)}
