"""The second reader: a linear model over character n-grams that reads each sentence and clause for the
faults the word lists name, in wordings no list holds (一句话以“科里几位年轻医生”开头, 成绩 in new verbs).

Word lists catch the shapes someone has seen; each new writer finds new words for the same fault. The
model (`agent/data/second_reader_weights.json`, trained by `benchmarks/train_second_reader.py` on the
planted-defect wordings against sentences of real statements) scores what the words of a unit lean towards. Its findings
are `info` and say they are a prompt to look again: a statistical reading is never an error that fails a
document or sends a draft back. A unit is reported only where its label's gate holds (a group subject
names no 我; 成绩 owns up to nothing) and no pattern rule for the same fault already found it (`defers_to`).
The labels, gates, thresholds and messages are data: `agent/data/second_reader.yaml`.
"""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path

from agent.diskcache import compile_re, derived_data
from agent.resources import DATA_DIR, load_table
from agent.rules import Context, rule
from agent.rules.helpers import expand, lead_space, owns_up, sentence_spans

KEEP_RE = compile_re(r"[^\u4e00-\u9fffA-Za-z0-9“”【】（）：]+")  # what a unit's grams skip
DIGIT_RE = compile_re(r"[0-9０-９]")  # every figure reads as 0
CLAUSE_END_RE = compile_re(r"[，,；;：:]")
MIN_UNIT_CJK = 4  # shorter than this is a heading's tail or a list word: too little to read


# The weights file keeps three decimals, so every weight is a whole number of thousandths, and a unit's
# score for all labels at once is one sum of integers: each gram's row packed into one int, FIELD bits a
# label. Summed exactly (no float rounding, no dependence on set order) and in C (`sum(map(...))`), which
# is what lets the reader score every sentence and clause of a long statement in a few milliseconds.
SCALE = 1000
FIELD = 32  # a unit's summed thousandths per label stay far inside ±2^31 (a weight is under 10, a unit under 10^3 grams)


def pack(row: list[float] | tuple[float, ...]) -> int:
    """A weight row as one int: label i's weight, in thousandths, in bits FIELD·i to FIELD·(i+1) (signed)."""
    return sum(round(v * SCALE) << (FIELD * i) for i, v in enumerate(row))


def unpack(total: int, n: int) -> list[float]:
    """The n per-label sums held in a sum of packed rows (each field signed, carries undone)."""
    out = []
    for _ in range(n):
        field = total & ((1 << FIELD) - 1)
        if field >> (FIELD - 1):
            field -= 1 << FIELD
        out.append(field / SCALE)
        total = (total - field) >> FIELD
    return out


@dataclass(frozen=True)
class Model:
    """The trained weights: labels (the first is `none`), a bias per label, each n-gram's row `pack`ed."""

    labels: tuple[str, ...]
    bias: tuple[float, ...]
    rows: dict[str, int]
    orders: tuple[int, ...]

    @classmethod
    def from_weights(cls, data: dict) -> Model:
        """The model a weights file (as `train_second_reader.weights_file` writes it) describes."""
        return cls(tuple(data["labels"]), tuple(data["bias"]), {g: pack(r) for g, r in data["weights"].items()},
                   tuple(data["orders"]))


@cache
def model() -> Model:
    """The weights file, read once; its packed rows kept in the start-up cache (packing takes longer than a
    check of a whole statement, reading them back a tenth of that)."""
    raw = (DATA_DIR / "second_reader_weights.json").read_bytes()

    def compute() -> dict:
        data = json.loads(raw)
        return {**data, "weights": None, "rows": Model.from_weights(data).rows}

    data = derived_data("second_reader_rows", [raw, Path(__file__).read_bytes()], compute)
    return Model(tuple(data["labels"]), tuple(data["bias"]), data["rows"], tuple(data["orders"]))


def grams(unit: str, orders: tuple[int, ...] = (1, 2)) -> set[str]:
    """The distinct character n-grams of a unit, punctuation and spaces dropped, every digit read as 0 (a
    figure, not which figure, is what a sentence's kind may turn on), its ends marked ^ and $."""
    text = KEEP_RE.sub("", unit)
    if DIGIT_RE.search(text):
        text = DIGIT_RE.sub("0", text)
    text = "^" + text + "$"
    out = set(text) if 1 in orders else set()
    if 2 in orders:  # built in C: the pairs of each character and the next
        out.update(map(operator.add, text, text[1:]))
    out.update(text[i:i + n] for n in orders if n > 2 for i in range(len(text) - n + 1))
    return out


