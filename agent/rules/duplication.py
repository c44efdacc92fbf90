"""Duplication rules: a sentence said twice, a fact restated in one point, passages shared by two
points; text copied from the few-shot samples (exact runs and lightly edited sentences); sample specifics.

Wording every statement may share (political formulae, the themes' area titles, the standard meeting
titles) never counts: it is blanked before any comparison.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import cache, lru_cache
from itertools import accumulate, chain
from operator import add
from pathlib import Path

from agent.cleaner import load_specifics
from agent.diskcache import compile_re, derived_data
from agent.facts import BIGRAM_CODEC, bigram_codes, cjk, cjk_between
from agent.resources import bundled_dir
from agent.rules import Context, rule
from agent.rules.helpers import norm_sentences, sentence_spans, table

RUN = 15  # shared CJK run length that counts as copying
SELF_MATCH = 0.6  # a checked document this much inside one sample *is* that sample
MIN_SENTENCE = 12


@cache
def allowed_phrases() -> tuple[str, ...]:
    """Wording every statement may share with a sample: political formulae, the themes' area titles
    and aliases, the themes' names and the standard meeting titles (`duplication_allowed`)."""
    from agent.themes import load_themes

    phrases = set(table("formulae")) | set(table("duplication_allowed"))
    for theme in load_themes().values():
        phrases.add(theme.name)
        for area in theme.areas:
            phrases.add(area.title)
            phrases.add(re.sub(r"^带头", "", area.title))
            phrases.update(area.aliases)
    return tuple(sorted((p for p in phrases if len(p) >= 2), key=len, reverse=True))


LOOSE_RE = compile_re(r"[“”‘’\"、，,。\s]")  # punctuation a title may have or drop


@cache
def _loose_phrases() -> tuple[str, ...]:
    """The allowed phrases without their punctuation, longest first."""
    # Ties in length go alphabetically: set order changes between processes, and so would what is masked.
    return tuple(sorted({c for p in allowed_phrases() if len(c := LOOSE_RE.sub("", p)) >= 2}, key=lambda c: (-len(c), c)))


@cache
def _phrase_finder() -> tuple[re.Pattern[str], dict[str, tuple[tuple[int, str], ...]]]:
    """A pattern matching, where any allowed phrase begins in a text, the longest one beginning there
    (punctuation it may have or drop allowed between its characters); and for each phrase, those it
    begins with (itself included), each with its place in `_loose_phrases`.

    Alternatives are grouped by first character (sre tries only a group whose character is there, and
    skips by itself to a character that begins one), longest first within a group as in the list.
    """
    phrases = _loose_phrases()
    rank = {phrase: i for i, phrase in enumerate(phrases)}
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0], []).append(phrase)
    gap = f"{LOOSE_RE.pattern}*"
    source = "|".join(re.escape(first) + "(?:" + "|".join(gap + gap.join(map(re.escape, p[1:])) for p in group) + ")"
                      for first, group in groups.items())
    heads = {longer: tuple((rank[p], p) for p in phrases if longer.startswith(p)) for longer in phrases}
    return compile_re(source), heads


_KEPT_CHAR_RE = compile_re(r"[^“”‘’\"、，,。\s]")  # one character LOOSE_RE does not drop


def _phrase_end(text: str, start: int, length: int) -> int:
    """Where the `length`-th character after `start` that is not loose punctuation ends."""
    for m in _KEPT_CHAR_RE.finditer(text, start):
        length -= 1
        if not length:
            return m.end()
    return len(text)  # not reached: the phrase is there


def mask_allowed(text: str, fill: str = "\x00") -> str:
    """Text with every allowed phrase (formulae, area titles, meeting names) overwritten by `fill`.

    Punctuation inside a title varies (、 or ，, “” or none), so a phrase is found with any of that
    punctuation between its characters; the length and every offset stay as they were. Phrases are
    taken longest first (ties in their order), each occurrence left to right, and one that overlaps a
    phrase already taken is not: what is hidden is that of hiding each phrase's every occurrence in
    turn in the text with the punctuation dropped (`tests/test_rules_duplication.py` keeps that
    reference). Every place a phrase begins is found by one pattern, searched again from the next
    character: the longest phrase beginning there, and the phrases it begins with are there too.
    (Rules share one result per document through `Context.derived`, never across documents.)
    """
    finder, heads = _phrase_finder()
    search = finder.search
    found: list[tuple[int, int, int]] = []  # (place in the phrase list, start, end) of each occurrence
    m = search(text)
    while m is not None:
        start, longest = m.start(), LOOSE_RE.sub("", m.group(0))
        for rank, phrase in heads[longest]:
            end = m.end() if len(phrase) == len(longest) else _phrase_end(text, start, len(phrase))
            found.append((rank, start, end))
        m = search(text, start + 1)
    if not found:
        return text
    # Taken ranges never overlap: each is tested against the text hidden so far (an overlap of two
    # ranges of the text is one of the phrases' characters, each begins and ends on one).
    hidden = bytearray(len(text))
    spans = []
    for _, start, end in sorted(found):
        if not any(hidden[start:end]):
            hidden[start:end] = b"\x01" * (end - start)
            spans.append((start, end))
    spans.sort()
    out, done = [], 0
    for start, end in spans:
        out += [text[done:start], fill * (end - start)]
        done = end
    out.append(text[done:])
    return "".join(out)


