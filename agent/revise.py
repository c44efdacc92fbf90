"""Rewrite one section of a draft in place; every byte outside that section's body stays as it was."""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from agent import prompts
from agent.check import check_document, resolve_theme, score
from agent.document import Document, Node
from agent.errors import InputError
from agent.fewshot import count_tokens, slice_for
from agent.llm import LLM
from agent.notes import Notes
from agent.parser import parse_text
from agent.reader import SourceText
from agent.rules import Finding

CONTEXT_CHARS = 60  # enough to connect; more and a small model rewrites the neighbours too
FEWSHOT_TOKENS = 300
CHARS_PER_TOKEN = 1.2


class Revision(BaseModel):
    """The outcome: new text, the diff, and the section's findings and score before and after."""

    section: str
    original: str
    text: str
    diff: str
    before: list[Finding]
    after: list[Finding]
    score_before: int
    score_after: int
    rounds: int = 0
    estimated_prompt_tokens: int = 0
    changed: bool = False


def find_section(doc: Document, key: str) -> Node:
    """The node for an id or unique title fragment. Raises InputError listing the ids."""
    try:
        return doc.get(key)
    except KeyError as exc:
        raise InputError(exc.args[0]) from exc


def _part_kind_for_fewshot(node: Node) -> str:
    if node.part_kind == "problems":
        return "area"
    return node.part_kind if node.part_kind in ("opening", "causes", "measures") else "area"


def build_messages(doc: Document, node: Node, findings: list[Finding], notes: Notes | None,
                   instruction: str | None) -> list[dict]:
    """The revision prompt for one section: its text, findings, surroundings, a few-shot slice, notes."""
    facts = _usable_facts(node, notes)
    return prompts.messages(
        "revise_section",
        fewshot=slice_for(_part_kind_for_fewshot(node), FEWSHOT_TOKENS),
        before=_plain(doc.text[max(0, node.start - CONTEXT_CHARS):node.start]),
        heading=_plain(doc.text[node.start:node.body_start]),
        body=_plain(doc.body(node)),
        after=_plain(doc.text[node.end:node.end + CONTEXT_CHARS]),
        findings=sorted({f.message for f in findings}),
        facts=facts,
        instruction=instruction or "",
        budget=len(doc.body(node)),
    )


def _usable_facts(node: Node, notes: Notes | None) -> list[str]:
    """What the notes offer this kind of section: problem facts, or the cause and measure hints."""
    if notes is None:
        return []
    if node.part_kind == "measures":
        return list(notes.measure_hints)
    if node.part_kind == "causes":
        return list(notes.cause_hints)
    return [f for _, f in notes.facts()]


def section_findings(doc: Document, node: Node, notes: Notes | None, theme, fmt: str) -> list[Finding]:
    """The check findings that fall inside one node."""
    report = check_document(doc, theme=theme, notes=notes, fmt=fmt)
    return [f for f in report.findings if f.section == node.id or f.section.startswith(node.id + ".")]


def revise_source(source: SourceText, key: str, *, llm_factory: Callable[[], LLM] | None, notes: Notes | None = None,
                  theme: str | None = None, instruction: str | None = None, max_rounds: int = 2,
                  dry_run: bool = False, progress: Callable[[str], None] | None = None) -> Revision:
    """Rewrite the body of one section, checking each version and keeping the best (never a worse one)."""
    doc = parse_text(source.text, source=source.path)
    node = find_section(doc, key)
    chosen_theme = resolve_theme(doc, theme, notes)
    before = section_findings(doc, node, notes, chosen_theme, source.format)
    messages = build_messages(doc, node, before, notes, instruction)
    estimate = sum(count_tokens(m["content"]) for m in messages)
    base = Revision(section=node.id, original=source.text, text=source.text, diff="", before=before, after=before,
                    score_before=score(before), score_after=score(before), estimated_prompt_tokens=estimate)
    if dry_run:
        return base
    llm = llm_factory()
    best, best_score, best_findings, rounds = None, -1, before, 0
    max_tokens = int(max(len(doc.body(node)), 80) * 2 / CHARS_PER_TOKEN) + 200
    for round_no in range(1, max_rounds + 1):
        rounds = round_no
        if progress:
            progress(f"第{round_no}轮改写 {node.id}…")
        body = _clean_body(llm.chat(messages, step=f"revise:{node.id}", max_tokens=max_tokens), doc, node)
        text = replace_span(source.text, node.body_start, node.end, body)
        new_doc = parse_text(text, source=source.path)
        new_node = _same_node(new_doc, node)
        found = section_findings(new_doc, new_node, notes, chosen_theme, source.format) if new_node else before
        if new_node is not None and score(found) > best_score:
            best, best_score, best_findings = text, score(found), found
        if not [f for f in found if not f.user_only]:
            break
        messages = build_messages(new_doc, new_node or node, found, notes, instruction) if new_node else messages
    if best is None or best_score < score(before):
        # No version beat the original: keep the user's text.
        return base.model_copy(update={"rounds": rounds})
    diff = unified_diff(source.text, best, source.path)
    return base.model_copy(update={"text": best, "diff": diff, "after": best_findings, "score_after": best_score,
                                   "rounds": rounds, "changed": best != source.text})


