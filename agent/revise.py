"""Rewrite one section of a draft in place; every byte outside that section's body stays as it was."""

from __future__ import annotations

import copy
import difflib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from agent import prompts
from agent.check import check_document, resolve_theme, score
from agent.document import Document, Node
from agent.errors import InputError, LimitError, UnknownSectionError
from agent.fewshot import count_tokens, slice_for
from agent.llm import LLM
from agent.notes import Notes
from agent.parser import parse_text
from agent.reader import SourceText
from agent.rules import Finding, second_opinion
from agent.sections import Repair

CONTEXT_CHARS = 60  # enough to connect; more and a small model rewrites the neighbours too
FEWSHOT_TOKENS = 300
CHARS_PER_TOKEN = 1.2
MAX_SECTION_CHARS = 10_000  # a section body to rewrite; a whole part of a long statement is ~4,000
MAX_PROMPT_TOKENS = 24_000  # estimated (cl100k_base) tokens of one revision prompt
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # python-docx is imported lazily


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
    repairs: list[Repair] = []  # what code removed from the model's text before it was checked


def find_section(doc: Document, key: str) -> Node:
    """The node for an id or unique title fragment.

    Raises:
        UnknownSectionError: unknown or ambiguous; the message lists the ids.
    """
    return doc.get(key)


# Which samples' part shows the style for a section of each part kind (the closing and others: none).
FEWSHOT_FOR_PART = {"problems": "area", "opening": "opening", "causes": "causes", "measures": "measures"}


def _fewshot_for(node: Node) -> str:
    kind = FEWSHOT_FOR_PART.get(node.part_kind)
    return slice_for(kind, FEWSHOT_TOKENS) if kind else ""


