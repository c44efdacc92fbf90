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


def test_a_problem_quoted_in_a_measure_is_a_reference_not_a_shared_passage():
    measure = "（二）密切联系群众。针对“全年到联系村只去了3次，群众反映的灌溉渠漏水问题拖了5个月”的问题，年底前修好灌溉渠。"
    assert hits(BASE + measure + "\n", "duplication.shared_run") == []
    unquoted = measure.replace("“", "").replace("”", "")
    assert [f.section for f in hits(BASE + unquoted + "\n", "duplication.shared_run")] == ["3.2"]


def test_the_users_own_summary_is_not_a_copy_when_the_notes_are_given():
    from agent.notes import parse_notes_yaml

    chars = list(_sample_sentence())
    for n in [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"][6::7]:
        chars[n] = "之"
    edited = "".join(chars)
    text = BASE.replace("我下村走访次数少。", "我下村走访次数少。" + edited)
    notes = parse_notes_yaml("role: 副区长\nmeeting: {year: 2021}\nareas:\n  - area: 联系群众\n    problems:\n"
                             f"      - {{summary: 联系群众不够, facts: [\"{edited.rstrip('。')}\"]}}\n")
    assert hits(text, "duplication.paraphrase") != []
    found = [f for f in check_document(parse_text(text), notes=notes).findings if f.rule == "duplication.paraphrase"]
    assert found == []


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


# --- the fast paths find what the plain loops find ----------------------------------------------------
# Each reference below is the rule's earlier, plainer code: the faster code must give the same answers.

def _texts() -> list[str]:
    """Whole statements, raw samples, pieces and mixes of them (copies, shared passages, slots)."""
    from tests.conftest import RAW, ROOT

    good = (ROOT / "tests" / "data" / "good-2023.md").read_text(encoding="utf-8")
    seeds = [p.read_text(encoding="utf-8") for p in (*CLEAN, *RAW)]
    mixed = seeds[1][:1500] + seeds[0][800:1400] + good + seeds[0][3000:3300]
    moved = BASE.replace("我推动分管工作的办法不多。", "我推动分管工作的办法不多，全年到联系村只去了3次，群众反映的灌溉渠漏水问题拖了5个月。")
    slots = BASE.replace("6次", "【请补充：次数】").replace("3000亩", "〔某数〕亩")
    # Long sample sentences with every k-th character changed: copies at several distances.
    edited = []
    for k, seed in zip((5, 7, 9), seeds * 2, strict=False):
        pasted = []
        for sentence in re.findall(r"[^。\n]{30,80}。", seed)[3:40:6]:
            chars = list(sentence)
            for n in [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"][k - 1::k]:
                chars[n] = "之"
            pasted.append("".join(chars))
        edited.append(BASE.replace("我下村走访次数少。", "我下村走访次数少。" + "".join(pasted)))
    return [BASE, moved, slots, good, mixed, *edited, *seeds, *(s[i:i + 700] for s in seeds for i in (0, 333, 1999))]


def _mask_reference(text: str) -> str:
    from agent.rules.duplication import LOOSE_RE, _loose_phrases

    keep = [m.start() for m in re.finditer(r"[^“”‘’\"、，,。\s]", text)]
    squeezed = LOOSE_RE.sub("", text)
    taken, hidden = [], bytearray(len(squeezed))
    for phrase in _loose_phrases():
        at = squeezed.find(phrase)
        while at != -1:
            end = at + len(phrase)
            if not any(hidden[at:end]):
                hidden[at:end] = b"\x01" * len(phrase)
                taken.append((at, end))
            at = squeezed.find(phrase, at + 1)
    chars = list(text)
    for at, end in taken:
        for i in range(keep[at], keep[end - 1] + 1):
            chars[i] = "\x00"
    return "".join(chars)


def test_masking_allowed_wording_by_runs_gives_the_per_character_result():
    from agent.rules.duplication import mask_allowed

    for text in _texts():
        assert mask_allowed(text) == _mask_reference(text)


def _shared_reference(doc, size: int) -> list[tuple[str, int, str]]:
    from agent.rules import Context
    from agent.rules.duplication import _KEEP_RE, _QUOTED_RE, _blanked, _leaves

    text, owner, out = _blanked(doc.norm), {}, []
    for node in _leaves(Context(doc=doc)):
        body = text[node.body_start:node.end].replace("\n", "\x00")
        body = _QUOTED_RE.sub(lambda m: "\x00" * len(m.group(0)), body)
        projection = "".join(body[m.start()] for m in _KEEP_RE.finditer(body))
        for i in range(len(projection) - size + 1):
            w = projection[i:i + size]
            if "\x00" not in w and owner.get(w, node.id) != node.id:
                out.append((node.id, i, owner[w]))
        for i in range(len(projection) - size + 1):
            owner.setdefault(projection[i:i + size], node.id)
    return out


def _paraphrase_reference(doc) -> list[tuple[int, int]]:
    from agent.facts import bigrams
    from agent.rules.duplication import (
        _DROP_RE,
        SEED,
        _blanked,
        _close,
        _self_sample,
        _sentence_keys,
        copied_runs,
        sample_sentences,
    )
    from agent.rules.helpers import table

    least, ratio = table("copy_fuzzy_min"), table("copy_fuzzy_ratio")
    text = _blanked(doc.norm)
    projection = _DROP_RE.sub("", text.replace("\n", "\x00"))
    own = _self_sample({projection[i:i + SEED] for i in range(0, len(projection) - SEED + 1, SEED)})
    exact = [(start, end) for start, end, _ in copied_runs(doc.text)]
    out = []
    for s, e, key in _sentence_keys(text, 0, len(text)):
        if len(key) < least or any(a < e and s < b for a, b in exact):
            continue
        grams = bigrams(key)
        for name, (keys, index) in sample_sentences().items():
            if name == own:
                continue
            votes: dict[int, int] = {}
            for g in grams:
                for n in index.get(g, ()):
                    votes[n] = votes.get(n, 0) + 1
            if any(_close(key, keys[n], ratio) for n, v in votes.items() if v >= ratio * len(grams) * 0.6):
                out.append((s, e))
                break
    return out


def test_shared_passages_and_edited_copies_are_found_as_by_the_plain_loops():
    from agent.rules.helpers import table

    found_shared = found_copy = 0
    for text in _texts():
        doc = parse_text(text, repair=True)
        shared = _shared_reference(doc, table("shared_run"))
        expected = sorted({node for node, _, _ in shared})
        assert sorted(f.section for f in check_document(doc).findings if f.rule == "duplication.shared_run") == expected
        copies = [(f.start, f.end) for f in check_document(doc).findings if f.rule == "duplication.paraphrase"]
        assert copies == _paraphrase_reference(doc)
        found_shared += bool(shared)
        found_copy += bool(copies)
    assert found_shared and found_copy  # the texts do exercise both rules


def test_repeated_sentences_skip_headings_as_before():
    from agent.rules.helpers import sentences

    for text in _texts():
        doc = parse_text(text, repair=True)
        skip = [(n.start, n.body_start) for n in doc.walk() if n.kind != "point"] + \
               [(f.start, f.end) for f in doc.furniture]
        seen, expected = set(), []
        for start, end in sentences(doc.norm):
            key = re.sub(r"[^\u4e00-\u9fff]", "", doc.norm[start:end])
            if len(key) < 12 or "【请" in doc.norm[start:end] or any(a <= start and end <= b + 1 for a, b in skip):
                continue
            if key in seen:
                expected.append((start, end))
            seen.add(key)
        got = [(f.start, f.end) for f in check_document(doc).findings if f.rule == "duplication.sentence"]
        assert got == expected
