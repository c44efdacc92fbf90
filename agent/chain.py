"""The drafting chain: plan → one prompt per section → validator → revision → assembled draft.

Each section is drafted as structured data (points, items), laid out in the house style by code,
checked at once with the rules (notes included, so grounding applies), and sent back with the
findings the model can fix, keeping the best-scoring version. What only the user can supply
becomes a visible 【请补充：…】 slot; a figure not in the notes is marked 【请核实：…】.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from agent import prompts
from agent.check import check_document, score
from agent.errors import DraftRetryError, OutputTruncatedError
from agent.facts import extract_figures, numbers_in
from agent.fewshot import slice_for
from agent.layout import AreaDraft, ItemsDraft, layout, layout_area, layout_items
from agent.llm import LLM
from agent.notes import AreaNotes, Notes, Problem
from agent.numbering import int_to_cn
from agent.parser import parse_text
from agent.rules import Finding
from agent.rules.grounding import fact_covered
from agent.runs import Run
from agent.themes import Area, Theme, area_similarity, get_theme

FEWSHOT_TOKENS = 300
# Openings are formulaic: a short sample is enough for the style and leaves less to copy.
OPENING_FEWSHOT_TOKENS = 150
CHARS_PER_TOKEN = 1.2  # conservative for Chinese prose, so max_tokens never truncates a budgeted reply
FIXABLE = {"concreteness", "voice", "contamination", "duplication", "structure", "correspondence", "grounding"}


class Step(BaseModel):
    """One planned chain step: which section, its id in the assembled draft, its length budget."""

    key: str
    kind: str  # opening | area | causes | measures | case | closing
    section_id: str
    title: str = ""
    budget: int
    area: AreaNotes | None = None


class SectionResult(BaseModel):
    """A finished section as checkpointed in the run folder."""

    key: str
    text: str
    data: dict | None = None
    rounds: int = 0
    score: int = 100
    findings: list[Finding] = Field(default_factory=list)


class DraftResult(BaseModel):
    """The assembled draft, its check report and the run's meter."""

    text: str
    run_dir: str
    sections: list[SectionResult]
    report: dict
    usage: dict
    slots: list[str]


