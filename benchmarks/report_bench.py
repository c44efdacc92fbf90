"""Benchmark the reviewer's reports: 200 statements → HTML index + pages, CSV and XLSX in one command,
against the JSON report of the same batch (goal: within 3×).

Run: `.venv/bin/python benchmarks/report_bench.py`. Prints figures, asserts nothing (shared machines).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 200


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    seeds = sorted((ROOT / "fewshot" / "clean").glob("*.txt")) + [ROOT / "tests" / "data" / "good-2023.md"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        for i in range(N):
            src = seeds[i % len(seeds)]
            unit = folder / f"第{i % 5 + 1}支部"
            unit.mkdir(parents=True, exist_ok=True)
            (unit / f"{i:03d}{src.suffix}").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        exe = [sys.executable, "-m", "agent", "check", str(folder)]
        json_s = min(wall(exe + ["--json"]) for _ in range(2))
        out = Path(tmp) / "out"
        all_s = min(wall(exe + ["--json", "--html", str(out / "报告.html"), "--csv", str(out / "r.csv"),
                                "--xlsx", str(out / "r.xlsx")]) for _ in range(2))
        pages = len(list((out / "报告_files").glob("*.html")))
    print(f"{N} documents, JSON only             : {json_s:.2f} s")
    print(f"{N} documents, JSON+HTML+CSV+XLSX    : {all_s:.2f} s ({pages} pages + index)")
    print(f"ratio                                : {all_s / json_s:.2f}x (goal ≤ 3x)")


if __name__ == "__main__":
    main()
