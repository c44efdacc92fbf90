"""Deterministic repair: what code removes from the model's free sentences without asking it again.

Three passes, all recorded as `Repair`s. `clean_piece` works on one piece alone: markup, numbering,
newlines, a sentence said twice, a figure the notes lack, a sentence that repeats a note fact the code
already writes as the case; in a problem point also a 如… case the model made up, a sentence that owns up
to nothing (praise, filler) and a promise that belongs in the measures. `drop_flagged` uses the rules' own findings on
the assembled draft: a finding whose rule is in data/repairs.yaml and whose span lies inside a piece
drops that sentence (the skeleton, the facts and the slots are code's and never touched). `trim_to_fit`
shortens a draft over its target by the model's least self-critical sentences.
"""

from __future__ import annotations

import re
from functools import cache

from agent.diskcache import compile_re
from agent.facts import cjk_count, extract_figures
from agent.resources import load_table
from agent.rules import Finding
from agent.rules.helpers import owns_up, table
from agent.sections import Repair

_BOUNDARY = re.compile(r"[。！？；“”‘’]")
_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_MARKUP = re.compile(r"\*\*|__|`+|^\s*#+\s*|^\s*>\s*|^\s*[-*•·]\s+", re.M)
_QUOTES = re.compile(r"[“”‘’「」『』\"']")
_CASE_START = re.compile(r"^(如|比如|例如|譬如)[，,：:]")
# A quotation the model left empty, as the prompt showed it for an area with no problems: "针对‘’，".
_EMPTY_QUOTE = re.compile(r"(?:针对|对照|围绕|就|关于)?\s*(?:“\s*”|‘\s*’|「\s*」|\"\s*\"|'\s*')(?:的问题)?[，,、]?")
# An outline flattened into prose: "1. 在思想上…2. …" or "一、学习内容…二、…" inside a paragraph.
_INLINE_OUTLINE = re.compile(r"(?:^|[。；：:\s])(?:\d+[.．、]|[一二三四五六七八九十]、|（[一二三四五六七八九十]）|[一二三四五六七八九十]是)")


# Where one item of a run-together list starts: 一是/（一）/一、/1. after a stop, a colon or the start.
_ITEM_START = re.compile(r"(?:^|(?<=[。；：:\s]))(?:[一二三四五六七八九十]是|（[一二三四五六七八九十]）|[一二三四五六七八九十]、|\d+[.．、])")


def split_items(items: list[str], wanted: int, section: str) -> tuple[list[str], list[Repair]]:
    """Items a small model ran together into one, apart again, when `wanted` were asked for and fewer came.

    The first item whose numbered run (一是…二是…) or `；`-joined sentences make up exactly the difference is
    split there; a lead-in that announced the run ("…主要有以下几个方面：") goes with the numbers. Anything
    else is left as it came: a guess at other boundaries would put one cause's words under another's title.
    """
    missing = wanted - len(items)
    for k, item in enumerate(items if missing > 0 else []):
        marks = list(_ITEM_START.finditer(item))
        if len(marks) == missing + 1:
            lead = item[:marks[0].start()]
            parts = [item[a.end():b.start()] for a, b in zip(marks, marks[1:], strict=False)] + [item[marks[-1].end():]]
            removed = "、".join(m.group(0) for m in marks)
            if lead.rstrip().endswith(("：", ":")):
                removed = lead + removed
            else:
                parts[0] = lead + parts[0]
        elif len(marks) < 2 and len(segments := [x for x in item.split("；") if x.strip()]) == missing + 1:
            parts = [x if x.rstrip().endswith(("。", "！", "？")) else x + "。" for x in segments]
            removed = "；"
        else:
            continue
        return items[:k] + parts + items[k + 1:], [Repair(section=section, rule="structure.inline_outline", removed=removed)]
    return items, []


@cache
def _personal_we() -> re.Pattern[str]:
    """The rules' `personal_we` word list as one pattern (the repair substitutes, which a prefiltered matcher cannot)."""
    return compile_re("|".join(table("personal_we")))


@cache
def repairable() -> frozenset[str]:
    """The rule ids whose findings code repairs by dropping the sentence that carries them."""
    return frozenset(load_table("repairs.yaml")["drop_sentence"])


@cache
def echo_markers() -> tuple[str, ...]:
    """Bits of the prompts that never belong in a draft's free sentences."""
    return tuple(m for m in load_table("repairs.yaml")["echo_markers"] if "{" not in m)


def sentences(text: str) -> list[str]:
    """Text split after 。！？；, keeping the marks; never inside a “quotation”, which goes whole with its sentence."""
    out, depth, start = [], 0, 0
    for m in _BOUNDARY.finditer(text):
        ch = m.group(0)
        if ch in "“‘":
            depth += 1
        elif ch in "”’":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(text[start:m.end()])
            start = m.end()
    if depth:  # a quotation never closed: no telling where it ends, so split as if there were none
        return [s for s in _SENTENCE_END.split(text) if s]
    out.append(text[start:])
    return [s for s in out if s]