def plan(notes: Notes, theme: Theme) -> list[Step]:
    """The sections to draft and a 字数 budget for each (problems + causes over half the target)."""
    shares = dict(layout()["budget_shares"])
    if "case" not in theme.parts:
        shares.pop("case")
    total = sum(shares.values())
    budget = {k: max(40, int(notes.target_chars * v / total)) for k, v in shares.items()}
    areas = areas_for(notes, theme)
    steps = [Step(key="opening", kind="opening", section_id="opening", budget=budget["opening"])]
    per_area = max(100, budget["problems"] // max(1, len(areas)))
    for i, area in enumerate(areas, start=1):
        steps.append(Step(key=f"area-{i}", kind="area", section_id=f"1.{i}", title=area.area, budget=per_area,
                          area=area))
    steps.append(Step(key="causes", kind="causes", section_id="2", budget=budget["causes"]))
    steps.append(Step(key="measures", kind="measures", section_id="3", budget=budget["measures"]))
    if "case" in budget:
        steps.append(Step(key="case", kind="case", section_id="4", budget=budget["case"]))
    steps.append(Step(key="closing", kind="closing", section_id="closing", budget=budget["closing"]))
    return steps


def areas_for(notes: Notes, theme: Theme) -> list[AreaNotes]:
    """The theme's areas in order, each with the notes' problems for it; custom themes use the notes."""
    if not theme.required_areas():
        return list(notes.areas)
    out = []
    for area in theme.required_areas():
        found = [a for a in notes.areas if _same_area(area, a.area)]
        problems = [p for a in found for p in a.problems]
        out.append(AreaNotes(area=area.title, problems=problems))
    return out


def _same_area(area: Area, name: str) -> bool:
    return name == area.key or area_similarity(area, name) >= 0.6 or area_similarity(
        Area(key="n", title=name, aliases=[name]), area.title) >= 0.6


def meeting_title(notes: Notes, theme: Theme) -> str:
    """The meeting's name for the title and opening."""
    if notes.meeting.title:
        return notes.meeting.title
    name = theme.name if theme.key != "custom" else notes.meeting.kind
    return name if "生活会" in name else f"{name}{notes.meeting.kind}"


def title_of(notes: Notes, theme: Theme) -> str:
    """The title, assembled without a model."""
    meeting = meeting_title(notes, theme).split("（")[0]
    meeting = meeting.removeprefix(f"{notes.meeting.year}年度")
    return layout()["title"].format(role=notes.role, year=notes.meeting.year, meeting=meeting)


def step_label(step: Step) -> str:
    """A step's name for the progress display, in the document's own words: 开头, （一）理论学习…"""
    if step.kind == "area":
        return f"（{int_to_cn(int(step.section_id.split('.')[1]))}）{step.title}"
    names = {"opening": "开头", "causes": "原因剖析", "measures": "整改措施", "case": "反面典型案例剖析", "closing": "结尾"}
    return names.get(step.kind, step.key)


# --- the chain ---------------------------------------------------------------------------------

class Chain:
    """Drafts a statement from notes, section by section, checkpointing each into the run folder."""

    def __init__(self, llm: LLM, notes: Notes, theme: Theme | None = None, *, run: Run,
                 max_rounds: int = 2, progress: Callable[[str], None] | None = None) -> None:
        self.llm, self.notes, self.run = llm, notes, run
        self.theme = theme or get_theme(notes.meeting.theme)
        self.max_rounds = max_rounds
        self.progress = progress or (lambda _msg: None)
        self.steps = plan(notes, self.theme)
        self.results: dict[str, SectionResult] = run.load_sections()

    def draft(self) -> DraftResult:
        """Run every step not yet checkpointed, then assemble and check the whole draft.

        With `concurrency` above 1 the first versions of independent steps are asked for at once (see
        `_prefetching`); every step is still checked, revised and checkpointed in plan order against the
        steps before it, so each request, the checkpoints and the draft are those of a sequential run.
        """
        concurrency = getattr(self.llm.settings, "concurrency", 1)
        if concurrency <= 1:
            for n, step in enumerate(self.steps, start=1):
                if self._announce(n, step):
                    self._keep(self._draft_step(step))
            return self._finish()
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="duizhao-step")
        try:
            firsts = self._prefetching(pool)
            for n, step in enumerate(self.steps, start=1):
                if self._announce(n, step):
                    data, text = firsts(step).result()
                    self._keep(self._improve(step, data, text))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return self._finish()

    def _prefetching(self, pool):
        """First versions on the pool: opening, areas, case and closing at once; causes and measures (which
        read the areas' final points) both as soon as the first of them is due, when every area is final."""
        todo = [s for s in self.steps if s.key not in self.results]
        late = {"causes", "measures"}
        futures = {s.key: pool.submit(self._first_version, s) for s in todo if s.kind not in late}

        def first(step: Step):
            if step.key not in futures:
                for s in todo:
                    if s.kind in late and s.key not in futures:
                        futures[s.key] = pool.submit(self._first_version, s)
            return futures[step.key]
        return first

    def _announce(self, n: int, step: Step) -> bool:
        """Report the step; False when it is already checkpointed (resume)."""
        if step.key in self.results:
            self.progress(f"[{n}/{len(self.steps)}] {step_label(step)}：已完成（续跑，跳过）")
            return False
        self.progress(f"[{n}/{len(self.steps)}] {step_label(step)}：起草中… 已用 token {self._tokens()}")
        return True

    def _keep(self, result: SectionResult) -> None:
        self.results[result.key] = result
        self.run.save_section(result)

    def _tokens(self) -> int:
        t = self.llm.meter.totals()
        return t["prompt_tokens"] + t["completion_tokens"]

    def _draft_step(self, step: Step) -> SectionResult:
        return self._improve(step, *self._first_version(step))

    def _improve(self, step: Step, data: dict | None, text: str) -> SectionResult:
        """Check a first version against the sections before it and revise it up to max_rounds times."""
        best = self._evaluate(step, text, data, rounds=0)
        for round_no in range(1, self.max_rounds + 1):
            fixable = [f for f in best.findings if not f.user_only and f.category in FIXABLE]
            if not fixable:
                break
            self.progress(f"    第{round_no}轮修改：{len(fixable)}条意见")
            try:
                data, text = self._revise(step, best, fixable)
            except (OutputTruncatedError, DraftRetryError) as exc:
                # A failed revision costs nothing but the call: the best version so far stands.
                self.progress(f"    修改未成功（{exc}），保留现有版本")
                best = best.model_copy(update={"rounds": round_no})
                continue
            candidate = self._evaluate(step, text, data, rounds=round_no)
            if candidate.score > best.score:
                best = candidate
            else:
                best = best.model_copy(update={"rounds": round_no})
        return best

    def _first_version(self, step: Step) -> tuple[dict | None, str]:
        notes, theme = self.notes, self.theme
        if step.kind == "opening":
            msgs = prompts.messages("opening", fewshot=slice_for("opening", OPENING_FEWSHOT_TOKENS), notes=notes,
                                    meeting_title=meeting_title(notes, theme), budget=step.budget)
            return None, self._plain(step, self._call(msgs, step))
        if step.kind == "area":
            problems = step.area.problems or [Problem(summary=layout()["unknown_problem"].format(area=step.title))]
            msgs = prompts.messages("area", fewshot=slice_for("area", FEWSHOT_TOKENS), area_title=step.title,
                                    problems=problems, per_point=max(40, step.budget // max(2, len(problems)) // 2))
            draft = self._roomy(lambda limit: self.llm.structured(msgs, AreaDraft, step=step.key, max_tokens=limit),
                                self._max_tokens(step.budget * 2))
            return draft.model_dump(), self._layout_area(step, draft)
        if step.kind in ("causes", "measures"):
            return self._items(step)
        if step.kind == "case":
            case = notes.case_analysis
            if case is None:
                return None, layout()["missing_fact_slot"].format(what="反面典型案例剖析")
            msgs = prompts.messages("case", case=case, budget=step.budget)
            return None, _paragraph(self._call(msgs, step))
        msgs = prompts.messages("closing", role=notes.role, budget=step.budget)
        return None, _paragraph(self._call(msgs, step))

    def _items(self, step: Step) -> tuple[dict, str]:
        area_steps = [s for s in self.steps if s.kind == "area"]
        if step.kind == "causes":
            summaries = [p["summary"] for s in area_steps for p in (self.results[s.key].data or {}).get("points", [])]
            msgs = prompts.messages("causes", fewshot=slice_for("causes", FEWSHOT_TOKENS), summaries=summaries,
                                    hints=self.notes.cause_hints, per_item=max(40, step.budget // 5))
        else:
            areas = [{"title": s.title, "summaries": [p["summary"] for p in (self.results[s.key].data or {}).get("points", [])]}
                     for s in area_steps]
            msgs = prompts.messages("measures", fewshot=slice_for("measures", FEWSHOT_TOKENS), areas=areas,
                                    hints=self.notes.measure_hints, per_item=max(40, step.budget // max(1, len(areas))))
        draft = self._roomy(lambda limit: self.llm.structured(msgs, ItemsDraft, step=step.key, max_tokens=limit),
                            self._max_tokens(step.budget * 2))
        return draft.model_dump(), layout_items(draft, "shi" if step.kind == "causes" else "paren")

    def _revise(self, step: Step, best: SectionResult, fixable: list[Finding]) -> tuple[dict | None, str]:
        import json

        facts = [f for p in (step.area.problems if step.area else []) for f in p.facts]
        if best.data is None:
            msgs = prompts.messages("revise", current=best.text, messages=sorted({f.message for f in fixable}),
                                    facts=facts, as_json=False)
            # No second try here: a truncated revision is simply discarded by the caller.
            reply = self.llm.chat(msgs, step=step.key, max_tokens=self._max_tokens(step.budget))
            return None, self._plain(step, reply)
        model = AreaDraft if step.kind == "area" else ItemsDraft
        msgs = prompts.messages("revise", current=json.dumps(best.data, ensure_ascii=False),
                                messages=sorted({f.message for f in fixable}), facts=facts, as_json=True)
        draft = self.llm.structured(msgs, model, step=f"{step.key}:revise", max_tokens=self._max_tokens(step.budget * 2))
        if step.kind == "area":
            return draft.model_dump(), self._layout_area(step, draft)
        return draft.model_dump(), layout_items(draft, "shi" if step.kind == "causes" else "paren")

    def _layout_area(self, step: Step, draft: AreaDraft) -> str:
        return layout_area(step.title, step.area.problems if step.area else [], int(step.section_id.split(".")[1]), draft)

    def _plain(self, step: Step, reply: str) -> str:
        """A prose section as one paragraph; the opening always carries the notes' counts."""
        text = _paragraph(reply)
        if step.kind != "opening":
            return text
        opinions = self.notes.opinions
        missing = [f for where, f in self.notes.facts() if where == "opening" and not fact_covered(f, text)]
        if missing and opinions.collected is not None and opinions.talks is not None:
            sentence = layout()["opinions_sentence"].format(collected=opinions.collected, talks=opinions.talks)
            cut = text.rfind("现")
            text = text[:cut] + sentence + text[cut:] if cut > 0 else text + sentence
        return text

    def _call(self, msgs: list[dict], step: Step) -> str:
        return self._roomy(lambda limit: self.llm.chat(msgs, step=step.key, max_tokens=limit),
                           self._max_tokens(step.budget))

    def _roomy(self, call, limit: int):
        """A first version truncated at `limit` is asked for once more with twice the room (never saved cut)."""
        try:
            return call(limit)
        except OutputTruncatedError:
            self.progress(f"    输出在 {limit} token 处被截断，放宽到 {limit * 2} 重试一次")
            return call(limit * 2)

    def _max_tokens(self, chars: int) -> int:
        # Small models overshoot short budgets; a generous ceiling avoids truncating a usable reply.
        return int(2 * chars / CHARS_PER_TOKEN) + 300

    def _evaluate(self, step: Step, text: str, data: dict | None, rounds: int) -> SectionResult:
        """Check the draft as assembled so far with this section in place; keep its own findings."""
        text = mark_unverified(text, self.notes)
        trial = {**self.results, step.key: SectionResult(key=step.key, text=text, data=data)}
        doc = parse_text(self.assemble(trial))
        report = check_document(doc, theme=self.theme, notes=self.notes)
        mine = [f for f in report.findings if _belongs(f, step)]
        return SectionResult(key=step.key, text=text, data=data, rounds=rounds, score=score(mine), findings=mine)

    def assemble(self, results: dict[str, SectionResult] | None = None) -> str:
        """The draft text from finished sections, in the genre's order."""
        results = results if results is not None else self.results
        heads = layout()["part_headings"]
        lines = [title_of(self.notes, self.theme)]
        if "opening" in results:
            lines.append(results["opening"].text)
        lines.append(f"一、{heads['problems']}")
        lines += [results[s.key].text for s in self.steps if s.kind == "area" and s.key in results]
        for number, kind in ((2, "causes"), (3, "measures"), (4, "case")):
            if any(s.kind == kind for s in self.steps):
                lines.append(f"{int_to_cn(number)}、{heads[kind]}")
                if kind in results:
                    lines.append(results[kind].text)
        if "closing" in results:
            lines.append(results["closing"].text)
        return "\n".join(lines) + "\n"

    def _finish(self) -> DraftResult:
        text = self.assemble()
        doc = parse_text(text, source="draft")
        report = check_document(doc, theme=self.theme, notes=self.notes)
        self.run.save_final(text, report.public(), self.llm.meter)
        slots = [f.excerpt for f in report.findings if f.rule == "placeholder.slots"]
        return DraftResult(text=text, run_dir=str(self.run.path), sections=[self.results[s.key] for s in self.steps],
                           report=report.public(), usage=self.llm.meter.totals(), slots=slots)


def mark_unverified(text: str, notes: Notes) -> str:
    """Mark every figure the notes do not contain, so none leaves the tool unmarked."""
    allowed = numbers_in(notes.all_text())
    for figure in reversed(extract_figures(text)):
        if not set(figure.values) <= allowed:
            marked = layout()["unverified_figure"].format(figure=figure.text)
            text = text[:figure.start] + marked + text[figure.end:]
    return text


def _belongs(finding: Finding, step: Step) -> bool:
    """Whether a finding is this step's to fix: in its section, or about measures answering areas."""
    if finding.rule == "correspondence.measures":
        # Reported at the unanswered area, but only the measures step can answer it.
        return step.kind == "measures"
    return _within(finding.section, step.section_id)


def _within(section: str, section_id: str) -> bool:
    return section == section_id or section.startswith(section_id + ".")


def _paragraph(text: str) -> str:
    """Model prose as one paragraph: no markup, no blank lines."""
    lines = [line.strip().strip("#*>- ").strip() for line in text.strip().splitlines()]
    return "".join(line for line in lines if line)
