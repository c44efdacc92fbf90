"""Issue 14: bad input and faults. Exit codes, one Chinese line naming what to fix, nothing created or
paid for before validation passes, file modes kept, .docx revisions in the body's own run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from agent.errors import (
    INTERNAL_EXIT,
    InputError,
    LimitError,
    NotesError,
    OutputPathError,
    SettingsError,
    UnknownProviderError,
    UnknownSectionError,
    UnknownThemeError,
)
from agent.notes import MAX_FIELD_CHARS, MAX_LIST_ITEMS, MAX_REPORTED, parse_notes_yaml
from agent.settings import resolve_settings
from agent.writer import check_output_path, write_atomic
from tests.conftest import CLEAN, ROOT
from tests.fakeserver import FakeOpenAIServer

NOTES = ROOT / "tests" / "data" / "good-2023-notes.yaml"
DRAFT = ROOT / "tests" / "data" / "good-2023.md"
GOOD_NOTES = NOTES.read_text(encoding="utf-8")


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """`duizhao ARGS` through the console-script entry (`main()`, the error boundary)."""
    return subprocess.run([sys.executable, "-c", "import sys; from agent.cli import main; sys.argv[0]='duizhao'; main()",
                           *args], capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})},
                          timeout=120)


def one_line(out: subprocess.CompletedProcess) -> str:
    lines = out.stderr.strip().splitlines()
    assert "Traceback" not in out.stderr and "内部错误" not in out.stderr, out.stderr
    assert len(lines) == 1, out.stderr
    return lines[0]


# --- 1. the error boundary -----------------------------------------------------------------------

BOOM = ("import sys, agent.themes as t\n"
        "def boom():\n    raise KeyError('a bug, not bad input')\n"
        "t.load_themes = boom\n"
        "from agent.cli import main\nsys.argv = ['duizhao', 'themes']\nmain()\n")


def test_an_internal_error_is_exit_4_not_2_even_for_a_bare_key_error():
    env = {k: v for k, v in os.environ.items() if k != "DUIZHAO_RAISE_ERRORS"}
    out = subprocess.run([sys.executable, "-c", BOOM], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == INTERNAL_EXIT == 4
    assert "内部错误" in out.stderr and "KeyError" in out.stderr and "Traceback" not in out.stderr


def test_raise_errors_shows_the_traceback_and_keeps_exit_4():
    env = {**os.environ, "DUIZHAO_RAISE_ERRORS": "1"}
    out = subprocess.run([sys.executable, "-c", BOOM], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 4
    assert "Traceback" in out.stderr and "a bug, not bad input" in out.stderr


def test_unknown_keys_are_input_errors_raised_where_they_happen():
    from agent.parser import parse_text
    from agent.themes import get_theme

    with pytest.raises(UnknownThemeError):
        get_theme("2099-x")
    with pytest.raises(UnknownSectionError) as info:
        parse_text(DRAFT.read_text(encoding="utf-8")).get("9.9")
    assert not isinstance(info.value, KeyError) and info.value.exit_code == 2
    with pytest.raises(UnknownProviderError, match="是不是 deepseek"):
        resolve_settings(provider="deepsek")


def test_cli_source_has_no_bare_key_error_catch():
    source = (ROOT / "agent" / "cli.py").read_text(encoding="utf-8")
    assert "except KeyError" not in source


# --- 2/3. notes messages -------------------------------------------------------------------------

def test_every_notes_error_at_once_with_1_based_paths_and_lines():
    text = ("role: 副县长\nmeeting:\n  year: 2023\nstudied: {a: b}\nareas:\n  - area: 学习\n    problems:\n"
            "      - summary: 学习不够\n        facts: 3\n  - area: [甲, 乙]\n")
    with pytest.raises(NotesError) as info:
        parse_notes_yaml(text, "n.yaml")
    message = str(info.value)
    assert message.startswith("n.yaml：笔记有 3 处错误")
    assert "第4行 字段 studied：应为列表" in message and "实际是映射" in message
    assert "第9行 字段 areas 第1项 → problems 第1项 → facts：应为列表" in message and "实际是整数 3" in message
    assert "第10行 字段 areas 第2项 → area：应为一段文字，实际是列表" in message
    assert "Input should" not in message


def test_notes_errors_are_bounded():
    text = "role: 副县长\nmeeting:\n  year: 2023\n" + "".join(f"bad{i}: 1\n" for i in range(40))
    with pytest.raises(NotesError) as info:
        parse_notes_yaml(text, "n.yaml")
    assert len(info.value.problems) == MAX_REPORTED
    assert f"笔记有 40 处错误，只列出前 {MAX_REPORTED} 处" in str(info.value)


@pytest.mark.parametrize("key,guess", [("rol", "role"), ("meting", "meeting"), ("studdied", "studied"),
                                       ("职务", "role（职务）")])
def test_did_you_mean_for_a_misspelt_field(key, guess):
    text = GOOD_NOTES.replace("role:", f"{key}:", 1) if key != "meting" else GOOD_NOTES.replace("meeting:", "meting:", 1)
    if key == "studdied":
        text = GOOD_NOTES + "studdied: [x]\n"
    with pytest.raises(InputError) as info:
        parse_notes_yaml(text, "n.yaml")
    assert f"是不是要写 {guess}" in str(info.value)
    assert "缺少必填字段" not in str(info.value)  # the misspelling explains the "missing" field


def test_full_width_colon_gets_a_hint_on_its_own_line():
    with pytest.raises(InputError) as info:
        parse_notes_yaml("meeting:\n  year: 2023\nrole：镇党委书记\nunit: 某镇\n", "n.yaml")
    assert info.value.line == 3
    assert "全角冒号" in str(info.value) and "role: " in str(info.value)
    with pytest.raises(InputError) as info:
        parse_notes_yaml(GOOD_NOTES.replace("- summary: ", "- summary：", 1), "n.yaml")
    assert "全角冒号" in str(info.value) and "summary: " in str(info.value)


def test_full_width_comma_in_a_flow_list_gets_a_hint():
    with pytest.raises(InputError) as info:
        parse_notes_yaml("role: 副县长\nmeeting: {year: 2023}\nstudied: [甲，乙\n", "n.yaml")
    assert "全角逗号" in str(info.value)


def test_unknown_theme_names_file_line_and_field(tmp_path):
    notes = tmp_path / "n.yaml"
    notes.write_text(GOOD_NOTES.replace("theme: 2023-zhuti", "theme: 2099-x"), encoding="utf-8")
    line = next(i for i, t in enumerate(notes.read_text(encoding="utf-8").splitlines(), 1) if "2099-x" in t)
    out = cli("check", str(DRAFT), "--notes", str(notes))
    assert out.returncode == 2
    assert f"n.yaml 第{line}行 字段 meeting → theme：未知主题“2099-x”" in one_line(out)


# --- 4. limits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,needle", [
    ("role: 副县长\nmeeting: {year: 2023}\nstudied: [" + "[" * 30 + "]" * 30 + "]\n", "最多嵌套 12 层"),
    ("a: " + "[" * 5000, "最多嵌套 12 层"),  # a RecursionError inside the YAML parser
    ("role: 副县长\nmeeting: {year: 2023}\nstudied: ['" + "学" * (MAX_FIELD_CHARS + 1) + "']\n",
     f"每条最多 {MAX_FIELD_CHARS} 字"),
    ("role: 副县长\nmeeting: {year: 2023}\nstudied: [" + ",".join(["学习"] * (MAX_LIST_ITEMS + 1)) + "]\n",
     f"最多 {MAX_LIST_ITEMS} 项"),
    ("a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", "最多 5000 个值"),
])
def test_notes_limits_are_stated(text, needle):
    with pytest.raises(LimitError if "嵌套" in needle or "个值" in needle else NotesError) as info:
        parse_notes_yaml(text, "n.yaml")
    assert needle in str(info.value) and "n.yaml" in str(info.value)


def test_total_notes_text_is_bounded():
    studied = "".join(f"  - '{'学' * 900}{i}'\n" for i in range(25))
    with pytest.raises(NotesError, match="最多 20000 字"):
        parse_notes_yaml(f"role: 副县长\nmeeting: {{year: 2023}}\nstudied:\n{studied}", "n.yaml")


def test_free_text_notes_are_bounded_before_any_call(tmp_path):
    from agent.draft import MAX_FREE_NOTES_CHARS, notes_from_file

    big = tmp_path / "n.md"
    big.write_text("我" * (MAX_FREE_NOTES_CHARS + 1), encoding="utf-8")
    called = []
    with pytest.raises(LimitError, match=f"最多 {MAX_FREE_NOTES_CHARS} 字"):
        notes_from_file(big, lambda: called.append(1))
    assert not called


def test_prompt_backstop_sends_nothing():
    from agent.llm import LLM, MAX_PROMPT_CHARS
    from agent.settings import Settings
    from tests.scripted import ScriptedClient

    client = ScriptedClient(lambda task, messages: "x")
    llm = LLM(Settings(base_url="http://fake/v1", model="m"), client=client)
    with pytest.raises(LimitError, match=str(MAX_PROMPT_CHARS)):
        llm.chat([{"role": "user", "content": "字" * (MAX_PROMPT_CHARS + 1)}], step="t")
    assert client.tasks == []


def test_revise_section_limit_is_stated(monkeypatch):
    import agent.revise as revise
    from agent.reader import read_source

    monkeypatch.setattr(revise, "MAX_SECTION_CHARS", 50)
    with pytest.raises(LimitError, match="一次最多改写 50 字"):
        revise.revise_source(read_source(DRAFT), "1", llm_factory=lambda: pytest.fail("model called"))


# --- settings ------------------------------------------------------------------------------------

@pytest.mark.parametrize("env,config,needle", [
    ({"DUIZHAO_TIMEOUT": "abc"}, None, "环境变量 DUIZHAO_TIMEOUT 应为大于 0 的秒数（如 115），而不是“abc”"),
    ({"DUIZHAO_MAX_RETRIES": "99"}, None, "环境变量 DUIZHAO_MAX_RETRIES 应为介于 0 到 10 的整数，而不是“99”"),
    ({"DUIZHAO_TEMPERATURE": "hot"}, None, "DUIZHAO_TEMPERATURE 应为介于 0 到 2 的数"),
    ({}, "timeout: -5\n", "的 timeout 应为大于 0 的秒数（如 115），而不是“-5”"),
    ({}, "timout: 5\n", "字段 timout：不认识的设置，是不是要写 timeout？"),
    ({}, "a: " + "[" * 3000, "配置文件嵌套过深"),
    ({"DUIZHAO_BASE_URL": "localhost:8080"}, None, "DUIZHAO_BASE_URL 应为以 http:// 或 https:// 开头的地址"),
])
def test_settings_errors_in_chinese_naming_their_source(monkeypatch, tmp_path, env, config, needle):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if config is not None:
        (tmp_path / "config").mkdir()
        (tmp_path / "config" / "config.yaml").write_text(config, encoding="utf-8")
    with pytest.raises(InputError) as info:
        resolve_settings()
    assert needle in str(info.value)
    assert "validation error" not in str(info.value) and "Input should" not in str(info.value)


def test_bad_env_through_the_cli_is_exit_2_one_line(tmp_path):
    out = cli("draft", str(NOTES), "-o", str(tmp_path / "d.md"), env={"DUIZHAO_TIMEOUT": "abc",
                                                                      "DUIZHAO_RUNS_DIR": str(tmp_path / "runs")})
    assert out.returncode == 2 and "DUIZHAO_TIMEOUT" in one_line(out)
    assert not (tmp_path / "runs").exists() and not (tmp_path / "d.md").exists()


# --- 2. nothing created, nothing paid for before validation passes -------------------------------

def _bad_draft_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    (tmp_path / "folder").mkdir()
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    theme = tmp_path / "theme.yaml"
    theme.write_text(GOOD_NOTES.replace("theme: 2023-zhuti", "theme: 2099-x"), encoding="utf-8")
    fw = tmp_path / "fw.yaml"
    fw.write_text("role：镇党委书记\nmeeting:\n  year: 2023\n", encoding="utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000, encoding="utf-8")
    n, out = str(NOTES), str(tmp_path / "d.md")
    return [
        ([n, "-o", str(tmp_path / "folder")], "位置是一个文件夹"),
        ([n, "-o", str(ro / "d.md")], "不可写"),
        ([n, "-o", str(tmp_path / "d.pdf")], "扩展名“.pdf”不支持"),
        ([n, "-o", out, "--report", str(tmp_path / "folder")], "报告文件的位置是一个文件夹"),
        ([n, "-o", out, "--record", str(tmp_path / "a.yaml"), "--replay", str(tmp_path / "b.yaml")], "只能二选一"),
        ([n, "-o", out, "--theme", "2099-x"], "字段 --theme：未知主题"),
        ([str(theme), "-o", out], "字段 meeting → theme：未知主题"),
        ([str(fw), "-o", out], "全角冒号"),
        ([str(deep), "-o", out], "最多嵌套 12 层"),
        ([n, "-o", out, "--provider", "deepseek"], "缺少 API 密钥"),
        ([n, "-o", out, "--provider", "nope"], "未知的模型提供方"),
        ([n, "-o", out, "--base-url", "localhost:1"], "--base-url 应为以 http://"),
        ([n, "-o", out, "--max-rounds", "99"], "--max-rounds 应在 0 到 10 之间"),
        ([n, "-o", out, "--resume", str(tmp_path / "nope")], "不是 duizhao 的运行目录"),
        ([str(tmp_path / "missing.yaml"), "-o", out], "文件不存在"),
    ]


def test_bad_draft_inputs_exit_2_create_nothing_and_call_no_model(tmp_path):
    runs = tmp_path / "runs"
    with FakeOpenAIServer() as server:
        server.default = (500, {"error": {"message": "must not be called"}}, None, 0)
        for args, needle in _bad_draft_cases(tmp_path):
            base = [] if "--base-url" in args else ["--base-url", server.base_url]
            out = cli("draft", *args, *base, env={"DUIZHAO_RUNS_DIR": str(runs), "DUIZHAO_MAX_RETRIES": "0"})
            assert out.returncode == 2, (args, out.stderr)
            assert needle in one_line(out), (args, out.stderr)
            assert not runs.exists(), args
            assert not (tmp_path / "d.md").exists() and not (tmp_path / "d.pdf").exists(), args
    assert server.requests == []


def test_revise_record_with_replay_is_refused(tmp_path):
    out = cli("revise", str(DRAFT), "--section", "2", "--record", str(tmp_path / "a.yaml"),
              "--replay", str(tmp_path / "b.yaml"))
    assert out.returncode == 2 and "只能二选一" in one_line(out)
    assert not (tmp_path / "a.yaml").exists()


def test_revise_output_of_another_format_is_refused(tmp_path):
    out = cli("revise", str(DRAFT), "--section", "2", "-o", str(tmp_path / "x.docx"))
    assert out.returncode == 2 and "扩展名“.docx”不支持" in one_line(out)


# --- 5. files ------------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664, 0o600])
def test_atomic_writer_keeps_the_mode_of_the_replaced_file(tmp_path, mode):
    path = tmp_path / "d.md"
    path.write_text("旧", encoding="utf-8")
    path.chmod(mode)
    write_atomic(path, "新")
    assert path.read_text(encoding="utf-8") == "新" and _mode(path) == mode


@pytest.mark.parametrize("umask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.md", "新")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.md") == expected


def test_atomic_writer_leaves_no_temp_file_when_the_target_is_a_folder(tmp_path):
    (tmp_path / "d.md").mkdir()
    with pytest.raises(OutputPathError):
        write_atomic(tmp_path / "d.md", "新")
    assert [p.name for p in tmp_path.iterdir()] == ["d.md"]


def test_check_output_path_refuses_a_file_under_a_file(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(OutputPathError, match="不是文件夹"):
        check_output_path(tmp_path / "f" / "d.md")


def test_in_place_refuses_a_read_only_file(tmp_path):
    path = tmp_path / "d.md"
    path.write_bytes(DRAFT.read_bytes())
    path.chmod(0o444)
    out = cli("revise", str(path), "--section", "2", "--in-place", "--base-url", "http://127.0.0.1:9/v1")
    assert out.returncode == 2 and "只读" in one_line(out)
    assert path.read_bytes() == DRAFT.read_bytes() and _mode(path) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.md"]  # no backup either


# --- 6. .docx revise: the new body in the body's own run ------------------------------------------

@pytest.mark.parametrize("source", [DRAFT, *CLEAN], ids=lambda p: p.stem[:12])
def test_docx_revision_takes_the_body_font_in_every_section(tmp_path, source):
    import re

    from agent.parser import parse_text
    from agent.reader import read_source
    from agent.render.docx import BODY_FONT, render_docx
    from agent.revise import body_offset, docx_with_revision, replace_span

    path = tmp_path / "d.docx"
    path.write_bytes(render_docx(parse_text(source.read_text(encoding="utf-8"))))
    original = read_source(path).text
    doc = parse_text(original)
    tried = 0
    for node in doc.walk():
        body = original[node.body_start:node.end]
        if node.part_kind == "title" or not body.strip():
            continue
        new = re.match(r"\s*", body).group(0) + "新写的正文。"
        revised = replace_span(original, node.body_start, node.end, new)
        data = docx_with_revision(path, original, revised, body_offset(doc, node.id))
        (tmp_path / "o.docx").write_bytes(data)
        runs = [r for p in docx.Document(str(tmp_path / "o.docx")).paragraphs for r in p.runs if "新写的正文" in r.text]
        assert len(runs) == 1, node.id
        east_asia = runs[0]._r.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia"))
        assert east_asia == BODY_FONT, (node.id, runs[0].text, east_asia)
        tried += 1
    assert tried > 20


def test_docx_revision_after_a_heading_run_without_section_info(tmp_path):
    """Without body_at, a replacement starting where a heading run ends still goes into the body's run."""
    from agent.parser import parse_text
    from agent.reader import read_source
    from agent.render.docx import BODY_FONT, render_docx
    from agent.revise import docx_with_revision, replace_span

    path = tmp_path / "d.docx"
    path.write_bytes(render_docx(parse_text(DRAFT.read_text(encoding="utf-8"))))
    original = read_source(path).text
    node = parse_text(original).get("1.1")
    revised = replace_span(original, node.body_start, node.end, "新写的正文。")
    (tmp_path / "o.docx").write_bytes(docx_with_revision(path, original, revised))
    para = next(p for p in docx.Document(str(tmp_path / "o.docx")).paragraphs if "新写的正文" in p.text)
    heading, body = para.runs[0], next(r for r in para.runs if "新写的正文" in r.text)
    assert "新写的正文" not in heading.text
    assert body._r.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == BODY_FONT


