"""Re-typeset an existing statement in GB/T 9704 without changing a word (`duizhao format`).

Any .txt/.md/.docx statement goes in, hand-numbered or with Word's automatic numbering (read as
displayed); the genre's structure is recognised by the parser, so parts become 标题 1 in 黑体,
areas 标题 2 in 楷体, and a heading that opens a paragraph keeps its body in 仿宋. Only layout
changes: whitespace (PDF hard wraps joined, spaces a PDF left between 汉字 dropped) and markdown
markup (`#`, `**`) are not words. `words()` is the comparison the tests and `--check` use.
"""

from __future__ import annotations

import re
from pathlib import Path

from agent.document import Document
from agent.errors import InputError
from agent.parser import parse_text
from agent.reader import read_source

__all__ = ["typeset", "words", "TypesetResult"]

_MARKUP_RE = re.compile(r"\*\*|^[ \t]*#{1,6}[ \t]*|^[ \t]*>[ \t]?", re.M)


class TypesetResult:
    """The .docx bytes, the parsed document (for the outline shown to the user) and both texts' words."""

    def __init__(self, data: bytes, doc: Document, source_words: str, output_words: str) -> None:
        self.data, self.doc = data, doc
        self.source_words, self.output_words = source_words, output_words

    @property
    def unchanged(self) -> bool:
        """Whether the output holds exactly the input's words, in order."""
        return self.source_words == self.output_words


def words(text: str) -> str:
    """The text with layout removed: markdown markup and all whitespace. Words and punctuation stay."""
    return re.sub(r"\s+", "", _MARKUP_RE.sub("", text))


def typeset(path: str | Path, *, author: str = "") -> TypesetResult:
    """Read a statement and lay it out as a GB/T 9704 .docx, verifying that no word changed.

    Args:
        path: a .txt, .md or .docx (or .doc with LibreOffice) statement.
        author: the document property 作者 (empty by default: the file is someone else's).
    Returns:
        A TypesetResult; `unchanged` is checked by reading the produced .docx back.
    Raises:
        InputError: unreadable input, or a document with no text.
    """
    import io

    from docx import Document as DocxDocument

    from agent.docx_text import document_text
    from agent.render.docx import DocMeta, render_docx

    source = read_source(path)
    if not source.text.strip():
        raise InputError("文件没有文字", path=str(path))
    # Hard wraps joined (whitespace only): a PDF copy becomes real paragraphs.
    doc = parse_text(source.text, source=str(path), repair=True)
    data = render_docx(doc, DocMeta(author=author, comments="duizhao format 按 GB/T 9704 重新排版，文字未改动"))
    back = document_text(DocxDocument(io.BytesIO(data)))
    return TypesetResult(data, doc, words(source.text), words(back))
