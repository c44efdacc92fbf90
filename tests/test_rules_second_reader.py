"""The second reader: n-gram features, the model's probabilities, units, gates, deferring to the exact rules."""

from __future__ import annotations

import math

import pytest

from agent.check import check_document
from agent.document import DocKind
from agent.parser import parse_text
from agent.revise import build_messages
from agent.rules import Finding, load_rules, second_opinion
from agent.rules.second_reader import (
    Model,
    Spec,
    grams,
    model,
    pack,
    probabilities,
    specs,
    unit_spans,
    unpack,
)
from tests.conftest import ROOT

GOOD = (ROOT / "tests" / "data" / "good-2023.md").read_text(encoding="utf-8")
POINT = "我把学习当成任务来完成"


def findings(text: str):
    doc = parse_text(text)
    doc.kind = DocKind(voice="personal", origin="flag")
    return check_document(doc).findings


def test_grams_drop_punctuation_read_every_digit_as_zero_and_mark_the_ends():
    assert grams("只走访了3次。") == grams("只走访了7次！")
    assert {"^只", "次$", "0", "了0"} <= grams("只走访了3次。")
    assert not any("。" in g for g in grams("只走访了3次。"))


def test_probabilities_cover_every_label_and_sum_to_one():
    p = probabilities("科室里几位年轻护士交接班时敷衍了事，")
    assert set(p) == set(model().labels) and abs(sum(p.values()) - 1) < 1e-9


def test_packed_rows_sum_to_each_labels_sum_signs_and_carries_included():
    rows = [(0.25, -1.457, 0.0, 1.731), (-0.001, -0.002, 0.5, -1.0), (0.0, 0.999, -0.999, 0.0)]
    total = sum(pack(r) for r in rows)
    assert unpack(total, 4) == pytest.approx([sum(col) for col in zip(*rows, strict=True)], abs=1e-12)


def test_probabilities_are_the_softmax_of_bias_plus_the_weights_of_the_distinct_grams():
    data = {"labels": ["none", "x"], "orders": [1, 2], "bias": [0.5, -0.5],
            "weights": {"我": [0.0, 0.3], "^我": [0.1, 0.2], "满足": [-0.2, 0.9]}}
    m = Model.from_weights(data)
    # 我 occurs twice and counts once; 满足 once; grams with no row weigh nothing.
    score_none, score_x = 0.5 + 0.0 + 0.1 - 0.2, -0.5 + 0.3 + 0.2 + 0.9
    p = probabilities("我满足于我", m)
    assert p["x"] == pytest.approx(1 / (1 + math.exp(score_none - score_x)), abs=1e-12)


def test_among_weighs_a_unit_only_against_none_and_the_labels_a_part_can_hold():
    data = {"labels": ["none", "x", "y"], "orders": [1, 2], "bias": [0.0, 0.0, 2.0], "weights": {}}
    m = Model.from_weights(data)
    assert probabilities("学习", m)["x"] == pytest.approx(1 / (2 + math.exp(2)))
    only_x = probabilities("学习", m, among=frozenset({"x"}))
    assert set(only_x) == {"none", "x"} and only_x["x"] == pytest.approx(0.5)


def test_units_are_each_sentence_and_its_clauses():
    text = "我学习不够深入，满足于读原文。我调研少。"
    spans = [text[s:e] for s, e in unit_spans(text, 0, len(text))]
    assert spans == ["我学习不够深入，满足于读原文。", "我学习不够深入，", "满足于读原文。", "我调研少。"]


def test_a_gate_needs_its_words_forbids_its_words_and_asks_about_owning_up():
    spec = Spec(label="x", rule="voice.x", category="voice", parts=("problems",), threshold=0.5, message="",
                summary="", requires="我", forbids="作为", owns_up=False)
    assert spec.admits("我的经验被推广")
    assert not spec.admits("他的经验被推广")  # no 我
    assert not spec.admits("我作为组长")  # a forbidden word
    assert not spec.admits("我学习不够")  # owns up


def test_every_label_of_the_table_is_a_label_of_the_model_and_a_registered_info_rule():
    rules = load_rules()
    for spec in specs():
        assert spec.label in model().labels
        assert rules[spec.rule].severity == "info" and rules[spec.rule].defers_to


@pytest.mark.parametrize(("sentence", "rule"), [
    ("年轻的科员们写简报时爱堆砌数字，", "voice.second_reader_group"),
    ("以上几条问题可以按需删减。", "contamination.second_reader_meta"),
    ("我手上的项目年年拿全市头彩，", "voice.second_reader_achievement"),
])
def test_a_fault_in_words_no_list_holds_is_read_as_a_prompt_to_look_again(sentence, rule):
    found = [f for f in findings(GOOD.replace(POINT, sentence + POINT)) if f.rule == rule]
    assert found and found[0].section == "1.1.1"
    assert found[0].severity == "info" and "请复核" in found[0].message


@pytest.mark.parametrize("sentence", [
    "全年到乡镇蹲点调研只有4次，",  # a shortfall with a figure is a case, not 成绩
    "分管项目年度投资只完成计划的68%，",
    "现将本人对照检查情况汇报如下：",  # the genre's own signpost
])
def test_a_shortfall_with_a_figure_or_a_signpost_is_not_flagged(sentence):
    assert [f for f in findings(GOOD.replace(POINT, sentence + POINT)) if second_opinion(f)] == []


def test_a_clean_statement_draws_no_second_opinion():
    assert [f for f in findings(GOOD) if second_opinion(f)] == []  # 我对身边工作人员要求不严 is lax, not strict


@pytest.mark.parametrize(("label", "unit", "read"), [
    ("objective excuse", "今年雨水多、工期紧，上级催得又急，", True),
    ("objective excuse", "除了客观上的条件限制外，", False),  # conditions named only to be set aside
    ("objective excuse", "以及经费紧张等原因外，", False),  # the tail of the same concession
    ("objective excuse", "如果继续满足于老经验，", False),  # a warning of what follows
    ("objective excuse", "任务重、人手少，我对学习抓得不紧，", False),  # the speaker owns the cause
    ("self-praise sentence", "我对同事要求太高，", True),
    ("self-praise sentence", "我对身边工作人员要求不严。", False),  # lax demands are the fault itself
    ("group subject", "窗口的年轻人们答复群众时爱打官腔，", True),
    ("group subject", "部分群众反映办事还要跑好几趟，", False),  # others' opinion, reported
])
def test_the_tables_gates_read_only_the_units_their_label_can_be_true_of(label, unit, read):
    assert {spec.label: spec for spec in specs()}[label].admits(unit) is read


def test_where_an_exact_rule_found_the_same_words_only_its_finding_is_reported():
    found = findings(GOOD.replace(POINT, "部分同志对学习敷衍了事，" + POINT))
    assert any(f.rule == "voice.group_subject" for f in found)
    assert not any(f.rule == "voice.second_reader_group" for f in found)


def test_a_revision_prompt_carries_the_exact_rules_findings_but_not_the_readers():
    doc = parse_text(GOOD)
    node = doc.get("1.1.1")
    exact = Finding(rule="voice.group_subject", category="voice", severity="warning", section="1.1.1",
                    message="集体主语")
    second = Finding(rule="voice.second_reader_group", category="voice", severity="info", section="1.1.1",
                     message="疑似集体主语（统计读者提示，请复核）")
    assert second_opinion(second) and not second_opinion(exact)
    prompt = "".join(m["content"] for m in build_messages(doc, node, [exact, second], None, None))
    assert "集体主语" in prompt and "请复核" not in prompt
