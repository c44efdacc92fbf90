"""Checking drafts: run the rules on one document or a batch, score them, build the report objects."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from agent.document import DocKind, Document
from agent.errors import InputError
from agent.parser import parse_text
from agent.reader import SUPPORTED_SUFFIXES, read_source
from agent.rules import Context, Finding, run_rules
from agent.themes import Theme, get_theme, infer_theme

if TYPE_CHECKING:  # notes are loaded only with --notes: their models and YAML stay unimported without
    from agent.notes import Notes

PENALTY = {"error": 25, "warning": 8, "info": 2}
DOC_PENALTY = {"error": 12, "warning": 3, "info": 1}
# A batch is shared between worker processes only from this many files on: below it, starting
# the workers costs more than they save. Workers are forked, so only where fork exists.
PARALLEL_MIN_FILES = 12
MAX_JOBS = 4
CHUNK = 4  # files a worker takes at a time: fewer round trips, still even shares at the end


class SectionScore(BaseModel):
    """A section's line in the report."""

    id: str
    title: str
    chars: int
    score: int


class Counts(BaseModel):
    """Findings by severity."""

    error: int = 0
    warning: int = 0
    info: int = 0


class FileReport(BaseModel):
    """The check report of one file, in the DESIGN §3 schema (plus `error` for unreadable files)."""

    file: str
    passed: bool
    score: int
    counts: Counts
    sections: list[SectionScore] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    theme: str | None = None
    kind: DocKind | None = None
    error: str | None = None

    def public(self) -> dict:
        """The JSON object of the contract (`user_only` is internal, `error` only when set)."""
        data = self.model_dump(exclude={"theme", "kind"})
        for f in data["findings"]:
            f.pop("user_only", None)
        if data["error"] is None:
            data.pop("error")
        return data


def resolve_theme(doc: Document, theme: str | None, notes: Notes | None) -> Theme | None:
    """The theme to check against: the flag, else the notes, else inferred from title and opening."""
    if theme:
        return get_theme(theme)
    if notes:
        return get_theme(notes.meeting.theme)
    if doc.kind.meeting == "组织生活会":
        return None  # a branch's 组织生活会 sets its own areas: no preset applies unless asked for
    opening = doc.part("opening")
    return infer_theme(doc.title + (doc.norm[opening.start:opening.end] if opening else ""))


