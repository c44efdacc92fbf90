"""Code-written skeleton: title, opening, points, causes, measures, closing, by statement and meeting kind."""

from __future__ import annotations

from agent import layout as lay
from agent.chain import areas_for
from agent.notes import AreaNotes, Problem, parse_notes_yaml
from agent.themes import get_theme

PERSONAL = parse_notes_yaml("""
role: 副县长
meeting: {year: 2023, theme: 2023-zhuti}
studied: ["《习近平著作选读》"]
opinions: {collected: 12, talks: 8}
areas:
  - area: 理论学习
    problems:
      - {summary: 学习不够系统, facts: ["读书班缺席2次"]}
measure_hints: ["每月参加中心组学习不少于2次"]
""")
GROUP = parse_notes_yaml("""
role: 局领导班子
unit: 某市水务局
kind: 班子
meeting: {year: 2024, theme: 2024-niandu}
""")
MEMBER = parse_notes_yaml("""
role: 党员
meeting: {year: 2025, kind: 组织生活会, theme: custom}
name: 张某
date: 2026年1月10日
""")


def test_titles_follow_the_kind_of_statement_and_meeting():
    assert lay.title_of(PERSONAL, get_theme("2023-zhuti")) == "副县长2023年度主题教育专题民主生活会个人对照检查材料"
    assert lay.title_of(GROUP, get_theme("2024-niandu")) == "某市水务局领导班子2024年度民主生活会对照检查材料"
    assert lay.title_of(MEMBER, get_theme("custom")) == "党员2025年度组织生活会个人对照检查材料"


def test_opening_carries_the_notes_counts_and_slots_what_is_missing():
    text = lay.opening(PERSONAL, get_theme("2023-zhuti"), ["通过学习，我认识到差距"]).text
    assert text.startswith("按照上级党委关于召开主题教育专题民主生活会的通知要求，会前，我认真学习了《习近平著作选读》")
    assert "广泛征求意见建议12条，开展谈心谈话8人次" in text and text.endswith("通过学习，我认识到差距。现对照检查如下。")
    group = lay.opening(GROUP, get_theme("2024-niandu"), []).text
    assert "领导班子" in group and "【请补充：条数】" in group and "【请补充：上年度民主生活会查摆问题的整改落实情况】" in group
    assert lay.opening(MEMBER, get_theme("custom"), []).text.startswith("按照党支部关于召开2025年度组织生活会")


def test_a_point_is_summary_then_the_models_words_then_the_notes_facts():
    problems = PERSONAL.areas[0].problems
    laid = lay.area("理论学习", problems, 1, ["我学得不深"])
    assert laid.text == "（一）理论学习方面。一是学习不够系统。我学得不深。如，读书班缺席2次。二是【请补充：本方面的又一个问题及具体事例】"
    start, end = laid.spans[0]
    assert laid.text[start:end] == "我学得不深。"


def test_causes_keep_the_five_root_categories_and_fill_gaps_with_plain_text():
    laid = lay.causes(GROUP, ["班子学得不深", ""])
    lines = laid.text.split("\n")
    assert len(lines) == 5 and lines[0] == "一是理论学习不够深入，思想武装还不到位。班子学得不深。"
    assert lines[1].startswith("二是党性修养有所放松") and "领导班子对加强党性锻炼" in lines[1]
    assert list(laid.spans) == [0]


def test_measures_answer_each_area_and_carry_its_hints():
    theme = get_theme("2023-zhuti")
    areas = areas_for(PERSONAL, theme)
    laid = lay.measures(PERSONAL, theme, areas, ["我坚持读原著"])
    lines = laid.text.split("\n")
    assert len(lines) == 6
    # The model's measure does not say what it answers, so code names the area's problem before it.
    assert lines[0] == "（一）持续强化理论武装，筑牢思想根基。针对“学习不够系统”的问题，我坚持读原著。每月参加中心组学习不少于2次。"
    assert len({line[5:30] for line in lines[1:]}) == 5  # plain measures are worded differently per area


def test_a_measure_that_names_its_problems_or_area_gets_no_lead():
    areas = areas_for(PERSONAL, get_theme("2023-zhuti"))
    assert lay.measure_lead(areas[0], "针对‘学习不够系统’，我每月读一本原著。") == ""  # other quotes, same problem
    assert lay.measure_lead(areas[0], "在理论学习上，我每月读一本原著。") == ""
    assert lay.measure_lead(areas[0], "") == ""  # no piece: the plain measure names them itself
    # An area the notes give no problem for is named as an area; quotes inside a summary are nested.
    assert lay.measure_lead(areas[1], "我每月读一本原著。") == "在政治素质方面，"
    quoted = AreaNotes(area="管党治党", problems=[Problem(summary="“一岗双责”落实不到位")])
    assert lay.measure_lead(quoted, "为此，我每季度听取一次汇报。") == "针对“‘一岗双责’落实不到位”的问题，"


def test_a_measure_after_a_lead_drops_its_own_opening_link():
    theme = get_theme("2023-zhuti")
    laid = lay.measures(PERSONAL, theme, areas_for(PERSONAL, theme), ["为此，我坚持读原著"])
    assert laid.text.split("\n")[0].startswith("（一）持续强化理论武装，筑牢思想根基。针对“学习不够系统”的问题，我坚持读原著。")


def test_closing_and_signature():
    assert "恳请各位同志批评指正" in lay.closing(PERSONAL, get_theme("2023-zhuti")).text
    assert lay.closing(GROUP, get_theme("2024-niandu")).text.count("领导班子") == 1
    assert lay.signature(MEMBER) == "张某\n2026年1月10日" and lay.signature(PERSONAL) == ""


def test_sentence_strips_numbering_but_not_words_that_start_like_it():
    assert lay.sentence("一是学习不深") == "学习不深。"
    assert lay.sentence("三个村资金管理不规范") == "三个村资金管理不规范。"
    assert lay.sentence("（二）加强学习；") == "加强学习；"


def test_a_piece_that_lost_its_first_sentence_does_not_open_on_a_connective():
    assert lay.sentence("同时，我会定期报告进展") == "我会定期报告进展。"
    assert lay.sentence("同时抓好两件事") == "同时抓好两件事。"  # a connective that still joins something stays
