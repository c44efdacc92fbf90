"""Every rule passes on a good document and fires on a perturbed one, in the right category and section."""

from __future__ import annotations

import re

import pytest

from agent.check import check_document
from agent.notes import load_notes
from agent.parser import parse_text
from agent.rules import load_rules
from agent.themes import get_theme
from tests.conftest import CLEAN, RAW, ROOT

GOOD = (ROOT / "tests" / "data" / "good-2023.md").read_text(encoding="utf-8")
NOTES = load_notes(ROOT / "tests" / "data" / "good-2023-notes.yaml")
THEME = get_theme("2023-zhuti")


def findings(text: str, *, notes=NOTES, fmt="md", theme=THEME, target=None):
    report = check_document(parse_text(text), theme=theme, notes=notes, fmt=fmt, target_chars=target)
    return report.findings


def rules_hit(text: str, **kw) -> set[str]:
    return {f.rule for f in findings(text, **kw)}


def test_good_document_has_no_findings():
    assert findings(GOOD) == []


# (rule id, perturbation of GOOD, expected section id of the finding or None for "any")
PERTURBATIONS = [
    ("structure.parts", lambda t: re.sub(r"## 二、原因剖析\n\n.*?\n\n## 三", "## 二", t, flags=re.S), None),
    ("structure.numbering", lambda t: t.replace("（三）能力本领方面", "（四）能力本领方面", 1), "1.3"),
    ("structure.areas", lambda t: re.sub(r"（六）廉洁自律方面。.*?\n\n", "", t, flags=re.S), "1"),
    ("structure.points", lambda t: re.sub(r"二是文山会海.*?小时。", "", t, flags=re.S), "1.5"),
    ("placeholder.slots", lambda t: t.replace("缺席2次", "缺席xx次"), "1.1.1"),
    ("contamination.ads", lambda t: t.replace("笔记只写了3篇。", "笔记只写了3篇。更多资料请关注公众号"), "1.1.1"),
    ("contamination.pinyin", lambda t: t.replace("民主生活会个人", "mzshh个人"), "title"),
    ("contamination.prompt_echo", lambda t: t.replace("按照县委", "以下是按照县委"), "opening"),
    ("contamination.markdown", lambda t: t.replace("我把学习", "**我把学习**"), "1.1.1"),
    ("contamination.site", lambda t: t.replace("\n\n按照县委", "\n\n发布时间：2024-01-15 浏览量：236\n\n按照县委", 1), None),
    ("contamination.english", lambda t: t.replace("我把学习", "Here is the revised paragraph. 我把学习"), "1.1.1"),
    ("contamination.meta", lambda t: t.replace("现对照检查如下", "本段将按照要求说明会前准备情况，现对照检查如下"), "opening"),
    ("duplication.restated", lambda t: t.replace("我运用理论指导分管工作不够。", "在老旧小区改造项目推进中，我没有把调研成果转化为具体办法，影响了进度。"), "1.1.2"),
    ("duplication.shared_run", lambda t: t.replace("我对重大事项报告", "在老旧小区改造项目推进中，我没有把调研成果转化为具体办法。我对重大事项报告"), "1.2.1"),
    ("duplication.paraphrase", lambda t: t.replace("二是学用结合不紧。", "二是学用结合不紧。" + _edited_sample_sentence()), "1.1.2"),
    ("correspondence.causes_commitment", lambda t: t.replace("一是理论学习不够深入。", "一是理论学习不够深入。今后我要更加注重学习。"), "2.1"),
    ("correspondence.causes_restate", lambda t: t.replace("一是理论学习不够深入。我对理论学习", "一是学用结合不紧密。我对理论学习"), "2.1"),
    ("correspondence.counts", lambda t: t.replace("征求意见12条", "征求意见21条"), "opening"),
    ("correspondence.title", lambda t: t.replace("副县长2023年", "副县长2024年度", 1), "title"),
    ("concreteness.case", lambda t: t.replace("例如，在老旧小区改造项目推进中，我没有把调研成果转化为具体办法，项目拖期45天。", ""), "1.1.2"),
    ("concreteness.commitment", lambda t: t.replace("二是学用结合不紧。", "二是要进一步加强学用结合。"), "1.1.2"),
    ("concreteness.measures", lambda t: t.replace("每季度到乡镇蹲点调研不少于2次，年底前形成调研报告3篇，推动3个招商项目开工。", "切实提升本领。"), "3.3"),
    ("grounding.figures", lambda t: t.replace("缺席2次", "缺席99次"), "1.1.1"),
    ("grounding.dropped", lambda t: t.replace("，项目拖期45天", ""), "1.1"),
    ("grounding.case_trace", lambda t: t.replace("如，全年到乡镇蹲点调研只有4次，未形成调研报告。", "如，我在外地考察期间接待安排超标，影响了机关形象。"), "1.3.1"),
    ("voice.first_person", lambda t: re.sub(r"(?<=## 一、存在的问题)(.*?)(?=## 二)", lambda m: m.group(0).replace("我", "本级"), t, flags=re.S), "1"),
    ("voice.group_subject", lambda t: t.replace("我把学习当成任务", "部分同志把学习当成任务"), "1.1.1"),
    ("voice.achievement", lambda t: t.replace("我对重大事项报告", "虽然全年工作取得了显著成效，但我对重大事项报告"), "1.2.1"),
    ("voice.excuse", lambda t: t.replace("一是理论学习不够深入。我对理论学习重要性认识不足，满足于完成规定动作。", "一是工作任务繁重，精力有限。平时工作忙、事务性工作多。"), "2.1"),
    # Reported in the measures part, where the fix belongs; the message names the area.
    ("correspondence.measures", lambda t: t.replace("（六）严守廉洁自律。每半年对分管的3个局开展廉政谈话1轮，公务用车每次登记，年底前开展自查。", "（六）加强学习，年底前撰写体会文章4篇。"), "3"),
    ("correspondence.root_causes", lambda t: re.sub(r"## 二、原因剖析\n\n.*?\n\n", "## 二、原因剖析\n\n一是认识不到位。二是方法不对头。\n\n", t, flags=re.S), "2"),
    ("duplication.sentence", lambda t: t.replace("二是学用结合不紧。", "二是学用结合不紧。我把学习当成任务来完成，自学计划落实不够。"), "1.1.2"),
    ("duplication.copy", lambda t: t.replace("二是学用结合不紧。", "二是学用结合不紧。" + _sample_sentence()), "1.1.2"),
    ("duplication.specifics", lambda t: t.replace("老旧小区改造项目", "达溪河治理项目"), "1.1.2"),
    ("length.total", lambda t: t, "title"),
    ("length.balance", lambda t: t.replace("（一）加强理论学习。", "（一）加强理论学习。" + "认真学习党的理论。" * 80), "1"),
    # The second reader: faults in words no pattern lists (its weights as trained and shipped).
    ("voice.second_reader_group", lambda t: t.replace("我把学习当成任务", "年轻的科员们写简报时爱堆砌数字，我把学习当成任务"),
     "1.1.1"),
    ("voice.second_reader_achievement", lambda t: t.replace("我把学习当成任务", "我手上的项目年年拿全市头彩，我把学习当成任务"),
     "1.1.1"),
    ("voice.second_reader_self_praise", lambda t: t.replace(
        "我把学习当成任务", "我的短处就是太替群众着想，常常自己贴钱帮困难户。我把学习当成任务"), "1.1.1"),
    ("voice.second_reader_excuse", lambda t: t.replace("我对理论学习重要性认识不足，满足于完成规定动作。",
                                                       "今年雨水多、工期紧，上级催得又急，计划只好一拖再拖。"), "2.1"),
    ("concreteness.second_reader_pledge", lambda t: t.replace("二是学用结合不紧。", "二是学用结合不紧。下个季度我会把这些台账补起来。"),
     "1.1.2"),
    ("contamination.second_reader_meta", lambda t: t.replace("我把学习当成任务", "以上几条问题可以按需删减。我把学习当成任务"), "1.1.1"),
]


