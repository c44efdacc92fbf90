"""Benchmark `duizhao check`: one document as a whole process, 200 in one batch, ratios, peak memory.

Run: `make bench` (or `.venv/bin/python benchmarks/check_bench.py [runs]`). Prints figures, asserts
nothing: these machines are shared and noisy, so targets are read, not tested. Goals (issue #10):
one document within 2x a bare `python -c "import typer, pydantic"`, 200 documents within 3x one.

Times are medians of whole processes after one untimed warm-up run, which writes the bytecode
and the start-up cache (agent/diskcache.py) as any second run on a user's machine would have them;
`PYTHONDONTWRITEBYTECODE` is dropped for that reason. The cold line is one run with an empty cache.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 200
RUNS = 7
FLOOR_APP = """
from pathlib import Path
from typing import Annotated
import typer
app = typer.Typer(add_completion=False)
@app.command()
def check(files: Annotated[list[Path], typer.Argument()], json_out: Annotated[bool, typer.Option("--json")] = False):
    print(len(files), json_out)
@app.command()
def other() -> None:
    pass
app()
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a whole process, via /usr/bin/time when present."""
    time_bin = shutil.which("time") or "/usr/bin/time"
    cmd = ([time_bin, "-f", "%M"] if Path(time_bin).exists() else []) + args
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    peak = re.findall(r"^(\d+)$", out.stderr, re.M)
    return wall, int(peak[-1]) if peak else -1


def median(args: list[str], env: dict[str, str], runs: int) -> tuple[float, int]:
    """Median wall time and the largest peak RSS over `runs` runs."""
    results = [timed(args, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    seeds = sorted((ROOT / "fewshot" / "clean").glob("*.txt")) + [ROOT / "tests" / "data" / "good-2023.md"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        folder.mkdir()
        for i in range(N):
            src = seeds[i % len(seeds)]
            text = src.read_text(encoding="utf-8").replace("我", "我" if i % 2 else "自己", 1)
            (folder / f"{i:03d}{src.suffix}").write_text(text, encoding="utf-8")
        exe = [sys.executable, "-m", "agent", "check", "--json"]
        bare_cmd = [sys.executable, "-c", "import typer, pydantic"]
        # The floor any typer command sits on: a one-option app that only parses its argument. typer 0.29
        # coerces arguments with pydantic TypeAdapters, so this alone costs well over the bare import.
        floor_cmd = [sys.executable, "-c", FLOOR_APP, "check", "--json", str(seeds[0])]
        cold = timed(exe + [str(seeds[0])], {**env, "DUIZHAO_CACHE_DIR": str(Path(tmp) / "cold-cache")})
        # A start-up cache of this run's own, as a user's holds it after a first check: the developer's
        # cache also keeps entries of every word-list version edited lately, and reading those is no user's cost.
        env = {**env, "DUIZHAO_CACHE_DIR": str(Path(tmp) / "cache")}
        timed(exe + [str(seeds[0])], env)  # warm-up: bytecode and start-up cache written
        timed(exe + [str(folder)], env)  # …and what a batch adds to the cache
        bare = median(bare_cmd, env, runs)
        floor = median(floor_cmd, env, runs)
        one = median(exe + [str(seeds[0])], env, runs)
        batch = median(exe + [str(folder)], env, max(2, runs // 3))
        parse_ms, rules_ms = per_document(sorted(folder.iterdir()))
    print(f"bare `import typer, pydantic` : {bare[0]:.3f} s (median of {runs})")
    print(f"one document, whole process  : {one[0]:.3f} s (median of {runs}), peak {one[1] / 1024:.0f} MiB")
    print(f"  first run, empty cache     : {cold[0]:.3f} s")
    print(f"ratio one / bare             : {one[0] / bare[0]:.2f}x (goal ≤ 2x)")
    print(f"  a minimal typer app        : {floor[0]:.3f} s = {floor[0] / bare[0]:.2f}x bare (parsing check's options only)")
    print(f"{N} documents, one batch      : {batch[0]:.2f} s, peak {batch[1] / 1024:.0f} MiB")
    print(f"ratio {N} / one               : {batch[0] / one[0]:.2f}x (goal ≤ 3x)")
    print(f"in-process, per document     : parse {parse_ms:.2f} ms, rules {rules_ms:.2f} ms (CPU, after one pass)")


def per_document(files: list[Path]) -> tuple[float, float]:
    """CPU milliseconds per document to parse and to run the rules, in this process, tables warm.

    CPU time, not wall time: another process on the machine then slows these figures far less.
    """
    sys.path.insert(0, str(ROOT))
    from agent.check import check_document, resolve_theme
    from agent.parser import parse_text
    from agent.reader import read_source

    sources = [(read_source(f), str(f)) for f in files]
    for source, name in sources[:3]:  # the word lists, samples and patterns, loaded once
        doc = parse_text(source.text, source=name, repair=True)
        check_document(doc, theme=resolve_theme(doc, None, None), fmt=source.format)
    parse = rules = 0.0
    for source, name in sources:
        start = time.process_time()
        doc = parse_text(source.text, source=name, repair=True)
        parsed = time.process_time()
        check_document(doc, theme=resolve_theme(doc, None, None), fmt=source.format)
        parse, rules = parse + parsed - start, rules + time.process_time() - parsed
    return parse / len(sources) * 1000, rules / len(sources) * 1000


if __name__ == "__main__":
    main()
