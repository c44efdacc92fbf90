"""The genre's house style, written by code: title, opening skeleton, headings, points, causes, measures, closing.

The model writes only free sentences (`pieces`); every function here slots them into the skeleton the
genre fixes and returns the text with where each piece landed, so a finding on the text can be traced
back to the piece that carries it (repair drops the sentence there, never a word of the skeleton).
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict

from agent.notes import AreaNotes, Notes, Problem
from agent.numbering import int_to_cn
from agent.resources import load_table
from agent.themes import Theme, area_name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemsDraft(_Strict):
    """The model's free sentences for a section: one string per point, cause or measure."""

    items: list[str]


class Laid(BaseModel):
    """A section's text and, per piece index, the span its free sentences occupy."""

    text: str
    spans: dict[int, tuple[int, int]] = {}


class Builder:
    """Appends skeleton text and pieces, remembering where each piece lands."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: dict[int, tuple[int, int]] = {}

    def add(self, text: str) -> None:
        """Skeleton text (code's own)."""
        self.text += text

    def piece(self, index: int, text: str) -> None:
        """A model-written piece."""
        start = len(self.text)
        self.text += text
        self.spans[index] = (start, len(self.text))

    def laid(self) -> Laid:
        """The finished section."""
        return Laid(text=self.text, spans=self.spans)


@cache
def layout() -> dict:
    """The house-style layout table."""
    return load_table("layout.yaml")


def subject(notes: Notes) -> str:
    """Who speaks: 我 for a personal statement, 领导班子 for a leading group's."""
    return layout()["subjects"][notes.kind]


def meeting_title(notes: Notes, theme: Theme) -> str:
    """The meeting's name for the title and opening."""
    if notes.meeting.title:
        return notes.meeting.title
    name = theme.name if theme.key != "custom" else notes.meeting.kind
    if notes.meeting.kind == "组织生活会" and "民主生活会" in name:
        name = name.replace("民主生活会", "组织生活会")
    name = re.sub(r"（.*?）", "", name)
    if not name.startswith(str(notes.meeting.year)) and "主题" not in name and "党史" not in name:
        name = f"{notes.meeting.year}年度{name}"
    return name if "生活会" in name else f"{name}{notes.meeting.kind}"


def title_of(notes: Notes, theme: Theme) -> str:
    """The title, assembled without a model."""
    meeting = meeting_title(notes, theme).removeprefix(f"{notes.meeting.year}年度")
    unit = notes.unit or "【请补充：单位】"
    return layout()["titles"][notes.kind].format(role=notes.role, year=notes.meeting.year, meeting=meeting, unit=unit)


def opening(notes: Notes, theme: Theme, pieces: list[str]) -> Laid:
    """按照…通知要求，会前学习…，征求意见N条、谈心谈话N人次…，上年度整改…，[体会]现对照检查如下。"""
    t, b = layout()["opening"], Builder()
    fill = {"authority": layout()["authorities"].get(notes.meeting.kind, "上级党组织"),
            "meeting": meeting_title(notes, theme), "subject": subject(notes)}
    b.add(t["lead"].format(**fill))
    studied = "、".join(s.strip().rstrip("。；") for s in notes.studied)
    b.add(t["studied"].format(studied=studied, **fill) if studied else t["no_studied"].format(**fill))
    ops = notes.opinions
    if ops.collected is not None and ops.talks is not None:
        b.add(t["opinions"].format(collected=ops.collected, talks=ops.talks))
    else:
        b.add(t["no_opinions"])
    if notes.last_year:
        b.add(t["last_year"].format(items="；".join(s.rstrip("。；") for s in notes.last_year)))
    elif "last_year" in theme.parts:
        b.add(t["no_last_year"])
    if pieces and pieces[0]:
        b.piece(0, sentence(pieces[0]))
    b.add(t["end"])
    return b.laid()


def area(title: str, problems: list[Problem], index: int, pieces: list[str]) -> Laid:
    """（一）方面。一是概括。表现。如，事实。二是…  Summary and facts are the notes' own words."""
    b = Builder()
    b.add(f"（{int_to_cn(index)}）{heading(title)}。")
    for i, problem in enumerate(problems or [], start=1):
        b.add(f"{int_to_cn(i)}是{sentence(problem.summary)}")
        if i - 1 < len(pieces) and pieces[i - 1]:
            b.piece(i - 1, sentence(pieces[i - 1]))
        b.add(layout()["case_marker"] + case_of(problem))
    n = len(problems)
    while n < 2:
        n += 1
        b.add(f"{int_to_cn(n)}是{layout()['missing_point_slot']}")
    return b.laid()


def case_of(problem: Problem) -> str:
    """The point's case: the notes' facts as written, or a slot for the user to fill."""
    if not problem.facts:
        return layout()["missing_fact_slot"].format(what=problem.summary)
    return "；".join(f.strip().rstrip("。；") for f in problem.facts) + "。"


def cause_categories() -> list[dict]:
    """The root categories causes are written under, in order."""
    return layout()["causes"]


def problems_by_cause(areas: list[AreaNotes]) -> list[list[str]]:
    """For each root category, the problem summaries it explains (by keywords; unmatched go to 党性修养)."""
    cats = cause_categories()
    out: list[list[str]] = [[] for _ in cats]
    for a in areas:
        for p in a.problems:
            text = a.area + p.summary + "".join(p.facts)
            hits = [i for i, c in enumerate(cats) if any(k in text for k in c["keywords"])]
            out[hits[0] if hits else 1].append(p.summary)
    return out


def causes(notes: Notes, pieces: list[str]) -> Laid:
    """一是<category title>。<the model's analysis, or the category's plain text>  — one paragraph each."""
    b = Builder()
    for i, cat in enumerate(cause_categories()):
        _item(b, i, f"{int_to_cn(i + 1)}是{sentence(cat['title'])}", pieces,
              cat["fallback"].format(subject=subject(notes)))
    return b.laid()


def _item(b: Builder, i: int, head: str, pieces: list[str], plain: str, lead: str = "") -> str:
    """One cause or measure paragraph: its head, then (after `lead`) the model's piece i, else code's plain
    text; the piece."""
    if i:
        b.add("\n")
    b.add(head)
    text = pieces[i] if i < len(pieces) else ""
    if text:
        b.add(lead)
        b.piece(i, sentence(_LEAD_CONNECTIVE.sub("", text) if lead else text))
    else:
        b.add(plain)
    return text


def measure_title(area_title: str, theme: Theme) -> str:
    """The theme's measure title for an area, else a generic one naming it."""
    for a in theme.areas:
        if a.title == area_title and a.measure:
            return a.measure
    return layout()["measure_title"].format(area=heading(area_title).removesuffix("方面"))


def hints_by_area(areas: list[AreaNotes], hints: list[str]) -> list[list[str]]:
    """Each measure hint given to the area whose problems share most characters with it."""
    out: list[list[str]] = [[] for _ in areas]
    texts = [a.area + "".join(p.summary + "".join(p.facts) for p in a.problems) for a in areas]
    for hint in hints:
        chars = {ch for ch in hint if "\u4e00" <= ch <= "\u9fff"}
        if areas:
            best = max(range(len(areas)), key=lambda i: (sum(ch in texts[i] for ch in chars), -i))
            out[best].append(hint)
    return out


def measures(notes: Notes, theme: Theme, areas: list[AreaNotes], pieces: list[str]) -> Laid:
    """（一）<measure title>。<the model's text>。<every hint for this area not yet in it>"""
    from agent.rules.grounding import fact_covered

    b = Builder()
    hints = hints_by_area(areas, notes.measure_hints)
    plain = layout()["measure_fallbacks"]
    for i, a in enumerate(areas):
        summaries = "".join(f"“{quoted(p.summary)}”" for p in a.problems) or f"“{heading(a.area)}”"
        piece = pieces[i] if i < len(pieces) else ""
        text = _item(b, i, f"（{int_to_cn(i + 1)}）{sentence(measure_title(a.area, theme))}", pieces,
                     plain[i % len(plain)].format(problems=summaries, subject=subject(notes)),
                     lead=measure_lead(a, piece))
        missing = [h for h in hints[i] if not fact_covered(h, text)]
        if missing:
            b.add("".join(sentence(h) for h in missing))
    return b.laid()


def measure_lead(a: AreaNotes, piece: str) -> str:
    """What code puts before a measure that does not say which problems it answers: “针对“…”的问题，”,
    or “在…方面，” for an area the notes gave no problem for; nothing when the piece names them itself."""
    core = area_name(a.area)
    summaries = [s for s in (p.summary.strip().rstrip("。；") for p in a.problems) if s]
    bare = _QUOTES.sub("", piece)
    if not piece or any(_QUOTES.sub("", s) in bare for s in summaries) or (len(core) >= 2 and core in bare):
        return ""
    t = layout()["measure_lead"]
    if summaries:
        return t["problems"].format(problems="".join(f"“{quoted(s)}”" for s in summaries))
    return t["area"].format(area=core)


def quoted(text: str) -> str:
    """Text to go inside “…”: its own double quotes become single ones, as nested quotes are written."""
    return text.replace("“", "‘").replace("”", "’")


def case(notes: Notes, pieces: list[str]) -> Laid:
    """The 反面典型案例剖析 paragraph: the model's, else the notes' case and lessons, else a slot."""
    b = Builder()
    if pieces and pieces[0]:
        b.piece(0, sentence(pieces[0]))
    elif notes.case_analysis:
        lessons = "".join(sentence(x) for x in notes.case_analysis.lessons)
        b.add(sentence(notes.case_analysis.case) + lessons)
    else:
        b.add(layout()["missing_case_slot"])
    return b.laid()


def closing(notes: Notes, theme: Theme) -> Laid:
    """The closing formula for the statement's kind."""
    return Laid(text=layout()["closing"][notes.kind].format(meeting=meeting_title(notes, theme)))


def signature(notes: Notes) -> str:
    """The 署名 and date lines, when the notes give them."""
    return "\n".join(x for x in (notes.name, notes.date) if x)


def heading(title: str) -> str:
    """An area title as a heading: theme titles as they are, short names with 方面."""
    return title if title.endswith("方面") or title.startswith("带头") or len(title) > 12 else f"{title}方面"


def sentence(text: str) -> str:
    """Text as one full sentence: no leading numbering, closed with a full stop."""
    text = _NUMBERING.sub("", " ".join(text.split()).strip()).strip("，,、：: ")
    # A piece whose first sentence was repaired away may open on a connective that now joins nothing.
    text = _DANGLING.sub("", text)
    if not text:
        return ""
    return text if text[-1] in "。！？；】" else text.rstrip("；;") + "。"


_QUOTES = re.compile(r"[“”‘’「」『』\"']")
# A measure's own opening link, dropped when code puts the problems it answers in front of it.
_LEAD_CONNECTIVE = re.compile(r"^(?:为此|对此|因此|今后|下一步)[，,]\s*")
_DANGLING = re.compile(r"^(?:同时|此外|另外|然而|但是|但|因此|所以|而且|并且|其次|再次|最后)[，,]\s*")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]?|[（(][一二三四五六七八九十\d]+[）)]"
                        r"|[一二三四五六七八九十]+、|\d+[、.．]\s*)")
