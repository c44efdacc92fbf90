"""Train the second reader (agent/rules/second_reader.py): writes agent/data/second_reader_weights.json.

Run: `.venv/bin/python benchmarks/train_second_reader.py [FOLDER ...] [--cv]` (numpy: `pip install -e '.[dev]'`).

- Positives: the planted-defect wordings of `benchmarks/perturb.py` (DEFECTS) whose kind is a label of
  agent/data/second_reader.yaml: our own wordings, each a clause or sentence as a writer would put it.
- Negatives (label `none`): every sentence and clause of the opening, problems, causes and measures of
  real statements (default: ../shared/corpus, ../corpus/real and the two cleaned samples); the genre's
  signposts and near misses (second_reader_negatives.yaml, our words); the problem summaries and facts of
  our own notes (examples/, evals/cases/, tests/data/: shortfalls with dates and figures, which sites'
  masked copies lack). The corpus stays outside the repo; only the weights, one row per character
  n-gram, are written into it.
- The model: softmax regression on the set of character 1- and 2-grams of a unit (second_reader.grams),
  classes weighted to balance, L2 1e-3, full-batch Adam for a fixed number of steps from zeros: the same data
  gives the same weights.
- `--cv`: four folds (documents for negatives, wordings for positives), each trained on the other three;
  prints per label, for each threshold, the share of held-out wordings caught and the held-out real units
  flagged (after the label's gate), to choose thresholds. A blind round is never trained or tuned on.

Documents kept out of training (../corpus/real2) measure precision on statements the reader never saw.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.normalize import repair_extraction  # noqa: E402
from agent.parser import parse_text  # noqa: E402
from agent.rules.second_reader import Model, Spec, grams, probabilities, specs, unit_spans  # noqa: E402
from benchmarks.check_quality import DEFAULT_FOLDERS, corpus_text  # noqa: E402
from benchmarks.perturb import DEFECTS  # noqa: E402

OUT = ROOT / "agent" / "data" / "second_reader_weights.json"
ORDERS = (1, 2)
L2 = 1e-3
STEPS = 400
RATE = 0.05
MIN_COUNT = 2  # an n-gram seen once in training carries no weight
KEEP_WEIGHT = 0.02  # a row whose largest weight is below this changes no decision: left out of the file
PARTS = ("opening", "problems", "causes", "measures")


def document_units(text: str) -> list[tuple[str, str, str]]:
    """(part kind, statement voice, unit) of each unit the reader reads in a statement: sentences and clauses
    of its parts, with the voice (personal or group) a label may be limited to."""
    text = repair_extraction(text)
    doc = parse_text(text)
    return [(kind, doc.kind.voice, doc.norm[s:e]) for kind in PARTS for part in doc.parts(kind)
            for s, e in unit_spans(doc.norm, part.body_start, part.end)]


def own_negatives() -> list[str]:
    """Negatives in our own words: signposts and near misses (second_reader_negatives.yaml), note lines."""
    import yaml

    table = yaml.safe_load((ROOT / "benchmarks" / "second_reader_negatives.yaml").read_text(encoding="utf-8"))
    return table["signposts"] + table["near_misses"] + note_lines()


def note_lines() -> list[str]:
    """Every problem summary and fact of our own (fictional) notes: shortfalls told with dates and figures,
    the sentences a statement's cases are made of (全年只走访了1次 is a shortfall, not 成绩)."""
    import yaml

    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("summary", "facts", "hints", "fact") and isinstance(value, str | list):
                    out.extend([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in [*ROOT.glob("examples/*.yaml"), *ROOT.glob("evals/cases/*.yaml"), *ROOT.glob("tests/data/*.yaml")]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [line for line in out if len(line) >= 4]


def positives(labels: list[str]) -> list[tuple[str, str]]:
    """(label, wording) of each planted-defect wording of a kind the reader reports."""
    return [(kind, w.strip()) for kind, _, _, wordings in DEFECTS if kind in labels for w in wordings]


def train(units: list[str], targets: list[int], n_labels: int):
    """Softmax regression weights (vocabulary, W, b) for units with integer targets (numpy arrays)."""
    import numpy as np

    sets = [grams(u, ORDERS) for u in units]
    counts = Counter(g for s in sets for g in s)
    vocab = {g: i for i, g in enumerate(sorted(g for g, c in counts.items() if c >= MIN_COUNT))}
    x = np.zeros((len(units), len(vocab)), dtype=np.float32)
    for i, s in enumerate(sets):
        x[i, [vocab[g] for g in s if g in vocab]] = 1.0
    y = np.zeros((len(units), n_labels), dtype=np.float32)
    y[np.arange(len(units)), targets] = 1.0
    balance = len(units) / (n_labels * np.bincount(targets, minlength=n_labels).clip(1))
    sample = balance[targets].astype(np.float32)
    w = np.zeros((len(vocab), n_labels), dtype=np.float32)
    b = np.zeros(n_labels, dtype=np.float32)
    moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    for t in range(1, STEPS + 1):
        z = x @ w + b
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        g = (p - y) * sample[:, None] / sample.sum()
        for k, (param, grad) in enumerate(((w, x.T @ g + L2 * w), (b, g.sum(0)))):
            m, v = moments[2 * k], moments[2 * k + 1]
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= RATE * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return vocab, w, b


def weights_file(labels: list[str], vocab: dict[str, int], w, b) -> dict:
    """The JSON the reader loads: labels, bias, and the rows that can move a decision, rounded."""
    rows = {g: [round(float(v), 3) for v in w[i]] for g, i in vocab.items() if abs(w[i]).max() >= KEEP_WEIGHT}
    return {"labels": labels, "orders": list(ORDERS), "bias": [round(float(v), 3) for v in b], "weights": rows}


def corpus(folders: list[Path]) -> dict[str, list[tuple[str, str, str]]]:
    """Units of each statement in the folders, by file name."""
    files = sorted(p for folder in folders for p in folder.glob("*.txt"))
    return {p.name: document_units(corpus_text(p)) for p in files}


def part_labels(chosen: list[Spec], kind: str) -> frozenset[str]:
    """The labels read in a part, as `second_reader.reading` weighs them: a wording counts against those of the
    first part its label reads (a planted group subject stands in a problem point)."""
    return frozenset(spec.label for spec in chosen if kind in spec.parts)


def cross_validate(docs: dict[str, list[tuple[str, str, str]]], labels: list[str], chosen: list[Spec]) -> None:
    """Print, per label and threshold, held-out wordings caught and held-out real units flagged."""
    pos = positives(labels[1:])
    names = sorted(docs)
    thresholds = (0.5, 0.6, 0.7, 0.8, 0.9)
    caught, tried, flagged, read = Counter(), Counter(), Counter(), 0
    for fold in range(4):
        held = set(names[fold::4])
        units = [u for n in names if n not in held for _, _, u in docs[n]] + own_negatives()
        train_pos = [p for i, p in enumerate(pos) if i % 4 != fold]
        vocab, w, b = train(units + [u for _, u in train_pos], [0] * len(units)
                            + [labels.index(k) for k, _ in train_pos], len(labels))
        data = weights_file(labels, vocab, w, b)
        m = Model.from_weights(data)
        for spec in chosen:
            for _, u in (p for i, p in enumerate(pos) if i % 4 == fold and p[0] == spec.label):
                tried[spec.label] += 1
                pr = probabilities(u, m, among=part_labels(chosen, spec.parts[0]))[spec.label]
                for th in thresholds:
                    caught[spec.label, th] += pr >= th and spec.admits(u)
        for kind, voice, u in (unit for n in held for unit in docs[n]):
            read += 1
            pr = probabilities(u, m, among=part_labels(chosen, kind))
            for spec in (s for s in chosen if kind in s.parts and s.voice in ("", voice)):
                for th in thresholds:
                    flagged[spec.label, th] += pr[spec.label] >= th and spec.admits(u)
    print(f"{read} held-out real units; wordings per label: {dict(tried)}")
    for spec in chosen:
        row = "  ".join(f"{th}: {caught[spec.label, th]}/{tried[spec.label]} fp {flagged[spec.label, th]}"
                        for th in thresholds)
        print(f"{spec.label:26} {row}")


def main(argv: list[str]) -> None:
    folders = [Path(a) for a in argv if not a.startswith("-")] or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    chosen = specs()
    labels = ["none"] + [s.label for s in chosen]
    docs = corpus(folders)
    print(f"{len(docs)} statements, {sum(map(len, docs.values()))} units; "
          f"{len(positives(labels[1:]))} planted wordings", file=sys.stderr)
    if "--cv" in sys.argv:
        cross_validate(docs, labels, chosen)
        return
    units = [u for us in docs.values() for _, _, u in us] + own_negatives()
    pos = positives(labels[1:])
    vocab, w, b = train(units + [u for _, u in pos], [0] * len(units) + [labels.index(k) for k, _ in pos],
                        len(labels))
    data = weights_file(labels, vocab, w, b)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(data['weights'])} n-grams of {len(vocab)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
