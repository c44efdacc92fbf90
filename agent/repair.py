"""Deterministic repair: what code removes from the model's free sentences without asking it again.

Two passes, both recorded as `Repair`s. `clean_piece` works on one piece alone: markup, numbering,
newlines, a sentence said twice, a figure the notes lack, a sentence that repeats a note fact the code
already writes as the case, a 如… case the model made up. `drop_flagged` uses the rules' own findings on
the assembled draft: a finding whose rule is in data/repairs.yaml and whose span lies inside a piece
drops that sentence (the skeleton, the facts and the slots are code's and never touched).
"""

from __future__ import annotations

import re
from functools import cache

from agent.facts import extract_figures
from agent.resources import load_table
from agent.rules import Finding
from agent.sections import Repair

_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_MARKUP = re.compile(r"\*\*|__|`+|^\s*#+\s*|^\s*>\s*|^\s*[-*•·]\s+", re.M)
_CASE_START = re.compile(r"^(如|比如|例如|譬如)[，,：:]")
# A quotation the model left empty, as the prompt showed it for an area with no problems: "针对‘’，".
_EMPTY_QUOTE = re.compile(r"(?:针对|对照|围绕|就|关于)?\s*(?:“\s*”|‘\s*’|「\s*」|\"\s*\"|'\s*')(?:的问题)?[，,、]?")
# An outline flattened into prose: "1. 在思想上…2. …" or "一、学习内容…二、…" inside a paragraph.
_INLINE_OUTLINE = re.compile(r"(?:^|[。；：:\s])(?:\d+[.．、]|[一二三四五六七八九十]、|（[一二三四五六七八九十]）|[一二三四五六七八九十]是)")


@cache
def repairable() -> frozenset[str]:
    """The rule ids whose findings code repairs by dropping the sentence that carries them."""
    return frozenset(load_table("repairs.yaml")["drop_sentence"])


@cache
def echo_markers() -> tuple[str, ...]:
    """Bits of the prompts that never belong in a draft's free sentences."""
    return tuple(m for m in load_table("repairs.yaml")["echo_markers"] if "{" not in m)


def sentences(text: str) -> list[str]:
    """Text split after 。！？；, keeping the marks."""
    return [s for s in _SENTENCE_END.split(text) if s]


def clean_piece(text: str, section: str, *, allowed: set | None, facts: list[str] = (),
                no_cases: bool = False, given: list[str] = ()) -> tuple[str, list[Repair]]:
    """One model-written piece as clean prose, and what was removed from it (`allowed`: the figures it may
    carry; None when there are no notes to check them against; `given`: what code already writes around the
    piece — a heading, a summary, a cause's title — which the piece must not say again)."""
    given_parts = [g for x in given for g in re.split(r"[，、；。“”‘’]", x) if len(g) >= 6]
    from agent.rules.grounding import fact_covered

    repairs: list[Repair] = []
    raw = text
    text = _MARKUP.sub("", text)
    text = "".join(line.strip() for line in text.splitlines() if line.strip())
    if text != raw.strip():
        repairs.append(Repair(section=section, rule="contamination.markdown", removed=_diff_hint(raw, text)))
    if _EMPTY_QUOTE.search(text):
        repairs.append(Repair(section=section, rule="contamination.prompt_echo",
                              removed="、".join(m.group(0) for m in _EMPTY_QUOTE.finditer(text))))
        text = _EMPTY_QUOTE.sub("", text)
    outline = list(_INLINE_OUTLINE.finditer(text))
    if len(outline) >= 2:
        # A numbered list inside a free sentence is a flattened outline: keep what came before it.
        cut = outline[0].start() + (1 if text[outline[0].start()] in "。；：:" else 0)
        if text[:cut].rstrip().endswith(("：", ":")):
            # "…主要有以下几个方面：" announced the list; it goes with it.
            cut = max(text.rfind(m, 0, cut - 1) for m in "。！？；") + 1
        repairs.append(Repair(section=section, rule="structure.inline_outline", removed=text[cut:]))
        text = text[:cut]
    kept, seen = [], set()
    for s in sentences(text):
        key = re.sub(r"\W", "", s)
        why = None
        if key in seen:
            why = "duplication.sentence"
        elif any(m in s for m in echo_markers()) or not key:
            why = "contamination.prompt_echo"
        elif allowed is not None and any(not set(f.values) <= allowed for f in extract_figures(s)):
            why = "grounding.figures"
        elif facts and any(fact_covered(f, s) for f in facts):
            why = "duplication.restated"
        elif any(g in s for g in given_parts):
            why = "duplication.restated"
        elif no_cases and _CASE_START.match(s.strip()):
            why = "grounding.case_trace"
        if why:
            repairs.append(Repair(section=section, rule=why, removed=s))
        else:
            kept.append(s)
            seen.add(key)
    return "".join(kept).strip(), repairs


def drop_flagged(piece: str, ranges: list[tuple[int, int, str]], section: str) -> tuple[str, list[Repair]]:
    """The piece without the sentences overlapping any (start, end, rule) range (offsets inside the piece)."""
    kept, repairs, at = [], [], 0
    for s in sentences(piece):
        s_end = at + len(s)
        rule = next((r for start, end, r in ranges if s_end > start and at < max(end, start + 1)), None)
        if rule:
            repairs.append(Repair(section=section, rule=rule, removed=s))
        else:
            kept.append(s)
        at = s_end
    return "".join(kept), repairs


def flagged_in(findings: list[Finding], spans: dict[int, tuple[int, int]], base: int) -> list[tuple[int, int, int, str]]:
    """(piece index, start, end inside the piece, rule) for each repairable finding that lies in a piece."""
    out = []
    for f in findings:
        if f.rule not in repairable():
            continue
        for index, (s, e) in spans.items():
            lo, hi = max(f.start, base + s), min(max(f.end, f.start + 1), base + e)
            if lo < hi:
                out.append((index, lo - base - s, hi - base - s, f.rule))
    return out


def _diff_hint(raw: str, clean: str) -> str:
    marks = sorted({m.group(0).strip() for m in _MARKUP.finditer(raw)} | ({"换行"} if "\n" in raw.strip() else set()))
    return "、".join(m for m in marks if m) or raw[:20]
