"""The drafting chain: plan → free sentences per section → repair → validator → revision → fallback → draft.

Code writes what the genre fixes (title, opening skeleton, headings, each point's summary and facts,
cause categories, measure titles and hints, closing; `layout`). The model writes only free sentences,
one prompt per section (`sections.yaml` says which). After every reply code repairs what it can see
(`repair`), the rules check the section in the draft as assembled so far, and an error the model could
fix goes back for revision; if one survives every round the section falls back, first to a prompt
without the few-shot slice, then to the plain version code writes from the notes alone. Nothing leaves
with an error the model could fix; what only the user can supply stays a visible 【请补充：…】 slot.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import BaseModel

from agent import layout as lay
from agent import prompts
from agent.check import check_document, score
from agent.document import Document
from agent.errors import DraftRetryError, OutputTruncatedError
from agent.facts import cjk_count, numbers_in
from agent.fewshot import slice_for
from agent.injection import without_instructions
from agent.layout import ItemsDraft, Laid, layout, meeting_title, title_of
from agent.llm import LLM
from agent.notes import AreaNotes, Notes, Problem
from agent.numbering import int_to_cn
from agent.parser import parse_text
from agent.repair import clean_piece, drop_flagged, flagged_in, split_items, trim_to_fit
from agent.rules import Finding
from agent.runs import Run
from agent.sections import Repair, SectionResult, Step, specs
from agent.themes import Area, Theme, area_similarity, get_theme

__all__ = ["Chain", "DraftResult", "SectionResult", "Step", "areas_for", "meeting_title", "plan", "title_of"]

FEWSHOT_TOKENS = 300  # the single-prompt baseline's slice per part, the same as the chain's steps
CHARS_PER_TOKEN = 1.2  # conservative for Chinese prose, so max_tokens never truncates a budgeted reply
REPAIR_PASSES = 3  # dropping a sentence can expose another finding; three passes settle every case seen
FILL_RATIO = 0.85  # a draft shorter than this times its target asks again for the pieces repair emptied
THIN_RATIO = 0.75  # …and one shorter than this also for pieces under THIN_PIECE of their share of the budget
THIN_PIECE = 0.4
FILL_YIELD = 0.5  # what of an asked-for piece's share survives repair (about half in the recordings): a fill asks for
# enough pieces to cover what the draft lacks at that rate
FILL_ROUNDS = 2  # a draft still under THIN_RATIO after the first round of fills gets a second (one small model's
# fill is itself often repaired away: outlines, praise)
FIT_RATIO = 1.1  # a draft longer than this times its target is trimmed (S_l 97 there; code's text never goes)


class DraftResult(BaseModel):
    """The assembled draft, its check report and the run's meter."""

    text: str
    run_dir: str
    sections: list[SectionResult]
    report: dict
    usage: dict
    slots: list[str]
    document: Document | None = None  # the assembled draft, parsed once, for the writers
    notes: Notes | None = None  # what the draft was written from (document properties, signature)


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


def step_label(step: Step) -> str:
    """A step's name for the progress display, in the document's own words: 开头, （一）理论学习…"""
    if step.kind == "area":
        return f"（{int_to_cn(int(step.section_id.split('.')[1]))}）{step.title}"
    return step.spec.label or step.key


# --- the chain ---------------------------------------------------------------------------------

