"""Check reports out: human-readable (rich), JSON (DESIGN schema), CSV and XLSX for a reviewer's spreadsheet.

JSON keeps the contract's English keys and values; CSV and XLSX are for people in Excel/WPS on a
Chinese Windows: Chinese headers and values, a UTF-8 BOM on the CSV, one summary row per file
(XLSX) and one row per finding, with who wrote it (姓名/职务/单位) where the notes or the file say.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

from agent.check import FileReport

__all__ = ["to_json", "to_csv", "to_xlsx", "print_human", "summary_line", "verdict", "who", "worst_categories",
           "SEVERITY_LABEL", "CATEGORY_LABEL"]

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
CATEGORY_LABEL = {"structure": "结构", "concreteness": "具体性", "grounding": "事实出处", "placeholder": "占位符",
                  "contamination": "残留杂质", "voice": "人称与口径", "correspondence": "对应关系",
                  "duplication": "重复照抄", "length": "篇幅"}
BOM = "\ufeff"
# Words of a file name that are not a person's name (张三-2023年度对照检查材料.docx → 张三).
_NOT_A_NAME = re.compile(r"材料|对照|检查|民主|生活会|年度|个人|班子|发言|提纲|草稿|初稿|修改|定稿|剖析|专题|主题|教育|"
                         r"报告|副本|最终|终稿|\d")


def verdict(report: FileReport) -> tuple[str, str]:
    """The verdict a reviewer reads, and its CSS/colour class.

    `passed` (no errors) is the contract; but "通过" beside a stack of warnings misleads, so a file
    that passes with warnings reads 通过（有警告）and is not shown in green.
    """
    if report.error:
        return "无法读取", "fail"
    if not report.passed:
        return "未通过", "fail"
    if report.counts.warning:
        return "通过（有警告）", "warn"
    return "通过", "pass"


def who(report: FileReport, notes=None, root: Path | None = None) -> dict[str, str]:
    """姓名, 职务, 单位 of a statement's author, as far as known.

    职务 and 单位 come from the notes when given (they describe the author); otherwise 职务 is read from
    the title (what precedes the year). 姓名 comes from the file name (`张三-对照检查材料.docx`), and
    单位 from the folder under the checked folder (`材料/第一支部/张三.docx` → 第一支部).
    """
    path = Path(report.file)
    name = ""
    for token in re.split(r"[-_\s　—·（）()【】\[\].,，、]+", path.stem):
        if 2 <= len(token) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", token) and not _NOT_A_NAME.search(token):
            name = token
            break
    role = unit = ""
    if notes is not None:
        role, unit = notes.role or "", getattr(notes, "unit", "") or ""
    else:
        title = next((s.title for s in report.sections if s.id == "title"), "")
        m = re.match(r"(.{2,30}?)(?:（.*?）)?[0-9０-９]{4}", title)
        role = m.group(1).strip() if m else ""
    if not unit and root is not None:
        try:
            rel = path.parent.relative_to(root)
        except ValueError:
            rel = Path()
        unit = rel.parts[0] if rel.parts else ""
    return {"姓名": name, "职务": role, "单位": unit}


def worst_categories(report: FileReport, n: int = 3) -> list[str]:
    """The categories that cost the most points (errors weigh more than warnings), in Chinese."""
    weight = {"error": 25, "warning": 8, "info": 1}
    cost: Counter[str] = Counter()
    for f in report.findings:
        cost[f.category] += weight[f.severity]
    return [CATEGORY_LABEL.get(c, c) for c, _ in cost.most_common(n)]


def summary_line(reports: list[FileReport]) -> str:
    """One line for the whole batch: files, passed (and with warnings), failed, unreadable."""
    total = len(reports)
    unreadable = sum(1 for r in reports if r.error)
    failed = sum(1 for r in reports if not r.passed and not r.error)
    clean = sum(1 for r in reports if verdict(r)[1] == "pass")
    warned = total - unreadable - failed - clean
    parts = [f"共 {total} 份", f"通过 {clean + warned} 份（其中有警告 {warned} 份）", f"未通过 {failed} 份"]
    if unreadable:
        parts.append(f"无法读取 {unreadable} 份")
    return "；".join(parts)


def to_json(reports: list[FileReport]) -> str:
    """A JSON array, one object per file, exactly the DESIGN §3 schema.

    Compact on purpose: the C encoder is several times faster than indented output on a batch,
    and `jq` makes it readable.
    """
    return json.dumps([r.public() for r in reports], ensure_ascii=False)


CSV_HEADERS = ["文件", "姓名", "职务", "单位", "结论", "得分", "章节", "章节标题", "严重程度", "类别", "规则", "问题说明",
               "原文摘录", "起始位置", "结束位置"]


def _finding_rows(reports: list[FileReport], notes=None, root: Path | None = None):
    for r in reports:
        person = who(r, notes, root)
        head = [r.file, person["姓名"], person["职务"], person["单位"], verdict(r)[0], r.score]
        if r.error:
            yield head + ["", "", "错误", "输入", "input", r.error, "", "", ""], "error"
            continue
        titles = {s.id: s.title for s in r.sections}
        for f in r.findings:
            yield head + [f.section, titles.get(f.section, ""), SEVERITY_LABEL[f.severity],
                          CATEGORY_LABEL.get(f.category, f.category), f.rule, f.message, f.excerpt,
                          f.start, f.end], f.severity


def to_csv(reports: list[FileReport], notes=None, root: Path | None = None) -> str:
    """One row per finding (and one per unreadable file), Chinese headers and values, UTF-8 BOM.

    The BOM is what makes Excel on a Chinese Windows read the file as UTF-8 instead of GBK.
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADERS)
    for row, _severity in _finding_rows(reports, notes, root):
        writer.writerow(row)
    return BOM + buf.getvalue()


