"""The parser: seed counts, other numbering habits, positions, and never raising."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import UnknownSectionError
from agent.parser import classify_heading, parse_file, parse_text
from tests.conftest import CLEAN, RAW


def _counts(doc):
    problems = doc.part("problems")
    return len(problems.children), sum(len(s.children) for s in problems.children)


def test_seed_000_has_six_areas_and_twelve_points():
    for path in (RAW[0], CLEAN[0]):
        doc = parse_file(path)
        assert _counts(doc) == (6, 12)
        assert len(doc.part("causes").children) == 4
        assert len(doc.part("measures").children) == 5
        assert doc.warnings == []


def test_seed_001_has_five_areas_and_thirteen_points():
    for path in (RAW[1], CLEAN[1]):
        doc = parse_file(path)
        assert _counts(doc) == (5, 13)
        assert len(doc.part("causes").children) == 5
        assert len(doc.part("measures").children) == 4


def test_section_ids_follow_design(seed_000):
    doc = parse_text(seed_000)
    ids = [n.id for n in doc.walk()]
    assert ids[:5] == ["title", "opening", "1", "1.1", "1.1.1"]
    assert "1.3.2" in ids and "2.4" in ids and "3.1" in ids
    assert doc.get("1.3").title == "在能力本领方面"
    assert doc.get("1.3.2").prefix == "二是"
    assert doc.get("2.4").title == "作风要求不够严格"


def test_heading_in_same_paragraph_as_points(seed_000):
    doc = parse_text(seed_000)
    area = doc.get("1.1")
    assert doc.text[area.start:area.body_start] == "（一）在理论学习方面。"
    assert doc.text[area.children[0].start:].startswith("一是理论学习主动性不够。")


def test_spans_cover_exact_text(seed_001):
    doc = parse_text(seed_001)
    for node in doc.walk():
        assert doc.text[node.start:node.end] == doc.slice(node)
        assert node.start <= node.body_start <= node.end
        for child in node.children:
            assert node.start <= child.start and child.end <= node.end


def test_lookup_by_unique_title_fragment(seed_000):
    doc = parse_text(seed_000)
    assert doc.get("担当作为").id == "1.4"
    try:
        doc.get("不存在的标题")
    except UnknownSectionError as exc:  # an InputError (exit 2), not a bare KeyError
        assert "可用的章节" in str(exc)
    else:
        raise AssertionError("unknown key must raise")


ARABIC_DOC = """关于2023年度组织生活会的个人检视剖析材料

根据支部安排，我认真学习，现将检视情况报告如下。

## 一、查摆的问题

1. 理论学习方面
（1）学习不够系统。比如2023年3月的专题学习只参加了半天。
（2）学用结合不够。例如在项目评审中没有运用新理论。
2. 作风方面
（1）调研不深入。如全年只下基层4次。
（2）服务意识不强。如群众来访回复超过10天。

## 二、问题产生的原因

（一）理论学习放松。对学习重视不够。
（二）宗旨意识淡化。没有站稳人民立场。

## 三、今后努力方向

（一）加强学习。每月读书不少于2本。
（二）改进作风。每季度下基层不少于3次。