def clean_piece(text: str, section: str, *, allowed: set | None, facts: list[str] = (),
                no_cases: bool = False, given: list[str] = (), elsewhere: list[str] = (),
                others: list[str] = (), personal: bool = False, seen: set[str] | None = None) -> tuple[str, list[Repair]]:
    """One model-written piece as clean prose, and what was removed from it (`allowed`: the figures it may
    carry; None when there are no notes to check them against; `given`: what code already writes around the
    piece — a heading, a summary, a cause's title — which the piece must not say again; `elsewhere`: note text
    code writes in another item (another area's measure hints), which the piece must not borrow; `others`: what
    belongs to other items (another area's problems and facts, the cause hints), which the piece must not copy word
    for word; `no_cases`: a problem point's 表现, where a made-up case, a sentence owning up to nothing and a promise
    are all dropped; `personal`: a personal statement, where the model's 我们 becomes 我; `seen`: the sentences the
    step's earlier pieces kept, which this piece must not say again, and to which its own are added)."""
    # Quotes are dropped before comparing: the model writes ‘一岗双责’ where the notes have “一岗双责”.
    given_parts, other_parts = _phrases(given), _phrases(others)
    from agent.rules.grounding import fact_covered

    repairs: list[Repair] = []
    raw = text
    text = _MARKUP.sub("", text)
    text = "".join(line.strip() for line in text.splitlines() if line.strip())
    if text != raw.strip():
        repairs.append(Repair(section=section, rule="contamination.markdown", removed=_diff_hint(raw, text)))
    if personal and _personal_we().search(text):
        # A small model slips into 我们 ("我们要继续加强学习"); the speaker is one person, and the sentence
        # reads right with 我, so code says it so instead of dropping the sentence as a group subject.
        repairs.append(Repair(section=section, rule="voice.group_subject",
                              removed="、".join(sorted({m.group(0) for m in _personal_we().finditer(text)}))))
        text = _personal_we().sub("我", text)
    if _EMPTY_QUOTE.search(text):
        repairs.append(Repair(section=section, rule="contamination.prompt_echo",
                              removed="、".join(m.group(0) for m in _EMPTY_QUOTE.finditer(text))))
        text = _EMPTY_QUOTE.sub("", text)
    outline = list(_INLINE_OUTLINE.finditer(text))
    if len(outline) >= 2:
        # A numbered list inside a free sentence is a flattened outline: keep what came before it.
        start = cut = outline[0].start() + (1 if text[outline[0].start()] in "。；：:" else 0)
        if text[:cut].rstrip().endswith(("：", ":")):
            # "…主要有以下几个方面：" announced the list; it goes with it.
            cut = max(text.rfind(m, 0, cut - 1) for m in "。！？；") + 1
        if no_cases:
            # In a point's 表现 the items are the model's own shortcomings ("一是缺乏…二是…"): their numbers
            # go (each would read as a point of its own) and their words stay, as prose.
            items = _INLINE_OUTLINE.sub(lambda m: m.group(0)[:1] if m.group(0)[:1] in "。；：:" else "", text[start:])
            markers = "、".join(m.group(0).strip("。；：: ") for m in outline)
            repairs.append(Repair(section=section, rule="structure.inline_outline",
                                  removed=text[cut:start] + markers if cut < start else markers))
            text = text[:cut] + items.lstrip("：:")
        else:
            repairs.append(Repair(section=section, rule="structure.inline_outline", removed=text[cut:]))
            text = text[:cut]
    kept, seen = [], set() if seen is None else seen
    for s in sentences(text):
        rest, gone = _without_restated(s, given_parts)
        if rest:  # the clause that says a heading again goes; what the sentence adds stays
            repairs.append(Repair(section=section, rule="duplication.restated", removed=gone))
            s = rest
        key, bare = re.sub(r"\W", "", s), _QUOTES.sub("", s)
        why = None
        if key in seen:
            why = "duplication.sentence"
        elif any(m in s for m in echo_markers()) or not key:
            why = "contamination.prompt_echo"
        elif allowed is not None and any(not set(f.values) <= allowed for f in extract_figures(s)):
            why = "grounding.figures"
        elif facts and any(fact_covered(f, s) for f in facts):
            why = "duplication.restated"
        elif any(g in bare for g in given_parts):
            why = "duplication.restated"
        elif any(fact_covered(h, s) for h in elsewhere) or any(g in bare for g in other_parts):
            why = "correspondence.misplaced_hint"
        elif no_cases and _CASE_START.match(s.strip()):
            why = "grounding.case_trace"
        elif no_cases and not owns_up(s):
            why = "voice.no_shortcoming"
        elif no_cases and _point_commitments().search(s):
            why = "concreteness.commitment"
        if why:
            repairs.append(Repair(section=section, rule=why, removed=s))
        else:
            kept.append(s)
            seen.add(key)
    return "".join(kept).strip(), repairs