def probabilities(unit: str, m: Model | None = None, among: frozenset[str] | None = None) -> dict[str, float]:
    """The model's probability of each label for a unit of text; with `among`, of `none` and those labels only
    (the faults a part can hold: a clause of the problems is never asked whether it is an excuse)."""
    m = m or model()
    sums = unpack(sum(map(m.rows.get, grams(unit, m.orders), repeat(0))), len(m.labels))
    scores = {label: b + s for label, b, s in zip(m.labels, m.bias, sums, strict=True)
              if among is None or label == m.labels[0] or label in among}
    top = max(scores.values())
    exps = {label: math.exp(s - top) for label, s in scores.items()}
    total = sum(exps.values())
    return {label: e / total for label, e in exps.items()}


def unit_spans(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence in norm[start:end] and, when it has several, of each of its clauses."""
    out = []
    for s, e in sentence_spans(norm, start, end):
        s += lead_space(norm, s, e)
        out.append((s, e))
        cuts = [m.end() for m in CLAUSE_END_RE.finditer(norm, s, e)]
        if cuts and cuts[-1] < e:
            cuts.append(e)
        if len(cuts) > 1:
            out.extend(zip([s, *cuts[:-1]], cuts, strict=True))
    return [(s, e) for s, e in out if len(KEEP_RE.sub("", norm[s:e])) >= MIN_UNIT_CJK]


@dataclass(frozen=True)
class Spec:
    """One label the reader reports: where it reads, how sure it must be, what the unit must (not) hold."""

    label: str
    rule: str
    category: str
    parts: tuple[str, ...]
    threshold: float
    message: str
    summary: str
    defers_to: tuple[str, ...] = ()
    voice: str = ""  # personal / group: read only statements of that voice
    requires: str = ""
    forbids: str = ""
    owns_up: bool | None = None  # False: only a unit naming no shortfall; None: either

    def admits(self, unit: str) -> bool:
        """Whether the gate lets a unit through: the words it needs, none it forbids, owning up as asked."""
        return (not self.requires or bool(compile_re(self.requires).search(unit))) \
            and not (self.forbids and compile_re(self.forbids).search(unit)) \
            and (self.owns_up is None or owns_up(unit) == self.owns_up)


@cache
def specs() -> tuple[Spec, ...]:
    """The labels of second_reader.yaml, in its order, their gates' `<<name>>`s written out."""
    def value(key: str, v):
        return tuple(v) if isinstance(v, list) else expand(v) if key in ("requires", "forbids") else v

    return tuple(Spec(label=label, **{k: value(k, v) for k, v in fields.items()})
                 for label, fields in load_table("second_reader.yaml")["labels"].items())


def reading(ctx: Context) -> list[tuple[Spec, int, int, float]]:
    """(spec, start, end, probability) of each unit the reader flags in this document, the smallest unit
    where a sentence and its clause are both flagged for the same label."""
    def compute() -> list[tuple[Spec, int, int, float]]:
        norm = ctx.doc.norm
        active = [spec for spec in specs() if not spec.voice or spec.voice == ctx.doc.kind.voice]
        hits: dict[str, list[tuple[int, int, float]]] = {spec.label: [] for spec in active}
        for kind in dict.fromkeys(k for spec in active for k in spec.parts):
            readers = [spec for spec in active if kind in spec.parts]
            # Weighed against every label the part can hold, whatever this statement's voice reports, as
            # the thresholds were chosen (train_second_reader.part_labels).
            among = frozenset(spec.label for spec in specs() if kind in spec.parts)
            for part in ctx.doc.parts(kind):
                for s, e in unit_spans(norm, part.body_start, part.end):
                    unit, probs = norm[s:e], None
                    for spec in readers:  # the gates first: a unit none admits is never scored
                        if spec.admits(unit):
                            probs = probs or probabilities(unit, among=among)
                            if probs[spec.label] >= spec.threshold:
                                hits[spec.label].append((s, e, probs[spec.label]))
        return [(spec, s, e, p) for spec in active for s, e, p in hits[spec.label]
                if not any((a, b) != (s, e) and s <= a and b <= e for a, b, _ in hits[spec.label])]

    return ctx.derived("second_reader", compute)


def _register(spec: Spec) -> None:
    """Register the rule that reports a spec's label."""
    def read(ctx: Context, r):
        for found, s, e, _ in reading(ctx):
            if found.label != spec.label:
                continue
            node = ctx.doc.get(ctx.section_of(s))
            where = ctx.label(node) if node is not None and node.kind in ("section", "point") else ""
            yield ctx.finding(r, spec.message.format(where=where, excerpt=ctx.doc.text[s:e].strip()[:18]), s, e)

    read.__doc__ = spec.summary
    rule(spec.rule, spec.category, "info", defers_to=spec.defers_to)(read)  # type: ignore[arg-type]


for _spec in specs():
    _register(_spec)
