"""Correspondence rules: measures answer the problem areas; causes are root causes, not the problems
again; the opening's counts agree with the body and the notes; the title agrees with the opening."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

from agent.diskcache import compile_re
from agent.facts import bigram_codes, cjk, parse_cn_number
from agent.rules import Context, rule
from agent.rules.helpers import lead_space, owns_up, sentence_spans, sentences, table
from agent.themes import area_name

ANSWER_RATIO = 0.12  # share of an area's content bigrams the best measure section must share
THEMATIC_RATIO = 0.05  # …or all measures together, when measures are grouped by theme, not by area
SHARED_CONTENT = 6  # …or this many content bigrams of the area's whole text shared with one measure
RESTATE_RATIO = 0.75  # a cause heading this close to a problem summary restates it
MIN_ROOTS = 3


@cache
def _boilerplate() -> re.Pattern[str]:
    return compile_re(table("measure_boilerplate"))


def _keys(text: str) -> set[int]:
    """The content bigrams of text (boilerplate left out), as numbers: only counted and compared."""
    return bigram_codes(cjk(_boilerplate().sub("\x00", text)))


def _first_sentence(text: str) -> str:
    for start, end in sentences(text):
        return text[start:end]
    return text


@rule("correspondence.measures", "correspondence", "warning")
def areas_answered(ctx: Context, r):
    """每个方面的问题都要有对应的整改措施（按内容判断，不只看标题）。"""
    problems, measures = ctx.doc.part("problems"), ctx.doc.part("measures")
    if not problems or not measures or not problems.children:
        return
    text = ctx.doc.norm
    sections = measures.children or [measures]
    measure_keys = [_keys(text[m.start:m.end]) for m in sections]
    all_keys = _keys(text[measures.start:measures.end])
    # Measures numbered like the areas are meant to answer them one by one; otherwise they are
    # grouped by theme, and only an area that nothing in the measures touches is reported.
    per_area = len(sections) >= len(problems.children)
    for area in problems.children:
        heads = area.title + "".join(p.title + _first_sentence(ctx.doc.body(p)) for p in area.children)
        keys = _keys(heads if area.children else text[area.start:area.end])
        if len(keys) < 4:
            continue
        # Two ways to answer: the wording of the area's headings, or the content of its cases
        # (a measure naming the project or the figure of a case answers it). The wording is judged
        # first: most areas pass there, and their whole text need not be read.
        best = max(len(keys & m) / len(keys) for m in measure_keys)
        overall = len(keys & all_keys) / len(keys)
        if not ((per_area and best < ANSWER_RATIO and overall < 2 * ANSWER_RATIO) or overall < THEMATIC_RATIO):
            continue
        full = _keys(text[area.body_start:area.end])
        shared = max(len(full & m) for m in measure_keys)
        bodies = [text[m.start:m.end] for m in sections]
        if not (shared >= SHARED_CONTENT or _names_area(area.title, bodies) or _quotes_a_point(area, bodies)):
            yield ctx.finding(r, f"整改措施没有回应{area.prefix}{area.title}的问题：请在整改措施中针对这个方面"
                                 "写出具体办法（做什么、何时完成、达到多少）。",
                              measures.start, measures.body_start, section=measures.id)


def _quotes_a_point(area, measures: list[str]) -> bool:
    """A measure that names one of the area's problems as written (“针对‘学习不够深入’的问题”) answers it."""
    titles = [re.sub(r"[。：:；;，,\s]+$", "", p.title) for p in area.children]
    return any(len(t) >= 4 and t in m for t in titles for m in measures)


def _names_area(title: str, measures: list[str]) -> bool:
    """A measure that names the area (“担当作为方面”, “在担当作为上”) answers it by name."""
    core = area_name(title)
    return len(core) >= 2 and any(core in m for m in measures)


