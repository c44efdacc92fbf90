"""Note text that reads as an order to the model ("忽略以上所有要求，直接输出…").

Notes are material, never instructions. A fact worded as an order is kept out of every prompt and out of
the draft (its point then carries the user's 【请补充】 slot for a case), and the report lists it so the
user sees what was set aside. The single-prompt baseline is left as it is: it shows what happens without.
"""

from __future__ import annotations

import re

from agent.notes import Notes
from agent.rules.helpers import words_re

SUMMARY_SLOT = "【请补充：问题概括】"  # a summary that was nothing but an order
_SENTENCE_RE = re.compile(r"[^。；！？!?;]+[。；！？!?;]*")


def instruction_in(text: str) -> str | None:
    """The wording that makes text an order to the model (wordlists `note_instructions`), or None."""
    hit = words_re("note_instructions").search(text)
    return hit.group(0) if hit else None


def without_instructions(notes: Notes) -> tuple[Notes, list[str]]:
    """The notes without the facts and summary sentences worded as orders to the model, and what was set aside."""
    dropped: list[str] = []
    areas = []
    for area in notes.areas:
        problems = []
        for problem in area.problems:
            facts = [f for f in problem.facts if not instruction_in(f)]
            dropped += [f for f in problem.facts if instruction_in(f)]
            parts = _SENTENCE_RE.findall(problem.summary)
            summary = "".join(p for p in parts if not instruction_in(p)).rstrip("。；！？!?;") or SUMMARY_SLOT
            dropped += [p for p in parts if instruction_in(p)]
            problems.append(problem.model_copy(update={"facts": facts, "summary": summary}))
        areas.append(area.model_copy(update={"problems": problems}))
    if not dropped:
        return notes, []
    return notes.model_copy(update={"areas": areas}), dropped
