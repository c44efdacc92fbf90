"""The CLI's chrome: -h, --version, Chinese help panels and usage errors, progress labels and timing."""

from __future__ import annotations

import subprocess
import sys

from rich.console import Console

from agent import __version__
from agent.chain import Step, step_label
from agent.cli_chrome import translate
from agent.progress import DraftProgress, format_seconds
from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", "DUIZHAO_CONFIG_DIR": "/nonexistent"})


def test_version_and_short_help():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"duizhao {__version__}"
    helped = run("-h")
    assert helped.returncode == 0 and "用法：" in helped.stdout and "命令" in helped.stdout
    assert "check" in helped.stdout and "format" in helped.stdout


def test_help_is_chinese_with_panels():
    out = run("draft", "-h").stdout
    for word in ("用法：", "参数", "选项", "模型", "录制与回放", "[必填]", "显示本帮助并退出"):
        assert word in out, word
    for english in ("Usage:", "Options", "Arguments", "[required]", "Show this message"):
        assert english not in out, english
    assert "--provider" in out and "--output" in out  # option names stay English


def test_usage_errors_are_chinese_and_exit_2():
    out = run("check")
    assert out.returncode == 2
    assert "缺少参数 'files'" in out.stderr and "查看帮助" in out.stderr and "Missing" not in out.stderr
    assert translate("No such option: --formt") == "没有选项 --formt。"
    assert translate("Invalid value for '--target': Input should be a valid integer, x") == "'--target' 的取值无效：应为整数"
    assert translate("something else") == "something else"


def test_step_labels_are_the_documents_own_words():
    area = Step(key="area-1", kind="area", section_id="1.1", title="理论学习方面", budget=100)
    assert step_label(area) == "（一）理论学习方面"
    assert step_label(Step(key="opening", kind="opening", section_id="opening", budget=1)) == "开头"
    assert step_label(Step(key="causes", kind="causes", section_id="2", budget=1)) == "原因剖析"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_shows_elapsed_time_and_estimate():
    clock = Clock()
    console = Console(record=True, width=200)
    progress = DraftProgress(console, clock=clock, live=False)
    progress("运行目录：runs/20261124-1（中断后可用 --resume runs/20261124-1 继续）")
    assert progress.run_dir == "runs/20261124-1"
    progress("[1/4] 开头：起草中… 已用 token 0")
    clock.now = 30
    assert progress.status() == "第 1/4 步 开头 · 本步 30 秒 · 共 30 秒"
    progress("[2/4] （一）理论学习方面：起草中… 已用 token 300")
    clock.now = 40
    # One step took 30 s: three left (this one included) ≈ 90 s, 10 s of it already spent.
    assert progress.status() == "第 2/4 步 （一）理论学习方面 · 本步 10 秒 · 共 40 秒 · 预计还需约 1 分 20 秒"
    assert "（一）理论学习方面" in console.export_text()


def test_format_seconds():
    assert format_seconds(5) == "5 秒" and format_seconds(125) == "2 分 05 秒" and format_seconds(3720) == "1 小时 02 分"


def test_ctrl_c_prints_the_resume_command(monkeypatch):
    from typer.testing import CliRunner

    import agent.draft
    from agent.cli import app

    def interrupted(notes, settings, *, progress, **kwargs):
        progress("运行目录：runs/20261124-081051（中断后可用 --resume runs/20261124-081051 继续）")
        progress("[1/10] 开头：起草中… 已用 token 0")
        raise KeyboardInterrupt

    monkeypatch.setattr(agent.draft, "draft", interrupted)
    result = CliRunner().invoke(app, ["draft", str(ROOT / "examples" / "2023-zhuti.yaml")])
    assert result.exit_code == 130
    assert "duizhao draft" in result.output and "--resume runs/20261124-081051" in result.output
