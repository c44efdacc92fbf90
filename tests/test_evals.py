"""Eval metrics on small texts with known answers, and the suite end to end from replay."""

from __future__ import annotations

import pytest

from agent.evals import (
    EvalCase,
    compare,
    concrete_pct,
    copied_chars,
    facts_covered_pct,
    invented_figures,
    load_cases,
    measure,
)
from agent.notes import parse_notes_yaml
from agent.rules.length import length_score
from tests.conftest import ROOT

TWO_POINTS = """标题对照检查材料
一、存在的问题
（一）学习方面。一是学习不够。我学习不够。如，3月读书班缺席2次。二是思考不深。我思考不深。
二、原因剖析
一是理论学习不够。
三、整改措施
（一）年底前完成。
"""
NOTES = parse_notes_yaml("role: 科长\nmeeting: {year: 2023, theme: 2023-zhuti}\nareas:\n  - area: 理论学习\n"
                         "    problems:\n      - {summary: 学习不够, facts: ['3月读书班缺席2次']}\n")


def test_concrete_pct_counts_points_with_anchored_case():
    assert concrete_pct(TWO_POINTS) == 50.0


def test_invented_figures_skips_marked_ones():
    assert invented_figures("缺席2次，又缺席5次。", NOTES) == 1
    assert invented_figures("缺席2次，又缺席【请核实：5次】。", NOTES) == 0


def test_facts_covered_pct():
    assert facts_covered_pct("如，3月读书班缺席2次。", ["3月读书班缺席2次", "走访群众1户"]) == 50.0
    assert facts_covered_pct("任何文字", []) == 100.0


def test_copied_chars_counts_flagged_spans():
    from agent.rules import Finding

    f = Finding(rule="duplication.copy", category="duplication", severity="error", section="1", message="m",
                start=0, end=6)
    assert copied_chars([f], "照搬照抄的句子ab") == 6


def test_length_score_formula():
    assert length_score(1000, 1000) == 100
    assert round(length_score(1000, 500)) == 50  # too short: 100·(1 − (2 − 1)/2)
    assert round(length_score(1000, 2500)) == 50  # too long: 100·(1 − (2.5 − 1)/3)
    assert length_score(1000, 0) == 0


def test_measure_combines_metrics():
    case = EvalCase(name="t", notes=NOTES, must_carry=["3月读书班缺席2次"])
    m = measure(TWO_POINTS, case, rounds=3, usage={"prompt_tokens": 10, "completion_tokens": 5, "seconds": 1.5})
    assert (m.concrete_pct, m.facts_covered_pct, m.invented_figures, m.revision_rounds) == (50.0, 100.0, 0, 3)
    assert m.structure_errors >= 1  # 2023-zhuti needs six areas


def test_cases_cover_every_kind_theme_sparse_full_freetext_and_injection():
    cases = load_cases(ROOT / "evals" / "cases")
    assert len(cases) >= 10
    notes = [c.notes for c in cases if c.notes]
    assert {"2021-dangshi", "2023-zhuti", "2024-niandu", "2025-niandu", "custom"} <= {n.meeting.theme for n in notes}
    assert {"个人", "班子"} <= {n.kind for n in notes}
    assert {"民主生活会", "组织生活会"} <= {n.meeting.kind for n in notes}
    assert any("sparse" in c.name for c in cases)
    assert any(n.target_chars >= 3000 and all(len(a.problems) >= 2 for a in n.areas) for n in notes)
    assert any(c.notes_text and c.must_carry for c in cases)
    assert any("忽略以上" in f for n in notes for _, f in n.facts())


def test_a_case_has_notes_or_free_text_never_both():
    with pytest.raises(ValueError):
        EvalCase(name="x", notes=NOTES, notes_text="我是科长")
    with pytest.raises(ValueError):
        EvalCase(name="x", notes_text="我是科长")  # free text needs must_carry
    assert EvalCase(name="x", notes_text="我是科长", must_carry=["科长"]).facts() == ["科长"]


def test_new_metrics_see_echo_repeats_and_unanswered_areas():
    echo = TWO_POINTS.replace("如，", "【检查发现的问题】如，", 1)
    m = measure(echo, EvalCase(name="t", notes=NOTES))
    assert m.echo_meta >= 1 and m.errors >= 1
    assert 0 <= m.measures_answer_pct <= 100


def test_compare_gives_deltas():
    from agent.evals import METRICS, EvalResult, Metrics

    m = Metrics(structure_errors=1, concrete_pct=50, invented_figures=0, facts_covered_pct=80, copied_chars=0,
                length_score=90)
    result = EvalResult(cases={"a": {"chain": m, "single": m}},
                        mean={"chain": {k: 1.0 for k in METRICS}, "single": {k: 2.0 for k in METRICS}})
    deltas = compare(result, {"mean": {"chain": {"concrete_pct": 0.5}, "single": {}}})
    assert deltas == {"chain": {"concrete_pct": 0.5}, "single": {}}


def test_record_mode_records_only_the_chosen_mode_and_replays_the_other(monkeypatch):
    import agent.evals

    calls = []

    def fake_run_case(case, mode, sessions, settings, *, record=False, max_rounds=1, progress=None):
        calls.append((case.name, mode, record))
        return "", measure(TWO_POINTS, EvalCase(name=case.name, notes=case.notes))

    monkeypatch.setattr(agent.evals, "run_case", fake_run_case)
    case = load_cases(ROOT / "evals" / "cases")[0]
    agent.evals.run_suite([case], ROOT / "evals" / "sessions", None, record=True, record_modes=("chain",))
    assert calls == [(case.name, "chain", True), (case.name, "single", False)]


def test_record_mode_outside_the_choices_is_a_usage_error():
    from tests.test_cli import run

    result = run("eval", "--record", "--record-mode", "链式")
    assert result.returncode == 2 and "record_mode" in result.stderr and "Traceback" not in result.stderr
