"""Concreteness rules: cases found by pattern (dated, numbered, named, masked), real 时限, problems not measures."""

from __future__ import annotations

import pytest

from agent.check import check_document
from agent.parser import parse_text
from agent.rules.concreteness import anchor
from tests.conftest import ROOT

GOOD = (ROOT / "tests" / "data" / "good-2023.md").read_text(encoding="utf-8")
CASE = "如，2023年3月县委理论学习中心组读书班，我因下乡缺席2次，笔记只写了3篇。"
MEASURE = "制定个人自学计划，每月参加中心组学习不少于2次，年底前撰写体会文章4篇。"


def hits(text: str, rule_id: str):
    return [f for f in check_document(parse_text(text)).findings if f.rule == rule_id]


@pytest.mark.parametrize("case", [
    "2023年下半年，在推动城东停车场项目时，我没有先听群众意见。",  # dated, no 如
    "在今年3月的调研中，我只听了汇报。",
    "全年我只下基层4次。",
    "在讨论总投资1200余万元的农贸市场改造时，我考虑不周。",
    "在开展河道采砂专项整治时，我没有盯住问题线索。",  # named campaign, no figure
    "20**年X月，在推进**村道路硬化时，我督办不力。",  # masked anchors still count
])
def test_case_with_or_without_marker_counts(case):
    assert hits(GOOD.replace(CASE, case), "concreteness.case") == []


@pytest.mark.parametrize("case,kind", [
    ("如，在近期某项工作中，我学习不够。", "不够具体"),
    ("比如在推进重点项目时，我没有把学习成果用好。", "不够具体"),
    ("平时下基层多是走马观花，有关会议上也很少提出意见。", "缺少"),
    ("我只注重活动的形式，习惯以会议落实会议。", "缺少"),
])
def test_generic_anchor_is_not_a_case(case, kind):
    found = hits(GOOD.replace(CASE, case), "concreteness.case")
    assert found and found[0].section == "1.1.1" and kind in found[0].message


def test_anchor_ignores_formulae_and_generic_words():
    assert anchor("坚定“四个自信”，落实八项规定，学习政治理论不够") is None
    assert anchor("在化解金融风险方面考虑不周") is None
    assert anchor("在“智慧社区”平台建设中") is not None


def test_empty_area_heading_is_left_to_structure():
    text = GOOD.replace("（六）廉洁自律方面。", "（七）其他方面\n\n（六）廉洁自律方面。")
    assert not [f for f in hits(text, "concreteness.case") if f.section == "1.7"]


@pytest.mark.parametrize("measure", [
    "今后要定期学习，进一步加强理论武装，持续推进学习常态化，长期坚持。",
    "明年继续加强学习，经常开展交流。",
])
def test_vague_timing_is_not_a_deadline(measure):
    found = hits(GOOD.replace(MEASURE, measure), "concreteness.measures")
    assert found and found[0].section == "3.1"


@pytest.mark.parametrize("measure", ["3个月内完成自学篇目清单。", "每季度参加专题研讨1次。", "年内撰写调研报告不少于2篇。"])
def test_real_deadline_or_quantity_passes(measure):
    assert hits(GOOD.replace(MEASURE, measure), "concreteness.measures") == []


@pytest.mark.parametrize("head", ["二是要进一步加强学用结合。", "二是将持续深化学用结合。", "二是坚持学用结合，不断提升本领。"])
def test_problem_written_as_commitment_is_flagged(head):
    found = hits(GOOD.replace("二是学用结合不紧。", head), "concreteness.commitment")
    assert found and found[0].section == "1.1.2"


@pytest.mark.parametrize("head", ["二是学用结合不紧。", "二是坚持学用结合不够经常。", "二是提高本领的紧迫感不强。"])
def test_real_problem_heading_is_not_a_commitment(head):
    assert hits(GOOD.replace("二是学用结合不紧。", head), "concreteness.commitment") == []


@pytest.mark.parametrize("pledge", ["我也应该更加注重与上级的沟通。", "因此，我会更加注重学以致用。", "今后我将进一步加强学习。",
                                    "这个问题需要我今后更加注重学用结合。", "这些问题需要我们进一步加强学习。", "这件事让我认识到，必须进一步加强调研。",
                                    "如果能够多到现场看一看，这些问题就会得到解决。"])
def test_a_pledge_inside_a_problem_point_is_flagged(pledge):
    found = hits(GOOD.replace("二是学用结合不紧。", "二是学用结合不紧。" + pledge), "concreteness.commitment")
    assert found and found[0].section == "1.1.2" and "整改打算" in found[0].message


