"""Structure rules: the three main parts in order, numbering without gaps, the theme's areas."""

from __future__ import annotations

from agent.document import PART_LABELS
from agent.numbering import SHI_BOUNDARY, SHI_RE, cn_to_int
from agent.rules import Context, rule
from agent.themes import match_areas

MAIN_PARTS = ("problems", "causes", "measures")


@rule("structure.parts", "structure", "error")
def parts_present_in_order(ctx: Context, r):
    """存在的问题、原因剖析、整改措施三部分齐全且顺序正确；主题要求的部分不缺。"""
    doc = ctx.doc
    for warning in doc.warnings:
        if "未识别" in warning:
            yield ctx.finding(r, f"{warning}：请按“一、存在的问题 二、原因剖析 三、整改措施”分部分书写。",
                              0, min(len(doc.text), 20), section="title")
            return
    order = [n.part_kind for n in doc.nodes if n.part_kind in MAIN_PARTS]
    for kind in MAIN_PARTS:
        if kind not in order:
            yield ctx.finding(r, f"缺少“{PART_LABELS[kind]}”部分：请补写这一部分。", 0, 0, section=_anchor(doc))
    present = [k for k in MAIN_PARTS if k in order]
    seen = [k for k in dict.fromkeys(order)]
    if seen != present:
        node = doc.part(seen[0])
        yield ctx.finding(r, "部分顺序不对：应依次为存在的问题、原因剖析、整改措施。", node.start, node.body_start,
                          section=node.id)
    if ctx.theme and "case" in ctx.theme.parts and doc.part("case") is None:
        yield ctx.finding(r, f"{ctx.theme.name}要求“反面典型案例剖析”部分：请补写以案为鉴的剖析。", 0, 0,
                          section=_anchor(doc))


@rule("structure.last_year", "structure", "warning")
def last_year_reported(ctx: Context, r):
    """近年的会议要求通报上年度整改落实情况（开头或单列一部分）。"""
    if not ctx.theme or "last_year" not in ctx.theme.parts or ctx.doc.part("last_year"):
        return
    opening = ctx.doc.part("opening")
    if opening and any(w in ctx.doc.slice(opening) for w in ("上年度", "整改落实", "上一年度")):
        return
    node = opening or ctx.doc.nodes[0] if ctx.doc.nodes else None
    start, end = (node.start, node.start) if node else (0, 0)
    yield ctx.finding(r, "没有通报上年度民主生活会查摆问题的整改落实情况：请在开头或单列一部分说明。",
                      start, end, section=node.id if node else "opening")


@rule("structure.numbering", "structure", "error")
def numbering_without_gaps(ctx: Context, r):
    """编号连续：一、二、三，（一）（二），一是二是三是，不跳号。"""
    doc = ctx.doc
    siblings = [[n for n in doc.nodes if n.kind == "part"]] + [n.children for n in doc.walk() if n.children]
    for group in siblings:
        numbered = [n for n in group if n.number]
        for prev, node in zip(numbered, numbered[1:], strict=False):
            if node.number != prev.number + 1:
                yield ctx.finding(r, f"编号跳号：{prev.prefix}之后是{node.prefix}，请重新编号。",
                                  node.start, node.body_start, section=node.id)
    yield from _shi_gaps(ctx, r)


def _shi_gaps(ctx: Context, r):
    """一是 … 三是 with no 二是: the parser stops the sequence, so look for the orphan marker."""
    for node in ctx.doc.walk():
        if node.kind not in ("section", "part") or any(c.prefix.endswith("是") for c in node.children) is False:
            continue
        points = [c for c in node.children if c.prefix.endswith("是")]
        if not points:
            continue
        last = points[-1]
        for m in SHI_RE.finditer(ctx.doc.text, last.body_start, node.end):
            number = cn_to_int(m.group(1))
            before = ctx.doc.text[m.start() - 1] if m.start() else ""
            if number and number > len(points) + 1 and before in SHI_BOUNDARY:
                yield ctx.finding(r, f"编号跳号：{last.prefix}之后直接是{m.group(0)}，请补上或重新编号。",
                                  m.start(), m.end(), section=node.id)
                break


@rule("structure.areas", "structure", "error")
def theme_areas_covered(ctx: Context, r):
    """“存在的问题”按主题要求的每个方面各写一节。"""
    problems = ctx.doc.part("problems")
    if not ctx.theme or not problems:
        return
    areas = ctx.theme.required_areas()
    if ctx.notes and ctx.theme.key == "custom":
        return
    titles = [s.title for s in problems.children]
    matched = match_areas(areas, titles)
    for area in areas:
        if matched[area.key] is None:
            yield ctx.finding(r, f"缺少“{area.title}”这一方面：{ctx.theme.name}要求逐一对照，请补写一节。",
                              problems.start, problems.body_start, section=problems.id)


@rule("structure.points", "structure", "warning")
def areas_have_two_points(ctx: Context, r):
    """每个方面至少写两个问题（一是、二是）。"""
    problems = ctx.doc.part("problems")
    if not problems:
        return
    for section in problems.children:
        # An area written as one run of prose has no numbered points to count: only a lone 一是 is short.
        if len(section.children) == 1:
            yield ctx.finding(r, f"{section.prefix}只写了{len(section.children)}个问题：每个方面至少查摆两个（一是、二是）。",
                              section.start, section.body_start, section=section.id)


def _anchor(doc) -> str:
    return "title" if doc.part("title") else (doc.nodes[0].id if doc.nodes else "title")
