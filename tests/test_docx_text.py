"""Reading .docx as it looks on screen: automatic numbering rendered, tables in document order."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml

from agent.check import check_file, expand_paths
from agent.docx_text import document_text, format_number, iter_blocks
from agent.parser import parse_text
from agent.reader import read_source

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# A short statement in our own words. "{n1}" marks a paragraph whose number Word draws at level 0
# (一、), "{n2}" at level 1 (（一）); the hand-typed twin has the numbers in the text.
STATEMENT = [
    ("", "市农业农村局副局长2024年度民主生活会个人对照检查材料"),
    ("", "按照局党组的安排，我围绕会议主题认真学习，与班子成员逐一谈心，征求到意见建议9条，"
         "对照检查了自己的思想和工作，现报告如下。"),
    ("n1", "存在的问题"),
    ("n2", "在理论学习方面"),
    ("", "一是学习不够系统。如，今年中心组学习我参加了10次，有3次只读材料、没有结合分管的种业工作谈体会。"
         "二是学用结合不紧。如，在高标准农田建设调研后，我没有把调研结论转化为具体措施，验收推迟了20天。"),
    ("n2", "在担当作为方面"),
    ("", "一是碰到难题有畏难情绪。如，秸秆综合利用项目遇到用地难题时，我等待上级协调两个月，没有主动找办法。"
         "二是抓落实不够细。如，农机补贴资金兑付我只听汇报，没有下村核对，群众反映兑付慢。"),
    ("n1", "原因剖析"),
    ("", "一是理论武装有所放松，以干代学。二是宗旨意识有所淡化，深入基层少了。三是担当精神有所减弱，求稳怕错。"),
    ("n1", "整改措施"),
    ("", "一是抓好理论学习，每月结合分管工作写一篇学习体会。二是每季度到联系村蹲点一周，现场解决问题。"
         "三是对分管项目建立台账，逐项明确完成时限。"),
]
HAND_NUMBERS = {"n1": ["一、", "二、", "三、"], "n2": ["（一）", "（二）"]}


def lvl(ilvl: int, fmt: str, text: str, *, start: int = 1, extra: str = "", suff: str = "") -> str:
    suff_xml = f'<w:suff w:val="{suff}"/>' if suff else ""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}{suff_xml}'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def numbering_xml(abstracts: dict[int, str], nums: dict[int, tuple[int, str]]) -> str:
    """A numbering part: abstractNum id → its w:lvl XML; numId → (abstractNumId, lvlOverride XML)."""
    body = "".join(f'<w:abstractNum w:abstractNumId="{a}">{levels}</w:abstractNum>' for a, levels in abstracts.items())
    body += "".join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{a}"/>{over}</w:num>'
                    for n, (a, over) in nums.items())
    return f'<w:numbering xmlns:w="{W_NS}">{body}</w:numbering>'


def new_document(numbering: str | None = None):
    document = docx.Document()
    if numbering is not None:
        document.part.numbering_part._element = parse_xml(numbering)
    return document


def number(paragraph, num_id: int, ilvl: int | None = 0) -> None:
    """Give a paragraph direct numbering (w:numPr), as Word does for a list paragraph."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    if ilvl is not None:
        num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


# The usual Chinese outline: 一、 then （一）, counted in Chinese, the second level restarting.
OUTLINE = numbering_xml({0: lvl(0, "chineseCounting", "%1、", suff="nothing")
                         + lvl(1, "chineseCounting", "（%2）")}, {1: (0, "")})


def statement_docx(path: Path, *, auto: bool) -> Path:
    """The statement as .docx: auto-numbered (numbering.xml; part headings numbered through their
    paragraph style, areas directly) or hand-typed. Body paragraphs are split into several runs."""
    document = new_document(OUTLINE if auto else None)
    style = document.styles.add_style("部分标题", WD_STYLE_TYPE.PARAGRAPH)
    style.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'))
    counters = {key: iter(values) for key, values in HAND_NUMBERS.items()}
    for kind, text in STATEMENT:
        para = document.add_paragraph(style="部分标题" if kind == "n1" else None)
        if auto and kind == "n2":
            number(para, 1, 1)
        elif not auto and kind == "n1":  # hand-typed: the style has numbering, so switch it off as Word does
            number(para, 0, None)
        typed = text if auto else (next(counters[kind]) if kind else "") + text
        for piece in (typed[:2], typed[2:12], typed[12:40], typed[40:]):
            if piece:
                para.add_run(piece)
    document.save(str(path))
    return path


