"""Contamination: page furniture, prompt headers in any bracket, meta-prose, Latin leftovers, masks."""

from __future__ import annotations

import re

import pytest

from agent.check import check_document
from agent.document import Span
from agent.parser import parse_text
from agent.rules.contamination import notes_fields, prompt_headers
from tests.conftest import CLEAN

BASE = """某局局长2025年度民主生活会个人对照检查材料

按照市委部署，会前我学习了党的二十届四中全会精神，征求意见15条，现对照检查如下。

一、存在的问题
（一）在带头强化政治忠诚、提高政治能力方面
一是学习转化不够。我把学习停留在读原文上。如，今年4月局党组学习会上，我的发言只谈体会，没有提出具体办法。
二是政治敏锐性不强。我对网上舆情反应慢。如，8月一起投诉在网上传开两天后，我才安排回应。
二、原因剖析
一是理论学习不够深入。二是党性修养有所放松。三是宗旨意识淡化。
三、整改措施
（一）年底前完成专题调研2次。
"""


def hits(text: str, rule: str, **kw) -> list:
    doc = parse_text(text)
    for key, value in kw.items():
        setattr(doc, key, value)
    return [f for f in check_document(doc).findings if f.rule == rule]


def test_clean_statement_has_no_contamination():
    assert [f for f in check_document(parse_text(BASE)).findings if f.category == "contamination"] == []


def test_prompt_headers_come_from_the_templates_but_not_the_product_slots():
    headers = prompt_headers()
    assert "检查发现的问题" in headers and "任务" in headers
    assert not any(h.startswith(("请补充", "请核实")) for h in headers)


def test_revision_header_in_the_opening_is_reported_in_any_bracket():
    for header in ("【检查发现的问题】", "[检查发现的问题]", "【样例（只学文风）】", "【笔记：会前学习】"):
        text = BASE.replace("按照市委部署", header + "按照市委部署")
        found = hits(text, "contamination.prompt_echo")
        assert found and found[0].section == "opening", header


def test_bare_header_line_is_reported():
    text = BASE.replace("一、存在的问题", "检查发现的问题：\n一、存在的问题")
    assert hits(text, "contamination.prompt_echo")


def test_product_slots_are_not_prompt_echo():
    text = BASE.replace("征求意见15条", "征求意见【请补充：条数】")
    assert hits(text, "contamination.prompt_echo") == []


def test_task_wording_copied_from_a_prompt_is_reported():
    text = BASE.replace("我把学习停留在读原文上。", "我把学习停留在读原文上。只使用笔记里的事实，不编造数字。")
    assert hits(text, "contamination.prompt_echo")


def test_meta_prose_about_the_text_itself():
    for sentence in ("本段将从三个方面展开。", "全文并以“请同志们批评指正”结尾。", "字数约800字。", "以下内容按照您的要求改写。"):
        text = BASE.replace("现对照检查如下。", "现对照检查如下。" + sentence)
        assert hits(text, "contamination.meta"), sentence


@pytest.mark.parametrize("sentence", ["以上内容仅供参考。", "希望这些文字对您有所帮助。", "（本段完）", "修改意见请告诉我。",
                                      "以下为第二部分正文：", "说明：以第一人称写。", "此为范文。", "本节内容由系统自动生成。",
                                      "请根据单位实际情况适当调整。", "好的，下面开始。", "这里还要再补一个例子。",
                                      "（此段可视情删减）", "【批注：此条偏虚】", "三稿待审。", "您看这样写可以吗？",
                                      "你可以把这段换成自己的经历。", "（黄色底纹处为本次新加）", "本条改写如下：",
                                      "这几句可以直接套用。", "不好意思，上一版漏了一条。", "此处套用了上年材料，需核对数据。"])
def test_meta_prose_in_an_assistants_or_a_templates_words(sentence):
    text = BASE.replace("现对照检查如下。", "现对照检查如下。" + sentence)
    # 仅供参考 is also a material site's footer line: reported as site residue then, either is right.
    assert hits(text, "contamination.meta") or hits(text, "contamination.site"), sentence


def test_genre_sentences_with_the_same_words_are_not_meta_prose():
    for sentence in ("不能及时为决策提供参考依据。", "好的经验做法推广不够。", "这次会议的说明会开得不充分。",
                     "群众说“您放心，我们再等等”。", "针对以上问题，我深刻反思。", "下面几项工作推进偏慢。",
                     "材料照搬照抄上级文件，", "现将个人对照检查情况报告如下。"):
        text = BASE.replace("我把学习停留在读原文上。", "我把学习停留在读原文上，" + sentence)
        assert hits(text, "contamination.meta") == [], sentence


def test_ordinary_genre_sentences_are_not_meta_prose():
    text = BASE.replace("现对照检查如下。", "下面，我从以下几个方面进行对照检查。撰写心得体会约3000字。")
    assert hits(text, "contamination.meta") == []
    # A confession about padding one's notes is content: no figure follows 字数.
    text = BASE.replace("我把学习停留在读原文上。", "我记学习笔记时东抄一段西抄一段，以凑够规定的字数为准。")
    assert hits(text, "contamination.meta") == []


