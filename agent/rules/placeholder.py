"""Placeholder rules: slots left for the user, and the masks published statements carry.

Real statements from material sites blank out names and figures in many ways (`**镇`, `*全会`,
`20**年`, `**%`, `xx`, `X月`, `○○`, `____`, `[具体数字]`, `（待补充）`, `××`, `某某`); each is a
slot the user must fill. `mask_spans` finds them so that other rules (markdown markup) skip them.
"""

from __future__ import annotations

import re
from functools import cache

from agent.diskcache import compile_re
from agent.rules import Context, rule
from agent.rules.helpers import table, words_re

# A markdown bold pair: `**` + 2–40 characters on one line + `**`, content not blank-edged.
BOLD_RE = compile_re(r"(?<!\*)\*\*(?=[^\s*])([^*\n]{2,40}?)(?<=[^\s*])\*\*(?!\*)")
STARS_RE = compile_re(r"\*+")
PUNCT = "，。、；：！？,.;:!?%％）)】」”"


@cache
def _suffix_re() -> re.Pattern[str]:
    return compile_re(table("mask_suffix"))


def _is_bold(text: str, m: re.Match[str]) -> bool:
    """Whether a `**…**` pair is markdown bold rather than two masks on one line."""
    content = m.group(1)
    if content.strip().isdigit() or content[0] in PUNCT:
        return False
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end()] if m.end() < len(text) else ""
    # `20**年` / `**%` / `在**镇…**村`: a digit before or a unit/place right after marks a mask.
    return not (before.isdigit() or (after and _suffix_re().match(after)))


def _star_masks(text: str) -> list[tuple[int, int]]:
    bold = [(m.start(), m.end()) for m in BOLD_RE.finditer(text) if _is_bold(text, m)]
    spans = []
    for m in STARS_RE.finditer(text):
        s, e = m.span()
        if any(bs <= s and e <= be for bs, be in bold):
            continue
        line_start = text.rfind("\n", 0, s) + 1
        rest = text[e:text.find("\n", e) if "\n" in text[e:] else len(text)]
        if not text[line_start:s].strip() and (not rest.strip() or rest[:1] in " \t"):
            continue  # a markdown bullet (`* item`) or a rule line (`***`)
        before, after = text[s - 1:s], text[e:e + 1]
        if before.isdigit() and after.isdigit():
            continue  # arithmetic, `3*4`
        if e - s == 1 and before in " \t" and after in " \t":
            continue
        spans.append((s, e))
    return spans


def doc_masks(ctx: Context) -> list[tuple[int, int]]:
    """`mask_spans(ctx.doc.norm)`, once per check: the slots rule and the markup rules share them."""
    return ctx.derived("mask_spans:norm", lambda: mask_spans(ctx.doc.norm))


def mask_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every mask or slot in text, sorted and non-overlapping.

    Args:
        text: the document text (or its normalized form; offsets are the same).

    Returns:
        (start, end) pairs: star masks (markdown bold pairs excluded), letter and symbol masks,
        bracketed slots and the product's own `【请补充：…】` slots.
    """
    spans = _star_masks(text) + [m.span() for m in words_re("mask_patterns").finditer(text)]
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _message(slot: str) -> str:
    if slot.startswith("【请补充"):
        return f"待补充：{slot[5:-1]}。请填入真实情况，或删去这句话。"
    if slot.startswith("【请核实"):
        return f"数字“{slot[5:-1]}”在笔记中找不到：请核实，属实就删去标记，不实就删去或改正。"
    return f"有未填的占位符“{slot}”（遮盖了名称、时间或数字）：请换成真实的名称或数字，不知道就删去这句话。"


@rule("placeholder.slots", "placeholder", "error")
def unfilled_slots(ctx: Context, r):
    """不得留有未填的占位符（xx、**、X月、____、××、某某、〔…〕、【请补充】等）。"""
    furniture = [(f.start, f.end) for f in ctx.doc.furniture]
    for s, e in doc_masks(ctx):
        if any(fs <= s < fe for fs, fe in furniture):
            continue  # site headers are not the statement
        yield ctx.finding(r, _message(ctx.doc.text[s:e]), s, e, user_only=True)
