"""Theme presets and fuzzy area matching."""

from __future__ import annotations

from agent.parser import parse_text
from agent.themes import get_theme, infer_theme, load_themes, match_areas


def test_all_presets_load():
    assert set(load_themes()) == {"2021-dangshi", "2023-zhuti", "2024-niandu", "2025-niandu", "custom"}
    assert "case" in get_theme("2024-niandu").parts and "case" in get_theme("2025-niandu").parts
    assert "case" not in get_theme("2023-zhuti").parts
    assert len(get_theme("2023-zhuti").required_areas()) == 6
    assert len(get_theme("2025-niandu").required_areas()) == 5


def test_seed_areas_match_their_themes(seed_000, seed_001):
    for text, key in ((seed_000, "2023-zhuti"), (seed_001, "2021-dangshi")):
        doc = parse_text(text)
        titles = [s.title for s in doc.part("problems").children]
        matched = match_areas(get_theme(key).required_areas(), titles)
        assert None not in matched.values()
        assert sorted(matched.values()) == list(range(len(titles)))


def test_reworded_area_titles_still_match():
    titles = ["关于政治忠诚和政治能力方面", "在固本培元增强党性方面", "敬畏人民敬畏组织敬畏法纪方面",
              "干事创业担当作为方面", "管党治党责任方面"]
    matched = match_areas(get_theme("2025-niandu").required_areas(), titles)
    assert list(matched.values()) == [0, 1, 2, 3, 4]


def test_missing_area_is_none():
    matched = match_areas(get_theme("2023-zhuti").required_areas(), ["理论学习方面", "廉洁自律方面"])
    assert matched["lilun"] == 0 and matched["lianjie"] == 1 and matched["zuofeng"] is None


def test_infer_theme_from_title():
    assert infer_theme("2021年度党史学习教育专题民主生活会").key == "2021-dangshi"
    assert infer_theme("2025年度民主生活会个人对照检查材料").key == "2025-niandu"
    assert infer_theme("某某同志发言") is None