def _masked(ctx: Context, norm: bool = True) -> str:
    """`mask_allowed` of the document's norm (or its text), once per check."""
    text = ctx.doc.norm if norm else ctx.doc.text
    return ctx.derived("masked:norm" if text is ctx.doc.norm else "masked:text", lambda: mask_allowed(text))


def _blanked_doc(ctx: Context) -> str:
    """`_blanked(ctx.doc.norm)`, once per check (the mask reused)."""
    return ctx.derived("blanked", lambda: _blank_slots(_masked(ctx)))


def cjk_projection(text: str) -> tuple[str, list[int]]:
    """CJK characters of text outside allowed formulae, and each one's offset in text.

    A formula or a paragraph break becomes NUL, so no copied run crosses it.
    """
    masked = mask_allowed(text).replace("\n", "\x00")
    offsets = [m.start() for m in _KEEP_RE.finditer(masked)]
    return "".join(masked[i] for i in offsets), offsets


_KEEP_RE = compile_re(r"[\u4e00-\u9fff\x00]")


def windows(projection: str, size: int = RUN) -> set[str]:
    """Every `size`-long CJK window that crosses no formula or paragraph break."""
    return {w for i in range(len(projection) - size + 1) if "\x00" not in (w := projection[i:i + size])}


SEED = 8  # RUN >= 2·SEED − 1: every copied run contains a SEED-gram starting at a multiple of SEED


@cache
def sample_texts() -> tuple[tuple[str, str], ...]:
    """(file name, text) of each cleaned sample in fewshot/clean/, by name."""
    return tuple((path.name, path.read_text(encoding="utf-8"))
                 for path in sorted((bundled_dir("fewshot") / "clean").glob("*.txt")))


def sample_inputs(*more: str) -> list[str]:
    """Everything the samples' derived tables depend on, for `derived_data`: this module's and the
    helpers' code, the allowed phrases (from the word lists and themes), each sample, and `more`."""
    from agent.rules import helpers

    code = [Path(__file__).read_text(encoding="utf-8"), Path(helpers.__file__).read_text(encoding="utf-8")]
    return [*code, "\n".join(_loose_phrases()), *(f"{n}\n{t}" for n, t in sample_texts()), *more]


@cache
def corpus_windows() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """RUN-long and SEED-long windows of each cleaned sample in fewshot/clean/, by file name.

    Worked out once per sample text and kept in the start-up cache: each `check` needs them all.
    """

    def compute() -> dict[str, list[list[str]]]:
        out = {}
        for name, text in sample_texts():
            # cjk_projection's text, without the offsets it also works out (unused here).
            projection = _project(mask_allowed(text).replace("\n", "\x00"))
            out[name] = [sorted(windows(projection)), sorted(windows(projection, SEED))]
        return out

    data = derived_data("corpus_windows", sample_inputs(), compute)
    return {name: (frozenset(runs), frozenset(seeds)) for name, (runs, seeds) in data.items()}


def _self_sample(seeds: set[str]) -> str:
    """The name of the sample the checked document *is* (most of its seed grams inside it), or ""."""
    for name, (_, sample) in corpus_windows().items():
        if seeds and len(seeds & sample) / len(seeds) >= SELF_MATCH:
            return name
    return ""


@lru_cache(maxsize=2)
def _own_sample(projection: str) -> str:
    """`_self_sample` of a projection's SEED-grams at multiples of SEED. The exact-copy and the
    paraphrase rules most often ask it of the same projection (no slots, no traditional characters)."""
    return _self_sample({projection[i:i + SEED] for i in range(0, len(projection) - SEED + 1, SEED)})


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
    pool, seed_pool = _pool(_own_sample(projection))
    hits: set[int] = set()
    for k in [k for k, gram in enumerate(seeds) if gram in seed_pool]:  # most seeds are in no sample
        c = k * SEED
        for i in range(max(0, c + SEED - RUN), min(c, n - RUN) + 1):
            if projection[i:i + RUN] in pool:
                hits.add(i)
    return sorted(hits)


