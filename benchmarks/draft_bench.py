"""Benchmark the draft chain at concurrency 1 and 4 beside a single-prompt draft of the same notes.

Prints wall time, prompt and completion tokens per output 字, revision rounds, and — when the
server's log is given — how much of each prompt the server's prompt cache reused
(llama-cpp-python logs `N prefix-match hit, remaining M prompt tokens to eval`).

Simulated remote service (benchmarks/latency_server.py answering from the eval recordings):
    .venv/bin/python benchmarks/draft_bench.py evals/cases/zhuti-2023-sparse.yaml \
        --simulate evals/sessions/zhuti-2023-sparse.chain.yaml evals/sessions/zhuti-2023-sparse.single.yaml
Live local server (with `duizhao serve-local … 2> server.log` up; concurrency 1 only makes sense there):
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
    line = (f"{label:10} wall {wall:6.1f} s | {chars} 字 | prompt {t['prompt_tokens']} ({t['prompt_tokens'] / chars:.2f}/字)"
            f" | completion {t['completion_tokens']} ({t['completion_tokens'] / chars:.2f}/字) | calls {t['calls']}"
            f" | revision rounds {rounds}")
    if log:
        reused, evaluated = cache_reuse(log, offset)
        total = reused + evaluated
        line += f" | prompt cache reuse {reused}/{total} ({100 * reused / max(total, 1):.0f}%)"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("notes", type=Path, help="notes YAML, or an eval case (its `notes:`)")
    parser.add_argument("--server-log", type=Path)
    parser.add_argument("--max-rounds", type=int, default=1)
    parser.add_argument("--simulate", type=Path, nargs="+", help="recordings for benchmarks/latency_server.py")
    parser.add_argument("--ttft", type=float, default=None)
    parser.add_argument("--tps", type=float, default=None)
    args = parser.parse_args()
    notes = _notes(args.notes)
    theme = get_theme(notes.meeting.theme)
    settings = resolve_settings(provider="local")
    texts = {}

    def chain(concurrency: int):
        def go():
            llm = LLM(settings.model_copy(update={"concurrency": concurrency}))
            with tempfile.TemporaryDirectory() as tmp:
                result = Chain(llm, notes, theme, run=Run.create(Path(tmp)), max_rounds=args.max_rounds).draft()
            texts[concurrency] = result.text
            return result.text, llm.meter, sum(s.rounds for s in result.sections)
        return go

    def single():
        llm = LLM(settings)
        return single_prompt_draft(llm, notes, theme), llm.meter, 0

    if not args.simulate:
        run("chain", chain(1), args.server_log)
        run("single", single, args.server_log)
        return
    from benchmarks.latency_server import TOKENS_PER_SECOND, TTFT, LatencyServer, load_recordings

    ttft, tps = args.ttft or TTFT, args.tps or TOKENS_PER_SECOND
    with LatencyServer(load_recordings(args.simulate), ttft, tps) as server:
        settings = settings.model_copy(update={"base_url": server.base_url})
        print(f"simulated remote service: TTFT {ttft} s, {tps} tokens/s (benchmarks/latency_server.py)")
        for label, fn in (("chain c=1", chain(1)), ("chain c=4", chain(4)), ("single", single)):
            server.reset()
            run(label, fn, None)
            print(f"{'':10}requests {server.served}, not in the recording (nearest reply used) {server.misses}, peak in flight {server.peak}")
    print(f"same draft text at concurrency 1 and 4: {texts.get(1) == texts.get(4)}")


def _notes(path: Path):
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "notes" in data and "meeting" not in data:
        from agent.notes import Notes

        return Notes.model_validate(data["notes"])
    return load_notes(path)


if __name__ == "__main__":
    main()
