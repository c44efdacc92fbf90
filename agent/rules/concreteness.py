"""Concreteness rules: a problem point needs a specific case; a measure needs an action with 时限 or 数量.

A case is what real statements show, with or without 如/比如: a dated or numbered event
(`2025年上半年，在推动…项目时`, `全年只下基层4次`) or a named project, meeting or place. Generic
anchors (近期, 有关会议, 重点项目, 某项工作) are not specific. A masked anchor (`**镇`, `20**年`,
`X月`) still counts: the mask is a placeholder finding, not a missing case.
"""

from __future__ import annotations

import re
from functools import cache

from agent.diskcache import compile_re
from agent.facts import cjk_count
from agent.rules import Context, rule
from agent.rules.helpers import (
    Matcher,
    guarded,
    lead_space,
    owns_up,
    prefiltered,
    problem_points,
    sentence_spans,
    table,
    words_re,
)

MIN_BODY_CHARS = 10  # an area heading with no text under it is a structure matter, not a missing case
FIRST_SENTENCE = compile_re(r"[^。；;！？!?\n]*")


@cache
def _re(name: str) -> Matcher:
    return prefiltered(table(name))


@cache
def _named_re() -> re.Pattern[str]:
    # Up to 12 characters (CJK, a quoted name or a mask) right before a named type word.
    unit = r"[\u4e00-\u9fff]|“[^”]{1,12}”|[xX*×]+|〔某[^〕]{0,4}〕"
    # Guarded: sre tries the type words after each of up to twelve units, from every start.
    return compile_re(rf"((?:{unit}){{2,12}}){guarded(table('case_named_types'))}(?![论理])")


@cache
def _type_word_re() -> re.Pattern[str]:
    """The part of `_named_re` every match ends with: a named type word."""
    return compile_re(rf"(?:{table('case_named_types')})(?![论理])")


def _named(text: str) -> str | None:
    """A specific named project, meeting, campaign or event in text, or None.

    The name is what is left of the run before the type word after cutting at the last function
    word and stripping leading verbs: 开展粮食购销领域专项整治 → 粮食购销领域; 推进重点项目 → nothing.
    """
    # A match ends with a type word, so without one there is none; finding that out is far cheaper
    # than trying twelve characters of name before every character of the text.
    if not _type_word_re().search(text):
        return None
    for m in _named_re().finditer(text):
        name = compile_re(table("case_name_cut")).split(m.group(1))[-1]
        name = _re("case_name_lead").sub("", name)
        if re.search(r"[xX*×]|〔某|“", name):
            return m.group(0)  # a quoted or masked name: “数字乡村”治理平台, 献礼xx系列活动
        if "某" in name or _re("case_name_not").search(name) or _re("case_generic_names").match(name):
            continue
        # A bare name must be framed as an occasion: 在…时, 开展/召开/推进… (只注重活动 is not one).
        if cjk_count(name) >= 3 and _re("case_name_frame").search(text[max(0, m.start() - 8):m.end(1) - len(name)]):
            return m.group(0)
    return None


@cache
def _formulae_re() -> re.Pattern[str]:
    words = sorted(table("formulae"), key=len, reverse=True)
    return compile_re("|".join(map(re.escape, words)) + "|" + table("case_generic_anchors"))


def _blank(text: str) -> str:
    """Blank political formulae and generic anchors (四个意识, 近期, 重点项目), keeping offsets."""
    return _formulae_re().sub(lambda m: " " * len(m.group(0)), text)


def anchor(text: str) -> str | None:
    """The first specific anchor in text: a date, a figure, a masked anchor, a named thing; else None."""
    text = _blank(text)
    hit = words_re("case_anchors").search(text)
    return hit.group(0) if hit else _named(text)


def has_anchor(text: str) -> bool:
    """Whether text names something specific (kept for callers of the old API)."""
    return anchor(text) is not None


@rule("concreteness.case", "concreteness", "warning")
def points_have_cases(ctx: Context, r):
    """每个问题要有具体事例：写明时间、项目、会议、地点或数字（可用“如，……”引出，也可直接叙述）。"""
    for point in problem_points(ctx.doc):
        text = ctx.doc.norm[point.start:point.end]
        body = ctx.doc.norm[point.body_start:point.end]
        if "【请补充" in text or cjk_count(body) < MIN_BODY_CHARS and point.kind == "section":
            continue  # a slot is already an error of its own; an empty area is a structure finding
        if anchor(text):
            continue
        label = ctx.label(point)
        case = words_re("case_markers").search(body)
        if case:
            yield ctx.finding(r, f"{label}的事例不够具体（“近期”“有关会议”“某项工作”这类说法不算）："
                              "补充时间、项目或会议名称、地点或数字。",
                              point.body_start + case.start(), point.end, section=point.id)
        else:
            yield ctx.finding(r, f"{label}缺少具体事例：补充一件自己经历的事，写明时间、项目或会议、数字"
                              "（如，“今年3月在××项目推进中……”）。", point.start, point.end, section=point.id)


