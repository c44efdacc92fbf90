"""Correspondence: causes vs problems, the opening's counts, the title, measures judged on content."""

from __future__ import annotations

import pytest

from agent.check import check_document
from agent.notes import parse_notes_yaml
from agent.parser import parse_text
from agent.themes import get_theme

BASE = """某镇党委书记2025年度民主生活会个人对照检查材料

根据县委关于召开2025年度民主生活会的部署，我征求意见建议16条，开展谈心谈话12人次，对照2个方面查摆出4个问题，现对照检查如下。

一、存在的问题
（一）在带头强化政治忠诚、提高政治能力方面
一是学用转化不够。我学习全会精神后没有转化为具体打法。如，全镇乡村振兴示范片建设方案修改了3稿，仍停留在口号上。
二是风险研判不准。我对征地矛盾的苗头估计不足。如，6月东坝村征地补偿争议发生后，我两天后才到现场。
（二）在带头干事创业、担当作为方面
一是攻坚劲头不足。我碰到难题习惯往上报。如，镇区污水管网改造遇到管线迁移，我等了3个月才协调。
二是督办落实不严。我对交办事项跟踪不紧。如，全年交办的28件民生实事有5件超期。
二、原因剖析
一是理论学习不够深入，把学习当成软任务。二是党性修养有所放松，主观世界改造不够。三是担当精神弱化，怕担风险。
三、整改措施
（一）每月集中学习1次，年底前拿出乡村振兴示范片具体实施方案，建立征地矛盾排查台账。
（二）年内完成镇区污水管网改造，民生实事实行周调度，超期事项当月办结。
"""

NOTES = """
role: 镇党委书记
meeting: {year: 2025, kind: 民主生活会, theme: 2025-niandu}
opinions: {collected: 16, talks: 12}
"""


def hits(text: str, rule: str, notes=None, theme=None) -> list:
    return [f for f in check_document(parse_text(text), notes=notes, theme=theme).findings if f.rule == rule]


def test_base_has_no_correspondence_findings():
    notes = parse_notes_yaml(NOTES)
    found = [f for f in check_document(parse_text(BASE), notes=notes, theme=get_theme("2025-niandu")).findings
             if f.category == "correspondence"]
    assert found == []


def test_cause_that_restates_a_problem():
    text = BASE.replace("一是理论学习不够深入，把学习当成软任务。", "一是督办落实还不够严。")
    found = hits(text, "correspondence.causes_restate")
    assert found and found[0].section.startswith("2") and "（二）二是" in found[0].message


def test_cause_naming_a_root_is_not_a_restatement():
    text = BASE.replace("一是理论学习不够深入，把学习当成软任务。", "一是宗旨意识淡化，督办落实不严。")
    assert hits(text, "correspondence.causes_restate") == []


@pytest.mark.parametrize("pledge", ["我应该把学习摆在更加突出的位置，每天挤出时间读原著。", "今后要进一步加强党性锻炼。",
                                    "同时，我也需要定期开展自我反省。", "因此，我必须认真落实请示报告制度。"])
def test_cause_written_as_a_pledge_is_flagged_in_its_cause(pledge):
    text = BASE.replace("把学习当成软任务。", "把学习当成软任务。" + pledge)
    found = hits(text, "correspondence.causes_commitment")
    assert [f.section for f in found] == ["2.1"] and "思想根源" in found[0].message


@pytest.mark.parametrize("owned", ["我应该学而未学，把学习当成软任务。", "我需要的是真学，却满足于读文件。",
                                   "要求别人做到的，自己没有做到。", "今后的工作中这种倾向如果不纠正，问题会更多。"])
def test_a_cause_sentence_that_owns_up_is_not_a_pledge(owned):
    text = BASE.replace("把学习当成软任务。", "把学习当成软任务。" + owned)
    assert hits(text, "correspondence.causes_commitment") == []


def test_opening_counts_against_the_body():
    found = hits(BASE.replace("查摆出4个问题", "查摆出6个问题"), "correspondence.counts")
    assert [f.excerpt for f in found] == ["6"] and "4" in found[0].message
    found = hits(BASE.replace("对照2个方面", "对照5个方面"), "correspondence.counts")
    assert [f.excerpt for f in found] == ["5"]


def test_opening_counts_against_the_notes_tie_number_to_noun():
    notes = parse_notes_yaml(NOTES)
    found = hits(BASE.replace("征求意见建议16条", "征求意见建议61条"), "correspondence.counts", notes)
    assert [f.excerpt for f in found] == ["61"]
    # 12 is the talks figure: stated next to 谈心谈话 it is right, whatever else the sentence holds.
    assert hits(BASE, "correspondence.counts", notes) == []
    found = hits(BASE.replace("谈心谈话12人次", "谈心谈话十六人次"), "correspondence.counts", notes)
    assert [f.excerpt for f in found] == ["十六"]


def test_last_years_counts_are_not_this_years():
    text = BASE.replace("现对照检查如下。", "上年度查摆的7个问题已整改到位。现对照检查如下。")
    assert hits(text, "correspondence.counts") == []


def test_title_year_and_meeting_against_opening_and_notes():
    found = hits(BASE.replace("书记2025年度", "书记2024年度", 1), "correspondence.title")
    assert found and found[0].section == "title" and "2025" in found[0].message
    found = hits(BASE.replace("年度民主生活会个人", "年度组织生活会个人", 1), "correspondence.title")
    assert found and "民主生活会" in found[0].message
    notes = parse_notes_yaml(NOTES.replace("2025, kind", "2024, kind"))
    assert hits(BASE, "correspondence.title", notes)


def test_measures_judged_on_content_and_reported_in_the_measures_part():
    text = BASE.replace("（二）年内完成镇区污水管网改造，民生实事实行周调度，超期事项当月办结。", "（二）年底前撰写学习体会2篇。")
    found = hits(text, "correspondence.measures")
    assert [f.section for f in found] == ["3"] and "担当作为" in found[0].message
    # A measure that answers the cases without repeating the area's title still answers it.
    text = BASE.replace("（二）年内完成", "（二）年内完成")
    assert hits(text, "correspondence.measures") == []
