"""An HTML check report: the document with each finding highlighted inline and explained beside it."""

from __future__ import annotations

import html

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from agent.check import FileReport
from agent.document import Document
from agent.report import SEVERITY_LABEL


def _marked_paragraphs(doc: Document, report: FileReport) -> list[str]:
    """Paragraph HTML with findings wrapped in <mark>, numbered to match the side notes."""
    spans = sorted(((f.start, f.end, i) for i, f in enumerate(report.findings, 1) if f.end > f.start),
                   key=lambda s: (s[0], -s[1]))
    # Overlapping findings: keep the first of each overlap inline; all are still listed beside.
    chosen, last_end = [], -1
    for start, end, i in spans:
        if start >= last_end:
            chosen.append((start, end, i))
            last_end = end
    text, out, cursor = doc.text, [], 0
    pieces = []
    for start, end, i in chosen:
        pieces.append(html.escape(text[cursor:start]))
        sev = report.findings[i - 1].severity
        pieces.append(f'<mark class="{sev}" id="m{i}" title="{html.escape(report.findings[i - 1].message)}">'
                      f'{html.escape(text[start:end])}<sup>{i}</sup></mark>')
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    for para in "".join(pieces).split("\n"):
        if para.strip():
            out.append(para)
    return out


def render_html(doc: Document, report: FileReport) -> str:
    """A standalone HTML page for one checked document."""
    env = Environment(loader=PackageLoader("agent", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]))
    return env.get_template("report.html.j2").render(
        report=report, paragraphs=_marked_paragraphs(doc, report), labels=SEVERITY_LABEL)