def build_messages(doc: Document, node: Node, findings: list[Finding], notes: Notes | None,
                   instruction: str | None) -> list[dict]:
    """The revision prompt for one section: its text, findings, surroundings, a few-shot slice, notes."""
    facts = _usable_facts(node, notes)
    return prompts.messages(
        "revise_section",
        fewshot=_fewshot_for(node),
        before=_plain(doc.text[max(0, node.start - CONTEXT_CHARS):node.start]),
        heading=_plain(doc.text[node.start:node.body_start]),
        body=_plain(doc.body(node)),
        after=_plain(doc.text[node.end:node.end + CONTEXT_CHARS]),
        # The second reader's 请复核 prompts are for the person: the model is sent what the exact rules found.
        findings=sorted({f.message for f in findings if not second_opinion(f)}),
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
    if not dry_run:
        _check_limits(doc, node, estimate, source.path)
    base = Revision(section=node.id, original=source.text, text=source.text, diff="", before=before, after=before,
                    score_before=score(before), score_after=score(before), estimated_prompt_tokens=estimate)
    if dry_run:
        return base
    llm = llm_factory()
    best, best_score, best_findings, best_repairs, rounds = None, -1, before, [], 0
    max_tokens = int(max(len(doc.body(node)), 80) * 2 / CHARS_PER_TOKEN) + 200
    for round_no in range(1, max_rounds + 1):
        rounds = round_no
        if progress:
            progress(f"第{round_no}轮改写 {node.id}…")
        body = _clean_body(llm.chat(messages, step=f"revise:{node.id}", max_tokens=max_tokens), doc, node)
        body, repairs = _repaired(body, source, node, notes, chosen_theme)
        text = replace_span(source.text, node.body_start, node.end, body)
        new_doc = parse_text(text, source=source.path)
        new_node = _same_node(new_doc, node)
        found = section_findings(new_doc, new_node, notes, chosen_theme, source.format) if new_node else before
        if new_node is not None and score(found) > best_score:
            best, best_score, best_findings, best_repairs = text, score(found), found, repairs
        if not [f for f in found if not f.user_only]:
            break
        messages = build_messages(new_doc, new_node or node, found, notes, instruction) if new_node else messages
    if best is None or best_score < score(before):
        # No version beat the original: keep the user's text.
        return base.model_copy(update={"rounds": rounds})
    diff = unified_diff(source.text, best, source.path)
    return base.model_copy(update={"text": best, "diff": diff, "after": best_findings, "score_after": best_score,
                                   "rounds": rounds, "changed": best != source.text, "repairs": best_repairs})


CONTEXT_PROBE = 10  # characters of the text around a section that, found in a reply, mark copied context


def _without_context(body: str, text: str, node: Node) -> tuple[str, list[Repair]]:
    """The reply cut where it starts copying the text after the section (the prompt's 【下文】), which a
    small model carries on into, so a revised point never swallows a copy of its sibling."""
    after = _plain(text[node.end:node.end + CONTEXT_CHARS]).strip().lstrip("*# ")
    probe = after[:CONTEXT_PROBE]
    at = body.find(probe) if len(probe) == CONTEXT_PROBE else -1
    if at <= 0:
        return body, []
    return body[:at], [Repair(section=node.id, rule="duplication.context", removed=body[at:])]


def _repaired(body: str, source: SourceText, node: Node, notes: Notes | None, theme) -> tuple[str, list[Repair]]:
    """The model's body after the draft chain's repairs: echo, markup, repeats, figures from nowhere, and the
    sentences the rules flag that code can drop (data/repairs.yaml), so a revision never brings them in."""
    from agent.facts import numbers_in
    from agent.repair import clean_piece, drop_flagged, flagged_in

    lead = body[:len(body) - len(body.lstrip(" \t*_"))]
    # Figures are checked against the notes, as `check` does; without notes there is nothing to check them by.
    allowed = numbers_in(notes.all_text()) if notes else None
    text, repairs = _without_context(body[len(lead):], source.text, node)
    text, cleaned = clean_piece(text, node.id, allowed=allowed)
    repairs += cleaned
    if not text:
        return body, []  # nothing usable left: the round is judged as the model gave it
    trial = replace_span(source.text, node.body_start, node.end, lead + text)
    doc = parse_text(trial, source=source.path)
    found = check_document(doc, theme=theme, notes=notes).findings
    flagged = flagged_in(found, {0: (0, len(text))}, node.body_start + len(lead))
    if flagged:
        kept, more = drop_flagged(text, [(a, b, r) for _, a, b, r in flagged], node.id)
        if kept:
            text, repairs = kept, repairs + more
    return lead + text, repairs


def _check_limits(doc: Document, node: Node, estimate: int, path: str) -> None:
    """Refuse a section or prompt past the stated bounds before the model is called.

    Raises:
        LimitError: the section body or the estimated prompt is too large.
    """
    chars = len(doc.body(node))
    if chars > MAX_SECTION_CHARS:
        raise LimitError(f"章节 {node.id} 有 {chars} 字，一次最多改写 {MAX_SECTION_CHARS} 字：请选更小的一节（duizhao outline 查看）",
                         path=path)
    if estimate > MAX_PROMPT_TOKENS:
        raise LimitError(f"改写 {node.id} 的提示词约 {estimate} token，上限 {MAX_PROMPT_TOKENS}：请选更小的一节或精简笔记",
                         path=path)


def replace_span(text: str, start: int, end: int, new: str) -> str:
    """text with [start, end) replaced: the one edit revise makes."""
    return text[:start] + new + text[end:]


def _same_node(doc: Document, node: Node) -> Node | None:
    try:
        return doc.get(node.id)
    except UnknownSectionError:
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


def docx_with_revision(path: str | Path, original: str, revised: str, body_at: int | None = None) -> bytes:
    """The .docx at `path` with only the changed span edited, run by run; other paragraphs untouched.

    Offsets are those of the reader's text (`agent.docx_text`): table cells included, automatic
    numbers rendered. A number lives in numbering.xml, never in a run, and is never written into one.
    The new text goes into the run the replaced text starts in, never into the heading run before it;
    `body_at` (an offset of `original` inside the section's own body text, see `body_offset`) names
    the run whose formatting new body text takes when the span also covers headings.

    Raises:
        InputError: the file is not a .docx (an old .doc), or the edited file would not read back as
            `revised` (say, an edit inside an automatic number, or across table cells).
    """
    import docx

    from agent.docx_text import document_text

    if not zipfile.is_zipfile(path):
        raise InputError("旧版 Word 文档（.doc）不能直接改写：请在 Word/WPS 中“另存为”→“Word 文档（*.docx）”后再改写",
                         path=str(path))
    start = next((i for i, (a, b) in enumerate(zip(original, revised, strict=False)) if a != b),
                 min(len(original), len(revised)))
    tail = 0
    while (tail < len(original) - start and tail < len(revised) - start
           and original[len(original) - 1 - tail] == revised[len(revised) - 1 - tail]):
        tail += 1
    end, new = len(original) - tail, revised[start:len(revised) - tail]
    document = docx.Document(str(path))
    _edit_runs(document, start, end, new, body_at)
    if document_text(document) != revised:
        raise InputError("改写结果无法按原样写回 .docx（改动落在自动编号上或跨越了表格单元格），文件未改动；"
                         "可先把文件另存为 .txt 再改写", path=str(path))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _edit_runs(document, start: int, end: int, new: str, body_at: int | None = None) -> None:
    """Replace [start, end) of the reader's text with `new`, touching only the runs involved.

    The text is `agent.docx_text.iter_blocks` joined by newlines. The span's first paragraph takes
    `new`; paragraphs wholly inside the span are removed; the last one's remaining runs join the first.
    """
    from agent.docx_text import iter_blocks

    placed, offset = [], 0  # (block, block start, content start, block end)
    for block in list(iter_blocks(document)):  # counters run in order: finish before editing
        content = offset + len(block.prefix)
        placed.append((block, offset, content, content + len(block.paragraph.text)))
        offset = placed[-1][3] + 1
    hits = [i for i, (_, _, _, b_end) in enumerate(placed) if b_end >= start]
    if not hits:
        return
    first = hits[0]
    last = next((i for i in hits if placed[i][3] >= end), len(placed) - 1)
    block, b_start, c_start, c_end = placed[first]
    para = block.paragraph
    if start < c_start and start == b_start and block.prefix:
        # The revision drops this paragraph's number (its body now opens with plain text): switch
        # its numbering off rather than write or keep a number the revised text does not have.
        num_pr = para._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_numId().val = 0
    lo = max(start - c_start, 0)
    hi = max(lo, min(end, c_end) - c_start)
    prefer, donor = None, None
    if body_at is not None and start <= body_at < end:
        at = next((i for i in range(first, last + 1) if placed[i][2] <= body_at < placed[i][3]), None)
        if at == first:
            prefer = body_at - c_start
        elif at is not None:
            donor = _run_at(placed[at][0].paragraph, body_at - placed[at][2])
    _replace_in_paragraph(para, lo, hi, new, prefer=prefer, donor=donor)
    if last == first:
        return
    tail_block, _, tail_content, _ = placed[last]
    tail = tail_block.paragraph
    _replace_in_paragraph(tail, 0, max(0, end - tail_content), "")
    if tail.text:
        for child in list(tail._p):
            if child.tag != f"{_W}pPr":
                para._p.append(child)
    for block, *_ in placed[first + 1:last + 1]:
        _remove_paragraph(block.paragraph._p)


def _runs(para) -> list:
    from docx.text.run import Run

    return [r for item in para.iter_inner_content() for r in ([item] if isinstance(item, Run) else item.runs)]


def _run_at(para, offset: int):
    """The run holding character `offset` of a paragraph's text (None past its end)."""
    pos = 0
    for run in _runs(para):
        if pos <= offset < pos + len(run.text):
            return run
        pos += len(run.text)
    return None


def _host_index(spans: list[tuple[int, int]], lo: int, hi: int, prefer: int | None) -> int | None:
    """Which run takes the new text: the one holding `prefer` (the body's first character) when it is
    replaced; else the run the replaced text starts in, so text after a heading run never takes the
    heading's font; for a pure insertion at a boundary, the earlier run (as Word types)."""
    if prefer is not None and lo <= prefer < hi:
        found = next((i for i, (a, b) in enumerate(spans) if a <= prefer < b), None)
        if found is not None:
            return found
    if hi > lo:
        found = next((i for i, (a, b) in enumerate(spans) if a <= lo < b), None)
        if found is not None:
            return found
    return next((i for i, (a, b) in enumerate(spans) if a <= lo <= b), None)


def _replace_in_paragraph(para, lo: int, hi: int, new: str, *, prefer: int | None = None, donor=None) -> None:
    """Replace [lo, hi) of one paragraph's text; runs outside it keep their XML byte for byte.

    `prefer` is a paragraph offset whose run should take the new text (see `_host_index`); `donor` a
    run of a later paragraph whose formatting the new text takes when its host run is wholly replaced
    (a heading paragraph replaced together with the body paragraphs under it).
    """
    runs = [r for r in _runs(para) if r.text]
    spans, offset = [], 0
    for run in runs:
        spans.append((offset, offset + len(run.text)))
        offset += len(run.text)
    host = _host_index(spans, lo, hi, prefer) if new else None
    inserted = not new
    for i, (run, (r_start, r_end)) in enumerate(zip(runs, spans, strict=True)):
        text = run.text
        if i != host and not (r_start < hi and r_end > lo):
            continue
        inserted = inserted or i == host
        value = text[:max(0, lo - r_start)] + (new if i == host else "") + text[min(len(text), max(0, hi - r_start)):]
        if value != text:
            run.text = value
        if i == host and value == new and donor is not None and donor._r.rPr is not None:
            if run._r.rPr is not None:
                run._r.remove(run._r.rPr)
            run._r.insert(0, copy.deepcopy(donor._r.rPr))
    if not inserted:
        run = para.add_run(new)
        mark = para._p.find(f"{_W}pPr/{_W}rPr")
        if mark is not None:  # an empty paragraph types in its paragraph mark's font
            props = copy.deepcopy(mark)
            for el in props.findall(f"{_W}ins") + props.findall(f"{_W}del"):
                props.remove(el)
            run._r.insert(0, props)


def _remove_paragraph(p) -> None:
    """Remove a paragraph, unless the file needs it: a section break, or a table cell's last paragraph.

    Such a paragraph is emptied instead; it then reads as an extra empty line, which the read-back
    check in `docx_with_revision` refuses.
    """
    parent = p.getparent()
    if p.find(f"{_W}pPr/{_W}sectPr") is not None or (parent.tag == f"{_W}tc" and len(parent.findall(f"{_W}p")) == 1):
        for child in list(p):
            if child.tag != f"{_W}pPr":
                p.remove(child)
        return
    parent.remove(p)


def body_offset(doc: Document, key: str) -> int | None:
    """The offset of the first character of a section's own body text: past its heading and the
    headings of its children (whose runs carry heading fonts), past whitespace. None when it has none."""
    node = doc.get(key)
    headings = [(n.start, n.body_start) for n in _descendants(node)]
    for offset in range(node.body_start, node.end):
        if doc.text[offset].isspace() or any(a <= offset < b for a, b in headings):
            continue
        return offset
    return None


def _descendants(node: Node) -> list[Node]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_descendants(child))
    return out


def write_revision(source: SourceText, revision: Revision, out: Path) -> None:
    """Write the revised draft to `out` in the source's own format and encoding, atomically."""
    from agent.writer import write_atomic

    if source.format == "docx":
        body_at = body_offset(parse_text(revision.original, source=source.path), revision.section)
        write_atomic(out, docx_with_revision(source.path, revision.original, revision.text, body_at))
    else:
        write_atomic(out, encode_like(source, revision.text))
