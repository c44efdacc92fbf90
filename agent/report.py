"""Check reports out: human-readable (rich), JSON (DESIGN schema), CSV (one row per finding)."""

from __future__ import annotations

import csv
import io
import json

from agent.check import FileReport

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def to_json(reports: list[FileReport]) -> str:
    """A JSON array, one object per file, exactly the DESIGN §3 schema.

    Compact on purpose: the C encoder is several times faster than indented output on a batch,
    and `jq` makes it readable.
    """
    return json.dumps([r.public() for r in reports], ensure_ascii=False)


def to_csv(reports: list[FileReport]) -> str:
    """One row per finding (and one per unreadable file), for spreadsheets."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["file", "passed", "score", "rule", "category", "severity", "section", "message", "excerpt", "start", "end"])
    for r in reports:
        if r.error:
            writer.writerow([r.file, r.passed, r.score, "input", "", "error", "", r.error, "", "", ""])
        for f in r.findings:
            writer.writerow([r.file, r.passed, r.score, f.rule, f.category, f.severity, f.section, f.message,
                             f.excerpt, f.start, f.end])
    return buf.getvalue()


def print_human(reports: list[FileReport], console) -> None:
    """Findings grouped by section with excerpts, then a one-line summary per file."""
    for r in reports:
        console.rule(f"[bold]{r.file}[/]")
        if r.error:
            console.print(f"[red]无法读取：[/]{r.error}", highlight=False)
            continue
        titles = {s.id: s.title for s in r.sections}
        current = None
        for f in sorted(r.findings, key=lambda f: (_order(f.section, r), f.start)):
            if f.section != current:
                current = f.section
                console.print(f"\n[bold]{f.section}[/] {titles.get(f.section, '')[:30]}", highlight=False)
            style = SEVERITY_STYLE[f.severity]
            console.print(f"  [{style}]{SEVERITY_LABEL[f.severity]}[/] {f.message}", highlight=False)
            if f.excerpt:
                console.print(f"      [dim]“{f.excerpt}”[/]", highlight=False)
        verdict = "[green]通过[/]" if r.passed else "[red]未通过[/]"
        theme = f"，主题 {r.theme}" if r.theme else ""
        console.print(f"\n{verdict}：得分 {r.score}，错误 {r.counts.error}，警告 {r.counts.warning}{theme}\n",
                      highlight=False)


def _order(section: str, report: FileReport) -> int:
    ids = [s.id for s in report.sections]
    return ids.index(section) if section in ids else -1