def copied_runs(text: str, masked: str | None = None) -> tuple[tuple[int, int, int], ...]:
    """(start, end, length in CJK characters) of every run of RUN+ characters copied from a sample.

    `masked` is `mask_allowed(text)` when the caller has it already.
    """
    masked = (mask_allowed(text) if masked is None else masked).replace("\n", "\x00")
    hits = copied_offsets(_project(masked))
    if not hits:
        return ()
    # Offsets are needed only to report a hit, so they are computed only then.
    offsets = [m.start() for m in _KEEP_RE.finditer(masked)]
    runs, first, last = [], hits[0], hits[0]
    for i in hits[1:]:
        if i != last + 1:
            runs.append((first, last))
            first = i
        last = i
    runs.append((first, last))
    return tuple((offsets[i], offsets[j + RUN - 1] + 1, j - i + RUN) for i, j in runs)


@rule("duplication.copy", "duplication", "error")
def copied_from_samples(ctx: Context, r):
    """不得照搬照抄样例材料（连续15字以上相同，通用政治表述除外）。"""
    for start, end, length in _copied_runs(ctx):
        yield ctx.finding(r, f"与样例材料连续{length}字相同（照搬照抄）：请结合自己的实际重写这段话。", start, end)


_DROP_RE = compile_re(r"[^\u4e00-\u9fff\x00]+")  # what `_project` leaves out
_KEPT_RUN_RE = compile_re(r"[\u4e00-\u9fff\x00]+")


def _project(text: str) -> str:
    """The CJK characters and NULs of text (`facts.cjk`, NULs kept: runs joined, faster than a removal)."""
    return "".join(_KEPT_RUN_RE.findall(text))
_QUOTED_RE = compile_re(r"“[^“”\n]{1,60}”")
SLOTS_RE = compile_re(r"【请[^】]*】|〔[^〕]*〕")


def _copied_runs(ctx: Context) -> tuple[tuple[int, int, int], ...]:
    """`copied_runs` of the document text, once per check: the paraphrase rule skips what it found."""
    return ctx.derived("copied_runs", lambda: copied_runs(ctx.doc.text, _masked(ctx, norm=False)))


def _grams(chars: str) -> set[str]:
    """Character bigrams of a string that is CJK only already (`facts.bigrams` without the filtering)."""
    return set(map(add, chars, chars[1:]))


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
    text = ctx.doc.norm
    # Headings may repeat (a measure section mirrors its area's title); furniture is reported elsewhere.
    skip = [(n.start, n.body_start) for n in ctx.doc.walk() if n.kind != "point"]
    skip += [(f.start, f.end) for f in ctx.doc.furniture]
    # A sentence lies inside some skipped span iff the furthest end among spans starting at or
    # before it reaches it: sorted starts and a running maximum of ends answer that by bisection.
    skip.sort()
    skip_starts = [a for a, _ in skip]
    reach = list(accumulate((b for _, b in skip), max))
    for start, end, key in norm_sentences(ctx):
        if len(key) < MIN_SENTENCE or "【请" in text[start:end]:
            continue
        at = bisect_right(skip_starts, start)
        if at and end <= reach[at - 1] + 1:
            continue
        if key in seen:
            yield ctx.finding(r, "这句话与前文重复：请删去或换一个角度写。", start, end)
        else:
            seen[key] = start


# --- a fact said twice ------------------------------------------------------------------------

def _blanked(text: str) -> str:
    """Text with allowed wording and the product's slots turned into NUL, offsets kept."""
    return _blank_slots(mask_allowed(text))


def _blank_slots(text: str) -> str:
    """Text with the product's slots (【请…】, 〔…〕) turned into NUL, offsets kept."""
    return SLOTS_RE.sub(lambda m: "\x00" * len(m.group(0)), text)


def _leaves(ctx: Context):
    """The smallest units of each body part: points, or sections without points, or the part."""
    for part in ctx.doc.parts():
        if part.part_kind in ("title", "opening", "closing", "other"):
            continue
        for section in part.children or [part]:
            yield from section.children or [section]


CASE_LEAD_RE = compile_re(r"^(?:如|比如|例如|譬如|具体表现在|表现在)")


