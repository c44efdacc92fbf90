"""The draft job end to end: notes in (YAML or free text), a run folder, the chain, the draft out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from agent.chain import Chain, DraftResult
from agent.llm import LLM
from agent.notes import Notes, load_notes, parse_notes_yaml
from agent.reader import read_source
from agent.runs import Run
from agent.settings import Settings
from agent.themes import get_theme, load_themes

YAML_SUFFIXES = {".yaml", ".yml"}


def notes_from_file(path: str | Path, llm_factory: Callable[[], LLM] | None = None) -> Notes:
    """YAML notes directly; free text (.md/.txt/.docx) through the extraction prompt."""
    p = Path(path)
    if p.suffix.lower() in YAML_SUFFIXES:
        return load_notes(p)
    if llm_factory is None:
        raise ValueError("free-text notes need a model")
    from agent import prompts

    text = read_source(p).text
    msgs = prompts.messages("extract_notes", text=text, themes=list(load_themes()))
    return llm_factory().structured(msgs, Notes, step="extract_notes", max_tokens=2000)


def draft(notes_path: str | Path, settings: Settings, *, theme: str | None = None, max_rounds: int = 2,
          resume: str | None = None, client=None, progress: Callable[[str], None] | None = None) -> DraftResult:
    """Draft a statement from a notes file; every finished section is checkpointed in the run folder.

    Raises:
        InputError: bad notes, unknown theme, a run folder that is not one.
        ModelError: the endpoint failed past the retries (resume with the run folder).
    """
    notes = None
    if resume:
        run = Run.resume(resume)
        saved = run.path / "notes.yaml"
        if saved.exists():
            notes = parse_notes_yaml(saved.read_text(encoding="utf-8"), str(saved))
    else:
        if Path(notes_path).suffix.lower() in YAML_SUFFIXES:
            notes = load_notes(notes_path)  # bad notes fail before a run folder is made
        run = Run.create()
    llm = LLM(settings, client=client, log=run.log_call)
    if notes is None:
        notes = notes_from_file(notes_path, lambda: llm)
    if not resume:
        run.save_inputs(yaml.safe_dump(notes.model_dump(), allow_unicode=True, sort_keys=False), settings.model_dump())
    chosen = get_theme(theme or notes.meeting.theme)
    if progress:
        progress(f"运行目录：{run.path}（中断后可用 --resume {run.path} 继续）")
    return Chain(llm, notes, chosen, run=run, max_rounds=max_rounds, progress=progress).draft()