def hand_text() -> str:
    counters = {key: iter(values) for key, values in HAND_NUMBERS.items()}
    return "\n".join((next(counters[kind]) if kind else "") + text for kind, text in STATEMENT)


def texts(document) -> list[str]:
    return [block.text for block in iter_blocks(document)]


def test_auto_numbered_docx_reads_parses_and_checks_like_hand_typed(tmp_path):
    auto = statement_docx(tmp_path / "auto.docx", auto=True)
    typed = statement_docx(tmp_path / "typed.docx", auto=False)
    # The fixture really depends on numbering.xml: python-docx alone sees no numbers.
    assert "一、" not in "\n".join(p.text for p in docx.Document(str(auto)).paragraphs)
    assert read_source(auto).text == read_source(typed).text == hand_text()

    def shape(doc):
        return [(n.id, n.kind, n.title, n.prefix, n.number) for n in doc.walk()]

    auto_doc, typed_doc = parse_text(read_source(auto).text), parse_text(read_source(typed).text)
    assert shape(auto_doc) == shape(typed_doc)
    ids = [n.id for n in auto_doc.walk()]
    assert {"1", "1.1", "1.2", "1.1.2", "2", "3"} <= set(ids)
    assert auto_doc.get("1.2").prefix.startswith("（二）")
    assert auto_doc.part("problems").prefix.startswith("一、")

    def findings(path):
        return sorted((f.rule, f.section) for f in check_file(path).findings)

    assert findings(auto) == findings(typed)
    assert not {"structure.numbering", "structure.points"} & {rule for rule, _ in findings(auto)}
    # What the paragraphs-only reader used to give loses the areas （一）（二） and their numbering.
    unnumbered = parse_text("\n".join(p.text for p in docx.Document(str(auto)).paragraphs))
    assert "1.1.2" not in {n.id for n in unnumbered.walk()} and not unnumbered.part("problems").prefix


def test_lower_level_restarts_when_higher_level_advances(tmp_path):
    document = new_document(OUTLINE)
    for ilvl in (0, 1, 1, 0, 1, 1, 1):
        number(document.add_paragraph("条目"), 1, ilvl)
    assert texts(document) == ["一、条目", "（一）条目", "（二）条目", "二、条目", "（一）条目", "（二）条目",
                               "（三）条目"]


def test_lvl_restart_zero_keeps_counting_across_higher_levels():
    document = new_document(numbering_xml(
        {0: lvl(0, "chineseCounting", "%1、") + lvl(1, "decimal", "%2.", extra='<w:lvlRestart w:val="0"/>')},
        {1: (0, "")}))
    for ilvl in (0, 1, 1, 0, 1):
        number(document.add_paragraph("条目"), 1, ilvl)
    assert texts(document) == ["一、条目", "1.条目", "2.条目", "二、条目", "3.条目"]


@pytest.mark.parametrize("n,expected", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"),
                                        (21, "二十一"), (99, "九十九"), (100, "一百"), (105, "一百零五")])
def test_chinese_counting_beyond_ten(n, expected):
    assert format_number(n, "chineseCounting") == expected
    assert format_number(n, "chineseCountingThousand") == expected


def test_chinese_counting_in_a_document_past_ten():
    document = new_document(numbering_xml({0: lvl(0, "chineseCounting", "%1、", start=9)}, {1: (0, "")}))
    for _ in range(13):
        number(document.add_paragraph("措施"), 1)
    found = texts(document)
    assert found[:3] == ["九、措施", "十、措施", "十一、措施"]
    assert found[-1] == "二十一、措施"