@pytest.mark.parametrize("sentence", ["我没有意识到需要更加注重学用结合。", "如不及时纠正，就会影响工作。",
                                      "如果不深入调研，就会脱离实际。", "我的本领有待进一步提高。"])
def test_a_deficiency_or_a_warning_in_a_problem_point_is_not_a_pledge(sentence):
    text = GOOD.replace("二是学用结合不紧。", "二是学用结合不紧。" + sentence)
    assert hits(text, "concreteness.commitment") == []


@pytest.mark.parametrize("pledge", ["下一阶段我要把这门课补上。", "我会在年内拿出解决办法。", "对此我深刻反省，决心彻底改正。",
                                    "我要引以为戒，举一反三。", "我打算下半年专门抽时间学习。", "这一问题我将及时加以纠正。",
                                    "今后在这方面我会下功夫。", "我一定把这个短板补齐。"])
def test_a_vow_in_other_words_inside_a_problem_point_is_flagged(pledge):
    found = hits(GOOD.replace("二是学用结合不紧。", "二是学用结合不紧。" + pledge), "concreteness.commitment")
    assert found and found[0].section == "1.1.2"


@pytest.mark.parametrize("sentence", ["对上次巡察指出的问题，我没有及时加以纠正。", "我将主要精力放在了业务上，学用结合不紧。",
                                      "对今后一个时期的工作思考不深。", "我在一定程度上满足于现状。", "上年度的问题没有整改到位。"])
def test_a_failure_to_correct_or_a_disposal_is_not_a_vow(sentence):
    text = GOOD.replace("二是学用结合不紧。", "二是学用结合不紧。" + sentence)
    assert hits(text, "concreteness.commitment") == []


def test_a_pledge_in_an_area_written_without_points_is_flagged():
    area = "（二）政治素质方面。我对重大事项报告的自觉性不强，6月防汛调度会后延迟了2天才报告。"
    text = re_points(GOOD, area + "这个问题需要我今后更加注重请示报告。")
    found = hits(text, "concreteness.commitment")
    assert found and found[0].section == "1.2" and "整改打算" in found[0].message
    assert hits(re_points(GOOD, area), "concreteness.commitment") == []


def re_points(text: str, area: str) -> str:
    """The document with area （二） rewritten as one paragraph (no 一是… points)."""
    start = text.index("（二）政治素质方面。")
    return text[:start] + area + text[text.index("\n", start):]


@pytest.mark.parametrize("vow", ["这块短板，我将力争年内补齐。", "从现在起，我要把周五下午留给群众来访。", "此事拟列入个人整改台账，限期办结。",
                                 "从下周起，我每天提前半小时到岗。", "欢迎同志们随时监督我。", "我向组织保证，这种事绝不再发生。",
                                 "国庆前我要把这笔欠账还清。", "往后涉及征地的事，我都会亲自过问。"])
def test_a_vow_without_a_vow_word_at_a_points_end_is_flagged(vow):
    found = hits(GOOD.replace("项目拖期45天。", "项目拖期45天。" + vow), "concreteness.commitment")
    assert found and found[0].section == "1.1.2"


@pytest.mark.parametrize("sentence", ["我把学习当成任务来完成，自学计划落实不够。", "我没有将上级要求落实到具体工作中。",
                                      "去年我计划走访20户，实际只走访了8户。", "从去年起，我就很少下村了。",
                                      "我接受群众监督的意识不强。", "原计划年内解决，至今没有解决。"])
def test_a_plan_that_fell_short_or_a_disposal_at_a_points_end_is_no_vow(sentence):
    assert hits(GOOD.replace("项目拖期45天。", "项目拖期45天。" + sentence), "concreteness.commitment") == []


@pytest.mark.parametrize("pledge", ["下学期开始，我每周听一节青年教师的课。", "我向大家保证，类似问题不会再出现。"])
def test_a_vow_from_a_coming_term_or_a_promise_it_will_not_happen_again_is_flagged(pledge):
    found = hits(GOOD.replace("项目拖期45天。", "项目拖期45天。" + pledge), "concreteness.commitment")
    assert found and found[0].section == "1.1.2"


def test_a_plan_for_a_coming_term_that_never_started_is_the_problem_itself():
    text = GOOD.replace("项目拖期45天。", "项目拖期45天。原计划下学期开始轮训，至今未启动。")
    assert hits(text, "concreteness.commitment") == []