SUMMARY_HEADERS = ["文件", "姓名", "职务", "单位", "结论", "得分", "错误", "警告", "提示", "主要问题类别"]
_FILLS = {"error": "FFD4D4", "warning": "FFF0B3", "info": "D8ECFF", "pass": "D9F2DC", "warn": "FFF0B3",
          "fail": "FFD4D4"}


def to_xlsx(reports: list[FileReport], notes=None, root: Path | None = None) -> bytes:
    """An Excel workbook: 汇总 (one row per file) and 问题 (one row per finding), coloured by severity.

    Rows are filled by verdict (汇总) and severity (问题); headers frozen and filtered so a reviewer
    can sort a unit's stack by score or pick out one category.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    fills = {k: PatternFill("solid", fgColor=v) for k, v in _FILLS.items()}
    bold = Font(bold=True)
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.append(SUMMARY_HEADERS)
    for r in reports:
        person = who(r, notes, root)
        label, level = verdict(r)
        summary.append([r.file, person["姓名"], person["职务"], person["单位"], label, r.score, r.counts.error,
                        r.counts.warning, r.counts.info, "、".join(worst_categories(r)) or (r.error or "")])
        summary.cell(summary.max_row, 5).fill = fills[level]
    findings = wb.create_sheet("问题")
    findings.append(CSV_HEADERS)
    for row, severity in _finding_rows(reports, notes, root):
        findings.append(row)
        findings.cell(findings.max_row, 9).fill = fills[severity]
    for sheet, widths in ((summary, [40, 8, 16, 14, 14, 6, 6, 6, 6, 30]),
                          (findings, [40, 8, 16, 14, 14, 6, 8, 24, 8, 10, 24, 60, 40, 8, 8])):
        for cell in sheet[1]:
            cell.font = bold
        for i, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    for row in findings.iter_rows(min_row=2, min_col=12, max_col=12):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def print_human(reports: list[FileReport], console) -> None:
    """Findings grouped by section with excerpts, a verdict line per file, and a summary line for all."""
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
        label, level = verdict(r)
        style = {"pass": "green", "warn": "yellow", "fail": "red"}[level]
        theme = f"，主题 {r.theme}" if r.theme else ""
        console.print(f"\n[{style}]{label}[/]：得分 {r.score}，错误 {r.counts.error}，警告 {r.counts.warning}{theme}\n",
                      highlight=False)
    console.print(f"[bold]{summary_line(reports)}[/]", highlight=False)


def _order(section: str, report: FileReport) -> int:
    ids = [s.id for s in report.sections]
    return ids.index(section) if section in ids else -1