def drop_flagged(piece: str, ranges: list[tuple[int, int, str]], section: str) -> tuple[str, list[Repair]]:
    """The piece without the sentences overlapping any (start, end, rule) range (offsets inside the piece)."""
    kept, repairs, at = [], [], 0
    for s in sentences(piece):
        s_end = at + len(s)
        rule = next((r for start, end, r in ranges if s_end > start and at < max(end, start + 1)), None)
        if rule:
            repairs.append(Repair(section=section, rule=rule, removed=s))
        else:
            kept.append(s)
        at = s_end
    return "".join(kept), repairs


def flagged_in(findings: list[Finding], spans: dict[int, tuple[int, int]], base: int) -> list[tuple[int, int, int, str]]:
    """(piece index, start, end inside the piece, rule) for each repairable finding that lies in a piece."""
    out = []
    for f in findings:
        if f.rule not in repairable():
            continue
        for index, (s, e) in spans.items():
            lo, hi = max(f.start, base + s), min(max(f.end, f.start + 1), base + e)
            if lo < hi:
                out.append((index, lo - base - s, hi - base - s, f.rule))
    return out


def trim_to_fit(pieces: dict[str, list[str]], excess: int, optional: set[str] = frozenset()) -> tuple[
        dict[str, list[str]], list[Repair]]:
    """Pieces by section with sentences dropped until `excess` 字 are gone: the least self-critical and
    longest first. Every piece keeps its most self-critical sentence, except in the `optional` sections
    (a problem point's 表现, which may go whole when it owns up to nothing: the point keeps its facts)."""
    candidates = []
    for section, items in pieces.items():
        for i, piece in enumerate(items):
            parts = sentences(piece)
            keep = max(range(len(parts)), key=lambda j: (owns_up(parts[j]), -j), default=0)
            if section in optional and parts and not owns_up(parts[keep]):
                keep = -1
            candidates += [(owns_up(s), -cjk_count(s), section, i, j)
                           for j, s in enumerate(parts) if j != keep]
    dropped: set[tuple[str, int, int]] = set()
    for _critical, minus_chars, section, i, j in sorted(candidates):
        if excess <= 0:
            break
        dropped.add((section, i, j))
        excess += minus_chars
    out: dict[str, list[str]] = {}
    repairs: list[Repair] = []
    for section, items in pieces.items():
        out[section] = []
        for i, piece in enumerate(items):
            kept = []
            for j, s in enumerate(sentences(piece)):
                if (section, i, j) in dropped:
                    repairs.append(Repair(section=section, rule="length.total", removed=s))
                else:
                    kept.append(s)
            out[section].append("".join(kept))
    return out, repairs


def _phrases(texts: list[str]) -> list[str]:
    """The clauses of `texts` long enough (6 字 or more) that a piece holding one has copied it, quotes dropped."""
    return [g for x in texts for g in re.split(r"[，、；。]", _QUOTES.sub("", x)) if len(g) >= 6]


def _without_restated(sentence: str, parts: list[str]) -> tuple[str, str]:
    """(what is left, what went) when the sentence's leading clauses say a heading again and the rest stands on
    its own ("我学习不够深入，没有…" → "我没有…"); ("", "") when the heading is not said first, when it is said
    again later, when the rest is a consequence of it (导致…) or when under MIN_REST 字 would be left."""
    clauses = re.split(r"(?<=[，,])", sentence)
    n = 0
    while n < len(clauses) and any(g in _QUOTES.sub("", clauses[n]) for g in parts):
        n += 1
    rest = "".join(clauses[n:])
    if (not n or any(g in _QUOTES.sub("", rest) for g in parts) or cjk_count(rest) < MIN_REST
            or _CONSEQUENCE.match(rest)):
        return "", ""
    link = _LEAD_LINK.match(rest)
    gone = "".join(clauses[:n]) + link.group(0)
    rest = rest[link.end():]
    # The subject goes with the clause that carried it ("我学得不深，没有…" → "我没有…"), where the rest
    # opens on a predicate; anything else already has its own subject, or reads well without one.
    subject = _SUBJECT.match(clauses[0])
    if subject and _PREDICATE_START.match(rest):
        rest = subject.group(0) + rest
    return rest, gone


MIN_REST = 8
_SUBJECT = re.compile(r"^(?:我们|我|班子)")
_LEAD_LINK = re.compile(r"^(?:而且|并且|同时|也|还)?[，,]?")
_CONSEQUENCE = re.compile(r"^(?:导致|造成|使得|使|致使|以致|以至于|从而|进而|影响|给)")
_PREDICATE_START = re.compile(r"^(?:没有|没|未能|未|不|缺乏|对|在|把|只|总是|常常|往往|习惯|满足|存在|仍|有时)")


@cache
def _point_commitments() -> re.Pattern[str]:
    return re.compile(load_table("repairs.yaml")["point_commitments"])


def _diff_hint(raw: str, clean: str) -> str:
    marks = sorted({m.group(0).strip() for m in _MARKUP.finditer(raw)} | ({"换行"} if "\n" in raw.strip() else set()))
    return "、".join(m for m in marks if m) or raw[:20]
