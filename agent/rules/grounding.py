"""Grounding rules (need the notes): no invented figure, no dropped note fact, no untraceable case."""

from __future__ import annotations

from agent.facts import SLOT_RE, bigrams, extract_figures, numbers_in
from agent.rules import Context, rule
from agent.rules.helpers import problem_points, words_re
from agent.themes import Area, area_similarity

COVER_RATIO = 0.5  # share of a fact's bigrams the draft must contain
TRACE_RATIO = 0.25  # share of a case's bigrams that must come from some note


@rule("grounding.figures", "grounding", "error", needs_notes=True)
def figures_in_notes(ctx: Context, r):
    """草稿中的每个数字、日期、次数都必须来自笔记。"""
    allowed = numbers_in(ctx.notes.all_text())
    for figure in extract_figures(ctx.doc.text):
        if not set(figure.values) <= allowed:
            yield ctx.finding(r, f"数字“{figure.text}”在笔记中找不到：请核实后改为笔记中的真实数字，或改为【请补充：…】。",
                              figure.start, figure.end, user_only=True)


def fact_covered(fact: str, text: str) -> bool:
    """Whether draft text carries a note fact: all its figures and most of its wording."""
    figures = numbers_in(fact)
    if figures and not figures <= numbers_in(text):
        return False
    grams = bigrams(fact)
    if not grams:
        return True
    return len(grams & bigrams(text)) / len(grams) >= COVER_RATIO


@rule("grounding.dropped", "grounding", "error", needs_notes=True)
def note_facts_used(ctx: Context, r):
    """笔记中的每条事实都要写进草稿。"""
    from agent.injection import instruction_in  # late: only a check with notes needs it

    text = SLOT_RE.sub("", ctx.doc.text)
    for where, fact in ctx.notes.facts():
        if fact_covered(fact, text) or instruction_in(fact):
            continue  # a fact worded as an order to the model is set aside by the draft, never demanded
        node = _node_for(ctx, where)
        start = node.start if node else 0
        yield ctx.finding(r, f"笔记中的事实没有写进草稿：“{fact}”。请写入相应方面的事例。", start, start,
                          section=node.id if node else "opening")


@rule("grounding.case_trace", "grounding", "error", needs_notes=True)
def cases_traceable(ctx: Context, r):
    """每个“如…”事例都要能在笔记中找到出处，不得编造。"""
    note_grams = [bigrams(fact) for _, fact in ctx.notes.facts()] + [bigrams(p.summary) for a in ctx.notes.areas
                                                                      for p in a.problems]
    for point in problem_points(ctx.doc):
        body = ctx.doc.body(point)
        case = words_re("case_markers").search(body)
        if not case:
            continue
        case_text = SLOT_RE.sub("", body[case.end():])
        grams = bigrams(case_text)
        if len(grams) < 4:
            continue
        best = max((len(grams & g) / len(grams) for g in note_grams if g), default=0.0)
        if best < TRACE_RATIO:
            yield ctx.finding(r, f"{ctx.label(point)}的事例在笔记中找不到出处：请改用笔记中的事实，或改为【请补充：…】。",
                              point.body_start + case.start(), point.end, section=point.id, user_only=True)


def _node_for(ctx: Context, where: str):
    """The section a note fact belongs in: its area's section, else the opening or the problems part."""
    if where in ("opening", "last_year"):
        return ctx.doc.part(where) or ctx.doc.part("opening")
    problems = ctx.doc.part("problems")
    if not problems:
        return None
    area = Area(key=where, title=where, aliases=[where])
    scored = [(area_similarity(area, s.title), s) for s in problems.children]
    best = max(scored, key=lambda x: x[0], default=(0, problems))
    return best[1] if best[0] >= 0.5 else problems
