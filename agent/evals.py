"""Evals: replay recorded sessions of every case, chain and single-prompt baseline, and score them."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from statistics import mean

import yaml
from pydantic import BaseModel, Field, model_validator

from agent.check import check_document
from agent.facts import cjk_count, extract_figures, numbers_in
from agent.notes import Notes
from agent.parser import parse_text
from agent.rules.concreteness import has_anchor
from agent.rules.grounding import fact_covered
from agent.rules.helpers import problem_points, words_re
from agent.rules.length import length_score
from agent.themes import get_theme

MODES = ("chain", "single")
METRICS = ("structure_errors", "concrete_pct", "invented_figures", "facts_covered_pct", "copied_chars",
           "fuzzy_copies", "echo_meta", "repeated_spans", "causes_restating", "measures_answer_pct", "errors",
           "length_score", "repairs", "fallbacks", "revision_rounds", "prompt_tokens", "completion_tokens", "seconds")
# Which way is better, for the deltas table.
HIGHER_IS_BETTER = {"concrete_pct", "facts_covered_pct", "length_score", "measures_answer_pct"}
# What reviewers send back, by the rules that see it (counted per draft).
_ECHO = {"contamination.meta", "contamination.prompt_echo", "contamination.english"}
_REPEATS = {"duplication.sentence", "duplication.restated", "duplication.shared_run"}


class EvalCase(BaseModel):
    """One case: notes, theme, and the facts a good draft must carry."""

    name: str
    description: str = ""
    notes: Notes | None = None
    notes_text: str | None = None  # free-text notes: the model reads them first (recorded with the case)
    must_carry: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind_of_notes(self):
        if (self.notes is None) == (self.notes_text is None):
            raise ValueError("每个用例要有 notes（YAML 笔记）或 notes_text（自由文本笔记）之一")
        if self.notes is None and not self.must_carry:
            raise ValueError("自由文本用例要列出 must_carry")
        return self

    def facts(self, notes: Notes | None = None) -> list[str]:
        """The facts to look for: the case's list, else every note fact."""
        return self.must_carry or [f for _, f in (notes or self.notes).facts()]


class Metrics(BaseModel):
    """The quality figures of one draft."""

    structure_errors: int
    concrete_pct: float
    invented_figures: int
    facts_covered_pct: float
    copied_chars: int
    fuzzy_copies: int = 0  # sample sentences lightly edited (duplication.paraphrase)
    echo_meta: int = 0  # echoed instructions and meta-prose
    repeated_spans: int = 0  # a sentence or passage said twice
    causes_restating: int = 0  # causes that restate a problem
    measures_answer_pct: float = 0.0  # areas whose problems a measure answers
    errors: int = 0  # error findings other than the user's slots
    length_score: float
    repairs: int = 0  # what code removed without asking the model again
    fallbacks: int = 0  # sections finally written without the few-shot slice or by code
    revision_rounds: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    passed: bool = False
    score: int = 0


def load_cases(folder: str | Path) -> list[EvalCase]:
    """Every evals/cases/*.yaml, sorted by name."""
    from agent.errors import InputError

    cases = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            cases.append(EvalCase.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))))
        except Exception as exc:
            raise InputError(f"评测用例无效（{str(exc)[:200]}）", path=str(path)) from exc
    if not cases:
        raise InputError("没有找到评测用例（*.yaml）", path=str(folder))
    return cases


# --- metric functions ----------------------------------------------------------------------------

def concrete_pct(text: str) -> float:
    """Share of problem points with a 如… case that has an anchor (figure, date, named thing)."""
    doc = parse_text(text)
    points = problem_points(doc)
    if not points:
        return 0.0
    good = 0
    for point in points:
        body = doc.body(point)
        case = words_re("case_markers").search(body)
        if case and has_anchor(body[case.start():]):
            good += 1
    return round(100 * good / len(points), 1)


def invented_figures(text: str, notes: Notes) -> int:
    """Figures in text not found in the notes and not marked 【请核实：…】 (marked ones are not extracted)."""
    allowed = numbers_in(notes.all_text())
    return sum(1 for f in extract_figures(text) if not set(f.values) <= allowed)


def facts_covered_pct(text: str, facts: list[str]) -> float:
    """Share of the facts the draft carries."""
    if not facts:
        return 100.0
    return round(100 * sum(fact_covered(f, text) for f in facts) / len(facts), 1)


def copied_chars(report_findings: list, text: str) -> int:
    """CJK characters inside spans flagged as copied from the few-shot samples."""
    return sum(cjk_count(text[f.start:f.end]) for f in report_findings if f.rule == "duplication.copy")


def measures_answer_pct(doc, findings: list) -> float:
    """Share of problem areas answered by a measure (the correspondence rule's view)."""
    part = doc.part("problems")
    areas = len(part.children) if part else 0
    if not areas:
        return 0.0
    unanswered = sum(1 for f in findings if f.rule == "correspondence.measures")
    return round(100 * max(0, areas - unanswered) / areas, 1)


