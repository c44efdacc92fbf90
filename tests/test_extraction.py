"""Free-text notes checked against their source."""

from __future__ import annotations

from agent.extraction import show, verify
from agent.notes import parse_notes_yaml

SOURCE = "我是镇党委书记。会前学了《党章》，征求意见15条，谈心谈话10人次。理论学习缺席3次。招商任务完成了70%。"


def test_numbers_names_and_facts_not_in_the_source_are_flagged_and_left_out():
    notes = parse_notes_yaml("""
role: 镇党委书记
meeting: {year: 2023, theme: 2023-zhuti}
studied: ["《党章》", "《习近平著作选读》"]
opinions: {collected: 15, talks: 12}
areas:
  - area: 理论学习
    problems:
      - {summary: 学得不系统, facts: ["理论学习缺席3次", "理论学习缺席5次", "招商任务完成了70%"]}
""")
    result = verify(notes, SOURCE)
    facts = result.notes.areas[0].problems[0].facts
    assert facts == ["理论学习缺席3次", "招商任务完成了70%"]
    assert result.notes.studied == ["《党章》"]
    # 12 talks is not in the source; the source's own "谈心谈话10人次" replaces it.
    assert result.notes.opinions.collected == 15 and result.notes.opinions.talks == 10
    fields = [f.field for f in result.flags]
    assert fields == ["areas[0].problems[0].facts[1]", "studied[1]", "opinions.talks", "opinions.talks"]
    shown = show(result)
    assert "原文中找不到或按原文改正的内容（4处）" in shown and "职务：镇党委书记" in shown


def test_clean_extraction_has_no_flags():
    notes = parse_notes_yaml("role: 镇党委书记\nmeeting: {year: 2023, theme: 2023-zhuti}\n"
                             "opinions: {collected: 15, talks: 10}\n")
    result = verify(notes, SOURCE)
    assert result.flags == [] and "都能在原文中找到" in show(result)


def test_counts_year_theme_and_meeting_stated_in_the_source_win_over_the_models_reading():
    source = "2025年度民主生活会笔记（五个带头）\n会前学习了党章，征求意见11条，谈心谈话10人次。今年只提了1条批评意见。"
    notes = parse_notes_yaml("""
role: 主任
meeting: {year: 2021, kind: 组织生活会, theme: 2021-dangshi}
studied: ["党章、征求意见11条、谈心谈话10人次"]
opinions: {collected: 1, talks: 10}
""")
    result = verify(notes, source)
    n = result.notes
    assert (n.opinions.collected, n.opinions.talks) == (11, 10)
    assert (n.meeting.year, n.meeting.theme, n.meeting.kind) == (2025, "2025-niandu", "民主生活会")
    assert n.studied == ["党章"]
    assert {f.field for f in result.flags} >= {"opinions.collected", "meeting.theme", "meeting.year", "meeting.kind",
                                               "studied"}


LINES = """我是乡镇党委书记，准备2023年主题教育专题民主生活会的材料。
理论学习方面：学得不系统，全年中心组学习缺席3次。
（二）作风方面：下村少，今年只到过8个村中的5个；开会多，用得不够好。
整改打算：年底前化解2起纠纷；每月至少到村2次。
字数1500字左右。
"""


def test_the_sources_own_area_lines_hints_and_length_replace_the_models_reading():
    # What a 1.5B model returned for such notes: areas renamed, facts made into problems, the length defaulted.
    misread = parse_notes_yaml("""role: 乡镇党委书记
meeting: {year: 2023, theme: 2023-zhuti}
areas:
  - area: 理论素质
    problems: [{summary: 全年中心组学习缺席3次}]
measure_hints: [年底前化解2起纠纷]
""")
    result = verify(misread, LINES)
    areas = [(a.area, [(p.summary, p.facts) for p in a.problems]) for a in result.notes.areas]
    assert areas == [("理论学习", [("学得不系统", ["全年中心组学习缺席3次"])]),
                     ("作风", [("下村少", ["今年只到过8个村中的5个"]), ("开会多，用得不够好", [])])]
    assert result.notes.measure_hints == ["年底前化解2起纠纷", "每月至少到村2次"]
    assert result.notes.target_chars == 1500
    assert {f.field for f in result.flags} >= {"areas", "measure_hints", "target_chars"}


def test_notes_without_such_lines_keep_the_models_reading():
    notes = parse_notes_yaml("role: 镇党委书记\nmeeting: {year: 2023, theme: 2023-zhuti}\nareas:\n"
                             "  - area: 理论学习\n    problems: [{summary: 学得不系统, facts: [理论学习缺席3次]}]\n")
    assert verify(notes, SOURCE).notes.areas == notes.areas
