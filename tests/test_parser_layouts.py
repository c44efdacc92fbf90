"""Layouts real statements come in (site furniture, tables of contents, traditional characters, PDF wraps,
glued headings, other numbering habits) parse into the right parts, areas and points.

Every fixture is written here in our own words; each reproduces one habit seen on public pages.
"""

from __future__ import annotations

from agent.kinds import infer_kind, parse_kind
from agent.normalize import is_hard_wrapped, repair_extraction, simplified
from agent.parser import parse_text


def _areas(doc):
    problems = doc.part("problems")
    return [(s.prefix, s.title, len(s.children)) for s in problems.children] if problems else []


def _kinds(doc):
    return [n.part_kind for n in doc.nodes if n.kind == "part"]


SITE_PAGE = """某某范文网 > 范文大全 > 心得体会 >
组织生活会个人检视材料存在的问题3篇
浏览次数：2048
发布时间：2025-02-01
某局干部2024年度组织生活会个人检视剖析材料
按照支部通知要求，我认真学习，征求意见8条，现将检视情况报告如下。
一、存在的问题
（一）理论学习方面。一是学习时间保证不够。如3月份的集中学习缺席1次。二是学用结合不紧。如在窗口改造中没有先做调研。
（二）服务群众方面。一是调研不深。如全年下基层只有2次。二是回应不及时。如一件群众来信拖了15天才答复。
二、原因剖析
一是理论学习放松。二是宗旨意识淡化。三是纪律意识不强。
三、整改措施
（一）年底前读完2本原著。（二）每季度下基层不少于1次。
上一篇：某某发言稿
版权所有 某某范文网 ICP备12345号
"""


def test_site_furniture_is_kept_out_of_the_parts():
    doc = parse_text(SITE_PAGE)
    furniture = [doc.text[s.start:s.end] for s in doc.furniture]
    assert "浏览次数：2048" in furniture and "发布时间：2025-02-01" in furniture
    assert any("存在的问题3篇" in f for f in furniture)  # a collection title, not a part heading
    assert any(f.startswith("版权所有") for f in furniture) and any(f.startswith("上一篇") for f in furniture)
    assert doc.title == "某局干部2024年度组织生活会个人检视剖析材料"
    assert _kinds(doc) == ["problems", "causes", "measures"]
    assert [a[2] for a in _areas(doc)] == [2, 2]
    measures = doc.part("measures")
    assert "版权所有" not in doc.slice(measures) and "上一篇" not in doc.slice(measures)


TOC_DOC = """一、存在的问题
（一）政治建设方面
（二）作风建设方面
二、原因分析
三、整改措施
某支部书记2024年度民主生活会对照检查材料
按照上级统一部署，我深入学习，广泛听取意见12条，现对照检查如下。
一、存在的问题
（一）政治建设方面
一是请示报告不够及时。今年4月一项调整没有第一时间报告。二是政治敏锐性不强。如对一则网络帖子反应慢。
（二）作风建设方面
一是调研走过场。如两次调研没有形成报告。二是文风不实。如一份总结写了8000字。
二、原因分析
一是理论武装不够。二是党性锻炼不够。三是宗旨意识淡薄。
三、整改措施
（一）年底前完成专题调研2项。（二）每月开展一次谈心谈话。
"""


def test_table_of_contents_is_not_parsed_as_sections():
    doc = parse_text(TOC_DOC)
    assert [s.reason for s in doc.furniture] == ["目录"]
    assert doc.title.startswith("某支部书记2024年度")
    assert _kinds(doc) == ["problems", "causes", "measures"]
    assert [a[2] for a in _areas(doc)] == [2, 2]


TRADITIONAL = """某縣幹部個人對照檢查材料
根據縣委安排，我認真查找了自身問題，現剖析如下。
一、存在的問題
（一）理論學習不夠紮實。
一是學習不夠系統。如去年只讀了1本原著。二是聯繫實際不夠。如調研報告沒有運用理論。
（二）工作作風不夠紮實。
一是下基層少。如全年下鄉3次。二是辦事拖拉。如一件信訪件辦了20天。
二、原因剖析
一是理論學習放鬆。二是黨性修養不夠。三是宗旨意識淡化。
三、整改措施
一是每月讀書1本。二是每季度下鄉不少於2次。
"""


