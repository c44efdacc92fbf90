"""Benchmark `duizhao check`: one document as a whole process, 200 in one batch, ratio, peak memory.

Run: `make bench` (or `.venv/bin/python benchmarks/check_bench.py`). Prints figures, asserts nothing:
these machines are shared and noisy, so targets are read, not tested.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 200


def timed(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a whole process, via /usr/bin/time when present."""
    time_bin = shutil.which("time") or "/usr/bin/time"
    cmd = ([time_bin, "-f", "%M"] if Path(time_bin).exists() else []) + args
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    peak = re.findall(r"^(\d+)$", out.stderr, re.M)
    return wall, int(peak[-1]) if peak else -1


def main() -> None:
    seeds = sorted((ROOT / "fewshot" / "clean").glob("*.txt")) + [ROOT / "tests" / "data" / "good-2023.md"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        folder.mkdir()
        for i in range(N):
            src = seeds[i % len(seeds)]
            text = src.read_text(encoding="utf-8").replace("我", "我" if i % 2 else "自己", 1)
            (folder / f"{i:03d}{src.suffix}").write_text(text, encoding="utf-8")
        exe = [sys.executable, "-m", "agent", "check", "--json"]
        one = min(timed(exe + [str(seeds[0])]) for _ in range(3))
        batch = min(timed(exe + [str(folder)]) for _ in range(2))
    print(f"one document, whole process : {one[0]:.2f} s, peak {one[1] / 1024:.0f} MiB")
    print(f"{N} documents, one batch     : {batch[0]:.2f} s, peak {batch[1] / 1024:.0f} MiB")
    print(f"ratio {N} / one              : {batch[0] / one[0]:.2f}x (goal ≤ 3x)")


if __name__ == "__main__":
    main()