def check_document(doc: Document, *, theme: Theme | None = None, notes: Notes | None = None,
                   target_chars: int | None = None, fmt: str = "txt", only: set[str] | None = None) -> FileReport:
    """Run the rules on a parsed document and score it."""
    ctx = Context(doc=doc, theme=theme, notes=notes, target_chars=target_chars, fmt=fmt)
    findings = run_rules(ctx, only)
    if notes is not None:
        findings = from_the_notes(doc, findings, notes)
    counts = Counts(**{s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")})
    return FileReport(file=doc.source, passed=counts.error == 0, score=score(findings, DOC_PENALTY),
                      counts=counts, sections=section_scores(doc, findings), findings=findings,
                      theme=theme.key if theme else None, kind=doc.kind)


NOTES_SUFFIX = "（这段文字照录自笔记：请修改笔记）"
_POINT_PREFIX = re.compile(r"[一二三四五六七八九十]+是|如，|")


def from_the_notes(doc: Document, findings: list[Finding], notes: Notes) -> list[Finding]:
    """Findings that lie wholly inside a note's own words, as written into the draft: only the user can
    change those (in the notes), so they are marked user_only and say so."""
    own = [x.strip().rstrip("。；") for a in notes.areas for p in a.problems for x in (p.summary, *p.facts)]
    spans = [(m, m + len(x)) for x in own if len(x) >= 4 for m in _occurrences(doc.text, x)]
    out = []
    for f in findings:
        # A point's 一是 and its closing mark are code's; the words between them may be the note's.
        start = f.start + len(_POINT_PREFIX.match(doc.text, f.start).group(0))
        inside = f.severity == "error" and not f.user_only and f.end > start and any(
            a <= start and f.end <= b + 1 for a, b in spans)
        out.append(f.model_copy(update={"user_only": True, "message": f.message + NOTES_SUFFIX}) if inside else f)
    return out


def _occurrences(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def score(findings: Iterable[Finding], penalty: dict[str, int] = PENALTY) -> int:
    """100 minus a penalty per finding by severity, never below 0."""
    return max(0, 100 - sum(penalty[f.severity] for f in findings))


def section_scores(doc: Document, findings: list[Finding]) -> list[SectionScore]:
    """Each node's score from the findings inside it (its descendants' included)."""
    # A finding in section 1.2.3 is inside the nodes 1, 1.2 and 1.2.3: its id cut at each dot.
    inside: dict[str, list[Finding]] = {}
    for f in findings:
        s = f.section
        for key in {s, *(s[:i] for i, ch in enumerate(s) if ch == ".")}:
            inside.setdefault(key, []).append(f)
    return [SectionScore(id=node.id, title=node.title, chars=node.end - node.start, score=score(inside.get(node.id, ())))
            for node in doc.walk()]


def check_file(path: str | Path, *, theme: str | None = None, notes: Notes | None = None,
               target_chars: int | None = None, kind: DocKind | None = None) -> FileReport:
    """Read, parse and check one file (hard wraps of copied-out PDF text repaired; `kind` overrides inference)."""
    source = read_source(path)
    doc = parse_text(source.text, source=str(path), repair=True, kind=kind)
    return check_document(doc, theme=resolve_theme(doc, theme, notes), notes=notes,
                          target_chars=target_chars, fmt=source.format)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the .txt/.md/.docx files inside given folders (recursively, sorted)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                              and not f.name.startswith((".", "~$"))))  # hidden files, Word's lock files
        else:
            out.append(p)
    return out


def check_paths(paths: Iterable[str | Path], *, theme: str | None = None, notes: Notes | None = None,
                target_chars: int | None = None, kind: DocKind | None = None,
                progress: Callable[[Path], None] | None = None, jobs: int | None = 1) -> list[FileReport]:
    """Check many files; a file that cannot be read is reported in its place, the rest go on.

    Args:
        jobs: worker processes for a batch of at least PARALLEL_MIN_FILES files (None: one per CPU,
            at most MAX_JOBS). The reports are the same, in the same order, whatever the number.
            The default 1 never forks: a caller with threads of its own (the web app) stays safe.
    """
    if theme:
        get_theme(theme)  # an unknown theme is a usage error before any file is read
    files = expand_paths(paths)
    options = {"theme": theme, "notes": notes, "target_chars": target_chars, "kind": kind}
    workers = _workers(len(files), jobs)
    results = _parallel(files, options, workers) if workers > 1 else (_check_one(f, options) for f in files)
    reports = []
    for path, report in zip(files, results, strict=True):
        reports.append(report)
        if progress:
            progress(path)
    return reports


def _check_one(path: Path, options: dict[str, Any]) -> FileReport:
    """`check_file`, with an unreadable file reported in its place."""
    try:
        return check_file(path, **options)
    except InputError as exc:
        return FileReport(file=str(path), passed=False, score=0, counts=Counts(error=1), error=str(exc))


def _workers(files: int, jobs: int | None) -> int:
    """How many processes check a batch of `files` files: 1 unless it is big enough and fork exists."""
    if files < PARALLEL_MIN_FILES or jobs == 1 or sys.platform == "win32" or not hasattr(os, "fork"):
        return 1
    if jobs is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        jobs = min(cpus, MAX_JOBS)
    return max(1, min(jobs, files // 2))


_options: dict[str, Any] = {}  # what a forked worker checks with, inherited from the parent


def _check_chunk(chunk: list[Path]) -> list[dict]:
    """In a worker: check some files, returning each report as plain data (cheap to send back)."""
    return [_check_one(path, _options).model_dump() for path in chunk]


def _parallel(files: list[Path], options: dict[str, Any], workers: int) -> Iterator[FileReport]:
    """Reports of `files` in order, the first checked here and the rest by `workers` forked processes.

    The first file is checked before forking so that the workers inherit every table, compiled
    pattern and sample index already built instead of each building its own.
    """
    import multiprocessing

    yield _check_one(files[0], options)
    _options.clear()
    _options.update(options)
    rest = files[1:]
    chunks = [rest[i:i + CHUNK] for i in range(0, len(rest), CHUNK)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for done in pool.imap(_check_chunk, chunks):
            for data in done:
                yield FileReport.model_validate(data)
