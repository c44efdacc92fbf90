"""HTML check reports: one page per file (every finding marked in the text), and a batch index.

A page shows the file name, the verdict, the text as a reader sees it (markdown `#`/`**` removed
unless a finding points at them) with every finding marked, overlapping ones included: the text is
cut at every finding boundary and each piece carries all the findings that cover it. Pages print
whole (the side list flows after the text on paper). The index lists every file with 通过/未通过,
score, errors, warnings and the categories that cost most, linking to its page.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from agent.check import FileReport
from agent.document import Document
from agent.report import CATEGORY_LABEL, SEVERITY_LABEL, summary_line, verdict, who, worst_categories

__all__ = ["render_html", "render_index", "write_html_reports", "marked_paragraphs"]

_RANK = {"error": 0, "warning": 1, "info": 2}
_MARKUP_RE = re.compile(r"\*\*|^#{1,6}[ \t]*", re.M)


@cache  # compiling the templates once matters for a batch of hundreds of pages
def _env() -> Environment:
    return Environment(loader=PackageLoader("agent", "templates"), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html", "j2"]))


def marked_paragraphs(doc: Document, report: FileReport) -> list[str]:
    """Paragraph HTML with every finding marked, numbered as in the list beside the text.

    Overlaps: each stretch of text between two finding boundaries is one `<mark>` naming all the
    findings over it (class of the most severe); a finding's number follows its last character.
    Markdown markup is dropped, except where a finding covers it (a `**` mask is a finding's text).
    """
    text = doc.text
    spans = [(f.start, f.end, i) for i, f in enumerate(report.findings, 1) if 0 <= f.start < f.end <= len(text)]
    drop = [False] * len(text)
    covered = [False] * len(text)
    for start, end, _i in spans:
        for k in range(start, end):
            covered[k] = True
    for m in _MARKUP_RE.finditer(text):
        for k in range(m.start(), m.end()):
            drop[k] = not covered[k]
    cuts = sorted({0, len(text), *(s for s, _e, _i in spans), *(e for _s, e, _i in spans)})
    ends: dict[int, list[int]] = {}
    for _s, e, i in spans:
        ends.setdefault(e, []).append(i)
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        chunk = html.escape("".join(ch for k, ch in zip(range(a, b), text[a:b], strict=True) if not drop[k]))
        over = [i for s, e, i in spans if s <= a and b <= e]
        if over:
            worst = min((report.findings[i - 1].severity for i in over), key=_RANK.__getitem__)
            ids = " ".join(f"f{i}" for i in over)
            tip = html.escape("；".join(report.findings[i - 1].message for i in over), quote=True)
            # Line breaks inside a mark would split it across paragraphs: close and reopen around them.
            chunk = "\n".join(f'<mark class="{worst}" data-f="{ids}" title="{tip}">{part}</mark>' if part else ""
                              for part in chunk.split("\n"))
        pieces.append(chunk)
        for i in ends.get(b, []):
            pieces.append(f'<sup id="m{i}"><a href="#f{i}">{i}</a></sup>')
    return [para for para in "".join(pieces).split("\n") if re.sub(r"<[^>]+>", "", para).strip() or "<sup" in para]


def render_html(doc: Document, report: FileReport, *, index_href: str | None = None, notes=None,
                root: Path | None = None) -> str:
    """A standalone HTML page for one checked document.

    Args:
        doc: the document as check parsed it (so the findings' offsets hold).
        report: its check report.
        index_href: link back to the batch index, when the page is part of one.
    """
    label, level = verdict(report)
    return _env().get_template("report.html.j2").render(
        report=report, paragraphs=marked_paragraphs(doc, report), labels=SEVERITY_LABEL, categories=CATEGORY_LABEL,
        label=label, level=level, person=who(report, notes, root), index_href=index_href,
        name=Path(report.file).name)


def render_index(reports: list[FileReport], pages: list[str | None], *, notes=None, root: Path | None = None) -> str:
    """The batch index: one row per file linking to its page (None for an unreadable file)."""
    rows = []
    for r, href in zip(reports, pages, strict=True):
        label, level = verdict(r)
        rows.append({"report": r, "href": href, "label": label, "level": level, "person": who(r, notes, root),
                     "worst": "、".join(worst_categories(r)) or (r.error or "")})
    return _env().get_template("index.html.j2").render(rows=rows, summary=summary_line(reports))


def write_html_reports(reports: list[FileReport], path: str | Path, docs: list[Document | None], *, notes=None,
                       root: Path | None = None) -> list[Path]:
    """Write the HTML report(s): one file → one page at `path`; several → an index plus one page each.

    For a batch, `path` is the index (`报告.html`, pages in `报告_files/`) or a folder (`index.html`
    inside it, pages beside it).

    Returns:
        The files written, the index (or single page) first.
    """
    from agent.writer import write_atomic

    path = Path(path)
    if len(reports) == 1 and path.suffix.lower() in (".html", ".htm"):
        if docs[0] is None:
            from agent.errors import InputError

            raise InputError(reports[0].error or "无法读取", path=reports[0].file)
        return [write_atomic(path, render_html(docs[0], reports[0], notes=notes, root=root))]
    if path.suffix.lower() in (".html", ".htm"):
        index, folder = path, path.with_name(path.stem + "_files")
        prefix = folder.name + "/"
    else:
        index, folder, prefix = path / "index.html", path, ""
    folder.mkdir(parents=True, exist_ok=True)
    written, hrefs = [], []
    back = "../" + index.name if prefix else index.name
    for n, (report, doc) in enumerate(zip(reports, docs, strict=True), 1):
        if doc is None:
            hrefs.append(None)
            continue
        page = f"{n:03d}-{re.sub(r'[^0-9A-Za-z一-鿿._-]+', '_', Path(report.file).stem)[:60]}.html"
        written.append(write_atomic(folder / page, render_html(doc, report, index_href=back, notes=notes, root=root)))
        hrefs.append(prefix + page)
    return [write_atomic(index, render_index(reports, hrefs, notes=notes, root=root)), *written]
