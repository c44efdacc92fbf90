"""Deterministic repair of the model's free sentences."""

from __future__ import annotations

from agent.repair import clean_piece, drop_flagged, flagged_in, repairable
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