def test_traditional_characters_are_matched_in_simplified_with_the_same_offsets():
    doc = parse_text(TRADITIONAL)
    assert len(doc.norm) == len(doc.text) and doc.norm != doc.text
    assert _kinds(doc) == ["problems", "causes", "measures"]
    assert [a[2] for a in _areas(doc)] == [2, 2]
    area = doc.part("problems").children[0]
    assert doc.text[area.start:area.start + 3] == "（一）"  # spans point into the original text
    assert "學習" in doc.slice(area) and "学习" in doc.norm[area.start:area.end]


def test_simplified_keeps_length_and_leaves_simplified_text_alone():
    assert simplified("已经是简体的文字") == "已经是简体的文字"
    out = simplified("對照檢查，問題與原因")
    assert out == "对照检查，问题与原因" and len(out) == len("對照檢查，問題與原因")


GLUED = """某同志对照检查材料
现对照检查如下。
一、存在的问题
（一）学习方面。
一是学得不深。如只参加了2次研讨。二是用得不够。如会上没有联系实际发言。（二）作风方面。
一是调研少。如上半年只去了1个村。二是落实慢。如一项整改拖了1个月。
二、原因剖析：一是理论学习不够。二是党性锻炼不够。三是纪律观念淡薄。
三、整改措施：（一）年底前补学4个专题。（二）每月下村1次。
"""


def test_heading_glued_to_previous_paragraph_and_items_on_the_heading_line():
    doc = parse_text(GLUED)
    assert [a[0] for a in _areas(doc)] == ["（一）", "（二）"]
    assert [a[2] for a in _areas(doc)] == [2, 2]
    assert len(doc.part("causes").children) == 3
    assert [s.prefix for s in doc.part("measures").children] == ["（一）", "（二）"]


def test_numbers_inside_a_sentence_are_not_headings():
    doc = parse_text("某同志对照检查材料\n一、存在的问题\n（一）学习方面。一是学得不深，对一、二季度的任务理解不透。"
                     "如漏学2次。二是用得不够。如没有发言。\n二、原因剖析\n一是学习放松。二是党性不强。\n三、整改措施\n"
                     "（一）年底前补学。\n")
    assert _kinds(doc) == ["problems", "causes", "measures"]
    assert [p.prefix for p in doc.get("1.1").children] == ["一是", "二是"]


PDF_WRAPPED = """某镇党委班子2025年度民主生活会对照检
查材料
按照上级关于开好2025年度民主生活会的部署，班子成员
通过集中学习和个人自学相结合的方式，深入学习了有关
精神，开展谈心谈话20余人次，征求意见建议30条。现将
对照检查情况报告如下。
一、存在的主要问题
（一）在带头强化政治忠诚、提高政治能力方面
一是学习转化不够。班子在讨论镇里的道路改造项目时，
只谈资金和进度，对长远的管护机制考虑不深，学用两张
皮的问题依然存在。
二是风险意识不强。去年下半年一起网络投诉处置迟缓，
班子没有及时研判。
二、原因剖析
一是理论学习不够深入。二是党性锻炼有所放松。
三、整改措施
（一）年底前建立项目管护制度。（二）每季度研判舆情1次。
"""


def test_pdf_hard_wraps_are_joined_for_check():
    assert is_hard_wrapped(PDF_WRAPPED)
    repaired = repair_extraction(PDF_WRAPPED)
    assert "对照检查材料" in repaired.splitlines()[0]
    doc = parse_text(PDF_WRAPPED, repair=True)
    assert doc.title.endswith("对照检查材料")
    assert _kinds(doc) == ["problems", "causes", "measures"]
    assert [a[2] for a in _areas(doc)] == [2]
    assert doc.kind.voice == "group" and doc.kind.meeting == "民主生活会"


def test_typed_paragraphs_are_never_judged_hard_wrapped(seed_000):
    assert not is_hard_wrapped(seed_000)
    assert repair_extraction("一、存在的问题\n（一）学习方面。") == "一、存在的问题\n（一）学习方面。"


def test_spaces_a_pdf_left_inside_words_are_dropped():
    assert repair_extraction("政治 敏锐性不强") == "政治敏锐性不强"
    assert repair_extraction("材料 一、存在的问题") == "材料 一、存在的问题"


CN_PAREN_TOP = """某同志2024年度组织生活会个人检视剖析材料
按照支部安排，现将个人检视情况报告如下。
（一）存在的问题
1.学习方面。没有按计划学习。如5月的专题只学了一半。
2.纪律方面。请假手续不全。如2次外出没有书面报备。
（二）原因分析
一是学习放松。二是纪律观念淡化。
（三）整改措施
1.年底前补齐学习笔记。
2.外出一律书面报备。
"""


