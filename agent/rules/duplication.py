"""Duplication rules: a sentence said twice; runs copied from the few-shot samples; sample specifics."""

from __future__ import annotations

import re
from functools import cache

from agent.cleaner import load_specifics
from agent.resources import bundled_dir
from agent.rules import Context, rule
from agent.rules.helpers import sentences, table

RUN = 15  # shared CJK run length that counts as copying
SELF_MATCH = 0.6  # a checked document this much inside one sample *is* that sample
MIN_SENTENCE = 12


@cache
def _formulae_re() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(table("formulae"), key=len, reverse=True))))


def cjk_projection(text: str) -> tuple[str, list[int]]:
    """CJK characters of text outside allowed formulae, and each one's offset in text."""
    masked = _formulae_re().sub(lambda m: "\x00" * len(m.group(0)), text)
    chars, offsets = [], []
    for i, ch in enumerate(masked):
        if "\u4e00" <= ch <= "\u9fff":
            chars.append(ch)
            offsets.append(i)
        elif ch in "\x00\n\r" and (not chars or chars[-1] != "\x00"):
            chars.append("\x00")  # a formula or a paragraph break ends a run
            offsets.append(i)
    return "".join(chars), offsets


def windows(projection: str) -> set[str]:
    """Every RUN-long CJK window that crosses no formula."""
    return {projection[i:i + RUN] for i in range(len(projection) - RUN + 1) if "\x00" not in projection[i:i + RUN]}


@cache
def corpus_windows() -> dict[str, frozenset[str]]:
    """Windows of each cleaned sample in fewshot/clean/, by file name."""
    out = {}
    for path in sorted((bundled_dir("fewshot") / "clean").glob("*.txt")):
        out[path.name] = frozenset(windows(cjk_projection(path.read_text(encoding="utf-8"))[0]))
    return out


@rule("duplication.copy", "duplication", "error")
def copied_from_samples(ctx: Context, r):
    """不得照搬照抄样例材料（连续15字以上相同，通用政治表述除外）。"""
    projection, offsets = cjk_projection(ctx.doc.text)
    mine = [projection[i:i + RUN] for i in range(len(projection) - RUN + 1)]
    samples = corpus_windows()
    own = set(mine)
    # The checked document may be one of the samples itself: do not compare it with itself.
    others = [w for name, w in samples.items() if not own or len(own & w) / max(len(own), 1) < SELF_MATCH]
    pool = frozenset().union(*others) if others else frozenset()
    i = 0
    while i < len(mine):
        if mine[i] not in pool:
            i += 1
            continue
        j = i
        while j + 1 < len(mine) and mine[j + 1] in pool:
            j += 1
        start, end = offsets[i], offsets[j + RUN - 1] + 1
        yield ctx.finding(r, f"与样例材料连续{j - i + RUN}字相同（照搬照抄）：请结合自己的实际重写这段话。", start, end)
        i = j + RUN


@rule("duplication.specifics", "duplication", "error")
def sample_specifics(ctx: Context, r):
    """不得出现样例原作者的地名、人名。"""
    terms, _ = load_specifics()
    for term in terms:
        for m in re.finditer(re.escape(term), ctx.doc.text):
            yield ctx.finding(r, f"出现了样例材料原作者的专有名称“{term}”：请换成自己的真实情况。", m.start(), m.end())


@rule("duplication.sentence", "duplication", "warning")
def repeated_sentences(ctx: Context, r):
    """同一句话不要重复出现。"""
    seen: dict[str, int] = {}
    text = ctx.doc.text
    for start, end in sentences(text):
        key = re.sub(r"[^\u4e00-\u9fff]", "", text[start:end])
        if len(key) < MIN_SENTENCE:
            continue
        if key in seen:
            yield ctx.finding(r, "这句话与前文重复：请删去或换一个角度写。", start, end)
        else:
            seen[key] = start
