"""Reports a reviewer can use: CSV/XLSX in Chinese, verdicts, summary line, batch HTML with overlaps."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys

import openpyxl
import pytest

from agent.check import Counts, FileReport, check_file
from agent.parser import parse_text
from agent.render.html import marked_paragraphs, write_html_reports
from agent.report import summary_line, to_csv, to_xlsx, verdict, who
from agent.rules import Finding
from tests.conftest import CLEAN, RAW, ROOT

GOOD = ROOT / "tests" / "data" / "good-2023.md"


@pytest.fixture
def batch(tmp_path):
    (tmp_path / "材料" / "第一支部").mkdir(parents=True)
    (tmp_path / "材料" / "第二支部").mkdir(parents=True)
    shutil.copy(RAW[0], tmp_path / "材料" / "第一支部" / "张三-对照检查材料.txt")
    shutil.copy(GOOD, tmp_path / "材料" / "第二支部" / "李四.md")
    shutil.copy(CLEAN[1], tmp_path / "材料" / "第二支部" / "王五_初稿.txt")
    return tmp_path / "材料"


def _reports(folder):
    from agent.check import check_paths

    return check_paths([folder])


def test_csv_is_chinese_with_bom(batch):
    reports = _reports(batch)
    text = to_csv(reports, root=batch)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == sum(len(r.findings) for r in reports)
    assert {"文件", "姓名", "单位", "结论", "严重程度", "类别", "问题说明"} <= set(rows[0])
    assert {r["严重程度"] for r in rows} <= {"错误", "警告", "提示"}
    assert "error" not in {r["严重程度"] for r in rows} and "False" not in {r["结论"] for r in rows}
    zhang = [r for r in rows if r["姓名"] == "张三"]
    assert zhang and zhang[0]["单位"] == "第一支部" and zhang[0]["结论"] == "未通过"
    assert "占位符" in {r["类别"] for r in rows}
    # Excel reads the bytes: UTF-8 with the BOM decodes to the same text.
    assert text.encode("utf-8").decode("utf-8-sig") == text[1:]


def test_xlsx_has_summary_and_findings_coloured_by_severity(batch):
    reports = _reports(batch)
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(reports, root=batch)))
    assert wb.sheetnames == ["汇总", "问题"]
    summary = list(wb["汇总"].values)
    assert summary[0][:6] == ("文件", "姓名", "职务", "单位", "结论", "得分")
    assert len(summary) == 1 + len(reports)
    li = next(row for row in summary if row[1] == "李四")
    assert li[4] == "通过" and li[6] == 0
    findings = wb["问题"]
    assert findings.max_row == 1 + sum(len(r.findings) for r in reports)
    colours = {row[8].value: row[8].fill.fgColor.rgb for row in findings.iter_rows(min_row=2)}
    assert colours["错误"].endswith("FFD4D4") and colours["警告"].endswith("FFF0B3")
    assert wb["汇总"].freeze_panes == "A2"


def _report(**counts):
    return FileReport(file="x.md", passed=not counts.get("error"), score=90, counts=Counts(**counts))


def test_verdict_does_not_show_green_beside_warnings():
    assert verdict(_report()) == ("通过", "pass")
    assert verdict(_report(warning=14)) == ("通过（有警告）", "warn")
    assert verdict(_report(error=1)) == ("未通过", "fail")


def test_summary_line_counts_the_batch():
    reports = [_report(), _report(warning=2), _report(error=1),
               FileReport(file="b.docx", passed=False, score=0, counts=Counts(error=1), error="坏文件")]
    assert summary_line(reports) == "共 4 份；通过 2 份（其中有警告 1 份）；未通过 1 份；无法读取 1 份"


def test_who_from_file_name_title_and_notes(batch):
    report = check_file(batch / "第一支部" / "张三-对照检查材料.txt")
    assert who(report, root=batch) == {"姓名": "张三", "职务": "某市委常委、常务副市长", "单位": "第一支部"}

    class Notes:
        role, unit = "副县长", "某县人民政府"

    assert who(report, Notes())["职务"] == "副县长" and who(report, Notes())["单位"] == "某县人民政府"


def test_text_output_ends_with_summary_line(batch):
    out = subprocess.run([sys.executable, "-m", "agent", "check", str(batch)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "共 3 份；通过 1 份（其中有警告 0 份）；未通过 2 份"


def test_overlapping_findings_are_all_marked_and_markup_dropped():
    doc = parse_text("# 县长对照检查材料\n\n**按照**部署，我认真学习了有关材料。\n")
    start = doc.text.index("我认真")
    findings = [Finding(rule="a", category="voice", severity="warning", section="opening", message="甲",
                        start=start, end=start + 5),
                Finding(rule="b", category="placeholder", severity="error", section="opening", message="乙",
                        start=start + 2, end=start + 8)]
    report = FileReport(file="x.md", passed=False, score=50, counts=Counts(error=1, warning=1), findings=findings)
    paras = marked_paragraphs(doc, report)
    assert "#" not in paras[0] and "**" not in "".join(paras)
    body = paras[1]
    assert 'id="m1"' in body and 'id="m2"' in body
    both = re.findall(r'<mark class="(\w+)" data-f="f1 f2"', body)
    assert both == ["error"]  # the overlap carries both findings, coloured by the worse one
    assert re.sub(r"<[^>]+>|\d", "", body) == "按照部署，我认真学习了有关材料。"


def test_batch_html_has_an_index_linking_one_page_per_file(batch, tmp_path):
    out = subprocess.run([sys.executable, "-m", "agent", "check", str(batch), "--html", str(tmp_path / "报告.html"),
                          "--csv", str(tmp_path / "r.csv"), "--xlsx", str(tmp_path / "r.xlsx")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 1, out.stderr
    index = (tmp_path / "报告.html").read_text(encoding="utf-8")
    pages = sorted((tmp_path / "报告_files").glob("*.html"))
    assert len(pages) == 3
    for page in pages:
        assert f'href="报告_files/{page.name}"' in index
        html = page.read_text(encoding="utf-8")
        assert "返回汇总" in html and "@media print" in html
    zhang = next(p for p in pages if "张三" in p.name).read_text(encoding="utf-8")
    assert "<h1>张三-对照检查材料.txt</h1>" in zhang and "未通过" in zhang
    assert "未通过" in index and "通过" in index and "第一支部" in index
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == ["汇总", "问题"]


def test_single_file_html_is_one_page(tmp_path):
    report = check_file(GOOD)
    written = write_html_reports([report], tmp_path / "r.html", [parse_text(GOOD.read_text(encoding="utf-8"))])
    assert written == [tmp_path / "r.html"] and "good-2023.md" in written[0].read_text(encoding="utf-8")


def test_format_xlsx_needs_an_output_file():
    out = subprocess.run([sys.executable, "-m", "agent", "check", str(GOOD), "--format", "xlsx"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 2 and "-o" in out.stderr
