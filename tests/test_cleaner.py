"""The cleaner: ads, spliced adverts, pinyin, slots, specifics, manifest, idempotence."""

from __future__ import annotations

import json
import re

from agent.cleaner import build_corpus, clean_text, load_specifics
from tests.conftest import RAW

LEFTOVERS = re.compile(r"##paid|公众号|素材库|会员|客服|代笔|dangshi|mzshh|(?<![A-Za-z])[xX]{1,2}(?![A-Za-z])")


def test_spliced_advert_keeps_the_real_sentence():
    result = clean_text(RAW[0].read_text(encoding="utf-8"))
    assert "三产辐射带动能力不足。" in result.text
    assert "查找更多" not in result.text


def test_clean_corpus_has_no_ads_pinyin_or_xx(tmp_path):
    build_corpus(clean_dir=tmp_path)
    for path in tmp_path.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert not LEFTOVERS.search(text), LEFTOVERS.search(text)
        assert "达溪河" not in text and "灵台" not in text


def test_pinyin_and_slots_become_chinese_and_visible():
    result = clean_text("学习dangshi，召开mzshh，党的xx大，完成x亿元，Linux系统")
    assert result.text == "学习党史，召开民主生活会，党的〔某〕大，完成〔某〕亿元，Linux系统\n"


def test_cleaning_is_idempotent():
    specifics, mask = load_specifics()
    for path in RAW:
        once = clean_text(path.read_text(encoding="utf-8"), specifics, mask).text
        twice = clean_text(once, specifics, mask)
        assert twice.text == once
        assert twice.changes == []


def test_manifest_records_source_hash_and_every_change(tmp_path):
    entries = build_corpus(clean_dir=tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == len(RAW) == len(entries)
    raw = RAW[0].read_text(encoding="utf-8")
    reasons = {c["reason"] for c in manifest[0]["changes"]}
    assert {"付费内容标记", "广告/联系方式", "匿名占位统一为可见槽位"} <= reasons
    for change in manifest[0]["changes"]:
        if change["reason"] == "付费内容标记":
            assert raw[change["start"]:change["end"]] == change["original"]


def test_real_text_with_ad_like_words_is_kept():
    text = "一是服务群众不够主动。社会员工培训不到位。\n"
    assert clean_text(text).text == text


def test_committed_corpus_is_current(tmp_path):
    """fewshot/clean/ must be what `duizhao fewshot build` produces from fewshot/raw/ now."""
    from tests.conftest import CLEAN

    build_corpus(clean_dir=tmp_path)
    for path in CLEAN:
        assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
