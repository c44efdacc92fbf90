"""`revise`: one section rewritten, every other byte identical (txt/md in any encoding, .docx runs)."""

from __future__ import annotations

import re
import subprocess
import sys

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from agent.errors import InputError
from agent.llm import LLM
from agent.parser import parse_file, parse_text
from agent.reader import read_source
from agent.render.docx import render_docx
from agent.revise import Revision, docx_with_revision, replace_span, revise_source, write_revision
from agent.settings import Settings
from tests.conftest import CLEAN, ROOT
from tests.scripted import ScriptedClient
from tests.test_docx_text import statement_docx
from tests.test_parser import ARABIC_DOC, HALF_WIDTH_DOC

GOOD = ROOT / "tests" / "data" / "good-2023.md"
DOCS = {
    "seed0": CLEAN[0].read_text(encoding="utf-8"),
    "seed1": CLEAN[1].read_text(encoding="utf-8"),
    "good": GOOD.read_text(encoding="utf-8"),
    "arabic": ARABIC_DOC,
    "halfwidth": HALF_WIDTH_DOC,
}
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030"]
CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=60)


def _write(tmp_path, name, text, encoding, crlf):
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / f"{name}.txt"
    path.write_bytes(text.encode(encoding))
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(DOCS)), encoding=st.sampled_from(ENCODINGS), crlf=st.booleans(),
       pick=st.integers(min_value=0, max_value=10_000), body=CJK)
def test_bytes_outside_the_section_are_identical(tmp_path, name, encoding, crlf, pick, body):
    path = _write(tmp_path, name, DOCS[name], encoding, crlf)
    source = read_source(path)
    doc = parse_text(source.text)
    nodes = [n for n in doc.walk() if n.kind != "title"]
    node = nodes[pick % len(nodes)]
    new_text = replace_span(source.text, node.body_start, node.end, body)
    revision = Revision(section=node.id, original=source.text, text=new_text, diff="", before=[], after=[],
                        score_before=0, score_after=0, changed=True)
    out = tmp_path / "out.txt"
    write_revision(source, revision, out)
    old, new = path.read_bytes(), out.read_bytes()
    head = source.text[:node.body_start].encode(encoding)
    tail = source.text[node.end:].encode(encoding.replace("-sig", ""))  # the BOM sits in head only
    assert new.startswith(head)
    assert new.endswith(tail) and old.endswith(tail)
    assert new[len(head):len(new) - len(tail)] == body.encode(encoding.replace("-sig", ""))
    # The section keeps its numbering prefix.
    again = parse_text(new.decode(encoding))
    assert again.text[node.start:node.body_start] == doc.text[node.start:node.body_start]


def _llm(reply):
    client = ScriptedClient(lambda task, messages: reply)
    return LLM(Settings(provider="local", base_url="http://fake/v1", model="fake"), client=client), client


def test_revise_rewrites_a_weak_point_and_leaves_the_rest(tmp_path):
    weak = DOCS["good"].replace("例如，在老旧小区改造项目推进中，我没有把调研成果转化为具体办法，项目拖期45天。", "")
    path = tmp_path / "draft.md"
    path.write_text(weak, encoding="utf-8")
    llm, client = _llm("我运用理论指导分管工作不够。如，在老旧小区改造项目中，项目拖期45天。")
    result = revise_source(read_source(path), "1.1.2", llm_factory=lambda: llm)
    assert result.changed and result.score_after > result.score_before
    assert any(f.rule == "concreteness.case" for f in result.before)
    assert not any(f.rule == "concreteness.case" for f in result.after)
    node = parse_text(weak).get("1.1.2")
    assert result.text[:node.body_start] == weak[:node.body_start]
    assert result.text.endswith(weak[node.end:])
    assert result.diff.startswith("--- a/draft.md")
    assert len(client.tasks) == 1  # fixed in the first round: no second call


def test_a_revision_is_repaired_before_it_is_judged(tmp_path):
    weak = DOCS["good"].replace("例如，在老旧小区改造项目推进中，我没有把调研成果转化为具体办法，项目拖期45天。", "")
    path = tmp_path / "draft.md"
    path.write_text(weak, encoding="utf-8")
    llm, _ = _llm("**我运用理论指导分管工作不够。**【检查发现的问题】照此修改。如，在老旧小区改造项目中，项目拖期45天。")
    result = revise_source(read_source(path), "1.1.2", llm_factory=lambda: llm)
    node = parse_text(weak).get("1.1.2")
    body = result.text[node.body_start:len(result.text) - len(weak) + node.end]
    assert "【检查发现的问题】" not in body and "**我运用" not in body and "项目拖期45天" in body
    assert [r.rule for r in result.repairs] == ["contamination.prompt_echo"]  # markup goes with the numbering, before


