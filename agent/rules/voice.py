"""Voice rules: first person, no group subjects, no 成绩 talk in problems, no excuses as causes."""

from __future__ import annotations

from agent.rules import Context, rule
from agent.rules.helpers import sentences, words_re


@rule("voice.first_person", "voice", "warning")
def first_person(ctx: Context, r):
    """查摆问题要用第一人称（我、自己），见人见事。"""
    for part in ctx.doc.parts("problems"):
        if not words_re("first_person").search(ctx.doc.slice(part)):
            yield ctx.finding(r, "“存在的问题”部分没有第一人称：请用“我”“自己”来写，讲清是自己的问题。",
                              part.start, part.body_start, section=part.id)


@rule("voice.group_subject", "voice", "warning")
def group_subjects(ctx: Context, r):
    """个人对照检查不能以“部分同志”“有的党员”等集体代替个人。"""
    for kind in ("problems", "causes"):
        for part in ctx.doc.parts(kind):
            for m in words_re("group_subjects").finditer(ctx.doc.text, part.start, part.end):
                yield ctx.finding(r, f"用了“{m.group(0)}”这样的集体主语：个人对照检查要写“我”自己的问题。",
                                  m.start(), m.end())


@rule("voice.achievement", "voice", "warning")
def achievements_in_problems(ctx: Context, r):
    """“存在的问题”中不要讲成绩，避免开成成绩汇报会。"""
    for part in ctx.doc.parts("problems"):
        for m in words_re("achievements").finditer(ctx.doc.text, part.start, part.end):
            yield ctx.finding(r, f"查摆问题时讲成绩（“{m.group(0)}”）：删去成绩，直接讲问题和事例。",
                              m.start(), m.end())


@rule("voice.excuse", "voice", "warning")
def excuses_as_causes(ctx: Context, r):
    """原因剖析要从主观上找根源，不能把原因推给工作忙、任务重等客观因素。"""
    excuse, disowned = words_re("excuses"), words_re("excuse_disowned")
    for part in ctx.doc.parts("causes"):
        for section in part.children or [part]:
            text = ctx.doc.text
            hits = [(s, e) for s, e in sentences(text[section.start:section.end], section.start)
                    if excuse.search(text, s, e) and not disowned.search(text, s, e)]
            title_hit = excuse.search(section.title)
            if title_hit or len(hits) >= 2:
                start, end = hits[0] if hits else (section.start, section.body_start)
                word = (excuse.search(text, start, end) or title_hit).group(0)
                yield ctx.finding(r, f"{ctx.label(section)}把原因归于客观（{word}）："
                                  "请从理论学习、党性修养、宗旨意识等主观方面剖析。", start, end, section=section.id)
