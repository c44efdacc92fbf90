"""Placeholder rule and mask_spans: every masking habit is a slot; markdown bold is markup."""

from __future__ import annotations

import pytest

from agent.check import check_document
from agent.parser import parse_text
from agent.rules.placeholder import mask_spans
from tests.conftest import ROOT

GOOD = (ROOT / "tests" / "data" / "good-2023.md").read_text(encoding="utf-8")


def masks(text: str) -> list[str]:
    return [text[s:e] for s, e in mask_spans(text)]


@pytest.mark.parametrize("text,expected", [
    ("在推进**村道路时", ["**"]),
    ("研读党的*全会精神", ["*"]),
    ("完成了**%，实际仅完成**%。", ["**", "**"]),
    ("在**镇和**村", ["**", "**"]),
    ("20**年底调入", ["**"]),
    ("党的xx大", ["xx"]),
    ("全县XXX项目", ["XXX"]),
    ("共有党员x人", ["x"]),
    ("X月X日", ["X", "X"]),
    ("○○小区", ["○○"]),
    ("缺席____次", ["____"]),
    ("缺席＿＿次", ["＿＿"]),
    ("缺席[具体数字]次", ["[具体数字]"]),
    ("拖期（待补充）", ["（待补充）"]),
    ("时间(待定)", ["(待定)"]),
    ("××同志", ["××"]),
    ("某某单位", ["某某"]),
    ("学习了〔某〕", ["〔某〕"]),
    ("于2024年×月", ["×"]),
    ("在XXXX年", ["XXXX"]),
    ("于202X年", ["202X年"]),
    ("在＊＊镇", ["＊＊"]),
    ("在△△村", ["△△"]),
    ("在□乡", ["□"]),
    ("对【姓名】同志", ["【姓名】"]),
    ("对（单位名称）的意见", ["（单位名称）"]),
    ("对某同志反映的问题", ["某"]),
    ("于{日期}召开", ["{日期}"]),
    ("在{{单位名称}}调研", ["{{单位名称}}"]),
    ("对<姓名>的意见", ["<姓名>"]),
    ("于〈时间〉召开", ["〈时间〉"]),
    ("在第__次会上", ["__"]),
    ("于……年……月", ["……", "……"]),
    ("对李四同志的意见", ["李四"]),
    ("在XYZ公司调研", ["XYZ"]),
    ("在B镇调研", ["B"]),
])
def test_mask_habits_are_slots(text, expected):
    assert masks(text) == expected


@pytest.mark.parametrize("text", ["我**始终坚持**学习", "**重点工作**。", "* 列表项", "***", "二〇〇八年", "〔2023〕5号文件",
                                  "3*4", "【第一篇】", "某项工作", "X光检查", "3×4米", "## 标题", "【重要】", "某种程度上",
                                  "某县副县长", "PPP项目", "《论语·〈学而〉》", "__init__", "我深感……年轻干部", "张三丰"])
def test_markup_and_real_text_are_not_masks(text):
    assert masks(text) == []


def test_rule_reports_each_mask_as_an_error_in_its_section():
    text = GOOD.replace("2023年3月", "20**年X月").replace("城南片区", "**片区")
    found = [f for f in check_document(parse_text(text)).findings if f.rule == "placeholder.slots"]
    assert {f.excerpt for f in found} == {"**", "X"}
    assert all(f.severity == "error" and f.user_only for f in found)
    assert {f.section for f in found} == {"1.1.1", "1.4.1", "3.4"}  # 城南片区 is named in 整改措施（四） too


def test_elided_text_is_a_slot_to_fill():
    text = "某同志对照检查材料\n现对照检查如下：（略）\n一、存在的问题\n（一）学习方面。一是学得少。此处省略。\n"
    found = [f for f in check_document(parse_text(text)).findings if f.rule == "placeholder.slots"]
    assert [text[f.start:f.end] for f in found] == ["（略）", "此处省略"]
