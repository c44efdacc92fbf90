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
    """CJK characters of text outside allowed formulae, and each one's offset in text.

    A formula or a paragraph break becomes NUL, so no copied run crosses it.
    """
    masked = _formulae_re().sub(lambda m: "\x00" * len(m.group(0)), text).replace("\n", "\x00")
    offsets = [m.start() for m in _KEEP_RE.finditer(masked)]
    return "".join(masked[i] for i in offsets), offsets


_KEEP_RE = re.compile(r"[\u4e00-\u9fff\x00]")


def windows(projection: str, size: int = RUN) -> set[str]:
    """Every `size`-long CJK window that crosses no formula or paragraph break."""
    return {w for i in range(len(projection) - size + 1) if "\x00" not in (w := projection[i:i + size])}


SEED = 8  # RUN >= 2·SEED − 1: every copied run contains a SEED-gram starting at a multiple of SEED


@cache
def corpus_windows() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """RUN-long and SEED-long windows of each cleaned sample in fewshot/clean/, by file name."""
    out = {}
    for path in sorted((bundled_dir("fewshot") / "clean").glob("*.txt")):
        projection = cjk_projection(path.read_text(encoding="utf-8"))[0]
        out[path.name] = (frozenset(windows(projection)), frozenset(windows(projection, SEED)))
    return out


def _self_sample(seeds: set[str]) -> str:
    """The name of the sample the checked document *is* (most of its seed grams inside it), or ""."""
    for name, (_, sample) in corpus_windows().items():
        if seeds and len(seeds & sample) / len(seeds) >= SELF_MATCH:
            return name
    return ""


@cache
def _pool(exclude: str) -> tuple[frozenset[str], frozenset[str]]:
    """Windows of every sample but one."""
    kept = [w for name, w in corpus_windows().items() if name != exclude]
    return frozenset().union(*(k[0] for k in kept)), frozenset().union(*(k[1] for k in kept))


def copied_offsets(projection: str) -> list[int]:
    """Start offsets (in the projection) of every RUN-window also found in a sample.

    Only SEED-grams at multiples of SEED are looked up first; the RUN-windows around a seed hit
    are then checked exactly, which finds the same windows as checking every offset, faster.
    """
    n = len(projection)
    seeds = [projection[i:i + SEED] for i in range(0, n - SEED + 1, SEED)]
    pool, seed_pool = _pool(_self_sample(set(seeds)))
    hits: set[int] = set()
    for k, gram in enumerate(seeds):
        if gram not in seed_pool:
            continue
        c = k * SEED
        for i in range(max(0, c + SEED - RUN), min(c, n - RUN) + 1):
            if projection[i:i + RUN] in pool:
                hits.add(i)
    return sorted(hits)


@rule("duplication.copy", "duplication", "error")
def copied_from_samples(ctx: Context, r):
    """不得照搬照抄样例材料（连续15字以上相同，通用政治表述除外）。"""
    masked = _formulae_re().sub(lambda m: "\x00" * len(m.group(0)), ctx.doc.text).replace("\n", "\x00")
    hits = copied_offsets(_DROP_RE.sub("", masked))
    if not hits:
        return
    # Offsets are needed only to report a hit, so they are computed only then.
    offsets = [m.start() for m in _KEEP_RE.finditer(masked)]
    runs, first, last = [], hits[0], hits[0]
    for i in hits[1:]:
        if i != last + 1:
            runs.append((first, last))
            first = i
        last = i
    runs.append((first, last))
    for i, j in runs:
        start, end = offsets[i], offsets[j + RUN - 1] + 1
        yield ctx.finding(r, f"与样例材料连续{j - i + RUN}字相同（照搬照抄）：请结合自己的实际重写这段话。", start, end)


_DROP_RE = re.compile(r"[^\u4e00-\u9fff\x00]+")


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
        if len(key) < MIN_SENTENCE or "【请" in text[start:end]:
            continue
        if key in seen:
            yield ctx.finding(r, "这句话与前文重复：请删去或换一个角度写。", start, end)
        else:
            seen[key] = start