def _sentence_keys(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Each sentence's CJK characters, a leading 如/比如… dropped: “如，X。” restates “X。”."""
    return [(s, e, key) for s, e, _, key in _keyed_sentences(text, start, end)]


def _keyed_sentences(text: str, start: int, end: int, least: int = 0) -> list[tuple[int, int, str, str]]:
    """(start, end, CJK characters, key as in `_sentence_keys`) of each sentence whose key has at least
    `least` characters; one too short to hold that many is passed over before its characters are taken."""
    out = []
    for s, e in sentence_spans(text, start, end):
        if e - s < least:
            continue
        raw = cjk_between(text, s, e)
        key = _case_key(raw)
        if len(key) >= least:
            out.append((s, e, raw, key))
    return out


def _case_key(raw: str) -> str:
    """A sentence's CJK characters without a leading 如/比如…."""
    # CASE_LEAD_RE is anchored at the start: at most one lead to drop.
    lead = CASE_LEAD_RE.match(raw)
    return raw[lead.end():] if lead else raw


@rule("duplication.restated", "duplication", "warning")
def restated_in_point(ctx: Context, r):
    """一个要点里同一件事不要说两遍（概括句和“如……”事例写的是同一句话）。"""
    ratio, least = table("restated_ratio"), table("restated_min")
    # Only the slots are blanked: area titles and formulae are exactly what a restated summary repeats.
    text = _blank_slots(ctx.doc.norm)
    for node in _leaves(ctx):
        seen: list[tuple[str, str, set[int]]] = []  # the sentences so far long enough to compare
        # A sentence shorter than `least` is never compared, on either side.
        for s, e, raw, key in _keyed_sentences(text, node.body_start, node.end, least):
            grams = bigram_codes(key)
            case = len(key) < len(raw)  # a leading 如/比如… was dropped
            for other_raw, other, other_grams in seen:
                if other_raw == raw:
                    continue  # an identical sentence is duplication.sentence's
                # A case (如，…) that the point already said is a restatement even when one side adds a
                # clause; any other sentence counts only when it is about as long, since expanding on
                # the summary (一是学习不深。我学习不深入、不系统…) is how a point is written.
                sizes = (len(grams), len(other_grams))
                part = max(1, min(sizes) if case else max(sizes))
                # At most min(sizes) bigrams are shared: where even that falls short, skip the intersection.
                if other == key or min(sizes) / part >= ratio and len(grams & other_grams) / part >= ratio:
                    yield ctx.finding(r, f"{ctx.label(node)}把同一件事说了两遍（这句与本要点前文基本相同）："
                                         "请删去一处，或把事例换成另一件具体的事。", s, e, section=node.id)
                    break
            seen.append((raw, key, grams))


@rule("duplication.shared_run", "duplication", "warning")
def passages_shared_by_points(ctx: Context, r):
    """不同要点之间不要有大段相同的文字（换了位置的同一段话）。"""
    size = table("shared_run")
    text = _blanked_doc(ctx)
    owner: dict[str, str] = {}  # each window → the first leaf it was seen in, filled in only for a hit
    seen: set[str] = set()  # every window of the leaves so far: most leaves share none, and then no owner is asked
    pending: list[tuple[str, list[str]]] = []  # (id, windows) of the leaves not in `owner` yet, in order
    for node in _leaves(ctx):
        # A quotation names what it answers ("针对“…”的问题"): a reference, not a repeated passage.
        body = _QUOTED_RE.sub(lambda m: "\x00" * len(m.group(0)), text[node.body_start:node.end].replace("\n", "\x00"))
        projection = _project(body)
        # Only windows without a NUL can be a hit, so only they need an owner; taken from the pieces
        # between NULs, there are fewer of them to make.
        found = [piece[i:i + size] for piece in projection.split("\x00") for i in range(len(piece) - size + 1)]
        hits = []
        # Leaf ids are unique, so any window already owned belongs to an earlier leaf; most leaves
        # share none, which one set test settles before looking at each window.
        if not seen.isdisjoint(found):
            for leaf, windows in pending:
                owner.update(dict.fromkeys(set(windows).difference(owner), leaf))
            pending.clear()
            every = (projection[i:i + size] for i in range(len(projection) - size + 1))
            hits = [(i, owner[w]) for i, w in enumerate(every) if owner.get(w, node.id) != node.id and "\x00" not in w]
        seen.update(found)
        pending.append((node.id, found))
        if hits:
            offsets = [m.start() for m in _KEEP_RE.finditer(body)]  # only to report the hit
            first, other = hits[0]
            last = max(i for i, o in hits if o == other)
            start = node.body_start + offsets[first]
            end = node.body_start + offsets[last + size - 1] + 1
            source = next((ctx.label(n) for n in ctx.doc.walk() if n.id == other), other)
            yield ctx.finding(r, f"{ctx.label(node)}有一段话与{source}相同（连续{last - first + size}字）："
                                 "请删去重复的部分，或写出这里不同的具体情况。", start, end, section=node.id)


# --- copied from a sample with light edits ---------------------------------------------------

@cache
def sample_sentences() -> dict[str, tuple[tuple[str, ...], dict[str, tuple[int, ...]]]]:
    """Each sample's sentences (CJK only, allowed wording removed) and a bigram → sentence index.

    Kept in the start-up cache like `corpus_windows`.
    """
    least = table("copy_fuzzy_min")

    def compute() -> dict[str, list]:
        out = {}
        for name, raw in sample_texts():
            text = _blanked(raw)
            keys = [k for _, _, k in _sentence_keys(text, 0, len(text)) if len(k) >= least]
            index: dict[str, list[int]] = {}
            for n, key in enumerate(keys):
                for g in _grams(key):
                    index.setdefault(g, []).append(n)
            out[name] = [keys, index]
        return out

    data = derived_data("sample_sentences", sample_inputs(repr(least)), compute)
    return {name: (tuple(keys), {g: tuple(v) for g, v in index.items()}) for name, (keys, index) in data.items()}


@cache
def sample_codes() -> dict[str, tuple[tuple[str, ...], dict[int, tuple[int, ...]], frozenset[int]]]:
    """`sample_sentences` with each bigram of the index as its `bigram_codes` number, and the set of
    them (a set intersects a set faster than a dict's keys)."""
    out = {}
    for name, (keys, index) in sample_sentences().items():
        # Every bigram is two CJK characters: joined, they read as one 32-bit number each, in order.
        codes = memoryview("".join(index).encode(BIGRAM_CODEC)).cast("I")
        coded = dict(zip(codes, index.values(), strict=True))
        out[name] = (keys, coded, frozenset(coded))
    return out


def aligned_share(key: str, sample: str) -> float:
    """Share of key's characters that line up with the sample sentence (difflib matching blocks)."""
    from difflib import SequenceMatcher

    blocks = SequenceMatcher(None, key, sample, autojunk=False).get_matching_blocks()
    # Single characters aligning by chance say nothing about copying.
    return sum(b.size for b in blocks if b.size >= 2) / len(key)


def _close(key: str, sample: str, ratio: float) -> bool:
    """Whether key is a lightly edited copy of a sample sentence of about its own length.

    A short sentence built from stock phrases of a long sample sentence is not a copy of it; a
    copied clause of a long sentence is caught by the exact-run rule instead.
    """
    if not 0.6 <= len(sample) / len(key) <= 1.6:
        return False
    return aligned_share(key, sample) >= ratio


def _user_wording(ctx: Context) -> list[str]:
    """CJK text of the notes' problem summaries and facts (words the user wrote), longest first."""
    if ctx.notes is None:
        return []
    found = {cjk(t) for a in ctx.notes.areas for p in a.problems for t in (p.summary, *p.facts)}
    return sorted((t for t in found if len(t) >= 6), key=len, reverse=True)


@rule("duplication.paraphrase", "duplication", "error")
def lightly_edited_copy(ctx: Context, r):
    """不得照抄样例材料后稍加改动（一句话八成以上的字与样例的一句相同）。"""
    least, ratio = table("copy_fuzzy_min"), table("copy_fuzzy_ratio")
    text = _blanked_doc(ctx)
    own = _own_sample(_project(text.replace("\n", "\x00")))
    exact = [(start, end) for start, end, _ in _copied_runs(ctx)]
    samples = [row for name, row in sample_codes().items() if name != own]
    users = _user_wording(ctx)
    for s, e, _, key in _keyed_sentences(text, 0, len(text), least):
        if exact and any(a < e and s < b for a, b in exact):
            continue  # copied exactly: duplication.copy's
        if any(len(key.replace(u, "")) < least for u in users):
            continue  # the user's own summary or fact from the notes: theirs to word, not a copy the draft made
        grams = bigram_codes(key)
        need = ratio * len(grams) * 0.6
        for keys, index, known in samples:
            # No sample sentence shares more of the sentence's bigrams than the sample as a whole:
            # most sentences fall short already there, before counting per sentence (in C).
            shared = grams & known
            if len(shared) < need:
                continue
            votes = Counter(chain.from_iterable([index[g] for g in shared]))
            best = [n for n, v in votes.items() if v >= need]
            if any(_close(key, keys[n], ratio) for n in best):
                yield ctx.finding(r, "这句话是样例材料的原句稍作改动（八成以上的字相同）：请结合自己的实际重写，"
                                     "写出自己的事和想法。", s, e)
                break
