"""Property-based: random YAML, random structures and random bytes thrown at the notes loader and the
reader give a Notes/SourceText or an InputError (exit 2) with a Chinese message, never anything else."""

from __future__ import annotations

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import InputError
from agent.notes import Notes, load_notes, parse_notes_yaml
from agent.reader import read_source
from tests.conftest import ROOT

GOOD = (ROOT / "tests" / "data" / "good-2023-notes.yaml").read_text(encoding="utf-8")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# YAML's own punctuation, the full-width look-alikes users type, and some text.
YAML_CHARS = st.sampled_from(list(":-[]{},&*!|>'\"#%@`?\n\t ") + list("：，　－") + list("role meeting year 2023 学习"))
FIELDS = ["role", "unit", "meeting", "year", "kind", "theme", "title", "studied", "opinions", "collected", "talks",
          "areas", "area", "problems", "summary", "facts", "cause_hints", "measure_hints", "case_analysis",
          "target_chars", "rol", "职务"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["2023-zhuti", "2099-x", "二〇二三", "2023年"]))
TREES = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                      st.dictionaries(st.sampled_from(FIELDS), kids, max_size=5)),
                     max_leaves=25)


def _outcome(call) -> str:
    """'ok', or 'input-error' after checking the message is Chinese; anything else propagates."""
    try:
        result = call()
    except InputError as exc:
        assert CJK_RE.search(str(exc)), str(exc)
        assert "Input should" not in str(exc) and "Traceback" not in str(exc)
        return "input-error"
    assert result is not None
    return "ok"


@FUZZ
@given(text=st.text(alphabet=YAML_CHARS, max_size=200))
def test_random_yaml_text(text):
    _outcome(lambda: parse_notes_yaml(text, "n.yaml"))


@settings(max_examples=100, deadline=None)
@given(data=st.dictionaries(st.sampled_from(FIELDS), TREES, max_size=8))
def test_random_notes_structures(data):
    outcome = _outcome(lambda: parse_notes_yaml(yaml.safe_dump(data, allow_unicode=True), "n.yaml"))
    if outcome == "ok":
        Notes.model_validate(data)  # accepted only when the model accepts it


@FUZZ
@given(cut=st.integers(0, len(GOOD)), junk=st.text(alphabet=YAML_CHARS, max_size=5))
def test_mangled_good_notes(cut, junk):
    _outcome(lambda: parse_notes_yaml(GOOD[:cut] + junk + GOOD[cut:], "n.yaml"))


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".txt", ".md", ".docx", ""]))  # .doc starts LibreOffice
def test_random_bytes_to_reader_and_notes_loader(tmp_path, data, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    _outcome(lambda: read_source(path))
    if suffix == ".yaml":
        _outcome(lambda: load_notes(path))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=300), at=st.integers(0, 10_000))
def test_corrupted_docx_is_an_input_error(tmp_path, data, at):
    from agent.parser import parse_text
    from agent.render.docx import render_docx

    good = render_docx(parse_text("某县副县长对照检查材料\n一、存在的问题\n我学习不够。"))
    at %= len(good)
    path = tmp_path / "d.docx"
    path.write_bytes(good[:at] + data + good[at + len(data):])
    _outcome(lambda: read_source(path))
