"""The CLI as a user meets it: help, exit codes, one-line Chinese errors, fast start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import RAW, ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True,
                          cwd=ROOT, input=stdin, timeout=120)


def test_help_lists_commands_and_does_not_import_openai():
    code = ("import sys, agent.cli as c\n"
            "try:\n    c.app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('openai' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().endswith("False")
    assert "themes" in out.stdout and "fewshot" in out.stdout


def test_themes_lists_presets():
    out = run("themes")
    assert out.returncode == 0
    assert "2023-zhuti" in out.stdout and "廉洁自律方面" in out.stdout


@pytest.mark.parametrize("target,message", [("nope.txt", "文件不存在"), ("agent", "文件夹")])
def test_bad_input_exit_2_one_line_no_traceback(target, message):
    out = run("outline", target)
    assert out.returncode == 2
    assert message in out.stderr and target in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_outline_prints_ids():
    out = run("outline", str(RAW[0]))
    assert out.returncode == 0
    assert "1.3.2\t二是" in out.stdout


def test_fewshot_build_to_folder(tmp_path):
    out = run("fewshot", "build", "--out", str(tmp_path))
    assert out.returncode == 0
    assert (tmp_path / "manifest.json").exists()
    assert len(list(tmp_path.glob("*.txt"))) == len(RAW)


def test_usage_error_is_exit_2():
    out = run("outline")
    assert out.returncode == 2


def test_check_does_not_import_openai():
    code = ("import sys, agent.cli as c\n"
            f"c.app(['check', {str(RAW[1])!r}, '--json'], standalone_mode=False)\n"
            "print('OPENAI', 'openai' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "OPENAI False" in out.stdout