class Chain:
    """Drafts a statement from notes, section by section, checkpointing each into the run folder."""

    def __init__(self, llm: LLM, notes: Notes, theme: Theme | None = None, *, run: Run,
                 max_rounds: int = 2, progress: Callable[[str], None] | None = None) -> None:
        # A fact worded as an order to the model never reaches a prompt or the draft (agent/injection.py).
        notes, self.set_aside = without_instructions(notes)
        self.llm, self.notes, self.run = llm, notes, run
        self.theme = theme or get_theme(notes.meeting.theme)
        self.max_rounds = max_rounds
        self.progress = progress or (lambda _msg: None)
        self.steps = plan(notes, self.theme)
        self.areas = [s.area for s in self.steps if s.kind == "area"]
        self.allowed = numbers_in(notes.all_text())
        self.results: dict[str, SectionResult] = run.load_sections()
        if self.set_aside:
            self.progress(f"笔记中有{len(self.set_aside)}条事实像是写给模型的指令，未写入提示词和草稿："
                          + "；".join(f"“{f[:20]}”" for f in self.set_aside))

    def draft(self) -> DraftResult:
        """Run every step not yet checkpointed, then assemble and check the whole draft.

        With `concurrency` above 1 the first versions of all steps are asked for at once (none reads
        another's output); every step is still repaired, checked, revised and checkpointed in plan order
        against the steps before it, so each request, the checkpoints and the draft are those of a
        sequential run.
        """
        concurrency = getattr(self.llm.settings, "concurrency", 1)
        if concurrency <= 1:
            for n, step in enumerate(self.steps, start=1):
                if self._announce(n, step):
                    self._keep(self._improve(step, self._first_version(step)))
            return self._finish()
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="duizhao-step")
        try:
            todo = [s for s in self.steps if s.key not in self.results]
            futures = {s.key: pool.submit(self._first_version, s) for s in todo}
            for n, step in enumerate(self.steps, start=1):
                if self._announce(n, step):
                    self._keep(self._improve(step, futures[step.key].result()))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return self._finish()

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

    # --- asking the model -----------------------------------------------------------------------

    def _asks(self, step: Step) -> bool:
        """Whether this step needs the model at all (closing never; the case only with notes for it)."""
        if step.spec.template is None:
            return False
        return step.kind != "case" or self.notes.case_analysis is not None

    def _first_version(self, step: Step, fewshot: bool = True) -> list[str]:
        """The model's free sentences for a step (none for what code writes alone); without `fewshot`, the
        fallback's re-ask."""
        if not self._asks(step):
            return []
        spec = step.spec
        shot = slice_for(spec.fewshot, spec.fewshot_tokens, cases=spec.fewshot_cases) if spec.fewshot and fewshot else ""
        msgs = prompts.messages(spec.template, fewshot=shot, subject=lay.subject(self.notes), **self._context(step))
        limit = self._max_tokens(step.budget)
        # The meter tells first versions from fallbacks (:again) and fills (fill:more, in _fill_version).
        name = step.key if fewshot else f"{step.key}:again"
        if spec.output == "items":
            draft = self._roomy(lambda n: self.llm.structured(msgs, ItemsDraft, step=name, max_tokens=n), limit)
            return list(draft.items)
        return [self._roomy(lambda n: self.llm.chat(msgs, step=name, max_tokens=n), limit)]

    def _context(self, step: Step) -> dict:
        """The template variables of a step, by kind."""
        notes, n_areas = self.notes, max(1, len(self.areas))
        if step.kind == "opening":
            skeleton = len(lay.opening(notes, self.theme, []).text)
            return {"meeting_title": meeting_title(notes, self.theme), "studied": "、".join(notes.studied),
                    "budget": max(40, step.budget - skeleton)}
        if step.kind == "area":
            problems = self._problems(step)
            fixed = sum(len(p.summary) + sum(len(f) for f in p.facts) + 6 for p in problems)
            return {"area_title": step.title, "problems": problems,
                    "per_point": max(40, (step.budget - fixed) // max(1, len(problems)))}
        if step.kind == "causes":
            cats = [{"title": c["title"], "problems": ps}
                    for c, ps in zip(lay.cause_categories(), lay.problems_by_cause(self.areas), strict=True)]
            return {"categories": cats, "hints": notes.cause_hints, "per_item": max(40, step.budget // len(cats) - 16)}
        if step.kind == "measures":
            hints = lay.hints_by_area(self.areas, notes.measure_hints)
            areas = [{"title": lay.measure_title(a.area, self.theme), "summaries": [p.summary for p in a.problems],
                      "hints": h} for a, h in zip(self.areas, hints, strict=True)]
            return {"areas": areas, "per_item": max(40, step.budget // n_areas - 16)}
        return {"case": notes.case_analysis, "budget": step.budget}

    def _problems(self, step: Step) -> list[Problem]:
        if step.area and step.area.problems:
            return step.area.problems
        return [Problem(summary=layout()["unknown_problem"].format(area=step.title))]

    def _roomy(self, call, limit: int):
        """A first version truncated at `limit` is asked for once more with twice the room (never saved cut)."""
        try:
            return call(limit)
        except OutputTruncatedError:
            self.progress(f"    输出在 {limit} token 处被截断，放宽到 {limit * 2} 重试一次")
            return call(limit * 2)

    def _max_tokens(self, chars: int) -> int:
        # Room for a small model's overshoot, but not for a runaway: a 1.5B model that starts repeating
        # itself fills whatever it is given, at ~9 tokens/s on 2 cores.
        return int(1.5 * chars / CHARS_PER_TOKEN) + 200

    def _revise(self, step: Step, best: SectionResult, fixable: list[Finding]) -> list[str]:
        """The pieces again, with the findings the model should fix."""
        pieces = (best.data or {}).get("pieces", [])
        as_json = step.spec.output == "items"
        current = json.dumps({"items": pieces}, ensure_ascii=False) if as_json else "".join(pieces)
        msgs = prompts.messages("revise", current=current, messages=sorted({f.message for f in fixable}),
                                facts=[], as_json=as_json, subject=lay.subject(self.notes))
        limit = self._max_tokens(step.budget)
        if as_json:
            return list(self.llm.structured(msgs, ItemsDraft, step=f"{step.key}:revise", max_tokens=limit).items)
        return [self.llm.chat(msgs, step=f"{step.key}:revise", max_tokens=limit)]

    # --- repair, check, revise, fall back ---------------------------------------------------------

    def _improve(self, step: Step, pieces: list[str]) -> SectionResult:
        """Repair and check a first version, revise it up to max_rounds times, fall back if errors stay."""
        best = self._settle(step, pieces, rounds=0)
        for round_no in range(1, self.max_rounds + 1):
            fixable = _fixable(best.findings)
            if not fixable or not self._asks(step):
                break
            self.progress(f"    第{round_no}轮修改：{len(fixable)}条意见")
            try:
                candidate = self._settle(step, self._revise(step, best, fixable), rounds=round_no)
            except (OutputTruncatedError, DraftRetryError) as exc:
                # A failed revision costs nothing but the call: the best version so far stands.
                self.progress(f"    修改未成功（{exc}），保留现有版本")
                candidate = None
            best = _better(best, candidate, round_no)
        return self._fall_back(step, best)

    def _fall_back(self, step: Step, best: SectionResult) -> SectionResult:
        """With an error left that the model could fix: once more without the few-shot slice, then plain."""
        reasons = sorted({f.rule for f in _fixable(best.findings)})
        if not reasons or not self._asks(step):
            return best
        if step.spec.fewshot:
            self.progress(f"    仍有错误（{'、'.join(reasons)}），不用样例重写一次")
            try:
                again = self._settle(step, self._first_version(step, fewshot=False), rounds=best.rounds)
            except (OutputTruncatedError, DraftRetryError):
                again = None
            if again is not None and not _fixable(again.findings):
                return again.model_copy(update={"fallback": "no_fewshot", "fallback_reason": reasons})
        self.progress(f"    仍有错误（{'、'.join(reasons)}），改用按笔记生成的稳妥版本")
        plain = self._settle(step, [], rounds=best.rounds)
        return plain.model_copy(update={"fallback": "plain", "fallback_reason": reasons,
                                        "repairs": best.repairs + plain.repairs})

    def _settle(self, step: Step, pieces: list[str], rounds: int) -> SectionResult:
        """Clean the pieces, lay the section out, check it in place and drop what the rules flag, repeatedly."""
        repairs: list[Repair] = []
        if step.spec.listing:
            pieces, repairs = split_items(pieces, self._wanted(step), step.section_id)
        facts = [f for p in (step.area.problems if step.area else []) for f in p.facts]
        given = self._given(step)
        cleaned = []
        elsewhere, others = self._elsewhere(step), self._others(step)
        said: set[str] = set()  # a small model's fill pastes one sentence into several causes or points
        for i, piece in enumerate(pieces):
            text, done = clean_piece(piece, step.section_id, allowed=self.allowed, facts=facts,
                                     no_cases=step.kind == "area", given=given, personal=self.notes.kind == "个人",
                                     elsewhere=elsewhere[i] if i < len(elsewhere) else [], others=others, seen=said)
            cleaned.append(text)
            repairs += done
        pieces = cleaned
        for _ in range(REPAIR_PASSES):
            laid = self._render(step, pieces)
            findings, base = self._evaluate(step, laid.text)
            flagged = flagged_in(findings, laid.spans, base)
            if not flagged:
                break
            for index in sorted({f[0] for f in flagged}):
                piece_text = laid.text[laid.spans[index][0]:laid.spans[index][1]]
                ranges = [(start, end, rule) for i, start, end, rule in flagged if i == index]
                pieces[index], done = drop_flagged(piece_text, ranges, step.section_id)
                repairs += done
        laid = self._render(step, pieces)
        findings, base = self._evaluate(step, laid.text)
        findings = [f if _in_pieces(f, laid.spans, base) else f.model_copy(update={"user_only": True})
                    for f in findings]
        return SectionResult(key=step.key, text=laid.text, data={"pieces": pieces}, rounds=rounds,
                             score=score(findings), findings=findings, repairs=repairs)

    def _given(self, step: Step) -> list[str]:
        """What code writes around this step's pieces (headings, summaries, titles): not to be said again."""
        summaries = [p.summary for a in self.areas for p in a.problems]
        if step.kind == "causes":
            return [c["title"] for c in lay.cause_categories()] + summaries
        if step.kind == "measures":
            return [lay.measure_title(a.area, self.theme) for a in self.areas] + summaries
        if step.kind == "area":
            return [p.summary for p in self._problems(step)]
        return []

    def _elsewhere(self, step: Step) -> list[list[str]]:
        """Per piece, the note text code writes into other items: a measure may not borrow another area's hints."""
        if step.kind != "measures":
            return []
        hints = lay.hints_by_area(self.areas, self.notes.measure_hints)
        return [[h for j, other in enumerate(hints) if j != i for h in other] for i in range(len(hints))]

    def _others(self, step: Step) -> list[str]:
        """What an area's points must not copy: other areas' problems and facts (a small model's fill mixes the
        areas it was asked for in one call) and the cause hints, which belong in the causes."""
        if step.kind != "area":
            return []
        theirs = [p for a in self.areas if a is not step.area for p in a.problems]
        return [p.summary for p in theirs] + [f for p in theirs for f in p.facts] + list(self.notes.cause_hints)

    def _render(self, step: Step, pieces: list[str]) -> Laid:
        """The section laid out by code around the pieces."""
        notes, theme = self.notes, self.theme
        if step.kind == "area":
            return lay.area(step.title, step.area.problems if step.area else [], int(step.section_id.split(".")[1]),
                            pieces)
        render = {"opening": lambda: lay.opening(notes, theme, pieces), "causes": lambda: lay.causes(notes, pieces),
                  "measures": lambda: lay.measures(notes, theme, self.areas, pieces),
                  "case": lambda: lay.case(notes, pieces), "closing": lambda: lay.closing(notes, theme)}
        return render[step.kind]()

    def _evaluate(self, step: Step, text: str) -> tuple[list[Finding], int]:
        """This section's findings in the draft as assembled so far, and where the section starts in it."""
        trial = {**self.results, step.key: SectionResult(key=step.key, text=text)}
        assembled, offsets = self.assemble(trial)
        doc = parse_text(assembled)
        report = check_document(doc, theme=self.theme, notes=self.notes)
        return [f for f in report.findings if _belongs(f, step)], offsets[step.key]

    def assemble(self, results: dict[str, SectionResult] | None = None) -> tuple[str, dict[str, int]]:
        """The draft text from finished sections, in the genre's order, and where each section starts."""
        results = results if results is not None else self.results
        heads = layout()["part_headings"]
        text, offsets = title_of(self.notes, self.theme) + "\n", {}

        def put(key: str) -> None:
            nonlocal text
            if key in results:
                offsets[key] = len(text)
                text += results[key].text + "\n"

        put("opening")
        text += f"一、{heads['problems']}\n"
        for s in self.steps:
            if s.kind == "area":
                put(s.key)
        for number, kind in ((2, "causes"), (3, "measures"), (4, "case")):
            if any(s.kind == kind for s in self.steps):
                text += f"{int_to_cn(number)}、{heads[specs()[kind].heading]}\n"
                put(kind)
        put("closing")
        signature = lay.signature(self.notes)
        return text + (signature + "\n" if signature else ""), offsets

    def _fill(self) -> None:
        """Under the target, ask once more (without the few-shot slice) for the pieces repair emptied (far under
        it, also those left thin), in plan order as many as the draft lacks; only those pieces are asked for, all
        sections' in one call, and a section whose new version has an error the model could fix keeps its old one.
        A draft still far under its target after that round gets one more."""
        for enough in (FILL_RATIO, THIN_RATIO)[:FILL_ROUNDS]:
            self._fill_round(enough)

    def _fill_round(self, enough: float) -> None:
        """One round of fills, asking for enough pieces to bring the draft to `enough` times its target."""
        text, _ = self.assemble()
        chars = cjk_count(text)
        lacking = self.notes.target_chars * enough - chars
        wants: list[tuple[Step, list[str], list[int]]] = []
        for step in self.steps:
            if lacking <= 0:
                break
            if step.key not in self.results or not step.spec.listing or not self._asks(step):
                continue
            pieces, empty = self._thin(step, far=chars < self.notes.target_chars * THIN_RATIO)
            if empty:
                wants.append((step, pieces, empty))
                lacking -= step.budget / len(pieces) * len(empty) * FILL_YIELD
        if not wants:
            return
        self.progress(f"    全文短于目标字数，补写被删去或过短的部分：{'、'.join(step_label(s) for s, _, _ in wants)}")
        try:
            again = iter(self._fill_version(wants))
        except (OutputTruncatedError, DraftRetryError):
            return
        for step, pieces, empty in wants:
            for i in empty:
                pieces[i] += next(again, "")  # a thin piece keeps what it had
            old = self.results[step.key]
            new = self._settle(step, pieces, rounds=old.rounds)
            if _fixable(new.findings):
                continue
            self._keep(new.model_copy(update={"repairs": old.repairs + new.repairs, "fallback": old.fallback,
                                              "fallback_reason": old.fallback_reason}))

    def _thin(self, step: Step, far: bool) -> tuple[list[str], list[int]]:
        """A finished step's pieces, one per item, and which of them to ask for again: the emptied ones, and
        when the draft is `far` under its target also those under THIN_PIECE of their share of the budget."""
        wanted = self._wanted(step)
        pieces = (list((self.results[step.key].data or {}).get("pieces") or []) + [""] * wanted)[:wanted]
        thin = step.budget / max(1, wanted) * THIN_PIECE if far else 0
        return pieces, [i for i, piece in enumerate(pieces) if not piece or cjk_count(piece) < thin]

    def _wanted(self, step: Step) -> int:
        """How many items a listing step is asked for: one per problem, root category or area."""
        return {"area": len(step.area.problems) if step.area else 0, "causes": len(lay.cause_categories()),
                "measures": len(self.areas)}[step.kind]

    def _fill_version(self, wants: list[tuple[Step, list[str], list[int]]]) -> list[str]:
        """The items at each step's indices asked for again in one call: each step's block of prompts/fill.j2
        (its spec's `fill`), numbered on through the blocks, no few-shot slice. Small models answer a short
        list well, and one call spares every section's repeated system text and instructions."""
        groups, n = [], 0
        for step, _, only in wants:
            context = self._context(step)
            entries = [{"n": n + k + 1, "item": context[step.spec.listing][i]} for k, i in enumerate(only)]
            n += len(entries)
            groups.append({"template": step.spec.fill, "title": step.title, "entries": entries,
                           "per_item": context.get("per_point") or context.get("per_item"),
                           "hints": context.get("hints")})
        msgs = prompts.messages("fill", groups=groups, total=n, subject=lay.subject(self.notes))
        limit = self._max_tokens(sum(step.budget * len(only) // max(1, len(pieces)) for step, pieces, only in wants))
        # The meter tells fills (:more) from first versions.
        draft = self._roomy(lambda t: self.llm.structured(msgs, ItemsDraft, step="fill:more", max_tokens=t), limit)
        return list(draft.items)

    def _fit_length(self) -> None:
        """Over the target, drop the model's least self-critical sentences until the draft fits; each trimmed
        section is settled and checkpointed again (code's skeleton, the facts and the slots never go)."""
        text, _ = self.assemble()
        excess = cjk_count(text) - int(self.notes.target_chars * FIT_RATIO)
        steps = [s for s in self.steps if s.key in self.results and (self.results[s.key].data or {}).get("pieces")]
        if excess <= 0 or not steps:
            return
        trimmed, repairs = trim_to_fit({s.section_id: list(self.results[s.key].data["pieces"]) for s in steps}, excess,
                                       optional={s.section_id for s in steps if s.kind == "area"})
        for step in steps:
            old = self.results[step.key]
            if trimmed[step.section_id] == old.data["pieces"]:
                continue
            self.progress(f"    全文超出目标字数，{step_label(step)}删去部分语句")
            new = self._settle(step, trimmed[step.section_id], rounds=old.rounds)
            mine = [r for r in repairs if r.section == step.section_id]
            self._keep(new.model_copy(update={"repairs": old.repairs + mine + new.repairs, "fallback": old.fallback,
                                              "fallback_reason": old.fallback_reason}))

    def _finish(self) -> DraftResult:
        self._fill()
        self._fit_length()
        text, _ = self.assemble()
        doc = parse_text(text, source="draft")
        report = check_document(doc, theme=self.theme, notes=self.notes)
        public = report.public()
        public["repairs"] = [r.model_dump() for s in self.steps if s.key in self.results
                             for r in self.results[s.key].repairs]
        public["fallbacks"] = [{"section": self.results[s.key].key, "fallback": self.results[s.key].fallback,
                                "reason": self.results[s.key].fallback_reason}
                               for s in self.steps if s.key in self.results and self.results[s.key].fallback]
        public["notes_set_aside"] = self.set_aside
        self.run.save_final(text, public, self.llm.meter)
        slots = [f.excerpt for f in report.findings if f.rule == "placeholder.slots"]
        return DraftResult(text=text, run_dir=str(self.run.path), sections=[self.results[s.key] for s in self.steps],
                           report=public, usage=self.llm.meter.totals(), slots=slots, document=doc,
                           notes=self.notes)


def _fixable(findings: list[Finding]) -> list[Finding]:
    """Errors the model could fix: not a slot for the user, not something only the notes can answer."""
    return [f for f in findings if f.severity == "error" and not f.user_only and f.rule != "grounding.dropped"]


def _in_pieces(finding: Finding, spans: dict[int, tuple[int, int]], base: int) -> bool:
    """Whether a finding touches the model's words; one that lies only in what code wrote (the skeleton,
    the notes' own summaries and facts) is no revision's to fix, so it never sends the section back."""
    end = max(finding.end, finding.start + 1)
    return any(finding.start < base + e and base + s < end for s, e in spans.values())


def _better(best: SectionResult, candidate: SectionResult | None, round_no: int) -> SectionResult:
    if candidate is not None and candidate.score > best.score:
        return candidate.model_copy(update={"repairs": best.repairs + candidate.repairs})
    return best.model_copy(update={"rounds": round_no})


def _belongs(finding: Finding, step: Step) -> bool:
    """Whether a finding is this step's to fix: in its section, or about measures answering areas."""
    if finding.rule == "correspondence.measures":
        # Reported at the unanswered area, but only the measures step can answer it.
        return step.kind == "measures"
    return finding.section == step.section_id or finding.section.startswith(step.section_id + ".")
