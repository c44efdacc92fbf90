"""The examples replayed offline from sessions recorded against the real local model."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from agent.parser import parse_file
from agent.themes import get_theme
from tests.conftest import ROOT

EXAMPLES = [("2023-zhuti.yaml", "2023-zhuti"), ("2023-zhuti-sparse.yaml", "2023-zhuti"), ("2024-niandu.yaml", "2024-niandu"),
            ("2025-niandu.md", "2025-niandu")]
REVISED = "1.4.1"  # the section the recorded revision rewrote


def duizhao(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("notes,theme", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_replays_offline_into_a_complete_draft(tmp_path, notes, theme):
    name = notes.rsplit(".", 1)[0]
    out, report = tmp_path / "draft.docx", tmp_path / "report.json"
    result = duizhao("draft", f"examples/{notes}", "--max-rounds", "1", "--replay", f"examples/sessions/{name}.yaml",
                     "-o", str(out), "--report", str(report))
    assert result.returncode == 0, result.stderr
    doc = parse_file(out)
    assert doc.part("problems") and doc.part("causes") and doc.part("measures")
    assert len(doc.part("problems").children) == len(get_theme(theme).required_areas())
    if "case" in get_theme(theme).parts:
        assert doc.part("case") is not None
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["usage"]["calls"] >= len(doc.part("problems").children) + 3
    assert data["usage"]["prompt_tokens"] > 0 and data["usage"]["completion_tokens"] > 0
    assert set(data["report"]) >= {"file", "passed", "score", "counts", "sections", "findings"}
    assert "调用" in result.stderr  # the usage summary on stderr
    # Nothing ships that the tool can see and the model could fix: every error left is a slot for the user.
    errors = [f for f in data["report"]["findings"] if f["severity"] == "error"]
    assert all(f["rule"] == "placeholder.slots" for f in errors), errors
    assert {"repairs", "fallbacks"} <= set(data["report"])


def test_demo_is_a_complete_statement_that_passes_its_own_check(tmp_path):
    out, report = tmp_path / "demo.md", tmp_path / "report.json"
    result = duizhao("draft", "examples/2023-zhuti.yaml", "--max-rounds", "1", "--replay",
                     "examples/sessions/2023-zhuti.yaml", "-o", str(out), "--report", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["report"]["counts"]["error"] == 0 and data["report"]["passed"], data["report"]["findings"]
    text = out.read_text(encoding="utf-8")
    assert text.rstrip().endswith("王建华\n\n2024年1月18日")
    from agent.facts import cjk_count

    # Every part of a full statement, near enough its 3,000-字 target for S_l ≥ 80 (the bar for a shipped
    # draft): repair drops much of what the 1.5B model writes, and code never pads it.
    from agent.rules.length import MIN_LENGTH_SCORE, length_score

    assert length_score(3000, cjk_count(text)) >= MIN_LENGTH_SCORE
    doc = parse_file(out)
    assert [len(s.children) for s in doc.part("problems").children] == [2] * 6
    assert len(doc.part("causes").children) == 5 and len(doc.part("measures").children) == 6


def test_replay_with_changed_notes_is_a_clear_input_error(tmp_path):
    notes = tmp_path / "n.yaml"
    # A problem's wording goes into its section's prompt (counts do not: code writes them).
    notes.write_text((ROOT / "examples" / "2023-zhuti.yaml").read_text(encoding="utf-8")
                     .replace("学用结合不够紧密", "学用结合不紧"), encoding="utf-8")
    result = duizhao("draft", str(notes), "--max-rounds", "1", "--replay", "examples/sessions/2023-zhuti.yaml",
                     "-o", str(tmp_path / "x.md"))
    assert result.returncode == 2
    assert "录制中没有这次请求" in result.stderr and "Traceback" not in result.stderr


def test_revise_example_replays_and_changes_only_that_section(tmp_path):
    draft = ROOT / "examples" / "draft-2023-zhuti.md"
    result = duizhao("revise", str(draft), "--section", REVISED, "--notes", "examples/2023-zhuti.yaml",
                     "--replay", "examples/sessions/revise-2023-zhuti.yaml", "-o", str(tmp_path / "out.md"))
    assert result.returncode == 0, result.stderr
    before, after = draft.read_text(encoding="utf-8"), (tmp_path / "out.md").read_text(encoding="utf-8")
    node = parse_file(draft).get(REVISED)
    assert after[:node.body_start] == before[:node.body_start]
    assert after.endswith(before[node.end:])
    # The recorded rounds decide the outcome: a rewrite scoring no lower replaces the body, else the
    # original stays byte for byte and the report says so. Never a worse version.
    scores = re.search(r"得分 (\d+) → (\d+)", result.stderr)
    assert scores, result.stderr
    assert int(scores.group(2)) >= int(scores.group(1))
    assert (after == before) == ("原文保持不变" in result.stderr)


def test_eval_one_case_end_to_end_from_replay():
    result = duizhao("eval", "--only", "niandu-2025", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    case = data["cases"]["niandu-2025"]
    for mode in ("chain", "single"):
        assert 0 <= case[mode]["facts_covered_pct"] <= 100
        assert case[mode]["prompt_tokens"] > 0
    assert case["chain"]["prompt_tokens"] > case["single"]["prompt_tokens"]


def test_every_recorded_eval_session_replays_and_its_chain_draft_ships_no_error():
    # A change that alters any request the chain makes needs a new recording: this says which case.
    from agent.evals import load_cases, run_suite
    from agent.settings import resolve_settings

    settings = resolve_settings(provider=None, base_url=None, model=None)
    result = run_suite(load_cases(ROOT / "evals" / "cases"), ROOT / "evals" / "sessions", settings)
    assert len(result.cases) >= 10
    for name, modes in result.cases.items():
        chain = modes["chain"]
        assert (chain.errors, chain.invented_figures, chain.copied_chars) == (0, 0, 0), name


def test_draft_with_broken_notes_exit_2_names_field_and_line(tmp_path):
    notes = tmp_path / "bad.yaml"
    notes.write_text("role: 副县长\nmeeting:\n  year: 2023\n  theme: 2023-zhuti\ntarget_chars: 很多\n", encoding="utf-8")
    result = duizhao("draft", str(notes), "--replay", "examples/sessions/2023-zhuti.yaml")
    assert result.returncode == 2
    assert "bad.yaml" in result.stderr and "第5行" in result.stderr and "target_chars" in result.stderr
    assert "Traceback" not in result.stderr
