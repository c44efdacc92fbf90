"""Deterministic repair of the model's free sentences."""

from __future__ import annotations

from agent.repair import clean_piece, drop_flagged, flagged_in, repairable, split_items, trim_to_fit
from agent.rules import Finding


def _finding(rule: str, start: int, end: int) -> Finding:
    return Finding(rule=rule, category=rule.split(".")[0], severity="error", message="m", start=start, end=end,
                   section="1.1", excerpt="")


def test_markup_echo_and_a_repeated_sentence_are_removed_and_recorded():
    text, repairs = clean_piece("**我学得不深。**\n我学得不深。【检查发现的问题】照改。我学用脱节。", "1.1", allowed=set())
    assert text == "我学得不深。我学用脱节。"
    assert [r.rule for r in repairs] == ["contamination.markdown", "duplication.sentence", "contamination.prompt_echo"]


def test_figures_the_notes_lack_go_unless_there_are_no_notes():
    assert clean_piece("我缺席了7次。我学得不深。", "1.1", allowed={2.0})[0] == "我学得不深。"
    assert clean_piece("我缺席了2次。", "1.1", allowed={2.0})[0] == "我缺席了2次。"
    assert clean_piece("我缺席了7次。", "1.1", allowed=None)[0] == "我缺席了7次。"


def test_a_note_fact_restated_and_a_made_up_case_are_dropped_from_a_point():
    text, repairs = clean_piece("我重视不够。老旧小区改造项目拖期45天。例如，在一次会议上我迟到了。", "1.1",
                                allowed={45.0}, facts=["老旧小区改造项目拖期45天"], no_cases=True)
    assert text == "我重视不够。"
    assert {r.rule for r in repairs} == {"duplication.restated", "grounding.case_trace"}


def test_a_flattened_outline_and_the_line_that_announces_it_are_cut():
    text, repairs = clean_piece("我认识到差距。主要有以下几个方面：一是学习不深。二是作风不实。", "opening", allowed=set())
    assert text == "我认识到差距。"
    assert repairs[0].rule == "structure.inline_outline"


def test_findings_inside_a_piece_drop_their_sentence_and_only_that():
    piece = "我学得不深。部分同志也这样。我学用脱节。"
    spans = {0: (10, 10 + len(piece))}
    flagged = flagged_in([_finding("voice.group_subject", 16, 20), _finding("structure.points", 0, 5)], spans, 100)
    assert flagged == []  # offsets are relative to the section's base, 100 here
    flagged = flagged_in([_finding("voice.group_subject", 116, 120), _finding("structure.points", 110, 130)], spans, 100)
    assert [f[3] for f in flagged] == ["voice.group_subject"]  # structure is not code's to repair by dropping
    text, repairs = drop_flagged(piece, [(a, b, r) for _, a, b, r in flagged], "1.1")
    assert text == "我学得不深。我学用脱节。" and repairs[0].removed == "部分同志也这样。"


def test_the_repair_table_names_only_known_rules():
    from agent.rules import load_rules

    assert repairable() <= set(load_rules())


def test_an_empty_quotation_left_from_the_prompt_is_removed_but_a_real_one_stays():
    assert clean_piece("针对‘’，我会主动承担任务。", "3", allowed=None)[0] == "我会主动承担任务。"
    assert clean_piece("针对“学习不够”的问题，我会学习。", "3", allowed=None)[0] == "针对“学习不够”的问题，我会学习。"


def test_a_restated_summary_is_found_whatever_quotes_the_model_used():
    text, repairs = clean_piece("‘一岗双责’落实不到位。我对分管部门管得不严。", "2", allowed=set(),
                                given=["“一岗双责”落实不到位"])
    assert text == "我对分管部门管得不严。" and repairs[0].rule == "duplication.restated"


def test_trim_drops_praise_and_long_sentences_first_and_each_piece_keeps_its_own_up():
    pieces = {"1.1": ["我始终认真学习，深入钻研理论，收获很大。我学得不够深，满足于读原文。"],
              "3": ["我将每月读一本原著，年底前写出一篇体会，并在支部交流学习心得。我将坚持学习。"]}
    out, repairs = trim_to_fit(pieces, excess=10)
    assert out["1.1"] == ["我学得不够深，满足于读原文。"]  # the praise went first, the self-criticism stayed
    assert out["3"] == pieces["3"]  # one sentence was enough
    assert [(r.section, r.rule) for r in repairs] == [("1.1", "length.total")]
    # However far over, a piece keeps one sentence; in an optional section a piece owning up to nothing goes.
    out, _ = trim_to_fit({"1.1": ["我始终认真学习。我积极参加培训。"], "2": ["我深感责任重大。我很努力。"]}, excess=999,
                         optional={"1.1"})
    assert out == {"1.1": [""], "2": ["我深感责任重大。"]}