def test_write_revision_cli_path_uses_the_body_run(tmp_path):
    from agent.parser import parse_text
    from agent.reader import read_source
    from agent.render.docx import BODY_FONT, render_docx
    from agent.revise import Revision, replace_span, write_revision

    path = tmp_path / "d.docx"
    path.write_bytes(render_docx(parse_text(DRAFT.read_text(encoding="utf-8"))))
    source = read_source(path)
    node = parse_text(source.text).get("3")
    lead = source.text[node.body_start:node.end][:1]  # revise keeps the body's leading newline
    assert lead == "\n"
    revised = replace_span(source.text, node.body_start, node.end, lead + "一是每月写一篇学习体会。")
    revision = Revision(section="3", original=source.text, text=revised, diff="", before=[], after=[],
                        score_before=0, score_after=0, changed=True)
    write_revision(source, revision, tmp_path / "o.docx")
    run = next(r for p in docx.Document(str(tmp_path / "o.docx")).paragraphs for r in p.runs if "学习体会" in r.text)
    assert run._r.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == BODY_FONT
    assert _mode(tmp_path / "o.docx") == 0o666 & ~_current_umask()


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_settings_error_is_a_settings_error(monkeypatch):
    monkeypatch.setenv("DUIZHAO_MAX_RETRIES", "-1")
    with pytest.raises(SettingsError):
        resolve_settings()
