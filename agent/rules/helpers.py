"""Small helpers the rules share: word-list regexes and node iteration."""

from __future__ import annotations

import re
from functools import cache

from agent.diskcache import compile_re
from agent.document import Document, Node
from agent.resources import load_table


@cache
def words_re(name: str) -> re.Pattern[str]:
    """A regex matching any entry of a word list in wordlists.yaml (entries may be regexes)."""
    return compile_re("|".join(f"(?:{w})" for w in load_table("wordlists.yaml")[name]), re.MULTILINE)


def table(name: str):
    """An entry of wordlists.yaml."""
    return load_table("wordlists.yaml")[name]


def problem_points(doc: Document) -> list[Node]:
    """The units that must each carry a concrete case: points, or areas that have no points."""
    out = []
    for part in doc.parts("problems"):
        for section in part.children:
            out.extend(section.children or [section])
    return out


# A sentence ends at a stop (and any closing quotes or brackets right after it, which stay with it,
# as zhon.hanzi's sentence pattern keeps them) or at a line break.
SENTENCE_END_RE = compile_re(r"[。！？!?；;…]+[」﹂”』’》）)\]］}｝〕〗〙〛〉】\"']*|\n")


def sentences(text: str, offset: int = 0):
    """Yield (start, end) of each sentence in text, offsets shifted by `offset`.

    A closing quote or bracket after the stop belongs to the sentence it closes (`……”。` and
    `……。”` both end after the quote), so the next sentence never starts with `”`.
    """
    start = 0
    for m in SENTENCE_END_RE.finditer(text):
        if m.end() - start > 1:
            yield offset + start, offset + m.end()
        start = m.end()
    if len(text) - start > 1:
        yield offset + start, offset + len(text)
