"""Figures: arabic and Chinese numerals with their values; cn2an only when a large numeral is present."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agent.facts import bigram_codes, bigrams, cjk, cjk_count, extract_figures, numbers_in, parse_cn_number
from agent.rules.helpers import sentences


@pytest.mark.parametrize("text,value", [
    ("谈心谈话三百人次", 300), ("投入两千万元", 2000), ("一千二百人参加", 1200), ("完成百分之四十五", 45),
    ("开展十余次", 10), ("缺席两次", 2), ("培训二十三天", 23),
])
def test_chinese_numerals_with_values(text, value):
    assert value in [v for f in extract_figures(text) for v in f.values]


def test_chinese_and_arabic_forms_agree():
    assert numbers_in("投入两千万元") == numbers_in("投入2000万元") == {2000.0}


def test_words_that_only_look_numeric_are_not_figures():
    for text in ("千方百计抓落实", "万家灯火", "一是学习不够", "百姓满意"):
        assert extract_figures(text) == [], text


def test_parse_cn_number():
    assert parse_cn_number("两千") == 2000 and parse_cn_number("四十五") == 45 and parse_cn_number("学习") is None


def test_cn2an_is_imported_only_for_a_large_numeral():
    code = ("import sys; from agent.facts import extract_figures; extract_figures('开会三次，用时十二天，2000万元');"
            "a = 'cn2an' in sys.modules; extract_figures('三百人次'); print(a, 'cn2an' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_sentences_keep_closing_quotes_and_brackets():
    text = "他说：“要学深悟透。”我记下了。（见附件。）"
    assert [text[s:e] for s, e in sentences(text)] == ["他说：“要学深悟透。”", "我记下了。", "（见附件。）"]


@pytest.mark.parametrize("a,b", [
    ("学习不深入不系统", "学习不系统不深入"), ("我", "我们"), ("", "整改"), ("党的二十大精神", "二十大精神的党"),
    ("一是学习不够深入，对党的创新理论学得不深。", "学习不够深入的问题仍然存在"),
])
def test_bigram_codes_count_and_compare_as_the_string_bigrams(a, b):
    assert len(bigram_codes(cjk(a))) == len(bigrams(a))
    assert len(bigram_codes(cjk(a)) & bigram_codes(cjk(b))) == len(bigrams(a) & bigrams(b))


def test_cjk_count_counts_what_the_cjk_pattern_keeps():
    import random

    rnd = random.Random(6)
    edges = [0x4DFF, 0x4E00, 0x9FFF, 0xA000, 0xD800, 0xDFFF, 0x3002, 0x20000, 0x41]
    for _ in range(3000):
        text = "".join(chr(rnd.choice([rnd.choice(edges), rnd.randrange(0x110000), rnd.randrange(0x4D00, 0xA100)]))
                       for _ in range(rnd.randrange(12)))
        assert cjk_count(text) == len(cjk(text)), repr(text)
