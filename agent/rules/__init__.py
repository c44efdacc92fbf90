"""The rule validator: small registered functions, each yielding findings with Chinese messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from agent.document import Document, Node
from agent.themes import Theme

if TYPE_CHECKING:  # a check without --notes never imports the notes models
    from agent.notes import Notes

Category = Literal["structure", "concreteness", "grounding", "placeholder", "contamination", "voice",
                   "correspondence", "duplication", "length"]
Severity = Literal["error", "warning", "info"]
T = TypeVar("T")


class Finding(BaseModel):
    """One fault: which rule, where (section id and exact span), and what to change, in Chinese."""

    rule: str
    category: Category
    severity: Severity
    section: str
    message: str
    excerpt: str = ""
    start: int = 0
    end: int = 0
    # Only the user can fix it (a missing fact): never sent back to the model as a revision.
    user_only: bool = False


@dataclass
class Context:
    """What a rule may look at: the document, its theme, the notes, and the settings of the run."""

    doc: Document
    theme: Theme | None = None
    notes: Notes | None = None
    target_chars: int | None = None
    fmt: str = "txt"
    parents: dict[str, Node] = field(default_factory=dict)
    # What several rules derive from this one document (a masked text, copied runs), computed once per
    # check. It lives and dies with the Context, so nothing is ever shared between two documents.
    memo: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parents = {child.id: node for node in self.doc.walk() for child in node.children}

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` the first time `key` is asked for in this check, the same value after that."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = compute()
            return value

    def section_of(self, offset: int) -> str:
        """`Document.section_of`: the last node in document order whose span holds the offset, or ""."""
        nodes = self.derived("nodes", lambda: list(self.doc.walk()))
        return next((n.id for n in reversed(nodes) if n.start <= offset < n.end), "")

    def finding(self, rule: Rule, message: str, start: int, end: int, *, section: str | None = None,
                user_only: bool = False, severity: Severity | None = None) -> Finding:
        """A finding for a span, its section id and excerpt filled in."""
        excerpt = self.doc.text[start:end]
        if len(excerpt) > 60:
            excerpt = excerpt[:57] + "…"
        return Finding(rule=rule.id, category=rule.category, severity=severity or rule.severity,
                       section=section if section is not None else self.section_of(start) or "title",
                       message=message, excerpt=excerpt, start=start, end=end, user_only=user_only)

    def label(self, node: Node) -> str:
        """How a message names a node: `（三）二是`, `原因剖析二是`, `整改措施（一）`."""
        parent = self.parents.get(node.id)
        if node.kind == "point" and parent is not None:
            return f"{parent.prefix}{node.prefix}"
        if node.kind == "section" and node.part_kind != "problems":
            from agent.document import PART_LABELS

            return f"{PART_LABELS.get(node.part_kind, '')}{node.prefix}"
        return node.prefix or node.title


RuleFunc = Callable[[Context, "Rule"], Iterator[Finding]]


@dataclass
class Rule:
    """A registered rule."""

    id: str
    category: Category
    severity: Severity
    func: RuleFunc
    needs_notes: bool = False
    summary: str = ""
    # A second opinion (the statistical reader) names the rules that judge the same fault: its finding gives
    # way to theirs where they overlap, so one fault is reported once, in the words of the more exact rule.
    defers_to: tuple[str, ...] = ()


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, category: Category, severity: Severity, needs_notes: bool = False,
         defers_to: tuple[str, ...] = ()):
    """Register a rule function under an id; its docstring is its summary."""

    def wrap(func: RuleFunc) -> RuleFunc:
        REGISTRY[rule_id] = Rule(rule_id, category, severity, func, needs_notes, (func.__doc__ or "").strip(),
                                 defers_to)
        return func

    return wrap


@cache
def load_rules() -> dict[str, Rule]:
    """Import every rule module once and return the registry."""
    from agent.rules import (  # noqa: F401  (importing registers)
        concreteness,
        contamination,
        correspondence,
        duplication,
        grounding,
        length,
        placeholder,
        second_reader,
        structure,
        voice,
    )

    return REGISTRY


def second_opinion(finding: Finding) -> bool:
    """Whether a finding comes from a rule that defers to others (the statistical reader): a prompt for the
    person to look again, never a fault a model is asked to fix."""
    found = load_rules().get(finding.rule)
    return found is not None and bool(found.defers_to)


def run_rules(ctx: Context, only: set[str] | None = None) -> list[Finding]:
    """Run every applicable rule and return findings in document order."""
    rules = load_rules()
    findings: list[Finding] = []
    seconds: list[Finding] = []
    for r in rules.values():
        if r.needs_notes and ctx.notes is None:
            continue
        if only and r.id not in only and r.category not in only:
            continue
        (seconds if r.defers_to else findings).extend(r.func(ctx, r))
    findings += [f for f in seconds if not any(
        g.rule in rules[f.rule].defers_to and g.start < f.end and f.start < max(g.end, g.start + 1)
        for g in findings)]
    return sorted(findings, key=lambda f: (f.start, f.rule))
