"""What the pages show of a draft: its text with every finding marked (as the HTML check report marks
it, `agent.render.html.marked_paragraphs`), each paragraph tagged with the section it opens in, and
the outline `duizhao outline` prints (the ids `revise --section` takes)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from agent.check import FileReport
from agent.document import DocKind, Document
from agent.parser import parse_file, parse_text
from agent.render.html import marked_paragraphs
from agent.report import CATEGORY_LABEL, SEVERITY_LABEL, verdict, worst_categories
from agent.web.store import Item

__all__ = [
    "draft_page",
    "draft_view",
    "draft_document",
    "outline",
    "diff_lines",
    "finding_rows",
    "tagged_paragraphs",
]

_MARKUP_RE = re.compile(r"\*\*|^#{1,6}[ \t]*", re.M)  # what marked_paragraphs drops from a line


def _deepest(doc: Document, offset: int) -> str | None:
    best = None
    for node in doc.walk():
        if node.start <= offset < node.end and (best is None or node.end - node.start <= best.end - best.start):
            best = node
    return best.id if best else None


def tagged_paragraphs(doc: Document, report: FileReport) -> list[tuple[str, str | None]]:
    """(paragraph HTML, id of the section it starts in); ids are None if the lines cannot be matched."""
    paras = marked_paragraphs(doc, report)
    starts, offset = [], 0
    for line in doc.text.split("\n"):
        if _MARKUP_RE.sub("", line).strip():
            starts.append(offset)
        offset += len(line) + 1
    ids = [_deepest(doc, s) for s in starts] if len(starts) == len(paras) else [None] * len(paras)
    return list(zip(paras, ids, strict=True))


def draft_document(item: Item, view: dict) -> Document:
    """The draft as its report's findings were computed on it, so their offsets hold."""
    if view["origin"] == "chain":  # the chain checked its own text
        return parse_text(item.file("chain.txt").read_text(encoding="utf-8"), source="draft")
    kind = DocKind.model_validate(view["kind"]) if view.get("kind") else None  # as check parsed it
    return parse_file(item.file(item.state()["current"]), repair=True, kind=kind)


def draft_view(item: Item) -> dict:
    """The current draft of an item, its report and marked paragraphs, ready for the template."""
    view = json.loads(item.file("view.json").read_text(encoding="utf-8"))
    report = FileReport.model_validate(view["report"])
    label, level = verdict(report)
    return {"report": report, "paragraphs": tagged_paragraphs(draft_document(item, view), report), "label": label,
            "level": level, "findings": finding_rows(report), "worst": "、".join(worst_categories(report))}


def draft_page(item: Item) -> tuple[dict, list[dict]]:
    """`draft_view` and `outline` of a finished draft, computed once per version of its files.

    A page view re-parsed and re-marked the draft twice; the files it reads are written atomically
    (a new mtime and inode), so their stamps tell when to compute again.
    """
    names = ("view.json", "chain.txt", item.state()["current"])
    stamps = tuple(_stamp(item.file(name)) for name in names)
    return _draft_page(str(item.path), stamps)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


@lru_cache(maxsize=16)
def _draft_page(path: str, stamps: tuple) -> tuple[dict, list[dict]]:
    """The page's view of the item at `path`; `stamps` (its files' versions) only key the cache."""
    item = Item(Path(path))
    return draft_view(item), outline(item)


def finding_rows(report: FileReport) -> list[dict]:
    """Findings as the side list shows them (Chinese severity and category)."""
    return [{"n": i, "severity": f.severity, "severity_label": SEVERITY_LABEL[f.severity], "section": f.section,
             "category": CATEGORY_LABEL.get(f.category, f.category), "message": f.message, "excerpt": f.excerpt}
            for i, f in enumerate(report.findings, 1)]


def outline(item: Item) -> list[dict]:
    """The current draft's sections (id, heading, characters), indented as `duizhao outline` shows them."""
    doc = parse_file(item.file(item.state()["current"]))
    return [{"id": n.id, "title": f"{n.prefix}{n.title}"[:40], "depth": n.id.count("."), "chars": n.end - n.start}
            for n in doc.walk()]


def diff_lines(diff: str) -> list[tuple[str, str]]:
    """A unified diff as (css class, line) pairs for the page."""
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            cls = "file"
        elif line.startswith("@@"):
            cls = "hunk"
        elif line.startswith("+"):
            cls = "add"
        elif line.startswith("-"):
            cls = "del"
        else:
            cls = "ctx"
        out.append((cls, line))
    return out