def replace_span(text: str, start: int, end: int, new: str) -> str:
    """text with [start, end) replaced: the one edit revise makes."""
    return text[:start] + new + text[end:]


def _same_node(doc: Document, node: Node) -> Node | None:
    try:
        return doc.get(node.id)
    except KeyError:
        return None


_MARKUP_RE = re.compile(r"\*\*|__|^#{1,6}\s*", re.MULTILINE)
_LIST_RE = re.compile(r"^\s*(?:\d+[.、．]|[-*+>])\s*", re.MULTILINE)


def _plain(text: str) -> str:
    """Text without markdown emphasis and heading marks, as the prompt shows it."""
    return _MARKUP_RE.sub("", text)


def _clean_body(reply: str, doc: Document, node: Node) -> str:
    """The model's text as the section body: one paragraph, no markup, no repeated numbering or heading."""
    text = _LIST_RE.sub("", _plain(reply.strip()))
    body = "".join(line.strip() for line in text.splitlines() if line.strip())
    heading = _plain(doc.text[node.start:node.body_start]).strip()
    for prefix in (heading, node.prefix):
        if prefix and body.startswith(prefix):
            body = body[len(prefix):]
    if not body:
        raise InputError("模型没有给出改写内容")
    # Keep what the original body opened with (whitespace, the closing ** of a bold heading),
    # so the markup and the neighbours stay exactly as they were.
    original = doc.body(node)
    lead = re.match(r"[\s*_]*", original).group(0)
    return lead + body


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff between two versions of a file's text."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{Path(name).name}", tofile=f"b/{Path(name).name}"))


def encode_like(source: SourceText, text: str) -> bytes:
    """Text encoded exactly as the source file was (BOM and legacy encodings kept)."""
    return text.encode(source.encoding)


def docx_with_revision(path: str | Path, original: str, revised: str) -> bytes:
    """The .docx at `path` with only the changed span edited, run by run; other paragraphs untouched."""
    import docx

    start = next((i for i, (a, b) in enumerate(zip(original, revised, strict=False)) if a != b),
                 min(len(original), len(revised)))
    tail = 0
    while (tail < len(original) - start and tail < len(revised) - start
           and original[len(original) - 1 - tail] == revised[len(revised) - 1 - tail]):
        tail += 1
    end, new = len(original) - tail, revised[start:len(revised) - tail]
    document = docx.Document(str(path))
    _edit_runs(document, start, end, new)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _edit_runs(document, start: int, end: int, new: str) -> None:
    """Replace [start, end) of the paragraphs-joined-by-newline text, touching only the runs involved."""
    offset, inserted = 0, False
    for para in list(document.paragraphs):
        p_start, p_end = offset, offset + len(para.text)
        offset = p_end + 1
        if p_end < start or p_start > end:
            continue
        run_offset = p_start
        for run in list(para.runs):
            r_start, r_end = run_offset, run_offset + len(run.text)
            run_offset = r_end
            if r_end < start or r_start > end or (r_start == r_end):
                continue
            keep_head = run.text[:max(0, start - r_start)] if r_start <= start else ""
            keep_tail = run.text[end - r_start:] if r_end >= end else ""
            middle = new if not inserted and r_start <= start <= r_end else ""
            inserted = inserted or bool(middle) or (r_start <= start <= r_end)
            run.text = keep_head + middle + keep_tail
        if not inserted and p_start <= start <= p_end:
            para.add_run(new)
            inserted = True
        if p_start > start and not para.text:
            para._p.getparent().remove(para._p)


def write_revision(source: SourceText, revision: Revision, out: Path) -> None:
    """Write the revised draft to `out` in the source's own format and encoding, atomically."""
    from agent.writer import write_atomic

    if source.format == "docx":
        write_atomic(out, docx_with_revision(source.path, revision.original, revision.text))
    else:
        write_atomic(out, encode_like(source, revision.text))
