"""Rule helpers: prefiltered word-list patterns find exactly what the plain patterns find."""

from __future__ import annotations

import random
import re
import sys

import pytest

from agent.resources import load_table
from agent.rules.helpers import (
    NON_CJK_RE,
    Prefiltered,
    norm_sentences,
    prefiltered,
    sentences,
    start_class,
    words_re,
)
from tests.conftest import CLEAN, RAW, ROOT

TEXTS = [p.read_text(encoding="utf-8") for p in (*CLEAN, *RAW, ROOT / "tests" / "data" / "good-2023.md")] + [
    # Masks, markup, Latin leftovers, slots and prompt wording, which the samples have little of.
    "在**镇调研时，20**年X月走访xx户，〇〇村、××县、某某单位（待补充）[具体数字]人，____。\n"
    "**加粗标题**\n* 列表\n# 标题\n| 表格 | 行 |\n本段将围绕三个方面展开，字数约1500字，并以“请批评指正”结尾。\n"
    "根据你提供的笔记，以下是修改后的内容：summary：学习不够，dangshi学习、mzshh。VIP会员请加微信：abc123，QQ: 123456。\n"
    "取得了显著成效，受到上级表扬，排名全市第一。因工作忙、任务重，客观上疫情影响。\n",
]


def _word_lists() -> list[str]:
    return [
        name
        for name, value in load_table("wordlists.yaml").items()
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    ]


def _same(a: re.Match | None, b: re.Match | None) -> bool:
    return (a is None and b is None) or (
        a is not None
        and b is not None
        and a.span() == b.span()
        and a.groups() == b.groups()
        and a.group(0) == b.group(0)
    )


def test_prefiltered_word_lists_find_what_the_plain_patterns_find():
    rnd = random.Random(10)
    prefiltered_lists = 0
    for name in _word_lists():
        fast = words_re(name)
        if not isinstance(fast, Prefiltered):
            continue
        prefiltered_lists += 1
        plain = fast.pattern_obj
        for text in TEXTS:
            spans = [(0, sys.maxsize)] + [
                (rnd.randrange(-2, len(text)), rnd.choice([sys.maxsize, rnd.randrange(len(text))]))
                for _ in range(8)
            ]
            for pos, endpos in spans:
                assert all(
                    _same(a, b)
                    for a, b in zip(
                        plain.finditer(text, pos, endpos), fast.finditer(text, pos, endpos), strict=True
                    )
                ), (name, pos, endpos)
                assert _same(plain.search(text, pos, endpos), fast.search(text, pos, endpos)), (
                    name,
                    pos,
                    endpos,
                )
    assert prefiltered_lists >= 5  # meta_prose, mask_patterns, achievements, case_anchors, deadlines…


@pytest.mark.parametrize(
    "pattern,flags",
    [
        (r"(?<![A-Za-z])(?:xxx?|XXX?)(?![A-Za-z])|×{2,}|某某", 0),  # a lookbehind first: no map of sre's own
        (r"(?:(?<=[。；])|^)(?:因此|所以)\s*[，,]?要", re.MULTILINE),
        (r"(?:本|这一?)(?:段|篇)(?:将|会)|(?:\d+|[一二三])\s*个?月内|(?i:vip)|(?:qq)\s*\d", 0),
        (r"[(（]\s*(?:待补充|待定)\s*[)）]|(?:^|[。\n])\s*注\s*[:：]", re.MULTILINE),
    ],
)
def test_start_class_covers_every_first_character(pattern, flags):
    plain = re.compile(pattern, flags)
    starts = start_class(pattern, flags)
    assert starts
    fast = prefiltered(pattern, flags)
    text = "".join(TEXTS) + "\n注：VIP会员，Qq 123，（ 待定 ），这一段将，3个月内。所以要。"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    first = {text[m.start()] for m in plain.finditer(text)}
    assert first and all(re.fullmatch(starts, ch) for ch in first)


@pytest.mark.parametrize(
    "pattern",
    [
        r"年底前|年内|每季度",  # literals first: sre skips ahead by itself
        r"a*|b",  # can match nothing
        r".{2}字|[^，]+人",  # any character first
        r"(?<=。)[\u4e00-\u9fff]{2}会",  # every CJK character could start it: no gain
        r"(\w)\1",  # a word character, then a backreference
    ],
)
def test_no_prefilter_where_it_cannot_help_or_cannot_be_told(pattern):
    assert start_class(pattern, 0) == ""
    assert not isinstance(prefiltered(pattern), Prefiltered)


def test_a_case_insensitive_part_makes_the_class_case_insensitive():
    starts = start_class(r"(?<!a)(?:(?i:vip)|会员)", 0)
    assert re.fullmatch(starts, "V") and re.fullmatch(starts, "v") and re.fullmatch(starts, "会")
    assert [m.span() for m in prefiltered(r"(?<!a)(?:(?i:vip)|会员)").finditer("Vip会员vIP")] == [
        (0, 3),
        (3, 5),
        (5, 8),
    ]


def test_norm_sentences_are_the_sentences_with_their_cjk_characters():
    from agent.parser import parse_text
    from agent.rules import Context

    for text in TEXTS:
        ctx = Context(doc=parse_text(text))
        norm = ctx.doc.norm
        assert norm_sentences(ctx) == [(s, e, NON_CJK_RE.sub("", norm[s:e])) for s, e in sentences(norm)]
        assert norm_sentences(ctx) is norm_sentences(ctx)  # worked out once per check


