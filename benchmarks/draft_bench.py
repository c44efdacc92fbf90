"""Benchmark the draft chain against a live server, beside a single-prompt draft of the same notes.

Prints wall time, prompt and completion tokens per output 字, revision rounds, and — when the
server's log is given — how much of each prompt the server's prompt cache reused
(llama-cpp-python logs `N prefix-match hit, remaining M prompt tokens to eval`).

Run (with `duizhao serve-local … 2> server.log` up):
    .venv/bin/python benchmarks/draft_bench.py examples/2023-zhuti.yaml --server-log server.log
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from agent.baseline import single_prompt_draft
from agent.chain import Chain
from agent.facts import cjk_count
from agent.llm import LLM
from agent.notes import load_notes
from agent.runs import Run
from agent.settings import resolve_settings
from agent.themes import get_theme

HIT_RE = re.compile(r"(\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")


def cache_reuse(log: Path, offset: int) -> tuple[int, int]:
    """(reused, evaluated) prompt tokens logged after byte `offset`."""
    text = log.read_text(encoding="utf-8", errors="replace")[offset:]
    hits = [(int(a), int(b)) for a, b in HIT_RE.findall(text)]
    return sum(a for a, _ in hits), sum(b for _, b in hits)


def run(label: str, fn, log: Path | None) -> None:
    offset = log.stat().st_size if log else 0
    start = time.perf_counter()
    text, meter, rounds = fn()
    wall = time.perf_counter() - start
    chars = cjk_count(text)
    t = meter.totals()
    line = (f"{label:8} wall {wall:6.1f} s | {chars} 字 | prompt {t['prompt_tokens']} ({t['prompt_tokens'] / chars:.2f}/字)"
            f" | completion {t['completion_tokens']} ({t['completion_tokens'] / chars:.2f}/字) | calls {t['calls']}"
            f" | revision rounds {rounds}")
    if log:
        reused, evaluated = cache_reuse(log, offset)
        total = reused + evaluated
        line += f" | prompt cache reuse {reused}/{total} ({100 * reused / max(total, 1):.0f}%)"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("notes", type=Path)
    parser.add_argument("--server-log", type=Path)
    parser.add_argument("--max-rounds", type=int, default=1)
    args = parser.parse_args()
    notes = load_notes(args.notes)
    theme = get_theme(notes.meeting.theme)
    settings = resolve_settings(provider="local")

    def chain():
        llm = LLM(settings)
        with tempfile.TemporaryDirectory() as tmp:
            result = Chain(llm, notes, theme, run=Run.create(Path(tmp)), max_rounds=args.max_rounds).draft()
        return result.text, llm.meter, sum(s.rounds for s in result.sections)

    def single():
        llm = LLM(settings)
        return single_prompt_draft(llm, notes, theme), llm.meter, 0

    run("chain", chain, args.server_log)
    run("single", single, args.server_log)


if __name__ == "__main__":
    main()