@pytest.mark.parametrize("fmt,text,expected", [
    ("ideographTraditional", "%1、", ["甲、", "乙、", "丙、", "丁、"]),
    ("decimalEnclosedCircle", "%1", ["①", "②", "③", "④"]),
    ("decimalEnclosedCircleChinese", "%1", ["①", "②", "③", "④"]),
    ("chineseCounting", "（%1）", ["（一）", "（二）", "（三）", "（四）"]),
    ("chineseLegalSimplified", "%1、", ["壹、", "贰、", "叁、", "肆、"]),
    ("ideographDigital", "%1.", ["一.", "二.", "三.", "四."]),
    ("decimal", "%1.", ["1.", "2.", "3.", "4."]),
    ("decimalFullWidth", "%1．", ["１．", "２．", "３．", "４．"]),
    ("decimalEnclosedParen", "%1", ["⑴", "⑵", "⑶", "⑷"]),
    ("lowerLetter", "%1)", ["a)", "b)", "c)", "d)"]),
    ("upperLetter", "%1.", ["A.", "B.", "C.", "D."]),
    ("lowerRoman", "%1.", ["i.", "ii.", "iii.", "iv."]),
    ("upperRoman", "%1、", ["I、", "II、", "III、", "IV、"]),
    ("bullet", "\uf06c", ["", "", "", ""]),
    ("none", "", ["", "", "", ""]),
])
def test_number_formats(fmt, text, expected):
    document = new_document(numbering_xml({0: lvl(0, fmt, text)}, {1: (0, "")}))
    for _ in range(4):
        number(document.add_paragraph("正文"), 1)
    assert texts(document) == [prefix + "正文" for prefix in expected]


def test_format_number_edges():
    assert format_number(10, "ideographDigital") == "一〇"
    assert format_number(11, "chineseLegalSimplified") == "壹拾壹"
    assert format_number(27, "lowerLetter") == "aa"
    assert format_number(21, "decimalEnclosedCircle") == "21"  # no ㉑ in Word's set: decimal
    assert format_number(11, "ideographTraditional") == "11"
    assert format_number(1994, "upperRoman") == "MCMXCIV"
    assert format_number(7, "somethingNew") == "7"


def test_multilevel_text_and_legal_numbering():
    document = new_document(numbering_xml(
        {0: lvl(0, "chineseCounting", "%1、") + lvl(1, "decimal", "%1.%2") + lvl(2, "lowerLetter", "%1.%2.%3",
                                                                                 extra="<w:isLgl/>")},
        {1: (0, "")}))
    for ilvl in (0, 1, 1, 2, 0, 1):
        number(document.add_paragraph("条"), 1, ilvl)
    # Each %n takes its own level's format; w:isLgl makes every number decimal.
    assert texts(document) == ["一、条", "一.1条", "一.2条", "1.2.1条", "二、条", "二.1条"]


def test_start_override_restarts_a_shared_list_and_plain_num_continues():
    override = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    document = new_document(numbering_xml({0: lvl(0, "decimal", "%1.")}, {1: (0, ""), 2: (0, override), 3: (0, "")}))
    for num_id in (1, 1, 2, 2, 3):
        number(document.add_paragraph("项"), num_id)
    assert texts(document) == ["1.项", "2.项", "1.项", "2.项", "3.项"]


def test_lvl_override_replaces_the_level_definition():
    override = f'<w:lvlOverride w:ilvl="0">{lvl(0, "chineseCounting", "第%1条")}</w:lvlOverride>'
    document = new_document(numbering_xml({0: lvl(0, "decimal", "%1.")}, {1: (0, ""), 5: (0, override)}))
    number(document.add_paragraph("甲"), 1)
    number(document.add_paragraph("乙"), 5)
    assert texts(document) == ["1.甲", "第二条乙"]


def test_numbering_through_a_based_on_style_and_switched_off_by_num_id_zero():
    document = new_document(OUTLINE)
    parent = document.styles.add_style("编号一级", WD_STYLE_TYPE.PARAGRAPH)
    parent.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W_NS}"><w:numId w:val="1"/></w:numPr>'))  # no ilvl: level 0
    child = document.styles.add_style("编号一级加粗", WD_STYLE_TYPE.PARAGRAPH)
    child.base_style = parent
    document.add_paragraph("存在的问题", style="编号一级")
    document.add_paragraph("原因剖析", style="编号一级加粗")
    off = document.add_paragraph("不编号的一段", style="编号一级")
    number(off, 0, None)
    document.add_paragraph("整改措施", style="编号一级")
    assert texts(document) == ["一、存在的问题", "二、原因剖析", "不编号的一段", "三、整改措施"]