@rule("concreteness.commitment", "concreteness", "warning")
def problems_not_commitments(ctx: Context, r):
    """问题要写成问题（哪里不够、差在哪里），不能写成“要……”“进一步加强……”的措施。"""
    for point in problem_points(ctx.doc):
        if point.kind == "point":
            head = FIRST_SENTENCE.match(ctx.doc.norm, point.start + len(point.prefix)).group(0)
            head = head.lstrip(" 　\t、.．")
            checked = _re("deficiency_exempt").sub("", head)
            if _re("commitment_openers").match(head) and not _re("deficiency_words").search(checked):
                start = ctx.doc.norm.index(head, point.start)
                yield ctx.finding(r, f"{ctx.label(point)}写成了措施（“{head[:16]}”）：问题要写清哪里不够、差在哪里，"
                                  "措施放到“整改措施”部分。", start, start + len(head), section=point.id)
            body_start = head_at = point.start + len(point.prefix)
        else:  # an area written as one paragraph, without 一是… points: its body after the heading
            body_start, head_at = point.body_start, None
        found = []
        for m in _re("resolution_sentence").finditer(ctx.doc.norm, body_start, point.end):
            if m.start() == head_at:
                continue  # a point's head, judged above
            found.append((m.start(), m.end()))
        found += [span for span in _pledges(ctx.doc.norm, body_start, point.end)
                  if span[0] != head_at and not any(s < span[1] and span[0] < e for s, e in found)]
        for start, end in sorted(found):
            yield ctx.finding(r, f"{ctx.label(point)}里写了整改打算（“{ctx.doc.norm[start:end][:16]}”）：查摆问题只写问题，"
                              "打算放到“整改措施”部分。", start, end, section=point.id)


def _pledges(norm: str, start: int, end: int):
    """(start, end) of each sentence in norm[start:end] that vows to do better (今后我将…, 我决心…, 加以改正)
    without negating it (没有及时加以纠正 is the problem itself); among the last two, also a vow in other
    words (这一短板我力争三个月内补齐): a will or a time to put it right, telling nothing that happened."""
    spans = sentence_spans(norm, start, end)
    for k, (s, e) in enumerate(spans):
        vows = [_re("pledge_words").search(norm, s, e)]
        if k >= len(spans) - 2 and not _re("pledge_past").search(norm, s, e):
            will = _re("pledge_volition").search(norm, s, e)
            # A shortfall after the will describes it (对今后的工作思考不深, 计划落实不够); inside it (要把欠账还清) or
            # before it, it is what the vow fixes. 决不再犯 is the vow's own negation, no shortfall.
            after = "" if not will or _re("pledge_fix").search(norm, will.end(), e) else \
                _re("deficiency_exempt").sub("", norm[will.end():e])
            vows.append(will if will and not owns_up(after) else None)
        if any(m and not _re("negation_before").search(norm[max(s, m.start() - 8):m.start()]) for m in vows):
            yield s + lead_space(norm, s, e), e


@rule("concreteness.measures", "concreteness", "warning")
def measures_are_actionable(ctx: Context, r):
    """整改措施要有具体行动，并有时限（年底前、每季度、3个月内）或数量（不少于2次、3篇）。"""
    for part in ctx.doc.parts("measures"):
        for section in part.children:
            body = _blank(ctx.doc.norm[section.start:section.end])
            has_action = bool(words_re("actions").search(body))
            has_limit = bool(words_re("deadlines").search(body) or _re("measure_quantity").search(body))
            if has_action and has_limit:
                continue
            need = "具体行动和时限或数量" if not has_action else "时限或数量"
            yield ctx.finding(r, f"{ctx.label(section)}缺少{need}：写明做什么、何时完成（如“年底前”“每季度”）、"
                              "做到多少（如“不少于2次”），“定期”“进一步”“持续”“今后”不算时限。",
                              section.start, section.end, section=section.id)
