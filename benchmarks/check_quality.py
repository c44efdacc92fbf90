"""Precision of `check` on real statements: per rule, how many findings, and what share a reviewer agrees with.

Run: `.venv/bin/python benchmarks/check_quality.py [FOLDER ...] [--unjudged]`. With no folder it reads
`../shared/corpus`, `../corpus/real` when present (real documents collected from public pages and
kept outside the repo) and the two cleaned samples in `fewshot/clean` (whole statements). The verdicts are `benchmarks/verdicts.yaml`: our reading of each finding
(true / false / arguable), keyed by file name, rule and the finding's excerpt. `--unjudged` lists the
findings that have no verdict yet, in the form the file takes, so the file can be kept up to date as
rules change. Prints figures, asserts nothing.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.check import check_document, resolve_theme  # noqa: E402
from agent.parser import parse_text  # noqa: E402

# The two cleaned samples are real, whole statements: the one place to see that a complete document
# gets no false structure finding.
DEFAULT_FOLDERS = [ROOT.parent / "shared" / "corpus", ROOT.parent / "corpus" / "real", ROOT / "fewshot" / "clean"]
VERDICTS = ROOT / "benchmarks" / "verdicts.yaml"


def corpus_text(path: Path) -> str:
    """A corpus file's text without its `# ` header lines (source, year, habits)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and (lines[0].startswith("# ") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def findings_of(path: Path) -> list:
    """Check one corpus file as `duizhao check` would (hard wraps repaired, kind and theme inferred)."""
    doc = parse_text(corpus_text(path), source=path.name, repair=True)
    return check_document(doc, theme=resolve_theme(doc, None, None)).findings


def key(name: str, finding) -> str:
    """How a verdict names a finding: file, rule and a hash of its excerpt (the repo keeps no real text)."""
    digest = hashlib.sha1("".join(finding.excerpt.split()).encode("utf-8")).hexdigest()[:10]
    return f"{name}|{finding.rule}|{digest}"


def main(argv: list[str]) -> None:
    unjudged_only = "--unjudged" in argv
    folders = [Path(a) for a in argv if not a.startswith("--")] or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    verdicts = (yaml.safe_load(VERDICTS.read_text(encoding="utf-8")) or {}) if VERDICTS.exists() else {}
    tally: dict[str, Counter] = defaultdict(Counter)
    files = sorted(p for folder in folders for p in folder.glob("*.txt"))
    missing = []
    for path in files:
        for f in findings_of(path):
            verdict = {True: "true", False: "false"}.get(verdicts.get(key(path.name, f)), verdicts.get(key(path.name, f)))
            tally[f.rule][verdict or "unjudged"] += 1
            if verdict is None:
                missing.append((key(path.name, f), f.message))
    if unjudged_only:
        for k, message in missing:
            print(f"{k}: true  # {message}")
        return
    print(f"{len(files)} documents from {', '.join(str(f) for f in folders)}")
    print(f"{'rule':32} {'found':>5} {'true':>5} {'false':>5} {'argu.':>5} {'unjud':>5} {'% true':>7}")
    total = Counter()
    for rule in sorted(tally):
        c = tally[rule]
        total.update(c)
        print(f"{rule:32} {sum(c.values()):5} {c['true']:5} {c['false']:5} {c['arguable']:5} {c['unjudged']:5} "
              f"{_share(c):>7}")
    print(f"{'all':32} {sum(total.values()):5} {total['true']:5} {total['false']:5} {total['arguable']:5} "
          f"{total['unjudged']:5} {_share(total):>7}")


def _share(c: Counter) -> str:
    judged = c["true"] + c["false"]
    return f"{100 * c['true'] / judged:.0f}%" if judged else "-"


if __name__ == "__main__":
    main(sys.argv[1:])