def _edited_sample_sentence() -> str:
    """A sample sentence with every eighth character changed: no 15-character run survives."""
    chars = list(_sample_sentence())
    cjk_at = [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"]
    for n in cjk_at[7::8]:
        chars[n] = "的"
    return "".join(chars)


def _sample_sentence() -> str:
    text = CLEAN[0].read_text(encoding="utf-8")
    return re.search(r"从思想深处对理论学习重要性认识不足[^。]*。", text).group(0)


@pytest.mark.parametrize("rule_id,perturb,section", PERTURBATIONS, ids=[p[0] for p in PERTURBATIONS])
def test_rule_fires_on_perturbation(rule_id, perturb, section):
    target = 3000 if rule_id == "length.total" else None
    hits = [f for f in findings(perturb(GOOD), target=target) if f.rule == rule_id]
    assert hits, f"{rule_id} did not fire"
    assert hits[0].category == load_rules()[rule_id].category
    if section is not None:
        assert hits[0].section == section
    assert re.search(r"[\u4e00-\u9fff]", hits[0].message)


def test_every_rule_has_a_perturbation_test():
    tested = {p[0] for p in PERTURBATIONS} | {"structure.last_year"}
    assert set(load_rules()) <= tested


def test_last_year_warning_only_for_recent_themes():
    assert "structure.last_year" in rules_hit(GOOD, theme=get_theme("2025-niandu"), notes=None)
    assert "structure.last_year" not in rules_hit(GOOD, notes=None)
    with_last = GOOD.replace("会前我认真学习", "上年度查摆的6个问题已整改到位。会前我认真学习")
    assert "structure.last_year" not in rules_hit(with_last, theme=get_theme("2025-niandu"), notes=None)


def test_case_part_required_from_2024():
    found = [f for f in findings(GOOD, theme=get_theme("2024-niandu"), notes=None) if "案例" in f.message]
    assert found and found[0].rule == "structure.parts"


# --- the seeds -------------------------------------------------------------------------------

def _seed_findings(path, text=None):
    text = text if text is not None else path.read_text(encoding="utf-8")
    return check_document(parse_text(text), theme=None if "001" in path.name else THEME, notes=None).findings


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name[:3])
def test_clean_seeds_have_no_structure_error(path):
    theme = get_theme("2021-dangshi" if "001" in path.name else "2023-zhuti")
    report = check_document(parse_text(path.read_text(encoding="utf-8")), theme=theme)
    assert [f for f in report.findings if f.category == "structure" and f.severity == "error"] == []
    # A sample is not compared with itself.
    assert [f for f in report.findings if f.rule == "duplication.copy"] == []


