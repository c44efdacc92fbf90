"""Start-up of `duizhao check`: what a plain run imports, and the disk cache that never changes results."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from agent import diskcache
from tests.conftest import CLEAN, ROOT

# Needed only for help, progress bars, Word/Excel files, models, recordings or --notes.
HEAVY = ("rich", "typer.rich_utils", "markdown_it", "openai", "docx", "openpyxl", "jinja2", "tenacity", "vcr",
         "tiktoken", "httpx", "agent.notes", "agent.llm")


def _python(code: str, cache: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DUIZHAO_CACHE_DIR": cache}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)


def test_plain_check_imports_nothing_heavy(tmp_path):
    code = ("import sys, agent.cli as c\n"
            "loaded = [m for m in " + repr(HEAVY) + " if m in sys.modules]\n"
            f"code = c.app(['check', {str(CLEAN[0])!r}, '--json'], standalone_mode=False)\n"
            "print('AFTER-IMPORT', loaded)\n"
            "print('AFTER-CHECK', [m for m in " + repr(HEAVY) + " if m in sys.modules], code)")
    out = _python(code, str(tmp_path / "cache"))
    assert "AFTER-IMPORT []" in out.stdout, out.stdout + out.stderr
    assert "AFTER-CHECK [] 1" in out.stdout, out.stdout + out.stderr


def test_help_and_usage_errors_stay_chinese_with_lazy_rich_utils(tmp_path):
    env = {**os.environ, "COLUMNS": "100", "DUIZHAO_CACHE_DIR": str(tmp_path)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "agent", *a], capture_output=True,  # noqa: E731
                                    text=True, cwd=ROOT, env=env, timeout=120)
    helped = run("check", "-h").stdout
    for word in ("用法：", "参数", "选项", "输出", "[必填]", "显示本帮助并退出"):
        assert word in helped, word
    assert "Options" not in helped and "[required]" not in helped
    bad = run("check", "--target", "x", str(CLEAN[0]))
    assert bad.returncode == 2 and "错误：'--target' 的取值无效：应为整数" in bad.stderr


def test_check_output_is_the_same_with_a_cold_and_a_warm_cache(tmp_path):
    code = (f"import sys, agent.cli as c\nsys.argv = ['duizhao', 'check', '--json', {str(CLEAN[0])!r}, "
            f"{str(CLEAN[1])!r}, {str(ROOT / 'tests' / 'data' / 'good-2023.md')!r}]\nc.main()")
    cache = str(tmp_path / "cache")
    cold = _python(code, cache)
    assert list((tmp_path / "cache").glob("startup-*.json")), cold.stderr
    warm = _python(code, cache)
    off = _python(code, "")  # the cache turned off
    assert cold.returncode == warm.returncode == off.returncode == 1
    assert cold.stdout == warm.stdout == off.stdout
    assert json.loads(cold.stdout)[0]["findings"]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache in tmp_path, as a new process would see it."""
    monkeypatch.setenv("DUIZHAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(diskcache, "_store", None)
    monkeypatch.setattr(diskcache, "_path", None)
    monkeypatch.setattr(diskcache, "_dirty", False)
    monkeypatch.setattr(diskcache, "_touched", set())
    diskcache.compile_re.cache_clear()
    yield tmp_path / "cache"
    diskcache.compile_re.cache_clear()
    monkeypatch.setattr(diskcache, "_store", None)


def _restart(monkeypatch) -> None:
    """Write the cache and forget it in memory, as between two processes."""
    diskcache._write()
    monkeypatch.setattr(diskcache, "_store", None)
    monkeypatch.setattr(diskcache, "_dirty", False)
    diskcache.compile_re.cache_clear()


PATTERNS = [(r"(?P<year>20\d\d)\s*年|(?:[一二三]是)", 0), (r"^\s*#{1,6}\s+(.+)$", re.MULTILINE),
            (r"[^\u4e00-\u9fff\x00\n]", 0), (r"a.b", re.S | re.I), (r"(\d)(?:x)(\1)", 0)]


def test_cached_regex_is_the_same_program(fresh_cache, monkeypatch):
    first = [diskcache.compile_re(p, f) for p, f in PATTERNS]
    _restart(monkeypatch)
    assert len(diskcache._entries("re")) == len(PATTERNS)
    again = [diskcache.compile_re(p, f) for p, f in PATTERNS]
    for (p, f), a, b in zip(PATTERNS, first, again, strict=True):
        expected = re.compile(p, f)
        assert a == b == expected  # equal patterns: same text, flags and compiled program
        assert (b.groups, b.groupindex, b.flags) == (expected.groups, expected.groupindex, expected.flags)
    text = "2023年 一是\n## 标题\nabc a\nB 1x1"
    assert [m.span() for m in again[0].finditer(text)] == [m.span() for m in re.finditer(PATTERNS[0][0], text)]
    assert again[0].search(text).group("year") == "2023"


def test_a_damaged_cache_file_is_ignored(fresh_cache, monkeypatch):
    diskcache.compile_re(PATTERNS[0][0])
    _restart(monkeypatch)
    path = next(fresh_cache.glob("startup-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    key = next(iter(data["re"]))
    data["re"][key][1][1] = [99999, 1, 2]  # not a valid program
    path.write_text(json.dumps(data), encoding="utf-8")
    assert diskcache.compile_re(PATTERNS[0][0]) == re.compile(PATTERNS[0][0])
    path.write_text("{not json", encoding="utf-8")
    _restart_without_write(monkeypatch)
    assert diskcache.compile_re(PATTERNS[1][0], PATTERNS[1][1]) == re.compile(*PATTERNS[1])


def _restart_without_write(monkeypatch) -> None:
    monkeypatch.setattr(diskcache, "_store", None)
    diskcache.compile_re.cache_clear()


def test_cached_yaml_is_equal_and_fresh(fresh_cache, monkeypatch):
    import yaml

    text = "a: [1, 2.0, true, null, 文字]\nb: {c: '1'}\n"
    first = diskcache.parse_yaml(text, yaml.safe_load)
    _restart(monkeypatch)
    calls = []
    again = diskcache.parse_yaml(text, lambda t: calls.append(t))
    assert again == first and not calls  # from the cache, the parser not called
    assert [type(v) for v in again["a"]] == [int, float, bool, type(None), str]
    again["a"].append("changed")
    assert diskcache.parse_yaml(text, yaml.safe_load) == first  # a caller's change stays its own


def test_yaml_that_json_cannot_hold_is_not_cached(fresh_cache):
    import yaml

    text = "day: 2024-01-01\n1: one\n"
    data = diskcache.parse_yaml(text, yaml.safe_load)
    assert data == yaml.safe_load(text)
    assert diskcache._entries("yaml") == {}


def test_empty_cache_dir_turns_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv("DUIZHAO_CACHE_DIR", "")
    assert diskcache.cache_dir() is None
    monkeypatch.delenv("DUIZHAO_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert diskcache.cache_dir() == tmp_path / "duizhao"


def test_a_derived_value_is_computed_once_and_then_read_back(fresh_cache, monkeypatch):
    calls: list[str] = []

    def analyse(pattern: str, flags: int) -> str:
        calls.append(pattern)
        return f"{pattern}/{flags}"

    assert diskcache.derived("analysis@1", "a|b", 8, analyse) == "a|b/8"
    _restart(monkeypatch)
    assert diskcache.derived("analysis@1", "a|b", 8, analyse) == "a|b/8"
    assert calls == ["a|b"]  # the second process read it back
    assert diskcache.derived("analysis@2", "a|b", 8, analyse) == "a|b/8" and len(calls) == 2  # a new name recomputes


def test_a_piped_batch_check_draws_no_progress_bar_and_imports_no_rich(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(CLEAN[i % 2].read_text(encoding="utf-8"), encoding="utf-8")
    code = ("import sys, agent.cli as c\n"
            f"code = c.app(['check', {str(tmp_path)!r}, '--json'], standalone_mode=False)\n"
            "print('AFTER-CHECK', [m for m in ('rich', 'rich.progress') if m in sys.modules], code)")
    out = _python(code, str(tmp_path / "cache"))
    assert "AFTER-CHECK [] 1" in out.stdout, out.stdout + out.stderr
    assert out.stderr == ""


@pytest.mark.parametrize("env,tty,expected", [
    ({}, False, False), ({}, True, True), ({"FORCE_COLOR": "1"}, False, True), ({"FORCE_COLOR": ""}, True, False),
    ({"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, True, False), ({"TTY_COMPATIBLE": "1"}, False, True)])
def test_stderr_counts_as_a_terminal_exactly_when_rich_would_draw_on_it(monkeypatch, env, tty, expected):
    from rich.console import Console

    from agent.cli import _stderr_is_terminal

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    assert _stderr_is_terminal() is expected
    assert Console(stderr=True).is_terminal is expected


def test_cached_programs_are_stored_compactly(fresh_cache, monkeypatch):
    diskcache.compile_re(PATTERNS[0][0])
    _restart(monkeypatch)
    path = next(fresh_cache.glob("startup-v3-*.json"))
    entry = next(iter(json.loads(path.read_text(encoding="utf-8"))["re"].values()))[1]
    assert isinstance(entry[1], str)  # base64 words, not a list of numbers JSON reads slowly
    assert diskcache._code_list(entry[1]) == diskcache._code_list(diskcache._program(PATTERNS[0][0], 0)[1])
    assert diskcache._code_list(diskcache._code_text([1, 2, 4294967295])) == [1, 2, 4294967295]


def test_derived_data_is_computed_once_per_input_and_fresh(fresh_cache, monkeypatch):
    calls: list[int] = []

    def compute() -> dict:
        calls.append(1)
        return {"b": ["窗口", "x"], "a": [[1, 2], None]}

    first = diskcache.derived_data("table", ["code v1", "样例"], compute)
    _restart(monkeypatch)
    again = diskcache.derived_data("table", ["code v1", "样例"], compute)
    assert again == first and list(again) == ["b", "a"] and len(calls) == 1  # order kept, not recomputed
    again["b"].append("changed")
    assert diskcache.derived_data("table", ["code v1", "样例"], compute) == first  # a caller's change stays its own
    diskcache.derived_data("table", ["code v2", "样例"], compute)  # any input changed: worked out again
    diskcache.derived_data("table", ["code v1样", "例"], compute)  # inputs are not just concatenated
    assert len(calls) == 3


def test_sample_tables_are_the_same_from_the_cache(fresh_cache, monkeypatch):
    from agent.rules import duplication

    def tables():
        for f in (duplication.corpus_windows, duplication.sample_sentences):
            f.cache_clear()
        return duplication.corpus_windows(), duplication.sample_sentences()

    monkeypatch.setenv("DUIZHAO_CACHE_DIR", "")
    off = tables()
    monkeypatch.setenv("DUIZHAO_CACHE_DIR", str(fresh_cache))
    monkeypatch.setattr(diskcache, "_store", None)
    cold = tables()
    _restart(monkeypatch)
    warm = tables()
    assert off == cold == warm and list(off[0]) == list(warm[0])
    assert isinstance(next(iter(warm[0].values()))[0], frozenset)
    assert isinstance(next(iter(warm[1].values()))[0], tuple)


def test_check_alone_builds_only_the_check_command():
    from agent import cli

    only = cli._app_for(["check", "x.txt"])
    assert [c.callback for c in only.registered_commands] == [cli.check] and not only.registered_groups
    assert len(cli.app.registered_commands) > 1 and cli.app.registered_groups  # the app itself untouched
    assert cli._app_for(["draft"]) is cli.app and cli._app_for([]) is cli.app and cli._app_for(["--help"]) is cli.app


@pytest.mark.parametrize("args", [["check", "-h"], ["check"], ["check", "--bogus", "x.txt"], ["check", "--target", "5", "x"]])
def test_check_alone_says_and_exits_as_the_whole_app(args, monkeypatch):
    from typer.testing import CliRunner

    from agent import cli

    monkeypatch.setenv("COLUMNS", "100")
    whole = CliRunner().invoke(cli.app, args, prog_name="duizhao")
    alone = CliRunner().invoke(cli._app_for(args), args, prog_name="duizhao")
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)


def test_a_derived_table_replaces_the_one_its_old_inputs_gave(fresh_cache, monkeypatch):
    assert diskcache.derived_data("windows", ["samples v1"], lambda: {"v": 1}) == {"v": 1}
    assert diskcache.derived_data("other", ["samples v1"], lambda: {"o": 1}) == {"o": 1}
    assert diskcache.derived_data("windows", ["samples v2"], lambda: {"v": 2}) == {"v": 2}
    _restart(monkeypatch)
    kept = diskcache._entries("data")
    assert sorted(json.loads(v).popitem()[0] for v in kept.values()) == ["o", "v"]  # one per name: v1's is gone
    assert diskcache.derived_data("windows", ["samples v2"], lambda: {"v": "recomputed"}) == {"v": 2}


def test_entries_no_run_uses_for_many_saves_are_dropped(fresh_cache, monkeypatch):
    diskcache.compile_re("kept|used")
    diskcache.compile_re("edited|v0")
    for version in range(1, diskcache.KEEP_GENERATIONS + 2):  # a developer editing one pattern, run after run
        _restart(monkeypatch)
        diskcache.compile_re("kept|used")
        diskcache.compile_re(f"edited|v{version}")
    _restart(monkeypatch)
    keys = {k.split(":", 1)[1] for k in diskcache._entries("re")}
    assert "kept|used" in keys and "edited|v0" not in keys and "edited|v1" not in keys
    assert f"edited|v{diskcache.KEEP_GENERATIONS + 1}" in keys
    assert len(keys) == diskcache.KEEP_GENERATIONS + 1  # the file does not grow with every edit


def test_an_entry_read_but_not_recomputed_survives_other_commands_saves(fresh_cache, monkeypatch):
    diskcache.compile_re("check|only")
    for i in range(diskcache.KEEP_GENERATIONS - 1):  # other commands save their new patterns meanwhile
        _restart(monkeypatch)
        diskcache.compile_re(f"draft|{i}")
    _restart(monkeypatch)
    assert any(k.endswith("check|only") for k in diskcache._entries("re"))


def test_a_save_removes_an_older_layouts_file(fresh_cache, monkeypatch):
    fresh_cache.mkdir(parents=True)
    old = fresh_cache / "startup-v2-0123456789abcdef.json"
    old.write_text("{}", encoding="utf-8")
    diskcache.compile_re("new|one")
    _restart(monkeypatch)
    assert not old.exists() and list(fresh_cache.glob("startup-v3-*.json"))