def measure(text: str, case: EvalCase, rounds: int = 0, usage: dict | None = None, repairs: int = 0,
            fallbacks: int = 0, notes: Notes | None = None) -> Metrics:
    """All metrics of one draft for one case (`notes`: what free-text notes were understood as)."""
    notes = notes or case.notes
    theme = get_theme(notes.meeting.theme)
    doc = parse_text(text)
    report = check_document(doc, theme=theme, notes=notes)
    found = report.findings
    usage = usage or {}
    return Metrics(
        fuzzy_copies=sum(1 for f in found if f.rule == "duplication.paraphrase"),
        echo_meta=sum(1 for f in found if f.rule in _ECHO),
        repeated_spans=sum(1 for f in found if f.rule in _REPEATS),
        causes_restating=sum(1 for f in found if f.rule == "correspondence.causes_restate"),
        measures_answer_pct=measures_answer_pct(doc, found),
        errors=sum(1 for f in found if f.severity == "error" and not f.user_only),
        repairs=repairs,
        fallbacks=fallbacks,
        structure_errors=sum(1 for f in report.findings if f.category == "structure" and f.severity == "error"),
        concrete_pct=concrete_pct(text),
        invented_figures=invented_figures(text, notes),
        facts_covered_pct=facts_covered_pct(text, case.facts(notes)),
        copied_chars=copied_chars(report.findings, text),
        length_score=round(length_score(notes.target_chars, cjk_count(text)), 1),
        revision_rounds=rounds,
        prompt_tokens=usage.get("prompt_tokens", 0),
        completion_tokens=usage.get("completion_tokens", 0),
        seconds=usage.get("seconds", 0.0),
        passed=report.passed,
        score=report.score,
    )


# --- running -------------------------------------------------------------------------------------

def session_paths(sessions: Path, case: str, mode: str) -> tuple[Path, Path]:
    """The cassette and its meter sidecar for a case and mode."""
    return sessions / f"{case}.{mode}.yaml", sessions / f"{case}.{mode}.meter.json"


def run_case(case: EvalCase, mode: str, sessions: Path, settings, *, record: bool = False,
             max_rounds: int = 1, progress: Callable[[str], None] | None = None) -> tuple[str, Metrics]:
    """Draft one case by chain or baseline, replayed (or recorded), and measure it."""
    from agent.baseline import single_prompt_draft
    from agent.chain import Chain
    from agent.draft import extract
    from agent.llm import LLM
    from agent.recording import session
    from agent.runs import Run
    from agent.writer import write_atomic

    cassette, meter_file = session_paths(sessions, case.name, mode)
    with tempfile.TemporaryDirectory() as tmp, session(record=cassette if record else None,
                                                       replay=None if record else cassette):
        llm = LLM(settings)
        notes = case.notes or extract(case.notes_text, llm).notes
        theme = get_theme(notes.meeting.theme)
        if mode == "chain":
            result = Chain(llm, notes, theme, run=Run.create(Path(tmp)), max_rounds=max_rounds,
                           progress=progress).draft()
            text, rounds = result.text, sum(s.rounds for s in result.sections)
            repairs, fallbacks = len(result.report["repairs"]), len(result.report["fallbacks"])
        else:
            text, rounds = single_prompt_draft(llm, notes, theme), 0
            repairs = fallbacks = 0
    if record:
        # Tokens and time as they were measured against the live server, kept beside the cassette.
        write_atomic(meter_file, json.dumps({"usage": llm.meter.totals(), "model": settings.model,
                                             "base_url": settings.base_url}, ensure_ascii=False, indent=1))
    recorded = json.loads(meter_file.read_text(encoding="utf-8"))["usage"] if meter_file.exists() else {}
    return text, measure(text, case, rounds, recorded, repairs, fallbacks, notes)



class EvalResult(BaseModel):
    """Per case and mode metrics, and means per mode."""

    cases: dict[str, dict[str, Metrics]]
    mean: dict[str, dict[str, float]]
    replay_seconds: float = 0.0


def run_suite(cases: list[EvalCase], sessions: Path, settings, *, record: bool = False, max_rounds: int = 1,
              record_modes: tuple[str, ...] = MODES, progress: Callable[[str], None] | None = None) -> EvalResult:
    """Every case in both modes (with `record`, the `record_modes` are recorded afresh, the others replayed)."""
    import time

    start = time.perf_counter()
    table: dict[str, dict[str, Metrics]] = {}
    for case in cases:
        table[case.name] = {}
        for mode in MODES:
            if progress:
                progress(f"{case.name} · {mode}")
            table[case.name][mode] = run_case(case, mode, sessions, settings, record=record and mode in record_modes,
                                              max_rounds=max_rounds)[1]
    means = {mode: {m: round(mean(getattr(table[c][mode], m) for c in table), 2) for m in METRICS} for mode in MODES}
    return EvalResult(cases=table, mean=means, replay_seconds=round(time.perf_counter() - start, 2))


def compare(result: EvalResult, baseline: dict) -> dict[str, dict[str, float]]:
    """Mean deltas (this run minus a saved result) per mode and metric."""
    return {mode: {m: round(result.mean[mode][m] - baseline["mean"][mode][m], 2) for m in METRICS
                   if m in baseline.get("mean", {}).get(mode, {})} for mode in MODES}


def table_rows(result: EvalResult) -> list[list[str]]:
    """Rows for the stdout table: metric, then chain and single per case, then the means."""
    rows = []
    for name, modes in result.cases.items():
        for m in METRICS:
            rows.append([name, m, _fmt(getattr(modes["chain"], m)), _fmt(getattr(modes["single"], m))])
    for m in METRICS:
        rows.append(["平均", m, _fmt(result.mean["chain"][m]), _fmt(result.mean["single"][m])])
    return rows


def _fmt(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)
