"""Voice rules: who speaks (我, or 班子 in a group statement), no group subjects, no 成绩 talk, no excuses.

Every pattern is data (wordlists.yaml); matching runs on `doc.norm` so traditional-character
statements match too, and spans are reported on the same offsets.
"""

from __future__ import annotations

import re
from functools import cache

from agent.diskcache import compile_re
from agent.facts import cjk_count
from agent.rules import Context, rule
from agent.rules.helpers import (
    Matcher,
    lead_space,
    owns_up,
    prefiltered,
    quoted,
    sentence_spans,
    table,
    units,
    words_re,
)

CLAUSE_BREAK = compile_re(r"[，,。；;：:、！？!?\n]")
MIN_PART_CHARS = 40  # a part shorter than this is a heading (a table of contents line): nothing to judge
MIN_CAUSE_CHARS = 8  # a cause unit shorter than this is a heading or an empty slot, judged elsewhere


@cache
def _re(name: str) -> Matcher:
    """A single-regex entry of wordlists.yaml, compiled once (prefiltered: these are searched through
    whole parts and every sentence, and sre has no first-character map for most of them)."""
    return prefiltered(table(name))


def _clause_start(text: str, pos: int, floor: int = 0, reach: int = 40) -> int:
    """Where the clause holding `pos` starts, looking back at most `reach` characters and never before `floor`."""
    low = max(floor, pos - reach)
    return max((m.end() for m in CLAUSE_BREAK.finditer(text, low, pos)), default=low)


def _clause_before(text: str, start: int) -> str:
    """The text from the start of the clause holding `start` up to it."""
    return text[_clause_start(text, start):start]


def _is_group(ctx: Context) -> bool:
    return ctx.doc.kind.voice == "group"


@rule("voice.first_person", "voice", "warning")
def first_person(ctx: Context, r):
    """查摆问题要用第一人称：个人写“我”“自己”，班子写“班子”“我们”。"""
    group = _is_group(ctx)
    words = words_re("group_first_person" if group else "first_person")
    for part in ctx.doc.parts("problems"):
        body = ctx.doc.norm[part.body_start:part.end]
        if cjk_count(body) < MIN_PART_CHARS or words.search(body):
            continue
        message = ("“存在的问题”部分没有以班子为主语：班子对照检查要写“班子”“我们”“党组（党委）”自己的问题，不要写成下属单位的问题。"
                   if group else "“存在的问题”部分没有第一人称：请用“我”“自己”来写，讲清是自己的问题。")
        yield ctx.finding(r, message, part.start, part.body_start, section=part.id)


@rule("voice.group_subject", "voice", "warning")
def group_subjects(ctx: Context, r):
    """个人对照检查不能以“部分同志”“有的单位”等集体代替个人；班子对照检查不能把问题推给下属。"""
    # A 班子 statement's subject is the 班子 itself: 部分班子成员/个别成员 are its own members and
    # legitimate there. 部分同志/有的干部/一些单位 as the subject are still flagged: they push the
    # 班子's problem onto subordinates, where it should read as the 班子's own 督促指导不够.
    # 我们 is a 班子's own voice; in a personal statement it is a group subject too.
    group = _is_group(ctx)
    norm = ctx.doc.norm
    lists = ("group_subjects",) if group else ("group_subjects", "personal_we", "group_subjects_personal")
    for kind in ("problems", "causes"):
        for part in ctx.doc.parts(kind):
            matches = (m for name in lists for m in words_re(name).finditer(norm, part.body_start, part.end))
            for m in sorted(matches, key=lambda m: m.start()):
                word = m.group(0)
                if group and (_re("group_voice_own").search(word) or word == "班子成员中有的"):
                    continue
                if _re("group_object_before").search(_clause_before(norm, m.start())):
                    continue  # an object: 对部分干部失之于宽, 给我们留下了…
                if _re("group_reporting_after").search(norm[m.end():m.end() + 6]):
                    continue  # others' opinion of the speaker: 有的同志反映我…
                if quoted(norm, m.start()):
                    continue  # someone else's words: 总书记指出，“我们要…”
                yield ctx.finding(r, _group_message(ctx, word, group, m.start()), m.start(), m.end())


