"""Clean raw sample documents: strip site adverts, undo pinyin obfuscation, make slots visible.

Every change is recorded with its span in the *raw* text and a reason, so the manifest shows
exactly what the corpus differs from its source by. Cleaning is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

from agent.diskcache import compile_re
from agent.resources import bundled_dir, load_table, load_yaml
from agent.writer import write_atomic


class Change(BaseModel):
    """One removed or replaced span of the raw text."""

    start: int
    end: int
    original: str
    replacement: str
    reason: str


class CleanResult(BaseModel):
    """Cleaned text and the changes that produced it."""

    text: str
    changes: list[Change] = Field(default_factory=list)


class _Editor:
    """Applies edits to a text while remembering which raw offset each character came from."""

    def __init__(self, text: str) -> None:
        self.raw = text
        self.text = text
        self.origin = list(range(len(text)))
        self.changes: list[Change] = []

    def replace(self, start: int, end: int, replacement: str, reason: str) -> None:
        """Replace text[start:end] (current offsets) and record it against raw offsets."""
        if self.text[start:end] == replacement:
            return
        raw_start = self.origin[start] if start < len(self.origin) else len(self.raw)
        raw_end = self.origin[end - 1] + 1 if end > start else raw_start
        self.changes.append(Change(start=raw_start, end=raw_end, original=self.raw[raw_start:raw_end],
                                   replacement=replacement, reason=reason))
        self.text = self.text[:start] + replacement + self.text[end:]
        self.origin = self.origin[:start] + [raw_start] * len(replacement) + self.origin[end:]

    def sub(self, pattern: re.Pattern[str], repl, reason: str) -> None:
        """Regex substitution, right to left so earlier offsets stay valid."""
        for m in reversed(list(pattern.finditer(self.text))):
            new = repl(m) if callable(repl) else repl
            self.replace(m.start(), m.end(), new, reason)


@cache
def _tables() -> tuple[dict, dict, dict]:
    return load_table("ads.yaml"), load_table("pinyin.yaml"), load_table("slots.yaml")


@cache
def ad_pattern() -> re.Pattern[str]:
    """One regex for every advert/contact pattern in the ads table."""
    return compile_re("|".join(f"(?:{p})" for p in _tables()[0]["patterns"]))


@cache
def marker_pattern() -> re.Pattern[str]:
    """Regex for paid-content markers such as ##paidbegin##."""
    return compile_re("|".join(_tables()[0]["markers"]))


@cache
def pinyin_pattern() -> re.Pattern[str]:
    """Regex for whole-word pinyin abbreviations from the table."""
    words = sorted(_tables()[1], key=len, reverse=True)
    return compile_re(r"(?<![A-Za-z])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z])", re.IGNORECASE)


@cache
def load_specifics(path: Path | None = None) -> tuple[list[str], str]:
    """Sample authors' names and places (fewshot/specifics.yaml) and their mask."""
    path = path or bundled_dir("fewshot") / "specifics.yaml"
    if not path.exists():
        return [], "〔某地〕"
    # The fast loader and the start-up cache: `check` reads this on every start, and YAML's own import
    # is then skipped too.
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    return list(data.get("terms") or []), data.get("mask", "〔某地〕")


def clean_text(text: str, specifics: list[str] | None = None, mask: str = "〔某地〕") -> CleanResult:
    """Clean one raw sample; see the module docstring for what changes."""
    ads, pinyin, slots = _tables()
    ed = _Editor(text)
    ed.sub(marker_pattern(), "", "付费内容标记")
    _strip_ad_tails(ed)
    ed.sub(re.compile(ads["word_count"]), "", "网站附加的字数标注")
    ed.sub(pinyin_pattern(), lambda m: pinyin[m.group(1).lower()], "拼音缩写还原")
    for pattern in slots["patterns"]:
        ed.sub(re.compile(pattern), slots["slot"], "匿名占位统一为可见槽位")
    for term in specifics or []:
        ed.sub(re.compile(re.escape(term)), mask, "原作者的地名/人名（只学文风，不学内容）")
    _normalise_blank_lines(ed)
    ed.changes.sort(key=lambda c: c.start)
    return CleanResult(text=ed.text, changes=ed.changes)


def _strip_ad_tails(ed: _Editor) -> None:
    """Drop each advert from the start of its sentence to the end of its line."""
    lines = list(re.finditer(r"[^\n]*", ed.text))
    for line in reversed(lines):
        hit = ad_pattern().search(line.group(0))
        if not hit:
            continue
        before = line.group(0)[:hit.start()]
        cut = max((before.rfind(ch) for ch in "。！？!?"), default=-1) + 1
        start, end = line.start() + cut, line.end()
        if not ed.text[line.start():start].strip():
            # Nothing real left on the line: drop the line break too.
            start = line.start()
            end = min(end + 1, len(ed.text))
        ed.replace(start, end, "", "广告/联系方式")


def _normalise_blank_lines(ed: _Editor) -> None:
    ed.sub(re.compile(r"[ \t\u3000]+(?=\r?\n)"), "", "行尾空白")
    ed.sub(re.compile(r"(\r?\n){3,}"), lambda m: m.group(1) * 2, "多余空行")
    ed.sub(re.compile(r"^\s+"), "", "开头空行")
    ed.sub(re.compile(r"\s+$"), "\n", "结尾空行")
    if ed.text and not ed.text.endswith("\n"):
        ed.replace(len(ed.text), len(ed.text), "\n", "结尾换行")


class ManifestEntry(BaseModel):
    """What one raw sample became."""

    source: str
    source_sha256: str
    clean: str
    clean_sha256: str
    changes: list[Change]


def build_corpus(raw_dir: Path | None = None, clean_dir: Path | None = None) -> list[ManifestEntry]:
    """Clean every fewshot/raw/*.txt into fewshot/clean/ and write manifest.json beside them."""
    root = bundled_dir("fewshot")
    raw_dir = raw_dir or root / "raw"
    clean_dir = clean_dir or root / "clean"
    specifics, mask = load_specifics(raw_dir.parent / "specifics.yaml")
    clean_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for path in sorted(raw_dir.glob("*.txt")):
        raw = path.read_text(encoding="utf-8-sig")
        result = clean_text(raw, specifics, mask)
        target = clean_dir / path.name
        write_atomic(target, result.text)
        entries.append(ManifestEntry(source=f"raw/{path.name}", source_sha256=_sha(raw),
                                     clean=f"clean/{path.name}", clean_sha256=_sha(result.text),
                                     changes=result.changes))
    manifest = json.dumps([e.model_dump() for e in entries], ensure_ascii=False, indent=1)
    write_atomic(clean_dir / "manifest.json", manifest + "\n")
    return entries


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