def test_raw_seeds_get_contamination_and_placeholder_errors_at_right_sections():
    raw0 = {(f.rule, f.section) for f in _seed_findings(RAW[0])}
    assert ("contamination.ads", "1.3.2") in raw0  # the advert spliced into （三）二是
    assert ("placeholder.slots", "opening") in raw0  # 认真学习了xx
    raw1 = {(f.rule, f.section) for f in _seed_findings(RAW[1])}
    assert ("contamination.pinyin", "title") in raw1
    assert ("duplication.specifics", "1.3.3") in raw1  # 达溪河


SEED0 = CLEAN[0].read_text(encoding="utf-8")
SEED1 = CLEAN[1].read_text(encoding="utf-8")


def _seed0(text):
    return {(f.category, f.section) for f in check_document(parse_text(text), theme=THEME).findings}


def test_seed_perturbation_drop_causes():
    text = re.sub(r"二、分析产生的原因分析.*?(?=三、今后)", "", SEED0, flags=re.S)
    assert ("structure", "title") in _seed0(text)


def test_seed_perturbation_drop_area():
    text = re.sub(r"（五）在工作作风方面。.*?\n", "", SEED0)
    found = [f for f in check_document(parse_text(text), theme=THEME).findings if f.rule == "structure.areas"]
    assert found and "工作作风" in found[0].message


