"""What a draft cost, from its run folder(s): prompt tokens per output 字, revision share, wall time.

    .venv/bin/python benchmarks/draft_cost.py runs/20261124-090914 [more run folders…]

Goals (issue #11): prompt tokens per output 字 ≤ 4; tokens spent on revisions, fallbacks and fills ≤ 0.3 × the
first versions'; a complete 3,000-字 draft on the local 1.5B model on a 2-core machine within 10 minutes.
A run folder holds report.json (every call's step, tokens and seconds) and draft.txt.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.facts import cjk_count  # noqa: E402

LATER = (":revise", ":again", ":more", ":reask")  # revision rounds, fallback re-asks, fills, JSON re-asks


def cost(run: Path) -> dict:
    """The cost figures of one finished run folder."""
    data = json.loads((run / "report.json").read_text(encoding="utf-8"))
    chars = cjk_count((run / "draft.txt").read_text(encoding="utf-8"))
    calls = data["calls"]
    first = sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls if not c["step"].endswith(LATER))
    later = sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls if c["step"].endswith(LATER))
    prompt = sum(c["prompt_tokens"] for c in calls)
    return {"run": run.name, "字": chars, "calls": len(calls), "prompt_per_char": round(prompt / max(chars, 1), 2),
            "revision_share": round(later / max(first, 1), 2), "model_seconds": round(sum(c["seconds"] for c in calls), 1),
            "repairs": len(data["report"].get("repairs", [])), "fallbacks": len(data["report"].get("fallbacks", []))}


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip())
        return 2
    print(f"{'run':24} {'字':>6} {'calls':>5} {'prompt/字':>9} {'revision':>8} {'seconds':>8} {'repairs':>7} {'fallbacks':>9}")
    for name in argv:
        c = cost(Path(name))
        print(f"{c['run']:24} {c['字']:>6} {c['calls']:>5} {c['prompt_per_char']:>9} {c['revision_share']:>8} "
              f"{c['model_seconds']:>8} {c['repairs']:>7} {c['fallbacks']:>9}")
    print("goals: prompt/字 ≤ 4, revision ≤ 0.3, a 3000-字 draft within 600 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
