"""Figures in text (numbers with units, dates, percentages, counts) and how to compare them."""

from __future__ import annotations

import re
from functools import cache
from operator import add

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


CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
# cn_to_int reads up to 99; larger numerals (百千万亿, 百分之…) need cn2an, imported only then.
BIG_CN = set("百千万亿零〇")


def parse_cn_number(text: str) -> float | None:
    """The value of a Chinese numeral (`三百`, `一千二百`, `两千`, `四十五`), or None if it is not one."""
    text = text.replace("两", "二").replace("〇", "零")
    if not BIG_CN & set(text):
        value = cn_to_int(text)
        return float(value) if value is not None else None
    import cn2an  # costs ~0.3 s, so only when a large Chinese numeral is actually present

    try:
        return float(cn2an.cn2an(text, "strict"))
    except (ValueError, KeyError, TypeError):
        return None


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    units = load_table("wordlists.yaml")["measure_words"]
    arabic = re.compile(r"\d+(?:\.\d+)?(?:\s*[%％]|\s*(?:" + units + r"))?")
    # A numeral starts with a digit word (not 百/千/万 alone: 千方百计, 万家灯火) and is read up to
    # the shortest unit, so `两千万元` is 两千 + 万元 like `2000万元`; `百分之四十五` is a percentage.
    chinese = re.compile(rf"百分之(?P<pct>[{CN_NUMERAL}]+)|(?P<num>[一二两三四五六七八九十][{CN_NUMERAL}]*?)(?:{units})")
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
        value = parse_cn_number(m.group("pct") or m.group("num"))
        if value and (value >= 2 or m.group("pct")):
            figures.append(Figure(start=m.start(), end=m.end(), text=m.group(0), values=[value]))
    return sorted(figures, key=lambda f: f.start)


def numbers_in(text: str) -> set[float]:
    """All numeric values text asserts (for grounding: a draft figure must be among a note's)."""
    values: set[float] = set()
    for figure in extract_figures(text):
        values.update(figure.values)
    return values


CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")


def cjk(text: str) -> str:
    """Only the CJK ideographs of text."""
    # The runs of them joined: sre takes a whole run in one tight loop, where removing everything else
    # tries a match at every CJK character (two to three times slower on a statement).
    return "".join(CJK_RUN_RE.findall(text))


def cjk_between(text: str, start: int, end: int) -> str:
    """`cjk(text[start:end])`, without copying the slice (the pattern is a class: no lookaround)."""
    return "".join(CJK_RUN_RE.findall(text, start, end))


# Every byte but the high bytes of U+4E00…U+9FFF in UTF-16: deleting them leaves one byte per ideograph.
_NOT_CJK_HIGH = bytes(b for b in range(256) if not 0x4E <= b <= 0x9F)


def cjk_count(text: str) -> int:
    """Number of CJK ideographs (the 字数 the genre counts).

    Counted in C on the high bytes of the UTF-16 code units (a surrogate's high byte is D8–DF, so
    characters beyond the BMP count as they should: not at all), five times faster than removing the
    rest with a regex.
    """
    return len(text.encode("utf-16-le", "surrogatepass")[1::2].translate(None, _NOT_CJK_HIGH))


def bigrams(text: str) -> set[str]:
    """CJK character bigrams, for fuzzy overlap between a note fact and draft text."""
    chars = cjk(text)
    return set(map(add, chars, chars[1:]))  # chars[i] + chars[i + 1], pairs made in C


BIGRAM_CODEC = "utf-16-le"


def bigram_codes(chars: str) -> set[int]:
    """The bigrams of a CJK-only string as numbers: `bigrams` for counting and comparing, made in C.

    A CJK character is one UTF-16 code unit, so two neighbours read as one 32-bit number name that
    bigram and no other: set sizes and intersections are those of the string bigrams, at a third of
    the cost (no string object per character and per pair).
    """
    raw = memoryview(chars.encode(BIGRAM_CODEC))
    n = len(chars)
    codes = set(raw[:n // 2 * 4].cast("I"))  # the bigrams starting at even offsets
    codes.update(raw[2:2 + (n - 1) // 2 * 4].cast("I"))  # and those starting at odd ones
    return codes
