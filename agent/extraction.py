"""Free-text notes checked against their source: nothing the model read into them may be new.

The extraction prompt asks the model to copy facts as written; a small model still rounds, adds and
invents. Every number and every named title (《…》) it returns must occur in the user's text, and every
fact must be found there; what fails is flagged, shown to the user and left out of the notes the draft
is written from, so an extraction slip can never become an asserted fact.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.facts import extract_figures, numbers_in
from agent.notes import AreaNotes, Notes, Problem

_TITLE = re.compile(r"《[^》]{1,40}》")


class Flag(BaseModel):
    """One extracted item that the user's text does not support."""

    field: str  # where in the notes, e.g. areas[2].problems[1].facts[0]
    value: str
    why: str


class Extraction(BaseModel):
    """Notes as understood from free text, with what was flagged and left out."""

    notes: Notes
    flags: list[Flag] = Field(default_factory=list)


def unsupported(value: str, source: str, allowed: set) -> str | None:
    """Why a piece of extracted text is not in the source, or None when it is."""
    from agent.rules.grounding import fact_covered

    for figure in extract_figures(value):
        if not set(figure.values) <= allowed:
            return f"数字“{figure.text}”在原文中找不到"
    for title in _TITLE.findall(value):
        if title not in source:
            return f"名称{title}在原文中找不到"
    if not fact_covered(value, source):
        return "原文中找不到这句话"
    return None


def verify(notes: Notes, source: str) -> Extraction:
    """The notes without any number, name or fact that the source text does not contain."""
    allowed = numbers_in(source)
    flags: list[Flag] = []
    data = notes.model_copy(deep=True)

    def keep(items: list[str], field: str) -> list[str]:
        out = []
        for i, value in enumerate(items):
            why = unsupported(value, source, allowed)
            if why:
                flags.append(Flag(field=f"{field}[{i}]", value=value, why=why))
            else:
                out.append(value)
        return out

    for ai, area in enumerate(data.areas):
        for pi, problem in enumerate(area.problems):
            problem.facts = keep(problem.facts, f"areas[{ai}].problems[{pi}].facts")
    for name in ("studied", "last_year", "measure_hints", "cause_hints"):
        setattr(data, name, keep(getattr(data, name), name))
    for name in ("collected", "talks"):
        value = getattr(data.opinions, name)
        if value is not None and value not in allowed:
            flags.append(Flag(field=f"opinions.{name}", value=str(value), why=f"数字“{value}”在原文中找不到"))
            setattr(data.opinions, name, None)
    flags += _from_source(data, source)
    flags += _lines_from_source(data, source)
    return Extraction(notes=data, flags=flags)


# What the source states in the genre's fixed wording wins over the model's reading of it.
_COUNTS = {"collected": re.compile(r"征求(?:到)?(?:意见建议|意见|建议)\s*(\d+)\s*条"),
           "talks": re.compile(r"谈心谈话\s*(\d+)\s*(?:人次|次|人)")}
_YEAR = re.compile(r"(20\d\d)\s*年度")


def _from_source(data: Notes, source: str) -> list[Flag]:
    """Set the counts, year, theme and meeting kind the source states outright; flag each change."""
    from agent.themes import infer_theme

    flags = []

    def correct(field: str, old, new, obj, attr: str) -> None:
        if new is not None and old != new:
            setattr(obj, attr, new)
            flags.append(Flag(field=field, value=str(old), why=f"按原文改为“{new}”"))

    for name, pattern in _COUNTS.items():
        m = pattern.search(source)
        correct(f"opinions.{name}", getattr(data.opinions, name), int(m.group(1)) if m else None, data.opinions, name)
    year = _YEAR.search(source)
    correct("meeting.year", data.meeting.year, int(year.group(1)) if year else None, data.meeting, "year")
    theme = infer_theme(source[:600])
    correct("meeting.theme", data.meeting.theme, theme.key if theme else None, data.meeting, "theme")
    kinds = [k for k in ("民主生活会", "组织生活会") if k in source]
    correct("meeting.kind", data.meeting.kind, kinds[0] if len(kinds) == 1 else None, data.meeting, "kind")
    # A count is not something studied: "学习了…，征求意见11条" read as one list item.
    kept = []
    for item in data.studied:
        parts = re.split(r"[、，,；;]", item)
        counts = [x for x in parts if any(p.search(x) for p in _COUNTS.values())]
        if counts:
            flags.append(Flag(field="studied", value="、".join(counts), why="这是征求意见或谈心谈话的次数，不是学习内容"))
            item = "、".join(x for x in parts if x not in counts and x.strip())
        if item:
            kept.append(item)
    data.studied = kept
    return flags