def test_seed_perturbation_group_subject_strip_case_repeat_and_achievement():
    text = SEED0.replace("上级要求学什么，我就学什么", "上级要求学什么，部分同志就学什么")
    assert ("voice", "1.1.1") in _seed0(text)
    text = SEED0.replace("如：自己经历了多岗位锻炼，在遇到工作难题时，习惯于凭老经验、老办法，没有结合最新的理论成果想点子、做打算，导致一些工作推动起来“南辕北辙”。", "")
    assert ("concreteness", "1.1.2") in _seed0(text)
    repeated = "会后未形成相关会议情况报告呈送地委和政府，导致主要领导信息不对称。"
    text = SEED0.replace("二是落实重大事项请示报告制度不严格。", "二是落实重大事项请示报告制度不严格。" + repeated)
    text = text.replace("一是研究政策能力不强。", "一是研究政策能力不强。" + repeated)
    dup = [f for f in check_document(parse_text(text), theme=THEME).findings if f.rule == "duplication.sentence"]
    assert [f.section for f in dup] == ["1.3.1"]
    text = SEED0.replace("一是政治站位还不够高。", "一是政治站位还不够高。全年各项工作取得了显著成效。")
    assert ("voice", "1.2.1") in _seed0(text)


def test_seed_perturbation_paste_sample_paragraph_into_other_document():
    paragraph = re.search(r"（四）在担当作为方面。([^\n]*)", SEED0).group(1)
    text = SEED1.replace("二、原因剖析", paragraph + "\n二、原因剖析")
    found = [f for f in check_document(parse_text(text)).findings if f.rule == "duplication.copy"]
    assert found
    assert all(f.section.startswith("1.5") for f in found)


def test_seed_perturbation_causes_all_workload():
    text = re.sub(r"(?<=[：。])([一二三四])是[^。]*。", lambda m: f"{m.group(1)}是工作任务重，事务性工作多。", SEED0)
    found = [f for f in check_document(parse_text(text), theme=THEME).findings if f.rule == "voice.excuse"]
    assert {f.section for f in found} >= {"2.1", "2.2"}


def test_fast_copy_search_finds_exactly_what_checking_every_offset_finds():
    from agent.rules.duplication import RUN, _pool, _self_sample, cjk_projection, copied_offsets

    mixed = SEED1[:1500] + SEED0[800:1400] + GOOD + SEED0[3000:3300]
    for text in (mixed, GOOD + SEED0[:500], SEED1):
        projection = cjk_projection(text)[0]
        seeds = {projection[i:i + 8] for i in range(0, len(projection) - 7, 8)}
        pool = _pool(_self_sample(seeds))[0]
        naive = [i for i in range(len(projection) - RUN + 1) if projection[i:i + RUN] in pool]
        assert copied_offsets(projection) == naive
    assert copied_offsets(cjk_projection(mixed)[0])  # the pasted sample text is found


def test_seed_perturbation_add_xx():
    text = SEED1.replace("对一般户走访比较少", "对xx户走访比较少")
    found = [f for f in check_document(parse_text(text), theme=get_theme("2021-dangshi")).findings
             if f.rule == "placeholder.slots" and f.excerpt == "xx"]
    assert [f.section for f in found] == ["1.3.2"]


def test_what_rules_derive_from_a_document_is_worked_out_once_per_check_and_never_shared():
    from agent.rules import Context

    doc = parse_text(GOOD)
    calls: list[int] = []
    first, second = Context(doc=doc), Context(doc=doc)
    assert first.derived("x", lambda: calls.append(1) or [1]) is first.derived("x", lambda: calls.append(1) or [2])
    assert second.derived("x", lambda: calls.append(1) or [3]) == [3]  # a new check computes afresh
    assert calls == [1, 1]


def test_a_findings_section_is_the_documents_section_of_its_start():
    from agent.rules import Context

    for text in (GOOD, SEED0, SEED1):
        doc = parse_text(text)
        ctx = Context(doc=doc)
        for offset in range(-1, len(doc.text) + 2, 7):
            assert ctx.section_of(offset) == doc.section_of(offset)
