"""Duplication: a fact restated in a point, a passage shared by points, light-edit copies of samples."""

from __future__ import annotations

import re

from agent.check import check_document
from agent.parser import parse_text
from agent.themes import get_theme
from tests.conftest import CLEAN

BASE = """某区副区长2021年度党史学习教育专题民主生活会对照检查材料

按照区委部署，我认真学习了党史，现对照检查如下。

一、存在的问题
（一）带头深刻感悟“两个确立”的决定性意义方面
一是学习感悟不深。我学党史多停留在读书目上。如，区政府党组6次专题学习，我有2次只读了材料，没有结合分管的农业工作谈认识。
二是落实不够有力。我推动分管工作的办法不多。如，高标准农田建设任务3000亩，年底只完成2100亩。
（二）带头践行以人民为中心的发展思想方面
一是联系群众不够。我下村走访次数少。如，全年到联系村只去了3次，群众反映的灌溉渠漏水问题拖了5个月。
二、原因剖析
一是理论学习不够深入。二是党性修养有所放松。三是宗旨意识淡化。
三、整改措施
（一）年底前完成灌溉渠维修，每季度到联系村走访1次。
"""


def hits(text: str, rule: str, theme=None) -> list:
    return [f for f in check_document(parse_text(text), theme=theme).findings if f.rule == rule]


def test_base_has_no_duplication():
    assert [f for f in check_document(parse_text(BASE)).findings if f.category == "duplication"] == []


def test_fact_stated_twice_in_one_point():
    text = BASE.replace("我推动分管工作的办法不多。",
                        "高标准农田建设任务3000亩，年底只完成2100亩，影响了全区进度。")
    found = hits(text, "duplication.restated")
    assert [f.section for f in found] == ["1.1.2"]
    assert "（一）二是" in found[0].message


def test_two_different_facts_in_one_point_are_not_restated():
    text = BASE.replace("我推动分管工作的办法不多。", "高标准农田建设的验收标准我没有及时向乡镇讲清楚。")
    assert hits(text, "duplication.restated") == []


def test_passage_shared_by_two_points():
    moved = "全年到联系村只去了3次，群众反映的灌溉渠漏水问题拖了5个月。"
    text = BASE.replace("我推动分管工作的办法不多。", "我推动分管工作的办法不多，" + moved)
    found = hits(text, "duplication.shared_run")
    assert found and found[0].section == "1.2.1" and "（一）二是" in found[0].message


def test_theme_area_titles_are_never_copying():
    # The 2021 areas as units wrote them: the official titles, punctuated their own way.
    text = BASE.replace("（二）带头践行以人民为中心的发展思想方面",
                        "（二）带头学习运用党在不同历史时期成功应对风险挑战的丰富经验方面\n"
                        "（三）带头汲取党史中正反两方面经验方面\n（四）带头牢记我们党是什么、要干什么这个根本问题方面")
    theme = get_theme("2021-dangshi")
    assert hits(text, "duplication.copy", theme) == [] and hits(text, "duplication.paraphrase", theme) == []


def _sample_sentence() -> str:
    sample = CLEAN[0].read_text(encoding="utf-8")
    return re.search(r"从思想深处对理论学习重要性认识不足[^。]*。", sample).group(0)


def test_lightly_edited_sample_sentence_is_copying():
    chars = list(_sample_sentence())
    cjk_at = [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"]
    for n in cjk_at[6::7]:
        chars[n] = "之"
    text = BASE.replace("我下村走访次数少。", "我下村走访次数少。" + "".join(chars))
    assert hits(text, "duplication.copy") == []  # no 15-character run is left…
    found = hits(text, "duplication.paraphrase")
    assert found and found[0].section == "1.2.1" and found[0].severity == "error"


def test_stock_phrases_of_a_long_sample_sentence_are_not_copying():
    text = BASE.replace("我下村走访次数少。", "我对理论学习重要性认识不足，满足于完成规定动作。")
    assert hits(text, "duplication.paraphrase") == []


def test_a_sample_is_not_compared_with_itself():
    assert hits(CLEAN[1].read_text(encoding="utf-8"), "duplication.paraphrase") == []
