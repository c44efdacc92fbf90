"""Measure the .docx layout on a real rendering: lines per page and characters per line (GB/T 9704: 22 × 28).

Renders statements with `agent.render.docx`, converts them with LibreOffice (`soffice`) to PDF, reads
each page's text lines with poppler's `pdftotext -bbox-layout`, and prints, per document:
pages, body lines on each full page, and the characters of full lines (lines that do not end a
paragraph and hold only full-width characters, so half-width digits do not blur the count).
Optionally writes PNGs of the first pages with `pdftoppm` to look at.

Needs LibreOffice and poppler-utils (`apt-get install libreoffice-writer-nogui poppler-utils
fonts-noto-cjk`); it is not part of `make test`. Run:
`.venv/bin/python benchmarks/docx_grid.py [--png DIR] [FILE...]` (default: both samples and the example draft).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.parser import parse_file  # noqa: E402
from agent.render.docx import render_docx  # noqa: E402

DEFAULT = sorted((ROOT / "fewshot" / "clean").glob("*.txt")) + [ROOT / "examples" / "draft-2023-zhuti.md"]
NS = "{http://www.w3.org/1999/xhtml}"


def page_lines(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Per page, its text lines as (text, x_min, x_max), top to bottom, from pdftotext's bbox layout."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    tree = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out.stdout))
    pages = []
    for page in tree.iter(f"{NS}page"):
        rows: dict[int, list] = {}
        for word in page.iter(f"{NS}word"):
            # Words of one printed line share a baseline; group on the rounded bottom edge.
            key = round(float(word.get("yMax")))
            rows.setdefault(key, []).append(word)
        lines = []
        for _y, words in sorted(rows.items()):
            words.sort(key=lambda w: float(w.get("xMin")))
            text = "".join(w.text or "" for w in words)
            lines.append((text, float(words[0].get("xMin")), float(words[-1].get("xMax"))))
        pages.append(lines)
    return pages


def measure(path: Path, tmp: Path, png: Path | None) -> dict:
    docx_path = tmp / (path.stem + ".docx")
    docx_path.write_bytes(render_docx(parse_file(path)))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx_path)],
                   capture_output=True, check=True, timeout=180)
    pdf = tmp / (path.stem + ".pdf")
    pages = page_lines(pdf)
    body_lines, full_line_chars = [], Counter()
    right_edge = max(b for page in pages for _t, _a, b in page)
    left_edge = min(a for page in pages for _t, a, _b in page)
    pitch = (right_edge - left_edge) / 28
    for n, page in enumerate(pages, 1):
        body = [line for line in page if not re.fullmatch(r"—\s*\d+\s*—", line[0])]
        if 1 < n < len(pages):  # the first page has the title, the last one ends early
            body_lines.append(len(body))
        for text, a, b in body:
            # A full line reaches the right edge of the text block; only full-width characters counted.
            if b >= right_edge - 4 and not re.search(r"[\x00-\x7f]", text):
                # Curly quotes are half width in the CJK fonts LibreOffice falls back to here.
                # A first line's indent counts as the characters it leaves empty (two, 全角).
                indent = round((a - left_edge) / pitch)
                full_line_chars[indent + len(text) - sum(text.count(q) for q in "“”‘’") / 2] += 1
    if png:
        png.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "3", "-png", str(pdf), str(png / path.stem)], check=True)
    return {"file": path.name, "pages": len(pages), "lines_per_full_page": Counter(body_lines),
            "chars_per_full_line": full_line_chars}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--png", type=Path, help="write PNGs of the first three pages of each document here")
    args = ap.parse_args()
    for tool in ("soffice", "pdftotext"):
        if not shutil.which(tool):
            sys.exit(f"需要 {tool}：apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk")
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.files or DEFAULT:
            r = measure(path, Path(tmp), args.png)
            lines = ", ".join(f"{k} 行×{v}页" for k, v in sorted(r["lines_per_full_page"].items()))
            chars = ", ".join(f"{k:g} 字×{v}行" for k, v in sorted(r["chars_per_full_line"].items()))
            print(f"{r['file']}: {r['pages']} 页；整页行数 {lines}；整行字数 {chars}")


if __name__ == "__main__":
    main()
