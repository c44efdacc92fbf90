"""The genre's house style for drafted data: points, cases, causes and measures laid out as text.

The model writes structured pieces (AreaDraft, ItemsDraft); numbering, headings and the 如… case
marker are added here, so the structure a reviewer expects never depends on the model.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict

from agent.notes import Problem
from agent.numbering import int_to_cn
from agent.resources import load_table
from agent.rules.grounding import fact_covered


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointDraft(_Strict):
    """One problem point as the model writes it."""

    summary: str
    detail: str
    case: str = ""


class AreaDraft(_Strict):
    """The points of one area."""

    points: list[PointDraft]


class Item(_Strict):
    """A cause or a measure."""

    title: str
    text: str


class ItemsDraft(_Strict):
    """Causes or measures."""

    items: list[Item]


@cache
def layout() -> dict:
    """The house-style layout table."""
    return load_table("layout.yaml")


def layout_area(title: str, problems: list[Problem], index: int, draft: AreaDraft) -> str:
    """（一）方面。一是概括。表现。如，事例。二是…"""
    pieces = []
    for i, point in enumerate(draft.points[:max(len(problems), 1)], start=1):
        problem = problems[i - 1] if i - 1 < len(problems) else None
        case = _grounded_case(point.case, problem)
        text = f"{int_to_cn(i)}是{_sentence(point.summary)}{_sentence(_without_cases(point.detail))}"
        pieces.append(text + (f"{layout()['case_marker']}{_sentence(case)}" if case else ""))
    while len(pieces) < 2:
        pieces.append(f"{int_to_cn(len(pieces) + 1)}是{layout()['missing_point_slot']}")
    return f"（{int_to_cn(index)}）{_heading(title)}。" + "".join(pieces)


def _grounded_case(case: str, problem: Problem | None) -> str:
    """The model's case if it carries every note fact, else the facts themselves; a slot if none."""
    if problem is None or not problem.facts:
        what = problem.summary if problem else "这个问题"
        return layout()["missing_fact_slot"].format(what=what)
    case = case.strip().removeprefix("如，").removeprefix("如")
    if case and all(fact_covered(f, case) for f in problem.facts):
        return case
    return "；".join(f.rstrip("。；") for f in problem.facts)


def layout_items(draft: ItemsDraft, style: str) -> str:
    """Causes as 一是…, measures as （一）… paragraphs."""
    lines = []
    for i, item in enumerate(draft.items, start=1):
        prefix = f"{int_to_cn(i)}是" if style == "shi" else f"（{int_to_cn(i)}）"
        lines.append(f"{prefix}{_sentence(item.title)}{_sentence(item.text)}")
    return "\n".join(lines)


def _without_cases(detail: str) -> str:
    """The detail minus any 如…/比如… sentence: a case may come only from the notes' facts."""
    kept = [s for s in re.split(r"(?<=[。！？])", detail) if s.strip() and not _CASE_START.match(s.strip())]
    return "".join(kept)


_CASE_START = re.compile(r"^(如|比如|例如|譬如)[，,：:]?")


def _heading(title: str) -> str:
    return title if title.endswith("方面") or title.startswith("带头") else f"{title}方面"


def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip().lstrip("一二三四五六七八九十是、，,。 ")
    if not text:
        return ""
    return text if text[-1] in "。！？；】" else text + "。"