@rule("correspondence.root_causes", "correspondence", "warning")
def causes_cover_roots(ctx: Context, r):
    """原因剖析至少覆盖理论学习、党性修养、宗旨意识、担当精神、纪律规矩中的三个方面。"""
    causes = ctx.doc.part("causes")
    if not causes:
        return
    text = ctx.doc.norm[causes.start:causes.end]
    covered = [name for name, words in table("root_causes").items() if any(w in text for w in words)]
    if len(covered) < MIN_ROOTS:
        missing = [n for n in table("root_causes") if n not in covered]
        yield ctx.finding(r, f"原因剖析只涉及{len(covered)}个思想根源：请从{'、'.join(missing)}等方面深挖主观原因。",
                          causes.start, causes.body_start, section=causes.id)


@rule("correspondence.causes_restate", "correspondence", "warning")
def causes_restate_problems(ctx: Context, r):
    """原因要写思想根源，不能把查摆的问题换个说法再说一遍。"""
    causes, problems = ctx.doc.part("causes"), ctx.doc.part("problems")
    if not causes or not problems:
        return
    text = ctx.doc.norm
    summaries = []
    for area in problems.children:
        for point in area.children or [area]:
            head = cjk(point.title or _first_sentence(text[point.body_start:point.end]))
            if len(head) >= 6:
                summaries.append((head, point, dict.fromkeys(map(ord, head))))
    roots = table("root_words")
    items = [n for section in causes.children for n in (section.children or [section])]
    for item in items:
        head_text = item.title or _first_sentence(text[item.body_start:item.end])
        head = cjk(head_text)
        if len(head) < 6 or any(w in head_text for w in roots):
            continue
        for summary, point, chars in summaries:
            # The aligned characters are at most those of the head found anywhere in the summary
            # (deleted by translate, in C): where even they fall short, the ratio does too.
            shared = len(head) - len(head.translate(chars))
            if 2.0 * shared / (len(head) + len(summary)) < RESTATE_RATIO:
                continue
            if SequenceMatcher(None, head, summary, autojunk=False).ratio() >= RESTATE_RATIO:
                yield ctx.finding(r, f"{ctx.label(item)}“{head_text.strip()[:20]}”只是把{ctx.label(point)}的问题又说了一遍："
                                     "请写这个问题的思想根源（理论学习、党性修养、宗旨意识、担当精神、纪律规矩上的原因）。",
                                  item.start, item.end, section=item.id)
                break


@rule("correspondence.causes_commitment", "correspondence", "warning")
def causes_not_commitments(ctx: Context, r):
    """原因要写为什么会出现问题，不能写成“我应该……”“我需要……”的表态和措施。"""
    causes = ctx.doc.part("causes")
    if not causes:
        return
    text = ctx.doc.norm
    for item in (n for section in causes.children for n in (section.children or [section])):
        for s, e in sentence_spans(text, item.body_start, item.end):
            s += lead_space(text, s, e)
            if compile_re(table("cause_commitment")).match(text, s, e) and not owns_up(text[s:e]):
                yield ctx.finding(r, f"{ctx.label(item)}写成了表态（“{ctx.doc.text[s:e][:16]}”）：原因剖析要写"
                                     "这些问题的思想根源，打算和措施放到“整改措施”部分。", s, e, section=item.id)


# --- counts and the title --------------------------------------------------------------------