def _group_message(ctx: Context, word: str, group: bool, start: int) -> str:
    node = ctx.doc.get(ctx.doc.section_of(start)) if ctx.doc.section_of(start) else None
    where = f"{ctx.label(node)}" if node is not None and node.kind in ("section", "point") else ""
    if group:
        return (f"{where}用了“{word}”作主语：班子对照检查要写班子自己的问题，"
                "改为“班子”“部分班子成员”，下属的问题写成班子“督促指导不够”。")
    return f"{where}用了“{word}”这样的集体主语：个人对照检查要写“我”自己的问题，改成“我……”并写清自己的责任。"


def _negated(text: str, start: int, end: int) -> bool:
    return bool(_re("negation_before").search(text[max(0, start - 8):start])
                or _re("negation_after").search(text[end:end + 6]))


@rule("voice.achievement", "voice", "warning")
def achievements_in_problems(ctx: Context, r):
    """“存在的问题”中不要讲成绩（成效、排名、获奖、肯定），避免开成成绩汇报会。"""
    norm = ctx.doc.norm
    for part in ctx.doc.parts("problems"):
        found = []
        for m in words_re("achievements").finditer(norm, part.body_start, part.end):
            if _negated(norm, m.start(), m.end()):
                continue  # 没有取得明显成效 is a problem, not 成绩
            found.append(ctx.finding(r, f"查摆问题时讲成绩（“{ctx.doc.text[m.start():m.end()]}”）：删去成绩和表扬，"
                                     "直接讲问题和自己的事例。", m.start(), m.end()))
        yield from found
        listed = [(f.start, f.end) for f in found]
        for s, e in outcome_clauses(norm, part.body_start, part.end):
            if not any(a < e and s < b for a, b in listed):
                yield ctx.finding(r, f"查摆问题时讲成绩（“{ctx.doc.text[s:e].strip()[:20]}”）：这是工作成效，不是问题，"
                                  "删去，或写清自己差在哪里。", s, e)
        for s, e in self_praise(norm, part.body_start, part.end):
            listed.append((s, e))
            yield ctx.finding(r, f"查摆问题时讲自己的表现（“{ctx.doc.text[s:e].strip()[:16]}”）：这句没有讲出任何不足，"
                              "删去，或写清差在哪里。", s, e)
        for s, e, word in faux_flaws(norm, part.body_start, part.end):
            if not any(a < e and s < b for a, b in listed):
                yield ctx.finding(r, f"以优点代缺点（“{word}”）：工作太拼、要求太严、不休假"
                                  "是在讲自己的长处，不是问题；删去，写清真正的不足。", s, e)


def outcome_clauses(norm: str, start: int, end: int):
    """(start, end) of each clause in norm[start:end] that reports a good outcome (好评, 第一, 新高, 被采纳…)
    and names no shortfall, no limit, no concession, and is not the setup of a 但… turn."""
    done = start  # each clause is judged once, on its first outcome word
    for m in _re("achievement_outcome").finditer(norm, start, end):
        if m.start() < done:
            continue
        a = _clause_start(norm, m.start(), floor=start, reach=60)
        stop = CLAUSE_BREAK.search(norm, m.end(), end)
        b = stop.end() if stop else end
        turn = CLAUSE_BREAK.search(norm, b, end)
        done = b
        clause = norm[a:b]
        if owns_up(clause) or _negated(norm, m.start(), m.end()) or quoted(norm, m.start()) \
                or _re("achievement_limited").search(norm, a, m.start()) \
                or _re("achievement_turn").match(norm[b:turn.end() if turn else end]):
            continue
        yield a + lead_space(norm, a, b), b


def faux_flaws(norm: str, start: int, end: int):
    """(start, end, the virtue) of each sentence in norm[start:end] that offers a virtue as its flaw (太较真, 没休过年假)
    and, with the virtue and the 我的不足是 frame taken out, owns up to nothing else."""
    for s, e in sentence_spans(norm, start, end):
        m = _re("faux_flaw").search(norm, s, e)
        if m and not owns_up(_re("faux_flaw").sub("", _re("flaw_frame").sub("", norm[s:e]))):
            yield s + lead_space(norm, s, e), e, m.group(0)


