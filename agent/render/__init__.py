"""Renderers: a Document out as plain text, markdown, .docx (GB/T 9704) or an HTML check report."""

from __future__ import annotations

from pathlib import Path

from agent.document import Document, Node
from agent.parser import split_paragraphs

__all__ = ["Paragraph", "paragraphs", "render_text", "render_markdown", "write_document"]


class Paragraph:
    """A paragraph to render and its role: title, part heading, section heading or body."""

    def __init__(self, text: str, role: str, heading_len: int = 0) -> None:
        self.text, self.role, self.heading_len = text, role, heading_len

    def __repr__(self) -> str:
        return f"Paragraph({self.role!r}, {self.text[:20]!r})"


def paragraphs(doc: Document) -> list[Paragraph]:
    """The document's paragraphs with their roles, markup removed.

    `heading_len` is the length of a heading that opens a body paragraph (`（一）在…方面。一是…`),
    so renderers can set it in the heading font.
    """
    starts: dict[int, Node] = {}
    for node in doc.walk():
        if node.kind in ("title", "part", "section"):
            starts.setdefault(node.start, node)
    out = []
    for para in split_paragraphs(doc.text):
        text = doc.text[para.text_start:para.end].replace("**", "").strip()
        node = starts.get(para.start)
        if node is None:
            out.append(Paragraph(text, "body"))
            continue
        role = {"title": "title", "part": "part", "section": "section"}[node.kind]
        head = len(doc.text[para.text_start:node.body_start].replace("**", "").strip())
        if node.body_start >= para.end or head >= len(text):
            out.append(Paragraph(text, role, len(text)))
        else:
            out.append(Paragraph(text, "body" if role != "section" else "section_inline", head))
    return out


def render_text(doc: Document) -> str:
    """Plain text: one paragraph a line."""
    return "\n".join(p.text for p in paragraphs(doc)) + "\n"


def render_markdown(doc: Document) -> str:
    """Markdown: # title, ## parts, ### section headings, inline headings in bold."""
    lines = []
    for p in paragraphs(doc):
        if p.role == "title":
            lines.append(f"# {p.text}")
        elif p.role == "part":
            lines.append(f"## {p.text}")
        elif p.role == "section":
            lines.append(f"### {p.text}")
        elif p.role == "section_inline":
            lines.append(f"**{p.text[:p.heading_len]}**{p.text[p.heading_len:]}")
        else:
            lines.append(p.text)
    return "\n\n".join(lines) + "\n"


def write_document(doc: Document, path: str | Path, meta=None) -> Path:
    """Write a Document in the format its suffix names (.docx, .md, else plain text), atomically.

    `meta` (render.docx.DocMeta) sets a .docx's properties; other formats have none.
    """
    from agent.writer import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from agent.render.docx import render_docx

        return write_atomic(path, render_docx(doc, meta))
    if suffix in (".md", ".markdown"):
        return write_atomic(path, render_markdown(doc))
    return write_atomic(path, render_text(doc))
