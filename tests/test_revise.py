"""`revise`: one section rewritten, every other byte identical (txt/md in any encoding, .docx runs)."""

from __future__ import annotations

import subprocess
import sys

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import InputError
from agent.llm import LLM
from agent.parser import parse_file, parse_text
from agent.reader import read_source
from agent.render.docx import render_docx
from agent.revise import Revision, docx_with_revision, replace_span, revise_source, write_revision
from agent.settings import Settings
from tests.conftest import CLEAN, ROOT
from tests.scripted import ScriptedClient
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