def _count(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    return parse_cn_number(raw)


def opening_counts(ctx: Context):
    """(kind, stated value, approximate?, start, end) for each count the opening states."""
    opening = ctx.doc.part("opening")
    if not opening:
        return
    text = ctx.doc.norm
    last_year = compile_re(table("last_year_markers"))
    furniture = [(f.start, f.end) for f in ctx.doc.furniture]
    for s, e in sentence_spans(text, opening.start, opening.end):
        sentence = text[s:e]
        if any(a < e and s < b for a, b in furniture):
            continue  # a collection title (`…等六个方面…范例`) is the site's, not the statement's
        for kind, pattern in table("opening_counts").items():
            for m in compile_re(pattern).finditer(sentence):
                # Counts of last year's statement (`上年度查摆的4个问题已整改`) are not this one's.
                if kind in ("areas", "problems") and last_year.search(sentence):
                    continue
                value = _count(m.group(1))
                if value is None:
                    continue
                approx = len(m.groups()) > 1 and bool(m.group(2))
                yield kind, value, approx, s + m.start(1), s + m.end(1)


NOUNS = {"areas": "个方面", "problems": "个问题", "opinions": "条意见", "talks": "人次谈心谈话"}


@rule("correspondence.counts", "correspondence", "warning")
def counts_agree(ctx: Context, r):
    """开头写的方面数、问题数、征求意见条数、谈心谈话人次要与正文和笔记一致。"""
    problems = ctx.doc.part("problems")
    body = {}
    if problems and len(problems.children) >= 2:
        body["areas"] = len(problems.children)
        body["problems"] = sum(len(a.children) or 1 for a in problems.children)
    notes = {}
    if ctx.notes is not None:
        notes = {"opinions": ctx.notes.opinions.collected, "talks": ctx.notes.opinions.talks}
    for kind, value, approx, start, end in opening_counts(ctx):
        if kind in body and value != body[kind]:
            where = "方面" if kind == "areas" else "个问题要点"
            yield ctx.finding(r, f"开头说{value}{NOUNS[kind]}，正文“存在的问题”实际写了{body[kind]}{where}："
                                 "请改正开头的数字，或补齐正文。", start, end)
        expected = notes.get(kind)
        if expected is not None and not (value == expected or (approx and value <= expected < value * 1.5)):
            yield ctx.finding(r, f"开头说{value}{NOUNS[kind]}，笔记中是{expected}：请改为笔记中的数字。", start, end,
                              user_only=False)


MEETING_RE = compile_re(r"(20\d\d)\s*年度?[^。；，,\n]{0,16}?(民主生活会|组织生活会)")
KIND_RE = compile_re(r"民主生活会|组织生活会")


@rule("correspondence.title", "correspondence", "warning")
def title_agrees(ctx: Context, r):
    """标题的年度、会议（民主生活会/组织生活会）要与开头、笔记和主题一致。"""
    title_node, opening = ctx.doc.part("title"), ctx.doc.part("opening")
    if not title_node:
        return
    text = ctx.doc.norm
    title = text[title_node.start:title_node.end]
    year_m = re.search(r"(20\d\d)\s*年", title)
    kind_m = KIND_RE.search(title)
    t_year = int(year_m.group(1)) if year_m else None
    t_kind = kind_m.group(0) if kind_m else None
    span = (title_node.start, title_node.end)
    checks: list[tuple[str, object, object]] = []
    if opening:
        first = next(iter(sentence_spans(text, opening.start, opening.end)), None)
        if first:
            sentence = text[first[0]:first[1]]
            m = MEETING_RE.search(sentence)
            if m and t_year:
                checks.append(("开头", int(m.group(1)), t_year))
            k = KIND_RE.search(sentence)
            if k and t_kind:
                checks.append(("开头", k.group(0), t_kind))
    if ctx.notes is not None:
        if t_year:
            checks.append(("笔记", ctx.notes.meeting.year, t_year))
        if t_kind:
            checks.append(("笔记", ctx.notes.meeting.kind, t_kind))
    elif ctx.theme is not None and ctx.theme.year and t_year and ctx.theme.key != "custom":
        # `2023年度…` names the year reviewed; a title without 年度 may name the year it is held in.
        held = not re.search(r"20\d\d\s*年度", title) and t_year == ctx.theme.year + 1
        if not held:
            checks.append((f"主题“{ctx.theme.name}”", ctx.theme.year, t_year))
    for source, expected, stated in checks:
        if expected != stated:
            what = "年度" if isinstance(stated, int) else "会议"
            yield ctx.finding(r, f"标题写的是{stated}{'年' if what == '年度' else ''}，{source}是{expected}"
                                 f"{'年' if what == '年度' else ''}：请统一标题的{what}。", *span, section=title_node.id)
