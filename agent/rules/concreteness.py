"""Concreteness rules: a problem point needs a 如… case with an anchor; a measure needs 时限 or 数量."""

from __future__ import annotations

import re
from functools import cache

from agent.facts import extract_figures
from agent.rules import Context, rule
from agent.rules.helpers import problem_points, words_re

# Named things that make a case specific: a quoted or titled name, a meeting, a project, a place.
NAMED_RE = re.compile(r"“[^”]{2,20}”|《[^》]{2,30}》|[\u4e00-\u9fff]{2,12}(?:项目|工程|会议|专项|行动|活动|读书班|培训班|调研|检查|巡察|审计|整治|改革|座谈会|民主生活会|组织生活会)"
                      r"|[\u4e00-\u9fff]{1,8}(?:县|区|镇|乡|村|街道|社区|公司|医院|学校)")
DATE_RE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|年初|年底|上半年|下半年|今年|去年|前年|近期")


@cache
def _case_re() -> re.Pattern[str]:
    return words_re("case_markers")


def has_anchor(text: str) -> bool:
    """Whether text names something specific: a figure, a date, or a named project/meeting/place."""
    return bool(extract_figures(text) or DATE_RE.search(text) or NAMED_RE.search(text))


@rule("concreteness.case", "concreteness", "warning")
def points_have_cases(ctx: Context, r):
    """每个问题要有“如…”举出的具体事例，并含时间、项目、数字或会议等具体要素。"""
    for point in problem_points(ctx.doc):
        body = ctx.doc.body(point)
        if "【请补充" in body:
            continue  # the slot is already an error of its own; only the user can fill it
        case = _case_re().search(body)
        label = ctx.label(point)
        if not case:
            yield ctx.finding(r, f"{label}缺少具体事例：用“如，……”补充一件自己经历的事，写明时间、项目或数字。",
                              point.start, point.end, section=point.id)
        elif not has_anchor(body[case.start():]):
            yield ctx.finding(r, f"{label}的事例不够具体：补充一个时间、项目、会议或数字。",
                              point.body_start + case.start(), point.end, section=point.id)


@rule("concreteness.measures", "concreteness", "warning")
def measures_are_actionable(ctx: Context, r):
    """整改措施要有具体行动，并有时限或数量，不能只是口号。"""
    for part in ctx.doc.parts("measures"):
        for section in part.children:
            body = ctx.doc.slice(section)
            has_action = bool(words_re("actions").search(body))
            has_limit = bool(words_re("deadlines").search(body) or extract_figures(body))
            if has_action and has_limit:
                continue
            need = "具体行动和时限或数量" if not has_action else "时限或数量"
            yield ctx.finding(r, f"{ctx.label(section)}缺少{need}：写明做什么、何时完成、做到多少，避免口号化。",
                              section.start, section.end, section=section.id)
