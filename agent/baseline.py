"""The single-prompt baseline: the whole statement in one call, same notes and few-shot material.

It exists so the chain's worth is measured against something, not assumed.
"""

from __future__ import annotations

from agent import prompts
from agent.chain import CHARS_PER_TOKEN, FEWSHOT_TOKENS, areas_for
from agent.errors import OutputTruncatedError
from agent.fewshot import slice_for
from agent.layout import meeting_title, subject
from agent.llm import LLM
from agent.notes import Notes
from agent.themes import Theme

FEWSHOT_KINDS = ("opening", "area", "causes", "measures")


def fewshot_material() -> str:
    """The same slices the chain's steps see, together: the same few-shot budget in one prompt."""
    return "\n".join(slice_for(kind, FEWSHOT_TOKENS) for kind in FEWSHOT_KINDS)


def single_prompt_draft(llm: LLM, notes: Notes, theme: Theme) -> str:
    """A whole draft from one prompt."""
    msgs = prompts.messages("single", fewshot=fewshot_material(), notes=notes, areas=areas_for(notes, theme),
                            meeting_title=meeting_title(notes, theme), target=notes.target_chars,
                            needs_case="case" in theme.parts, subject=subject(notes))
    limit = int(notes.target_chars * 1.3 / CHARS_PER_TOKEN) + 300
    try:
        reply = llm.chat(msgs, step="single", max_tokens=limit)
    except OutputTruncatedError:
        # The same one retry with twice the room that the chain's steps get.
        reply = llm.chat(msgs, step="single", max_tokens=limit * 2)
    lines = [line.strip().strip("#*> ").strip() for line in reply.strip().splitlines()]
    return "\n".join(line for line in lines if line) + "\n"