def test_cn_paren_as_the_top_level_with_arabic_points_below():
    doc = parse_text(CN_PAREN_TOP)
    assert _kinds(doc) == ["problems", "causes", "measures"]
    assert [a[0] for a in _areas(doc)] == ["1.", "2."]
    assert doc.kind.meeting == "组织生活会"


def test_areas_with_no_problems_heading_form_an_implicit_problems_part():
    doc = parse_text("某同志对照检查材料\n现对照检查如下。\n（一）学习方面。一是学得少。如只学了1次。二是用得少。如没有运用。\n"
                     "（二）作风方面。一是调研少。如只去1次。二是落实慢。如拖了1个月。\n原因剖析\n一是学习放松。二是党性不强。\n")
    assert _kinds(doc)[0] == "problems"
    assert [a[2] for a in _areas(doc)] == [2, 2]


def test_a_situation_part_before_the_problems_part():
    doc = parse_text("某支部班子对照检查材料\n现报告如下。\n一、支部基本情况\n支部有党员12名。\n二、存在的问题\n"
                     "（一）组织生活方面。一是三会一课不规范。如2次支委会没有记录。二是谈心谈话少。如全年只谈了3人。\n"
                     "三、原因剖析\n一是抓党建意识不强。二是制度执行不严。\n四、整改措施\n（一）年底前补齐记录。\n")
    assert _kinds(doc) == ["other", "problems", "causes", "measures"]
    assert doc.part("problems").id == "2"


def test_shouxian_qici_zuihou_number_items():
    doc = parse_text("某同志对照检查材料\n一、存在的问题\n（一）学习方面。首先，学得不深。如缺2次。其次，用得不够。如没发言。"
                     "最后，思考不多。如没有写体会。\n二、原因剖析\n一是放松学习。二是党性不强。\n三、整改措施\n（一）补学。\n")
    assert [p.prefix for p in doc.get("1.1").children] == ["首先，", "其次，", "最后，"]


def test_two_line_title():
    doc = parse_text("某县发展和改革局局长\n2024年度民主生活会个人对照检查材料\n按照部署，现对照检查如下。\n一、存在的问题\n"
                     "（一）学习方面。一是学得少。如只学1次。二是用得少。如没运用。\n二、原因剖析\n一是放松。二是松懈。\n"
                     "三、整改措施\n（一）补学。\n")
    assert doc.title == "某县发展和改革局局长2024年度民主生活会个人对照检查材料"
    assert doc.kind.voice == "personal"


def test_an_untitled_document_opening_on_a_lead_in_has_no_title():
    # No title line: the first line names the study and ends on a colon that leads into the problems.
    doc = parse_text("结合作风建设专题学习，我对照检查了自身的作风问题，现就存在的问题剖析如下：\n一、存在的问题\n"
                     "（一）学习方面。一是学得少。如只学1次。二是用得少。如没运用。\n二、原因剖析\n一是放松。\n"
                     "三、整改措施\n（一）补学。\n")
    assert doc.title == ""
    assert doc.text[doc.get("opening").start:].startswith("结合作风建设专题学习")


def test_kind_is_inferred_from_title_and_opening():
    assert infer_kind("某局领导班子2024年度民主生活会对照检查材料", "").voice == "group"
    assert infer_kind("某局党组书记2024年度民主生活会个人对照检查材料", "").voice == "personal"
    assert infer_kind("", "按照部署，班子成员深入学习，班子认真查摆问题，现报告如下。").voice == "group"
    assert infer_kind("", "按照部署，我认真学习，广泛征求意见，我对照检查如下。").voice == "personal"
    assert infer_kind("某支部党员2024年度组织生活会个人检视材料", "").meeting == "组织生活会"


def test_kind_flag_values_and_a_bad_value():
    assert parse_kind("班子,民主生活会").voice == "group"
    assert parse_kind("个人").meeting is None
    try:
        parse_kind("部门")
    except Exception as exc:  # InputError: a one-line Chinese message naming the option
        assert "--kind" in str(exc)
    else:
        raise AssertionError("an unknown --kind value must be an input error")


def test_kind_flag_overrides_inference():
    doc = parse_text(PDF_WRAPPED, repair=True, kind=parse_kind("个人"))
    assert doc.kind.voice == "personal" and doc.kind.origin == "flag"
