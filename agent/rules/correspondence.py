"""Correspondence rules: every problem area answered by a measure; causes cover the root categories."""

from __future__ import annotations

import re

from agent.facts import bigrams
from agent.rules import Context, rule
from agent.rules.helpers import table

ANSWER_RATIO = 0.12  # share of an area's key bigrams a measure must share to answer it
STOP = re.compile(r"方面|带头|存在|问题|不够|还不|有待|不足|进一步|加强|提高")
MIN_ROOTS = 3


def _keys(text: str) -> set[str]:
    return bigrams(STOP.sub("", text))


@rule("correspondence.measures", "correspondence", "warning")
def areas_answered(ctx: Context, r):
    """每个方面的问题都要有对应的整改措施。"""
    problems, measures = ctx.doc.part("problems"), ctx.doc.part("measures")
    if not problems or not measures:
        return
    measure_keys = [_keys(ctx.doc.slice(m)) for m in measures.children] or [_keys(ctx.doc.slice(measures))]
    for area in problems.children:
        keys = _keys(area.title + "".join(p.title for p in area.children))
        if not keys:
            continue
        best = max(len(keys & m) / len(keys) for m in measure_keys)
        if best < ANSWER_RATIO:
            yield ctx.finding(r, f"{area.prefix}{area.title}的问题没有对应的整改措施：请在整改措施中逐条回应。",
                              area.start, area.body_start, section=area.id)


@rule("correspondence.root_causes", "correspondence", "warning")
def causes_cover_roots(ctx: Context, r):
    """原因剖析至少覆盖理论学习、党性修养、宗旨意识、担当精神、纪律规矩中的三个方面。"""
    causes = ctx.doc.part("causes")
    if not causes:
        return
    text = ctx.doc.slice(causes)
    covered = [name for name, words in table("root_causes").items() if any(w in text for w in words)]
    if len(covered) < MIN_ROOTS:
        missing = [n for n in table("root_causes") if n not in covered]
        yield ctx.finding(r, f"原因剖析只涉及{len(covered)}个思想根源：请从{'、'.join(missing)}等方面深挖主观原因。",
                          causes.start, causes.body_start, section=causes.id)