以上是我的检视剖析，请同志们批评指正。
"""


def test_arabic_sections_paren_points_markdown_parts_and_closing():
    doc = parse_text(ARABIC_DOC)
    assert [p.part_kind for p in doc.nodes] == ["title", "opening", "problems", "causes", "measures", "closing"]
    problems = doc.part("problems")
    assert [s.title for s in problems.children] == ["理论学习方面", "作风方面"]
    assert [len(s.children) for s in problems.children] == [2, 2]
    assert problems.children[0].children[0].prefix == "（1）"
    assert doc.get("2.2").title == "宗旨意识淡化"
    assert doc.slice(doc.get("closing")).startswith("以上是我的检视剖析")


HALF_WIDTH_DOC = """某局长对照检查材料
第一部分 存在的主要问题
(一)政治建设方面：一是学习不深。如去年只写了1篇体会。二是站位不高。如某次会议迟到。
(二)纪律方面：一是执行不严。如报销延迟2个月。二是监督不够。如对下属提醒不足3次。
第二部分 原因分析
一是理想信念有所松懈。二是党性锻炼不够。三是宗旨意识淡化。
第三部分 整改措施
①加强学习，每周2次。
②严守纪律，年底前完成自查。
"""


def test_half_width_brackets_dibufen_parts_and_circled_items():
    doc = parse_text(HALF_WIDTH_DOC)
    problems = doc.part("problems")
    assert problems.prefix.startswith("第一部分")
    assert [len(s.children) for s in problems.children] == [2, 2]
    assert problems.children[0].title == "政治建设方面"
    assert len(doc.part("causes").children) == 3
    measures = doc.part("measures")
    assert [s.prefix for s in measures.children] == ["①", "②"]


def test_heading_wording_variants():
    assert classify_heading("对照检查情况") == "problems"
    assert classify_heading("问题产生的原因") == "causes"
    assert classify_heading("下一步整改措施") == "measures"
    assert classify_heading("上年度民主生活会整改措施落实情况") == "last_year"
    assert classify_heading("以案为鉴、以案促改") == "case"
    assert classify_heading("今后努力方向") == "measures"


def test_shi_inside_prose_is_not_a_point():
    doc = parse_text("标题对照检查材料\n一、存在的问题\n（一）学习方面。我认为统一是前提。一是学习不够。二是思考不深。\n")
    points = doc.get("1.1").children
    assert [p.prefix for p in points] == ["一是", "二是"]


def test_unstructured_text_gives_reason_not_exception():
    doc = parse_text("这是一段没有任何标题的文字。只是随便写写。\n第二行。")
    assert doc.warnings
    assert "未识别" in doc.warnings[0]


def test_crlf_offsets(seed_000):
    crlf = seed_000.replace("\n", "\r\n")
    doc = parse_text(crlf)
    assert _counts(doc) == (6, 12)
    for node in doc.walk():
        assert "\r" not in doc.text[node.end - 1:node.end]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三四五、（）()1.。是问题原因措施存在整改\n #如我")), max_size=300))
def test_parser_never_raises_on_arbitrary_text(text):
    doc = parse_text(text)
    for node in doc.walk():
        assert 0 <= node.start <= node.end <= len(text)


SECTION_LIKE_PART = """某某同志2024年度民主生活会对照检查材料
一、关于上年度民主生活会整改落实情况
上年度查摆的5个问题已整改4个。
二、对照“四个带头”查摆的问题
（一）关于政治纪律方面存在的问题
一是执行请示报告不严。如7月项目调整未报告。
二是维护团结不够。如会上意见分歧时沉默。
（二）关于增强党性方面存在的不足
一是参加组织生活少。如全年参加3次。
二是批评不够。如只提1条意见。
三、产生问题的根源
一是理论学习放松。二是党性锻炼减弱。三是纪律意识淡化。
四、下一步努力方向和整改措施
（一）加强学习。年底前读书4本。
五、以案为鉴
结合本系统某案件，我深刻反思。
"""


def test_section_headings_that_name_problems_stay_sections():
    doc = parse_text(SECTION_LIKE_PART)
    kinds = [n.part_kind for n in doc.nodes if n.kind == "part"]
    assert kinds == ["last_year", "problems", "causes", "measures", "case"]
    problems = doc.part("problems")
    assert [s.title for s in problems.children] == ["关于政治纪律方面存在的问题", "关于增强党性方面存在的不足"]
    assert [len(s.children) for s in problems.children] == [2, 2]
    assert doc.part("problems").id == "2" and doc.get("2.1.2").prefix == "二是"


def test_di_yi_ordinals_number_items_too():
    doc = parse_text("对照检查材料\n一、存在的问题\n（一）学习方面。第一，学习不深。如缺席2次。第二，思考不够。第一次会议就迟到。\n"
                     "二、原因剖析\n第一，理论学习不够。第二，党性锻炼不够。\n三、整改措施\n（一）加强学习。\n")
    assert [p.prefix for p in doc.get("1.1").children] == ["第一，", "第二，"]
    assert len(doc.part("causes").children) == 2