def test_a_quotation_stays_whole_with_its_sentence():
    from agent.repair import sentences

    assert sentences("针对“下村少；今年只到过5个村”的问题，每月到村2次。今后改。") == [
        "针对“下村少；今年只到过5个村”的问题，每月到村2次。", "今后改。"]
    assert sentences("他说“好。”然后走了。") == ["他说“好。”然后走了。"]
    assert sentences("引号“没有闭合；下一句。") == ["引号“没有闭合；", "下一句。"]


def test_a_sentence_that_opens_by_restating_its_heading_keeps_what_it_adds_and_its_subject():
    text, repairs = clean_piece("我平时学习不够系统深入，没有按照计划完成学习篇目。", "1.1", allowed=None,
                                given=["学习不够系统深入"])
    assert text == "我没有按照计划完成学习篇目。"
    assert repairs[0].rule == "duplication.restated" and repairs[0].removed == "我平时学习不够系统深入，"
    text, _ = clean_piece("请示报告不够及时，政治敏锐性不够强，我将每月向上级报告一次分管工作。", "3", allowed=None,
                          given=["请示报告不够及时", "政治敏锐性不够强"])
    assert text == "我将每月向上级报告一次分管工作。"


def test_a_restating_sentence_with_little_of_its_own_or_the_heading_later_on_goes_whole():
    assert clean_piece("学习不够系统深入，很不好。", "1.1", allowed=None, given=["学习不够系统深入"])[0] == ""
    assert clean_piece("我在这方面做得不好，学习不够系统深入。", "1.1", allowed=None,
                       given=["学习不够系统深入"])[0] == ""


def test_a_rest_that_is_the_restated_headings_consequence_goes_with_it_and_no_subject_is_forced_on():
    assert clean_piece("我请示报告不够及时，导致上级对情况掌握不全。", "1.2", allowed=None,
                       given=["请示报告不够及时"])[0] == ""
    text, _ = clean_piece("我请示报告不够及时，上级几次催问才报送情况。", "1.2", allowed=None,
                          given=["请示报告不够及时"])
    assert text == "上级几次催问才报送情况。"


def test_causes_run_together_in_one_item_are_split_at_their_numbers_and_the_lead_in_goes():
    run = ("我剖析原因，主要有以下几个方面：一是学习不深，满足于一知半解。二是党性锻炼放松了。"
           "三是群众观念淡薄。")
    items, repairs = split_items([run], 3, "2")
    assert items == ["学习不深，满足于一知半解。", "党性锻炼放松了。", "群众观念淡薄。"]
    assert repairs[0].rule == "structure.inline_outline" and "以下几个方面" in repairs[0].removed


def test_measures_joined_by_semicolons_are_split_when_they_make_up_the_count():
    items, _ = split_items(["我将每月读一篇原著；我将每季度下乡一次；我将年底前清理台账。"], 3, "3")
    assert items == ["我将每月读一篇原著。", "我将每季度下乡一次。", "我将年底前清理台账。"]


def test_items_are_left_as_they_came_unless_a_run_makes_up_exactly_the_difference():
    assert split_items(["我学习不深；满足于一知半解。", "我联系群众少。"], 2, "1.1") == (
        ["我学习不深；满足于一知半解。", "我联系群众少。"], [])  # as many as asked for
    two = ["一是学习不深。二是调研少。三是会多。"]
    assert split_items(two, 2, "1.1") == (two, [])  # three numbers for one missing item: no telling which


def test_in_a_personal_statement_the_models_we_becomes_i_and_our_party_stays():
    text, repairs = clean_piece("我们要继续加强学习，把我们党的理论学深悟透。", "1.1", allowed=None, personal=True)
    assert text == "我要继续加强学习，把我们党的理论学深悟透。"
    assert [(r.rule, r.removed) for r in repairs] == [("voice.group_subject", "我们")]
    assert clean_piece("我们要继续加强学习。", "1.1", allowed=None)[0] == "我们要继续加强学习。"  # a 班子 speaks so