def self_praise(norm: str, start: int, end: int):
    """(start, end) of each sentence in norm[start:end] that opens on the author's good conduct (or holds a praise
    idiom: 冲锋在前, 任劳任怨) and owns up to nothing."""
    spans = sentence_spans(norm, start, end)
    for k, (s, e) in enumerate(spans):
        s += lead_space(norm, s, e)
        if not (_re("self_praise_opening").match(norm, s, e) or _re("praise_idioms").search(norm, s, e)) \
                or owns_up(norm[s:e]):
            continue
        if k + 1 < len(spans) and _re("praise_pivot").match(norm, spans[k + 1][0], spans[k + 1][1]):
            continue  # the setup of the problem the next sentence names: 我始终要求…。但往往是…
        yield s, e


def _excuse_in(norm: str, start: int, end: int, need_cause: bool) -> re.Match[str] | None:
    """The excuse a sentence offers as a cause, or None when it disowns it or names none."""
    hit = words_re("excuses").search(norm, start, end)
    if not hit and not need_cause:
        hit = _objective_clause(norm, start, end)
    if not hit or words_re("excuse_disowned").search(norm, start, end):
        return None
    if need_cause and not (compile_re(table("cause_markers")).search(norm[start:hit.start()])
                           or _re("excuse_consequence").search(norm, hit.end(), end)):
        return None
    return hit


def _objective_clause(norm: str, start: int, end: int) -> re.Match[str] | None:
    """A cause given in a clause that names only circumstances (由于长期在基层工作, 受制于要素保障不足): no
    speaker and nothing of the speaker's own (思想, 认识, 学习, 担当…), whatever the words for the circumstance."""
    for m in _re("objective_cause").finditer(norm, start, end):
        if not _re("self_cause").search(m.group(1)):
            return m
    return None


def only_circumstances(norm: str, start: int, end: int) -> bool:
    """Whether a cause unit's text names no one's own failing: none of self_cause's words, the speaker only as
    the place a circumstance is (我所在的岗位…), e.g. 主要是基层人少事多，很多要求落不下去。"""
    body = _re("self_circumstance").sub("", norm[start:end])
    return cjk_count(body) >= MIN_CAUSE_CHARS and not _re("self_cause").search(body)


@rule("voice.excuse", "voice", "warning")
def excuses_as_causes(ctx: Context, r):
    """原因要从主观上找，不能推给工作忙、任务重、人手少、疫情影响等客观因素。"""
    norm = ctx.doc.norm
    for kind in ("causes", "problems"):
        for part in ctx.doc.parts(kind):
            for section in units(part):
                excuse = _excuse_sentence(norm, section.start, section.end, need_cause=kind == "problems")
                if excuse is not None:
                    hit, s, e = excuse
                    yield ctx.finding(r, f"{ctx.label(section)}把原因归于客观（{ctx.doc.text[hit.start():hit.end()]}）："
                                      "删去客观理由，从理论学习、党性修养、宗旨意识、担当精神、纪律规矩等主观方面剖析。",
                                      s, e, section=section.id)
                elif kind == "causes" and only_circumstances(norm, section.body_start, section.end):
                    yield ctx.finding(r, f"{ctx.label(section)}只讲了客观情况，没有剖析自己：原因要写“我”在理论学习、"
                                      "党性修养、宗旨意识、担当精神、纪律规矩上的差距。",
                                      section.body_start, section.end, section=section.id)


def _excuse_sentence(norm: str, start: int, end: int, need_cause: bool) -> tuple[re.Match[str], int, int] | None:
    """The first sentence of norm[start:end] offering an excuse (the excuse, the sentence's start and end)."""
    spans = sentence_spans(norm, start, end)
    for i, (s, e) in enumerate(spans):
        hit = _excuse_in(norm, s, e, need_cause=need_cause)
        # 客观上…。但主观上…: the next sentence owning up disowns this one too.
        if hit is not None and not (i + 1 < len(spans) and _re("excuse_pivot").search(norm[slice(*spans[i + 1])])):
            return hit, s, e
    return None


