"""Grounding: Chinese numerals are figures too, checked against the notes like arabic ones."""

from __future__ import annotations

from agent.check import check_document
from agent.notes import parse_notes_yaml
from agent.parser import parse_text

NOTES = parse_notes_yaml("""
role: 副局长
meeting: {year: 2024, kind: 民主生活会, theme: 2024-niandu}
opinions: {collected: 9, talks: 300}
areas:
  - area: 严守政治纪律和政治规矩
    problems:
      - summary: 请示报告不及时
        facts: ["防汛项目投入2000万元，3月才报告"]
""")

TEXT = """某局副局长2024年度民主生活会个人对照检查材料

按照部署，我征求意见9条，开展谈心谈话三百人次，现对照检查如下。

一、存在的问题
（一）在带头严守政治纪律和政治规矩，维护党的团结统一方面
一是请示报告不及时。如，防汛项目投入两千万元，我3月才向党组报告。
"""


def figures(text: str) -> list[str]:
    report = check_document(parse_text(text), notes=NOTES)
    return [f.excerpt for f in report.findings if f.rule == "grounding.figures"]


def test_chinese_numerals_matching_the_notes_pass():
    assert figures(TEXT) == []


def test_invented_chinese_numeral_is_reported():
    assert figures(TEXT.replace("三百人次", "五百人次")) == ["五百人次"]
    assert figures(TEXT.replace("两千万元", "百分之四十五")) == ["百分之四十五"]