def test_a_worse_rewrite_is_never_kept(tmp_path):
    path = tmp_path / "draft.md"
    path.write_text(DOCS["good"], encoding="utf-8")
    llm, client = _llm("部分同志学习不够。")
    result = revise_source(read_source(path), "1.1.1", llm_factory=lambda: llm, max_rounds=2)
    assert not result.changed and result.text == DOCS["good"]
    assert len(client.tasks) == 2


def test_dry_run_calls_no_model(tmp_path):
    result = revise_source(read_source(GOOD), "2", llm_factory=None, dry_run=True)
    assert result.estimated_prompt_tokens > 100 and result.text == DOCS["good"]


@pytest.mark.parametrize("key,reason", [("9.9", "找不到"), ("方面", "不唯一"), ("", "找不到")])
def test_unknown_or_ambiguous_section(key, reason):
    with pytest.raises(InputError) as info:
        revise_source(read_source(GOOD), key, llm_factory=None, dry_run=True)
    assert reason in str(info.value) and "1.3.2" in str(info.value)


def test_cli_bad_section_exit_2_with_id_list():
    out = subprocess.run([sys.executable, "-m", "agent", "revise", str(GOOD), "--section", "9.9", "--dry-run"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "可用的章节" in out.stderr and "1.1.1" in out.stderr


def test_docx_other_paragraphs_and_runs_unchanged(tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(render_docx(parse_text(DOCS["good"])))
    before = docx.Document(str(path))
    original = read_source(path).text
    node = parse_file(path).get("1.2.1")
    revised = replace_span(original, node.body_start, node.end, "我对重大事项报告不及时。如，6月防汛调度会后延迟2天向县委报告。")
    out = tmp_path / "out.docx"
    out.write_bytes(docx_with_revision(path, original, revised))
    after = docx.Document(str(out))
    assert "\n".join(p.text for p in after.paragraphs) == revised
    changed = [i for i, (a, b) in enumerate(zip(before.paragraphs, after.paragraphs, strict=True)) if a._p.xml != b._p.xml]
    assert len(changed) == 1
    para_b, para_a = before.paragraphs[changed[0]], after.paragraphs[changed[0]]
    assert para_a.style.name == para_b.style.name
    assert [r.font.name for r in para_a.runs] == [r.font.name for r in para_b.runs]
    assert before.sections[0].footer.paragraphs[0]._p.xml == after.sections[0].footer.paragraphs[0]._p.xml


def test_in_place_keeps_a_backup(tmp_path):
    path = tmp_path / "d.md"
    path.write_text(DOCS["good"], encoding="utf-8")
    from agent.writer import backup

    saved = backup(path)
    assert saved.read_text(encoding="utf-8") == DOCS["good"] and saved.name == "d.md.bak"
    assert backup(path).name == "d.md.bak1"


def test_markdown_bold_heading_survives_and_model_markup_is_flattened(tmp_path):
    from agent.render import render_markdown

    path = tmp_path / "draft.md"
    path.write_text(render_markdown(parse_text(DOCS["good"])), encoding="utf-8")
    reply = "**（三）提升能力本领。**\n\n1. **蹲点调研。**每季度到乡镇蹲点调研不少于2次。\n2. 年底前形成调研报告3篇。"
    llm, _ = _llm(reply)
    source = read_source(path)
    result = revise_source(source, "3.3", llm_factory=lambda: llm, max_rounds=1)
    node = parse_text(source.text).get("3.3")
    new_para = next(line for line in result.text.splitlines() if line.startswith("**（三）提升能力本领。**"))
    assert new_para == "**（三）提升能力本领。**蹲点调研。每季度到乡镇蹲点调研不少于2次。年底前形成调研报告3篇。"
    assert result.text[:node.body_start] == source.text[:node.body_start]


def _body_xml(document) -> list[str]:
    """Every paragraph of the body, tables included, as XML in reading order."""
    from agent.docx_text import iter_paragraph_elements

    return [etree.tostring(p, encoding="unicode") for p in iter_paragraph_elements(document.element.body)]


@pytest.mark.parametrize("key,replacement", [
    ("1.1.2", "二是学用结合不紧。如，6月种业调研后我没有形成推进方案，良种繁育基地建设推迟了20天。"),
    ("1.2", "（二）在担当作为和斗争精神方面"),
])
def test_auto_numbered_docx_revision_edits_only_the_span_runs(tmp_path, key, replacement):
    from agent.docx_text import iter_blocks

    path = statement_docx(tmp_path / "auto.docx", auto=True)
    original = read_source(path).text
    node = parse_text(original).get(key)
    end = node.body_start if key == "1.2" else node.end  # 1.2: the heading of an auto-numbered area
    revised = replace_span(original, node.start, end, replacement)
    out = tmp_path / "out.docx"
    out.write_bytes(docx_with_revision(path, original, revised))
    assert read_source(out).text == revised
    before, after = docx.Document(str(path)), docx.Document(str(out))
    old_xml, new_xml = _body_xml(before), _body_xml(after)
    changed = [i for i, (a, b) in enumerate(zip(old_xml, new_xml, strict=True)) if a != b]
    assert len(changed) == 1
    blocks = list(iter_blocks(before))
    block = blocks[changed[0]]
    old_p, new_p = block.paragraph, after.paragraphs[changed[0]]
    assert _xml(old_p._p.pPr) == _xml(new_p._p.pPr)  # numbering and style kept
    # The span in the paragraph's own (run) coordinates: past the rendered number.
    content_start = sum(len(b.text) + 1 for b in blocks[:changed[0]]) + len(block.prefix)
    lo = next(i for i, (a, b) in enumerate(zip(original, revised, strict=False)) if a != b) - content_start
    ranges, offset = [], 0
    for run in old_p.runs:
        ranges.append((offset, offset + len(run.text)))
        offset += len(run.text)
    untouched = [i for i, (r_start, r_end) in enumerate(ranges) if r_end < lo]
    assert untouched  # runs before the span exist, and must be byte-identical
    assert [_xml(old_p.runs[i]._r) for i in untouched] == [_xml(new_p.runs[i]._r) for i in untouched]
    assert len(new_p.runs) == len(old_p.runs)
    # A number lives in numbering.xml only: no run of the result holds one.
    assert not [r.text for p in after.paragraphs for r in p.runs if r.text.startswith(("一、", "二、", "（一）", "（二）"))]


def _xml(element) -> bytes:
    return etree.tostring(element) if element is not None else b""


def test_auto_numbered_docx_revision_of_a_part_drops_its_numbered_paragraphs(tmp_path):
    from tests.test_docx_text import lvl, new_document, number, numbering_xml

    xml = numbering_xml({0: lvl(0, "chineseCounting", "%1、") + lvl(1, "chineseCounting", "（%2）"),
                         1: lvl(0, "decimal", "%1.")}, {1: (0, ""), 2: (1, "")})
    document = new_document(xml)
    document.add_paragraph("市农业农村局副局长个人对照检查材料")
    for head, body in [("存在的问题", "我学习不够系统。如，今年有3次中心组学习只读材料，没有谈体会。"),
                       ("原因剖析", "理论武装有所放松，以干代学。")]:
        number(document.add_paragraph(head), 1)
        document.add_paragraph(body)
    number(document.add_paragraph("整改措施"), 1)
    for text in ("每月结合分管工作写一篇学习体会。", "每季度到联系村蹲点一周。", "对分管项目建立台账。"):
        number(document.add_paragraph(text), 2)
    document.add_paragraph("以上对照检查，请同志们批评指正。")
    path = tmp_path / "measures.docx"
    document.save(str(path))
    original = read_source(path).text
    assert "三、整改措施\n1.每月" in original and "\n3.对分管" in original
    node = parse_text(original).get("3")
    lead = re.match(r"\s*", original[node.body_start:node.end]).group(0)
    revised = replace_span(original, node.body_start, node.end, lead + "一是每月写一篇学习体会。二是年底前建立台账。")
    out = tmp_path / "out.docx"
    out.write_bytes(docx_with_revision(path, original, revised))
    assert read_source(out).text == revised
    after = docx.Document(str(out))
    assert len(after.paragraphs) == len(document.paragraphs) - 2
    kept = docx.Document(str(path)).paragraphs
    assert [p._p.xml for p in after.paragraphs[:6]] == [p._p.xml for p in kept[:6]]
    assert after.paragraphs[-1]._p.xml == kept[-1]._p.xml
    # The surviving measure paragraph no longer draws "1.": its numbering is switched off (numId 0).
    assert after.paragraphs[6]._p.pPr.numPr.numId.val == 0 and not after.paragraphs[6].text.startswith("1")


def test_revision_inside_a_table_cell(tmp_path):
    from tests.test_docx_text import hand_text, new_document

    document = new_document()
    document.add_paragraph("表格前")
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    lines = hand_text().split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)
    document.add_paragraph("表格后")
    path = tmp_path / "cell.docx"
    document.save(str(path))
    original = read_source(path).text
    node = parse_text(original).get("1.2.1")
    revised = replace_span(original, node.body_start, node.end, "碰到难题等靠上级。如，3月用地协调我等了两个月。")
    out = tmp_path / "out.docx"
    out.write_bytes(docx_with_revision(path, original, revised))
    assert read_source(out).text == revised
    old_xml, new_xml = _body_xml(docx.Document(str(path))), _body_xml(docx.Document(str(out)))
    assert sum(a != b for a, b in zip(old_xml, new_xml, strict=True)) == 1


def test_revision_that_rewrites_an_automatic_number_is_refused(tmp_path):
    path = statement_docx(tmp_path / "auto.docx", auto=True)
    original = read_source(path).text
    revised = original.replace("二、原因剖析", "贰、原因剖析")
    with pytest.raises(InputError, match="自动编号") as info:
        docx_with_revision(path, original, revised)
    assert "auto.docx" in str(info.value)


def test_revision_of_a_binary_doc_is_refused(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(InputError, match="另存为"):
        docx_with_revision(path, "甲", "乙")


def test_text_typed_into_an_empty_paragraph_takes_the_paragraph_mark_font(tmp_path):
    from docx.oxml import parse_xml

    from tests.test_docx_text import W_NS, new_document

    document = new_document()
    document.add_paragraph("甲")
    empty = document.add_paragraph()
    empty._p.get_or_add_pPr().append(parse_xml(f'<w:rPr xmlns:w="{W_NS}"><w:rFonts w:eastAsia="仿宋_GB2312"/></w:rPr>'))
    document.add_paragraph("丙")
    path = tmp_path / "empty.docx"
    document.save(str(path))
    out = tmp_path / "out.docx"
    out.write_bytes(docx_with_revision(path, "甲\n\n丙", "甲\n乙\n丙"))
    middle = docx.Document(str(out)).paragraphs[1]
    assert middle.text == "乙" and "仿宋_GB2312" in middle.runs[0]._r.xml


def test_the_closing_is_its_own_section_and_the_signature_stays(tmp_path):
    text = DOCS["good"].rstrip("\n") + "\n\n张某\n\n2024年1月18日\n"
    path = tmp_path / "draft.md"
    path.write_text(text, encoding="utf-8")
    node = parse_text(text).get("closing")
    assert not text[node.start:node.end].rstrip().endswith("2024年1月18日")
    llm, _ = _llm("以上对照检查，请同志们批评指正。我将以这次民主生活会为新的起点，逐项抓好整改落实。")
    result = revise_source(read_source(path), "closing", llm_factory=lambda: llm)
    assert result.text.endswith("\n\n张某\n\n2024年1月18日\n")
    assert result.text[:node.body_start] == text[:node.body_start]


def test_a_reply_that_runs_on_into_the_next_point_is_cut_there(tmp_path):
    path = tmp_path / "draft.md"
    path.write_text(DOCS["good"], encoding="utf-8")
    doc = parse_text(DOCS["good"])
    node = doc.get("1.1.1")
    after = DOCS["good"][node.end:node.end + 60].strip().lstrip("*# ")
    llm, _ = _llm(doc.body(node).strip() + after)
    result = revise_source(read_source(path), "1.1.1", llm_factory=lambda: llm)
    assert any(r.rule == "duplication.context" for r in result.repairs)
    assert result.text.count(after[:12]) == DOCS["good"].count(after[:12])  # the sibling is never doubled
