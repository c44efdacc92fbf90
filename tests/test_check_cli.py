"""`duizhao check` end to end: exit codes, JSON schema, CSV, batches, notes errors, HTML in Chromium."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest

from agent.errors import InputError
from agent.notes import parse_notes_yaml
from tests.conftest import CLEAN, RAW, ROOT

GOOD = ROOT / "tests" / "data" / "good-2023.md"
NOTES = ROOT / "tests" / "data" / "good-2023-notes.yaml"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_exit_0_when_no_error_and_1_when_errors():
    assert run("check", str(GOOD), "--notes", str(NOTES)).returncode == 0
    assert run("check", str(RAW[0])).returncode == 1


def test_json_follows_design_schema():
    out = run("check", str(GOOD), str(RAW[1]), "--json")
    data = json.loads(out.stdout)
    assert len(data) == 2
    for obj in data:
        assert set(obj) == {"file", "passed", "score", "counts", "sections", "findings"}
        assert set(obj["counts"]) == {"error", "warning", "info"}
        assert 0 <= obj["score"] <= 100
        for s in obj["sections"]:
            assert set(s) == {"id", "title", "chars", "score"}
        for f in obj["findings"]:
            assert set(f) == {"rule", "category", "severity", "section", "message", "excerpt", "start", "end"}
    raw = data[1]
    assert raw["passed"] is False and raw["counts"]["error"] > 0
    assert any(f["category"] == "contamination" and f["section"] == "title" for f in raw["findings"])


def test_csv_one_row_per_finding():
    out = run("check", str(RAW[0]), "--format", "csv")
    assert out.stdout.startswith("\ufeff")  # Excel on a Chinese Windows reads UTF-8 only with the BOM
    rows = list(csv.DictReader(io.StringIO(out.stdout.removeprefix("\ufeff"))))
    report = json.loads(run("check", str(RAW[0]), "--json").stdout)[0]
    assert len(rows) == len(report["findings"])
    assert rows[0]["文件"] == str(RAW[0])


def test_batch_of_folders_reports_unreadable_file_in_place(tmp_path):
    folder = tmp_path / "drafts" / "sub"
    folder.mkdir(parents=True)
    shutil.copy(CLEAN[0], folder / "a.txt")
    (folder / "broken.docx").write_bytes(b"not a docx")
    shutil.copy(GOOD, tmp_path / "drafts" / "c.md")
    out = run("check", str(tmp_path / "drafts"), "--json")
    data = json.loads(out.stdout)
    assert [d["file"].rsplit("/", 1)[1] for d in data] == ["c.md", "a.txt", "broken.docx"]
    assert "error" in data[2] and ".docx" in data[2]["error"]
    assert data[0]["counts"]["error"] == 0
    assert out.returncode == 2


def test_unknown_theme_is_usage_error():
    out = run("check", str(GOOD), "--theme", "2099-x")
    assert out.returncode == 2 and "未知主题" in out.stderr


@pytest.mark.parametrize(
    "yaml_text,field,line",
    [
        ("role: 副县长\nmeeting:\n  year: 二〇二三\n", "meeting → year", 3),
        ("role: 副县长\n", "meeting", None),
        ("role: 副县长\nmeeting:\n  year: 2023\nareaz: []\n", "areaz", 4),
        ("role: 副县长\nmeeting:\n  year: 2023\nareas:\n  - area: 学习\n    problems:\n      - facts: [a]\n", "areas 第1项 → problems 第1项 → summary", 7),
    ],
)
def test_broken_notes_name_field_and_line(yaml_text, field, line):
    with pytest.raises(InputError) as info:
        parse_notes_yaml(yaml_text, "n.yaml")
    assert info.value.field == field
    if line:
        assert info.value.line == line
        assert f"第{line}行" in str(info.value)


def test_broken_notes_via_cli_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("role: 副县长\nmeeting: [unclosed\n", encoding="utf-8")
    out = run("check", str(GOOD), "--notes", str(bad))
    assert out.returncode == 2
    assert "bad.yaml" in out.stderr and "行" in out.stderr and "Traceback" not in out.stderr


def test_html_report_renders_in_headless_chromium(tmp_path):
    html_path = tmp_path / "report.html"
    out = run("check", str(RAW[0]), "--html", str(html_path))
    assert out.returncode == 1
    page = html_path.read_text(encoding="utf-8")
    assert '<mark class="error"' in page and "广告" in page
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert chromium, "headless Chromium is needed for this test: run scripts/ensure-chromium"
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,900",
                    html_path.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}",
                          "--dump-dom", html_path.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.stdout.count("<mark") >= 5