def test_notes_field_names_and_pinyin_inside_chinese():
    assert {"summary", "facts", "cause_hints", "role"} <= notes_fields()
    text = BASE.replace("我对网上舆情反应慢。", "summary：我对网上舆情反应慢。")
    assert [f.excerpt for f in hits(text, "contamination.english")] == ["summary"]
    text = BASE.replace("我对网上舆情反应慢。", "我对网上yuqing反应慢。")
    assert [f.excerpt for f in hits(text, "contamination.pinyin")] == ["yuqing"]


def test_acronyms_units_and_slots_are_not_latin_leftovers():
    text = BASE.replace("我对网上舆情反应慢。", "我对政务APP和5G基站建设关注不够，xx项目拖期3km道路未通。")
    assert hits(text, "contamination.pinyin") == [] and hits(text, "contamination.english") == []


def test_english_sentence_in_chinese_prose():
    text = BASE.replace("我对网上舆情反应慢。", "Sure, here is the draft. 我对网上舆情反应慢。")
    found = hits(text, "contamination.english")
    assert found and found[0].section == "1.1.2"


def test_masks_are_not_markdown_but_bold_is():
    text = BASE.replace("今年4月局党组学习会上", "20**年4月**镇学习会上，完成率仅**%，")
    assert hits(text, "contamination.markdown") == []
    text = BASE.replace("我对网上舆情反应慢", "我对**网上舆情**反应慢")
    assert len(hits(text, "contamination.markdown")) == 2


def test_every_furniture_span_is_one_site_error():
    text = "材料网 > 范文 > 检查材料\n" + BASE
    doc = parse_text(text)
    doc.furniture = [Span(start=0, end=text.index("\n"), reason="网站导航")]
    found = [f for f in check_document(doc).findings if f.rule == "contamination.site"]
    assert len(found) == 1 and found[0].severity == "error" and "网站导航" in found[0].message
    doc.furniture = [Span(start=0, end=text.index("\n"), reason="目录")]
    found = [f for f in check_document(doc).findings if f.rule == "contamination.site"]
    assert "目录" in found[0].message


def test_quoted_ending_instruction_with_full_stops_inside_is_meta_prose():
    # A 1.5B draft quoted its whole instruction, full stops and all: 并以“…。…。”结尾。
    text = ("某同志对照检查材料\n按照部署，我认真学习，并以“会前，广泛征求意见建议6条，开展谈心谈话4人次。"
            "现对照检查如下。”结尾。\n一、存在的问题\n（一）学习方面。一是学得少。如3月缺席1次。\n")
    found = [f for f in check_document(parse_text(text)).findings if f.rule == "contamination.meta"]
    assert [f.section for f in found] == ["opening"]


def test_the_seeded_search_for_task_wording_answers_as_checking_every_window():
    import random

    from agent.rules.contamination import TASK_RUN, _has_task_gram, _task_grams

    grams = sorted(_task_grams())
    rnd = random.Random(4)
    prose = re.sub(r"[^\u4e00-\u9fff]", "", CLEAN[0].read_text(encoding="utf-8"))
    hits = 0
    for _ in range(3000):
        chars = prose[(at := rnd.randrange(len(prose))):at + rnd.randrange(40)]
        if rnd.random() < 0.5:  # a whole gram, or a gram cut short, somewhere in the sentence
            gram, cut, at = rnd.choice(grams), rnd.randrange(3), rnd.randrange(len(chars) + 1)
            chars = chars[:at] + gram[cut:] + chars[at:]
        expected = any(chars[i:i + TASK_RUN] in _task_grams() for i in range(len(chars) - TASK_RUN + 1))
        assert _has_task_gram(chars) == expected, chars
        hits += expected
    assert hits > 500


def test_task_wording_over_the_whole_text_marks_the_sentences_checked_one_by_one():
    import random

    from agent.rules import Context
    from agent.rules.contamination import _has_task_gram, _task_grams, _task_wording
    from agent.rules.helpers import norm_sentences

    grams = sorted(_task_grams())
    rnd = random.Random(5)
    sentences = re.findall(r"[^。]*。", CLEAN[0].read_text(encoding="utf-8"))
    for _ in range(40):
        # Grams inside sentences, across two sentences and cut short at a sentence's end.
        picked = [s if rnd.random() < 0.7 else s[:-1] + rnd.choice(grams)[rnd.randrange(4):] + "。"
                  for s in rnd.sample(sentences, 12)]
        ctx = Context(doc=parse_text("".join(picked)))
        expected = [(s, e) for s, e, chars in norm_sentences(ctx) if _has_task_gram(chars)]
        assert list(_task_wording(ctx)) == expected


def test_the_drafts_own_stage_is_meta_prose_but_a_draft_in_the_story_is_not():
    assert hits(BASE.replace("现对照检查如下。", "现对照检查如下。以上为初稿，待科长审阅后再定稿。"), "contamination.meta")
    text = BASE.replace("我把学习停留在读原文上。", "我把学习停留在读原文上。形成初稿后，我又征求了支部同志的意见。")
    assert hits(text, "contamination.meta") == []
