"""The chain's section kinds and results: the spec table (data/sections.yaml), a planned step, a finished section."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, Field

from agent.notes import AreaNotes
from agent.resources import load_table
from agent.rules import Finding

SectionKind = Literal["opening", "area", "causes", "measures", "case", "closing"]


class SectionSpec(BaseModel):
    """What differs between section kinds: prompt template, few-shot part, output shape, heading, label."""

    template: str | None
    fewshot: str | None
    fewshot_tokens: int = 0
    fewshot_cases: bool = True  # False: the slice without its 如… cases (code writes the case itself)
    output: Literal["text", "items", "none"]
    heading: str | None = None
    label: str | None = None
    listing: str | None = None  # the template variable with one entry per item
    fill: str | None = None  # its block in the one fill prompt (prompts/fill.j2) for items repair emptied


@cache
def specs() -> dict[str, SectionSpec]:
    """The section spec table by kind."""
    return {kind: SectionSpec.model_validate(row) for kind, row in load_table("sections.yaml").items()}


class Step(BaseModel):
    """One planned chain step: which section, its id in the assembled draft, its length budget."""

    key: str
    kind: SectionKind
    section_id: str
    title: str = ""
    budget: int
    area: AreaNotes | None = None

    @property
    def spec(self) -> SectionSpec:
        """This step's row of the spec table."""
        return specs()[self.kind]


class Repair(BaseModel):
    """One thing code removed from the model's text without asking it again."""

    section: str
    rule: str
    removed: str


class SectionResult(BaseModel):
    """A finished section as checkpointed in the run folder."""

    key: str
    text: str
    data: dict | None = None  # {"pieces": [...]}: the model's free sentences after repair
    rounds: int = 0
    score: int = 100
    findings: list[Finding] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)
    fallback: str | None = None  # no_fewshot | plain: how the section was finally written
    fallback_reason: list[str] = Field(default_factory=list)  # the rules that forced it
