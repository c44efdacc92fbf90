"""Small helpers the rules share: word-list regexes and node iteration."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from agent.diskcache import compile_re, derived
from agent.document import Document, Node
from agent.facts import cjk_between
from agent.resources import load_table

if TYPE_CHECKING:
    from agent.rules import Context


@cache
def words_re(name: str) -> Matcher:
    """A regex matching any entry of a word list in wordlists.yaml (entries may be regexes)."""
    return prefiltered("|".join(f"(?:{w})" for w in table(name)), re.MULTILINE)


FRAGMENT_RE = re.compile(r"<<([a-z_]+)>>")


def expand(pattern: str, guard: bool = False) -> str:
    """A pattern with each `<<name>>` written out: the `fragments` entry of that name, else that word list
    entry (a single regex, as `<<pledge_past>>`). `guard`: a fragment after the pattern's start is
    `guarded` (the same matches: sre backtracks into it after a repeat, and one class test then stands in
    for a try of each of its words)."""
    lists = load_table("wordlists.yaml")

    def written(m: re.Match[str]) -> str:
        fragment = lists["fragments"].get(m.group(1))
        if fragment is None:
            return lists[m.group(1)]
        return guarded(fragment) if guard and m.start() else fragment

    return FRAGMENT_RE.sub(written, pattern)


@cache
def table(name: str):
    """An entry of wordlists.yaml, each `<<fragment>>` in its patterns written out (`expand`)."""
    value = load_table("wordlists.yaml")[name]
    if isinstance(value, str):
        return expand(value, guard=True)
    return [expand(v, guard=True) for v in value] if isinstance(value, list) else value


def quoted(text: str, start: int) -> bool:
    """Whether `start` lies inside a quotation opened earlier in its sentence (someone else's words)."""
    before = text[max(0, start - 200):start]
    cut = max(before.rfind(stop) for stop in "。！？\n")
    before = before[cut + 1:]
    return before.count("“") > before.count("”")


def units(part: Node) -> list[Node]:
    """The smallest numbered units of a part (points, else sections, else the part)."""
    out = []
    for section in part.children or [part]:
        out.extend(section.children or [section])
    return out


def problem_points(doc: Document) -> list[Node]:
    """The units that must each carry a concrete case: points, or areas that have no points."""
    out = []
    for part in doc.parts("problems"):
        for section in part.children:
            out.extend(section.children or [section])
    return out


# A sentence ends at a stop (and any closing quotes or brackets right after it, which stay with it,
# as zhon.hanzi's sentence pattern keeps them) or at a line break. Written as one class first (a line
# break then ends it at once, `(?<=\n)`, and a stop takes any stops and closers after it): the matches
# of `[stops]+[closers]*|\n`, but sre skips by the class to each (an alternation it tries at every
# character), two to three times faster through a statement.
SENTENCE_END_RE = compile_re(r"[。！？!?；;…\n](?:(?<=\n)|[。！？!?；;…]*[」﹂”』’》）)\]］}｝〕〗〙〛〉】\"']*)")


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


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`list(sentences(text[start:end], start))`, without copying the slice: the pattern has no
    lookaround, so searching text between start and end finds what searching the slice finds."""
    out = []
    for m in SENTENCE_END_RE.finditer(text, start, end):
        if m.end() - start > 1:
            out.append((start, m.end()))
        start = m.end()
    if end - start > 1:
        out.append((start, end))
    return out


def lead_space(text: str, start: int, end: int) -> int:
    """How many characters of text[start:end] come before its first word (wordlists `sentence_lead`)."""
    return compile_re(table("sentence_lead")).match(text, start, end).end() - start


@cache
def _owning_up() -> Matcher:
    # Prefiltered: asked of nearly every sentence, and sre has no first-character map for the list.
    return prefiltered("|".join(table("owning_up")))


def owns_up(sentence: str) -> bool:
    """Whether a sentence names a shortcoming or its harm (wordlists `owning_up`; 解决…问题 is no shortcoming)."""
    return bool(_owning_up().search(compile_re(table("owning_up_neutral")).sub("", sentence)))


NON_CJK_RE = compile_re(r"[^\u4e00-\u9fff]+")  # what `facts.cjk` leaves out


def norm_sentences(ctx: Context) -> list[tuple[int, int, str]]:
    """(start, end, CJK characters) of each sentence of the document's norm, once per check."""
    norm = ctx.doc.norm
    return ctx.derived(
        "sentences:norm", lambda: [(s, e, cjk_between(norm, s, e)) for s, e in sentence_spans(norm, 0, len(norm))]
    )


# --- faster search for word lists --------------------------------------------------------------


class Prefiltered:
    """A compiled pattern whose `search` and `finditer` try it only where a match can begin.

    sre tries every branch of an alternation at every position of the text, unless each branch
    opens with a literal (then it skips ahead by a character map of its own). Word lists whose
    entries open with a lookbehind, a group or a class get no such map and cost a full attempt
    per character. `starts` matches every character a match can begin with (a superset: see
    `start_class`) and no match is empty, so trying the pattern at each such position in turn,
    from where the last match ended, finds the very matches `search` and `finditer` find.
    (A match's `pos` is where it was tried, not the caller's `pos`; nothing here reads it.)
    Every other method is the pattern's own.

    Where the class holds characters common in any statement, a Python step per candidate costs
    more than sre's own attempt: `search` and `finditer` then run `ahead`, the pattern behind a
    lookahead of the class, `(?=[…])(?:…)`, all in C. The lookahead fails at once where no match
    can begin and holds wherever one does, so the matches (spans and groups) are the same again.
    """

    __slots__ = ("_compiled", "_flags", "_source", "ahead", "starts")

    def __init__(self, source: str, flags: int, *, compiled: re.Pattern[str] | None = None,
                 starts: re.Pattern[str] | None = None, ahead: re.Pattern[str] | None = None) -> None:
        self._source, self._flags, self._compiled = source, flags, compiled
        self.starts = starts  # the class, to find candidates where there is no `ahead`
        self.ahead = ahead

    @property
    def pattern_obj(self) -> re.Pattern[str]:
        """The plain pattern, compiled when first asked for: with `ahead`, searching never needs it
        (and a start-up cache that holds only what runs stays small)."""
        if self._compiled is None:
            self._compiled = compile_re(self._source, self._flags)
        return self._compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """`re.Pattern.search`."""
        if self.ahead is not None:
            return self.ahead.search(string, pos, endpos)
        find, match = self.starts.search, self.pattern_obj.match
        while (at := find(string, pos, endpos)) is not None:
            m = match(string, at.start(), endpos)
            if m is not None:
                return m
            pos = at.start() + 1
        return None

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """`re.Pattern.finditer`."""
        if self.ahead is not None:
            return self.ahead.finditer(string, pos, endpos)
        return self._candidates(string, pos, endpos)

    def _candidates(self, string: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        """The matches, tried at each candidate (no match is empty, so the next search starts where a match ends)."""
        find, match = self.starts.search, self.pattern_obj.match
        while (at := find(string, pos, endpos)) is not None:
            m = match(string, at.start(), endpos)
            if m is None:
                pos = at.start() + 1
            else:
                yield m
                pos = m.end()

    def __getattr__(self, name: str):
        return getattr(self.pattern_obj, name)

    def __repr__(self) -> str:
        return f"Prefiltered({self.pattern_obj!r})"


Matcher = re.Pattern[str] | Prefiltered


# The 40 most frequent characters of the cleaned samples: a start class holding one of them has a
# candidate every few characters of a statement. (Only which of two equal ways is faster hangs on it.)
COMMON_CHARS = "，的、不。作在党工一实中有是对学和自够题习政上为面还主问深治思理要方持坚时力动了"
GLOBAL_FLAGS_RE = compile_re(r"\(\?[aiLmsux]+\)")


def prefiltered(pattern: str, flags: int = 0) -> Matcher:
    """`compile_re(pattern, flags)`, as a `Prefiltered` where that makes searching it cheaper."""
    starts = derived(_analysis_name(), pattern, flags, start_class)
    if not starts:
        split = derived(_analysis_name("split_guard"), pattern, flags, split_guard)
        return Prefiltered(pattern, flags, ahead=compile_re(split, flags)) if split else compile_re(pattern, flags)
    # (A verbose pattern's comment would swallow the closing parenthesis; a global flag opening the
    # pattern may not stand after the lookahead: both keep to candidates.)
    if compile_re(starts).search(COMMON_CHARS) and not flags & re.VERBOSE and not GLOBAL_FLAGS_RE.match(pattern):
        body = derived(_analysis_name("regrouped"), pattern, flags, regrouped) or pattern
        return Prefiltered(pattern, flags, ahead=compile_re(f"{lookahead(starts)}(?:{body})", flags))
    compiled = compile_re(pattern, flags)
    return Prefiltered(pattern, flags, compiled=compiled, starts=compile_re(starts, _class_flags(compiled.flags)))


def lookahead(starts: str) -> str:
    """A class from `start_class` or `first_class` as a lookahead, to stand inside a pattern (a
    case-insensitive class scoped as (?i:…): a global (?i) may only open a pattern)."""
    return f"(?=(?i:{starts[4:]}))" if starts.startswith("(?i)") else f"(?={starts})"


def guarded(pattern: str, flags: int = 0) -> str:
    """`(?:pattern)` behind a lookahead of its `first_class`, for use inside a longer pattern.

    The same matches: the lookahead holds wherever the pattern can match. Where sre backtracks into
    an alternation of words (after a repeat), one class test then stands in for a try of each word.
    """
    starts = derived(_analysis_name("first_class"), pattern, flags, first_class)
    return f"{lookahead(starts) if starts else ''}(?:{pattern})"


def split_guard(pattern: str, flags: int = 0) -> str:
    """The pattern as `(?=[C])(?:pattern)|(?:B)`, where B holds, in order, the alternatives at its top
    level with no `first_class` and C is the other alternatives' class; "" where that cannot be had.

    One entry of a word list that may begin with any CJK character (`[\\u4e00-\\u9fff]{1,4}率`) leaves
    the whole list without a start class, and sre then tries every entry at every character. Here it
    tries them all only where C holds: anywhere else no alternative outside B can match, and B's
    alternatives are tried in their order as before, so every search finds the same match. B must hold
    no group (group numbers and names stay those of the pattern).
    """
    if flags & re.VERBOSE or GLOBAL_FLAGS_RE.match(pattern):
        return ""
    pieces = _top_level_alternatives(pattern)
    classes = [first_class(p, flags) for p in pieces]
    broad = [p for p, c in zip(pieces, classes, strict=True) if not c]
    narrow = [p for p, c in zip(pieces, classes, strict=True) if c]
    if not broad or not narrow:
        return ""
    try:
        from re import _parser

        # Each piece compiles alone (the cut is sound, no piece refers to another's group)...
        groups = [re.compile(p, flags).groups for p in pieces]
        # ...B holds no group (after the pattern it renumbers nothing, but would name one twice) and
        # cannot match nothing (then there is no character to look ahead for: a pattern that matches
        # everywhere gains nothing).
        if any(n for n, c in zip(groups, classes, strict=True) if not c) \
                or any(_parser.parse(p, flags).getwidth()[0] == 0 for p in broad):
            return ""
    except Exception:  # noqa: BLE001 (a piece that needs the others; another Python's parser internals)
        return ""
    starts = first_class("|".join(f"(?:{p})" for p in narrow), flags)
    if not starts:
        return ""
    return f"{lookahead(starts)}(?:{pattern})|" + "|".join(f"(?:{p})" for p in broad)


# What may stand for a capturing group (an escaped or bracketed parenthesis too: a false alarm only
# leaves a pattern as it is), a backreference or a conditional group.
CAPTURE_RE = compile_re(r"\((?!\?)|\(\?P<|\(\?<(?![=!])")
BACKREF_RE = compile_re(r"\\[1-9]|\(\?P=|\(\?\(")
QUANTIFIERS = "?*+{"
SPECIAL = "\\.^$*+?{}[]|()"


def regrouped(pattern: str, flags: int = 0) -> str:
    """The pattern written so that sre passes over most of its alternatives with one comparison each;
    "" where it is left as it is (verbose, case-insensitive, global flags, backreferences).

    sre tries an alternation's alternatives one after the other at each place, and passes over one
    at once only where it opens with a literal character. So the alternatives at the top level, and
    those of a group opening one, are listed one by one (`(?:本|这)段|篇幅` → `本段|这段|篇幅`), and
    alternatives opening with the same character are joined under it (`本段|本篇` → `本(?:段|篇)`).
    Listing keeps the order of trial (`(?:A|B)R` tries A then B, each followed by R) and copies no
    group; an alternative joins an earlier one only past alternatives that cannot begin on its
    character, and one holding a group never moves: every search finds the same match, with the
    same groups.
    """
    if flags & (re.VERBOSE | re.IGNORECASE) or GLOBAL_FLAGS_RE.match(pattern) or BACKREF_RE.search(pattern):
        return ""
    alternatives = [a for piece in _top_level_alternatives(pattern) for a in _listed(piece, depth=4)]
    out: list[tuple[str | None, list[str]]] = []  # (the shared first character or None, alternatives)
    joinable: dict[str, int] = {}  # character -> the entry of `out` an alternative opening with it may join
    for alt in alternatives:
        literal, firsts = _opening(alt, flags)
        holds_group = bool(CAPTURE_RE.search(alt))
        if literal is not None and literal in joinable and not holds_group:
            out[joinable[literal]][1].append(alt)
            continue
        # What comes after an entry may not move ahead of this alternative where both can begin.
        if firsts is None:
            joinable.clear()
        else:
            for ch in firsts:
                joinable.pop(ch, None)
        out.append((literal, [alt]))
        if literal is not None and not holds_group:
            joinable[literal] = len(out) - 1
    return "|".join(group[0] if len(group) == 1 else f"{literal}(?:{'|'.join(a[1:] for a in group)})"
                    for literal, group in out)


def _listed(alt: str, depth: int) -> list[str]:
    """An alternative as the alternatives it tries in turn: an opening group of alternatives written
    out, `(?:x|y)rest` → `x rest`, `y rest` (not where the group is repeated or `rest` holds a group)."""
    if depth == 0 or not alt.startswith("(?:"):
        return [alt]
    end = _group_end(alt)
    rest = alt[end:]
    if end < 0 or rest[:1] and rest[0] in QUANTIFIERS or CAPTURE_RE.search(rest):
        return [alt]
    return [a for piece in _top_level_alternatives(alt[3:end - 1]) for a in _listed(piece + rest, depth - 1)]


def _structure(pattern: str):
    """Yield (index, character, depth before it) of each `(`, `)` and `|` of a pattern outside escapes and
    character classes: the shape `_group_end` and `_top_level_alternatives` read."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            # A `]` right after `[` or `[^` is a literal member, not the end of the class.
            i += 1 + (pattern.startswith("^", i + 1))
            if pattern.startswith("]", i):
                i += 1
            continue
        elif ch in "()|":
            yield i, ch, depth
            depth += (ch == "(") - (ch == ")")
        i += 1


def _group_end(pattern: str) -> int:
    """Where the group opening `pattern` ends (after its `)`), or -1."""
    return next((i + 1 for i, ch, depth in _structure(pattern) if ch == ")" and depth == 1), -1)


def _opening(alt: str, flags: int) -> tuple[str | None, frozenset[str] | None]:
    """(the plain character an alternative opens with, else None; every character it can begin with,
    None where that is not told: it may then begin anywhere)."""
    try:
        from re import _constants, _parser

        parsed = _parser.parse(alt, flags)
        literal = alt[0] if len(parsed) and parsed[0][0] is _constants.LITERAL and alt[0] not in SPECIAL \
            and chr(parsed[0][1]) == alt[0] and alt[1:2] not in tuple(QUANTIFIERS) else None
        items, nullable, ignorecase = _first(parsed, _constants)
        chars: set[str] = set()
        for op, av in items:
            if op is _constants.LITERAL:
                chars.add(chr(av))
            elif op is _constants.RANGE and av[1] - av[0] < MAX_RANGE:
                chars.update(map(chr, range(av[0], av[1] + 1)))
            else:
                return literal, None
        return literal, None if nullable or ignorecase else frozenset(chars)
    except Exception:  # noqa: BLE001 (_Unknown, a piece that needs the others, another Python's internals)
        return None, None


def _top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` cut at each `|` outside any group and character class (the pieces join back to it)."""
    cuts = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    return [pattern[a:b] for a, b in zip([0, *(c + 1 for c in cuts)], [*cuts, len(pattern)], strict=True)]


@cache
def _analysis_name(kind: str = "start_class") -> str:
    """The disk cache's name for `start_class` (or `first_class`): it names this file's exact text,
    so an edit to the analysis never meets a class the earlier code worked out."""
    import hashlib
    from pathlib import Path

    return f"{kind}@" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _class_flags(flags: int) -> int:
    return flags & (re.IGNORECASE | re.ASCII)


class _Unknown(Exception):
    """The pattern holds something whose first character cannot be told (., [^…], a backreference)."""


# Only narrow classes: where most characters of a text can begin a match, a prefilter costs more.
_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s"}
MAX_RANGE = 64


def start_class(pattern: str, flags: int) -> str:
    """A character class matching every character a match of the pattern can begin with, or "".

    "" when no such class can be told, when the pattern can match the empty string, when sre
    skips ahead by itself (a literal prefix or a first-character map) or when the class is broad
    (any CJK character, \\w): a prefilter would only add work then. A part under (?i) makes the
    whole class case-insensitive, which only widens it.
    """
    return _first_class(pattern, flags, skip_own_map=True)


def first_class(pattern: str, flags: int = 0) -> str:
    """`start_class` even where sre skips ahead by itself: to guard the pattern inside another one,
    where sre has no map of its own; "" where it cannot be told or the pattern can match nothing."""
    return _first_class(pattern, flags, skip_own_map=False)


def _first_class(pattern: str, flags: int, skip_own_map: bool) -> str:
    if flags & (re.ASCII | re.LOCALE):
        return ""
    try:
        from re import _compiler, _constants, _parser

        parsed = _parser.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:
            return ""
        if skip_own_map and (_compiler._get_literal_prefix(parsed, flags)[0]
                             or _compiler._get_charset_prefix(parsed, flags)):
            return ""
        items, nullable, ignorecase = _first(parsed, _constants)
        parts = set()
        for op, av in items:
            if op is _constants.LITERAL:
                parts.add(_escape(av))
            elif op is _constants.RANGE and av[1] - av[0] < MAX_RANGE:
                parts.add(f"{_escape(av[0])}-{_escape(av[1])}")
            elif op is _constants.CATEGORY and str(av) in _CATEGORIES:
                parts.add(_CATEGORIES[str(av)])
            else:
                return ""
    except _Unknown:
        return ""
    except Exception:  # noqa: BLE001 (another Python's parser internals: no prefilter, plain search)
        return ""
    if nullable or not parts:
        return ""
    return ("(?i)" if ignorecase and not flags & re.IGNORECASE else "") + "[" + "".join(sorted(parts)) + "]"


def _escape(code: int) -> str:
    """A character as an escape that means that character inside a class, whatever it is."""
    ch = chr(code)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _first(seq, k) -> tuple[list, bool, bool]:
    """(class items a match of `seq` can begin with, whether `seq` can consume nothing, any (?i)).

    `k` is `re._constants`. Lookarounds and anchors consume nothing, so they are passed over: the
    items then cover at least every character that can come first.
    """
    items: list = []
    ignorecase = False
    for op, av in seq:
        if op is k.LITERAL:
            return [*items, (op, av)], False, ignorecase
        if op is k.IN:
            if any(o is k.NEGATE for o, _ in av):
                raise _Unknown
            return items + list(av), False, ignorecase
        if op in (k.AT, k.ASSERT, k.ASSERT_NOT):
            continue
        if op is k.BRANCH:
            nullable = False
            for alternative in av[1]:
                found, empty, case = _first(alternative, k)
                items += found
                nullable |= empty
                ignorecase |= case
        elif op is k.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            if (add_flags | del_flags) & (re.ASCII | re.LOCALE):
                raise _Unknown
            found, nullable, case = _first(sub, k)
            items += found
            ignorecase |= case or bool(add_flags & re.IGNORECASE)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, getattr(k, "POSSESSIVE_REPEAT", k.MAX_REPEAT)):
            low, _, sub = av
            found, empty, case = _first(sub, k)
            items += found
            nullable = low == 0 or empty
            ignorecase |= case
        elif op is getattr(k, "ATOMIC_GROUP", None):
            found, nullable, case = _first(av, k)
            items += found
            ignorecase |= case
        else:
            raise _Unknown  # any character, [^…], a backreference, a conditional group
        if not nullable:
            return items, False, ignorecase
    return items, True, ignorecase