def test_a_guarded_alternation_inside_a_pattern_finds_the_same_matches():
    from agent.rules.helpers import first_class, guarded, table

    types = table("case_named_types")
    assert first_class(types) and first_class("(?i:vip)|会员") and first_class("a*|b") == ""
    unit = r"[\u4e00-\u9fff]|“[^”]{1,12}”|[xX*×]+|〔某[^〕]{0,4}〕"
    plain = re.compile(rf"((?:{unit}){{2,12}})(?:{types})(?![论理])")
    fast = re.compile(rf"((?:{unit}){{2,12}}){guarded(types)}(?![论理])")
    text = "".join(TEXTS) + "在“数字乡村”治理平台建设中，献礼xx系列活动，〔某〕项目，推进会议题。"
    found = [(m.span(), m.groups()) for m in plain.finditer(text)]
    assert found and [(m.span(), m.groups()) for m in fast.finditer(text)] == found
    assert [m.span() for m in re.finditer(rf"x+{guarded('(?i:vip)|会员')}", "xVIP xx会员 xvIp")] == [
        (0, 4), (5, 9), (10, 14)]


def test_a_word_list_entry_has_its_shared_fragments_written_out():
    from agent.rules.helpers import table

    assert all("<<" not in entry for entry in table("group_subjects"))
    assert any("民警" in entry for entry in table("group_subjects"))  # from the `people` fragment

def test_a_list_with_an_entry_that_may_start_anywhere_is_tried_in_full_only_where_the_others_can_start():
    from agent.rules.helpers import split_guard

    pattern = r"(?<!没有)取得(成效|成绩)|[\u4e00-\u9fff]{1,4}率(?:达到)?\d+|(?:满意度)达|增速"
    guard = split_guard(pattern, 0)
    assert guard.endswith(r"|(?:[\u4e00-\u9fff]{1,4}率(?:达到)?\d+)")  # only the entry with no class after
    plain, fast = re.compile(pattern), prefiltered(pattern)
    assert isinstance(fast, Prefiltered)
    text = "".join(TEXTS) + "没有取得成效，取得成绩，合格率达到95，满意度达，增速快，取得成效率达到3。"
    for pos in range(0, len(text), 7):
        assert _same(plain.search(text, pos), fast.search(text, pos))
    found = [(m.span(), m.groups()) for m in plain.finditer(text)]
    assert len(found) >= 4 and [(m.span(), m.groups()) for m in fast.finditer(text)] == found


@pytest.mark.parametrize(
    "pattern",
    [
        r"年底前|年内|每季度",  # every entry has a class: start_class's business
        r"[\u4e00-\u9fff]率|.达",  # no entry has one
        r"取得成效|([\u4e00-\u9fff])率",  # the entry with none holds a group
        r"(成效)|\1率",  # an entry that needs another
        r"取得成效|[\u4e00-\u9fff]*",  # an entry that can match nothing
        r"[|]成效|\[率|(?:成|效)",  # no `|` at the top level but the ones in a class or escaped
    ],
)
def test_no_split_where_it_cannot_help_or_would_not_be_the_same(pattern):
    from agent.rules.helpers import _top_level_alternatives, split_guard

    assert split_guard(pattern, 0) == ""
    assert "|".join(_top_level_alternatives(pattern)) == pattern


def test_single_pattern_entries_prefiltered_find_what_the_plain_patterns_find():
    checked = 0
    for name, value in load_table("wordlists.yaml").items():
        if not isinstance(value, str):
            continue
        try:
            plain = re.compile(value)
        except re.error:
            continue  # a template or a plain phrase, not a pattern
        fast = prefiltered(value)
        if not isinstance(fast, Prefiltered):
            continue
        checked += 1
        for text in TEXTS:
            assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
                (m.span(), m.groups()) for m in plain.finditer(text)], name
    assert checked >= 5  # achievement_outcome, faux_flaw, praise_idioms…


def test_a_pattern_may_name_a_fragment_or_a_single_regex_entry_of_the_word_lists():
    from agent.rules.helpers import expand, table

    assert expand("(?:<<pledge_past>>)") == f"(?:{table('pledge_past')})"
    assert "<<" not in expand("有的<<people>>")


def test_regrouping_keeps_the_order_of_trial_and_the_groups():
    from agent.rules.helpers import regrouped

    assert regrouped("(?:本|这)段|本篇") == "本(?:段|篇)|这段"
    # 本篇 may not move ahead of an alternative that can begin where it does.
    assert regrouped("(?:本|这)段|[本该]文|本篇") == "本段|这段|[本该]文|本篇"
    assert regrouped("(?:a|b)?c|ad") == "(?:a|b)?c|ad"  # a repeated group is not written out
    assert regrouped(r"(\w)\1|ab") == ""  # a backreference: left as it is
    text = "本段本篇这一段该文本文(x)ab ac ad bc 这段话本节"
    for pattern in ("(?:本|这一?)段|[本该]文|本篇|本节", r"(?:(a)|b)c|a(d)|ab|(?:本|这)(段)", r"(?:a|(b))c|ac|a(?=d)"):
        plain, fast = re.compile(pattern), re.compile(regrouped(pattern))
        assert fast.groups == plain.groups
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
            [(m.span(), m.groups()) for m in plain.finditer(text)]


def test_sentence_ends_are_those_of_stops_and_closers_or_a_line_break():
    from agent.rules.helpers import SENTENCE_END_RE

    plain = re.compile(r"[。！？!?；;…]+[」﹂”』’》）)\]］}｝〕〗〙〛〉】\"']*|\n")
    for text in [*TEXTS, "甲。\n\n！？”」\n乙", "\n。\n", "…\n…”", "”。"]:
        for pos, endpos in ((0, len(text)), (1, len(text) - 1), (2, 5)):
            assert [m.span() for m in SENTENCE_END_RE.finditer(text, pos, endpos)] == \
                [m.span() for m in plain.finditer(text, pos, endpos)]