def test_missing_definitions_render_nothing():
    document = new_document(numbering_xml({0: lvl(0, "decimal", "%1.")}, {1: (0, "")}))
    number(document.add_paragraph("没有这个编号"), 7)
    number(document.add_paragraph("没有这一级"), 1, 4)
    assert texts(document) == ["没有这个编号", "没有这一级"]


def test_table_text_is_read_in_document_order(tmp_path):
    document = new_document()
    document.add_paragraph("表格前的一段")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["问题", "原因", "措施"], ["学习不系统", "以干代学", "每月写体会"],
                             ["调研不深入", "怕麻烦", "每季度蹲点"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 2).add_paragraph("并在支部交流")
    merged = table.cell(2, 1).merge(table.cell(2, 2))  # a horizontal span is one cell, read once
    merged.text = "怕麻烦，每季度蹲点"
    document.add_paragraph("表格后的一段")
    path = tmp_path / "table.docx"
    document.save(str(path))
    assert read_source(path).text.split("\n") == [
        "表格前的一段", "问题", "原因", "措施", "学习不系统", "以干代学", "每月写体会", "并在支部交流",
        "调研不深入", "怕麻烦，每季度蹲点", "表格后的一段"]


def test_whole_statement_in_one_table_cell_parses(tmp_path):
    document = new_document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = hand_text().split("\n")[0]
    for line in hand_text().split("\n")[1:]:
        cell.add_paragraph(line)
    path = tmp_path / "cell.docx"
    document.save(str(path))
    assert read_source(path).text == hand_text()
    assert [n.id for n in parse_text(read_source(path).text).walk()] == [n.id for n in parse_text(hand_text()).walk()]


def test_numbering_counts_through_tables():
    document = new_document(OUTLINE)
    number(document.add_paragraph("存在的问题"), 1)
    number(document.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0], 1)
    number(document.add_paragraph("整改措施"), 1)
    assert document_text(document).split("\n") == ["一、存在的问题", "二、", "三、整改措施"]


def test_expand_paths_includes_doc(tmp_path):
    (tmp_path / "a.doc").write_bytes(b"x")
    (tmp_path / "b.docx").write_bytes(b"x")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.doc", "b.docx"]


def test_content_controls_are_read_but_a_table_of_contents_is_not():
    document = new_document()
    body = document.element.body

    def sdt(gallery: str, text: str):
        pr = (f'<w:sdtPr><w:docPartObj><w:docPartGallery w:val="{gallery}"/></w:docPartObj></w:sdtPr>'
              if gallery else "<w:sdtPr/>")
        return parse_xml(f'<w:sdt xmlns:w="{W_NS}">{pr}<w:sdtContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
                         "</w:sdtContent></w:sdt>")

    body.insert(0, sdt("Table of Contents", "一、存在的问题\t3"))
    body.insert(1, sdt("", "填写单位：市农业农村局"))
    document.add_paragraph("一、存在的问题")
    assert texts(document) == ["填写单位：市农业农村局", "一、存在的问题"]


def test_num_style_link_follows_the_numbering_style():
    # Word's "list style": abstractNum 1 only names a numbering style, whose numId leads to abstractNum 0.
    xml = numbering_xml({0: lvl(0, "chineseCounting", "%1、") + '<w:styleLink w:val="ListOutline"/>',
                         1: '<w:numStyleLink w:val="ListOutline"/>'}, {1: (0, ""), 2: (1, "")})
    document = new_document(xml)
    document.styles.element.append(parse_xml(
        f'<w:style xmlns:w="{W_NS}" w:type="numbering" w:styleId="ListOutline"><w:name w:val="大纲列表"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'))
    number(document.add_paragraph("存在的问题"), 2)
    number(document.add_paragraph("原因剖析"), 2)
    assert texts(document) == ["一、存在的问题", "二、原因剖析"]