# Lines written in the genre's note habit: "理论学习方面：学得不系统，全年缺席3次。" (one area, problems split by
# ；, each problem's first clause its summary and the rest its facts), "整改打算：…；…", "字数1500字左右".
_AREA_LINE = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]?\s*)?([\u4e00-\u9fff]{2,12}?)方面\s*[：:]\s*(.+?)\s*$",
                        re.M)
_HINT_LINES = {"measure_hints": re.compile(r"^\s*(?:整改打算|整改措施|整改方向|措施)\s*[：:]\s*(.+?)\s*$", re.M),
               "cause_hints": re.compile(r"^\s*(?:原因剖析|原因分析|原因)\s*[：:]\s*(.+?)\s*$", re.M)}
_TARGET = re.compile(r"(?:字数|篇幅)[^0-9\n]{0,6}(\d{3,5})\s*字|(\d{3,5})\s*字(?:左右|上下)")


def _items(body: str) -> list[str]:
    """The ；-separated items of a line, without end punctuation."""
    return [x.strip(" 　。") for x in re.split(r"[；;]", body) if x.strip(" 　。")]


def _problem(item: str) -> Problem:
    """"学得不系统，全年缺席3次" → summary 学得不系统, fact 全年缺席3次 (the rest is a fact only when it names something)."""
    from agent.rules.concreteness import has_anchor

    head, rest = (re.split(r"[，,]", item, maxsplit=1) + [""])[:2]
    if rest and has_anchor(rest):
        return Problem(summary=head, facts=[rest])
    return Problem(summary=item, facts=[])


def _lines_from_source(data: Notes, source: str) -> list[Flag]:
    """Areas, hints and the target length as the source's own lines state them; flag each change."""
    flags = []
    lines = [(m.group(1), m.group(2)) for m in _AREA_LINE.finditer(source)]
    areas = [AreaNotes(area=area, problems=[_problem(i) for i in _items(body) if len(i) >= 2]) for area, body in lines]
    if areas and [a.model_dump() for a in areas] != [a.model_dump() for a in data.areas]:
        flags.append(Flag(field="areas", value="；".join(f"{a.area}：{len(a.problems)}个问题" for a in data.areas) or "（无）",
                          why="按原文各“…方面：”一行重排问题和事实"))
        data.areas = areas
    for field, pattern in _HINT_LINES.items():
        found = [x for m in pattern.finditer(source) for x in _items(m.group(1))]
        if found and found != getattr(data, field):
            flags.append(Flag(field=field, value="；".join(getattr(data, field)) or "（无）", why="按原文改正"))
            setattr(data, field, found)
    target = _TARGET.search(source)
    value = int(target.group(1) or target.group(2)) if target else None
    if value is not None and 300 <= value <= 20000 and value != data.target_chars:
        flags.append(Flag(field="target_chars", value=str(data.target_chars), why=f"按原文改为“{value}”"))
        data.target_chars = value
    return flags


LABELS = {"role": "职务", "unit": "单位", "kind": "类型", "name": "署名", "date": "日期", "meeting": "会议",
          "studied": "会前学习", "opinions": "征求意见", "last_year": "上年度整改", "areas": "查摆的问题",
          "cause_hints": "原因提示", "measure_hints": "整改提示", "case_analysis": "反面典型案例",
          "target_chars": "目标字数"}


def show(extraction: Extraction) -> str:
    """The understood notes with Chinese labels, then what was flagged and left out."""
    n = extraction.notes
    lines = [f"职务：{n.role}" + (f"（{n.unit}）" if n.unit else ""), f"类型：{n.kind}",
             f"会议：{n.meeting.year}年度{n.meeting.kind}（主题 {n.meeting.theme}）"]
    if n.studied:
        lines.append("会前学习：" + "；".join(n.studied))
    lines.append(f"征求意见：{_n(n.opinions.collected)}条　谈心谈话：{_n(n.opinions.talks)}人次")
    if n.last_year:
        lines.append("上年度整改：" + "；".join(n.last_year))
    for a in n.areas:
        lines.append(f"方面：{a.area}")
        for p in a.problems:
            lines.append(f"  问题：{p.summary}" + (f"　事实：{'；'.join(p.facts)}" if p.facts else "　事实：（无）"))
    for key in ("cause_hints", "measure_hints"):
        if getattr(n, key):
            lines.append(f"{LABELS[key]}：" + "；".join(getattr(n, key)))
    if n.case_analysis:
        lines.append(f"反面典型案例：{n.case_analysis.case}")
    lines.append(f"目标字数：{n.target_chars}")
    if extraction.flags:
        lines.append(f"原文中找不到或按原文改正的内容（{len(extraction.flags)}处）：")
        lines += [f"  {f.field}：{f.value}（{f.why}）" for f in extraction.flags]
    else:
        lines.append("笔记中的数字、名称和事实都能在原文中找到。")
    return "\n".join(lines)


def _n(value: int | None) -> str:
    return "（未写）" if value is None else str(value)
