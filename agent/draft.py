"""The draft job end to end: notes in (YAML or free text), a run folder, the chain, the draft out."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from agent.chain import Chain, DraftResult
from agent.errors import LimitError, ModelError, UsageError
from agent.extraction import Extraction, verify
from agent.llm import LLM
from agent.notes import Notes, load_notes, parse_notes_yaml, theme_for
from agent.reach import ways_on
from agent.reader import read_source
from agent.runs import Run
from agent.settings import Settings
from agent.themes import Theme, load_themes

YAML_SUFFIXES = {".yaml", ".yml"}


MAX_FREE_NOTES_CHARS = 20_000  # free-text notes go whole into the extraction prompt


def notes_from_file(path: str | Path, llm_factory: Callable[[], LLM] | None = None) -> Notes:
    """YAML notes directly; free text (.md/.txt/.docx) through the extraction prompt, checked against it.

    Raises:
        InputError: unreadable file, bad notes; LimitError: free text past MAX_FREE_NOTES_CHARS.
        UsageError: free-text notes and no model to read them.
    """
    return understand_notes(path, llm_factory).notes


def understand_notes(path: str | Path, llm_factory: Callable[[], LLM] | None = None) -> Extraction:
    """The notes and, for free text, what the extraction returned that the user's text does not contain.

    Raises: as `notes_from_file`.
    """
    p = Path(path)
    if p.suffix.lower() in YAML_SUFFIXES:
        return Extraction(notes=load_notes(p))
    text = read_free_notes(p)
    if llm_factory is None:
        raise UsageError("自由文本笔记需要模型来理解：请改用 YAML 笔记，或指定模型", path=str(p))
    return extract(text, llm_factory())


def extract(text: str, llm: LLM) -> Extraction:
    """Free-text notes read by the model, then checked against the text they came from."""
    from agent import prompts

    msgs = prompts.messages("extract_notes", text=text, themes=list(load_themes()))
    return verify(llm.structured(msgs, Notes, step="extract_notes", max_tokens=2000), text)


def read_free_notes(path: str | Path) -> str:
    """The text of free-text notes, within the bound on what one prompt may carry.

    Raises:
        InputError: unreadable; LimitError: longer than MAX_FREE_NOTES_CHARS.
    """
    text = read_source(path).text
    if len(text) > MAX_FREE_NOTES_CHARS:
        raise LimitError(f"自由文本笔记过长（{len(text)} 字），最多 {MAX_FREE_NOTES_CHARS} 字：请精简，或改写成 YAML 笔记",
                         path=str(path))
    return text


def validate(notes_path: str | Path, settings: Settings | None, *, theme: str | None = None,
             resume: str | None = None) -> tuple[Notes | None, Theme | None, Run | None]:
    """Everything `draft` needs, checked before a run folder exists or a model is called.

    Returns (notes, theme, resumed run); notes and theme are None for free-text notes, which only a
    model can read (their size is checked here).

    Raises:
        InputError: bad notes, unknown theme, a run folder that is not one, a missing API key.
    """
    notes, run = None, None
    if resume:
        run = Run.resume(resume)
        saved = run.path / "notes.yaml"
        if saved.exists():
            notes = parse_notes_yaml(saved.read_text(encoding="utf-8"), str(saved))
    if notes is None:
        if Path(notes_path).suffix.lower() in YAML_SUFFIXES:
            notes = load_notes(notes_path)
        else:
            read_free_notes(notes_path)
    chosen = theme_for(notes, theme, notes_path)  # with free-text notes only a --theme is checked now
    if settings is not None:
        settings.api_key()  # a missing key is found now, not after the run folder is made
    return notes, chosen, run


def draft(notes_path: str | Path, settings: Settings, *, theme: str | None = None, max_rounds: int = 2,
          resume: str | None = None, client=None, progress: Callable[[str], None] | None = None,
          check_connection: bool = True) -> DraftResult:
    """Draft a statement from a notes file; every finished section is checkpointed in the run folder.

    Nothing is created and no model is called until the notes, the theme, the run folder to resume
    and the key have all been checked (`validate`).

    Raises:
        InputError: bad notes, unknown theme, a run folder that is not one.
        ModelError: the endpoint failed past the retries (resume with the run folder); a fresh run that
            finished no section leaves no folder behind.
        ModelUnreachableError: nothing listens at the base URL (checked first, unless `check_connection`
            is off, as under --replay); nothing was created.
    """
    notes, chosen, run = validate(notes_path, settings if client is None else None, theme=theme, resume=resume)
    if client is None and check_connection:
        from agent.reach import ensure_reachable

        ensure_reachable(settings)
    fresh = run is None
    run = run or Run.create()
    llm = LLM(settings, client=client, log=run.log_call)
    try:
        flags = []
        if notes is None:
            extraction = understand_notes(notes_path, lambda: llm)
            notes, flags = extraction.notes, extraction.flags
            chosen = theme_for(notes, theme)
            if flags and progress:
                progress(f"笔记中有{len(flags)}处在原文中找不到或与原文不符，已弃用或按原文改正（--show-notes 可查看）")
        if fresh:
            run.save_inputs(yaml.safe_dump(notes.model_dump(), allow_unicode=True, sort_keys=False),
                            settings.model_dump(mode="json"))
        if progress:
            progress(f"运行目录：{run.path}（中断后可用 --resume {run.path} 继续）")
        result = Chain(llm, notes, chosen, run=run, max_rounds=max_rounds, progress=progress).draft()
        result.report["notes_flags"] = [f.model_dump() for f in flags]
        return result
    except ModelError as exc:
        if fresh and not any((run.path / "sections").glob("*.json")):
            # Nothing worth resuming: no empty run folder is left behind, and no --resume is suggested.
            shutil.rmtree(run.path, ignore_errors=True)
            message = str(exc).split("可用 --resume")[0].rstrip("。，") + "。没有完成任何一节，未保留运行目录。"
            lost = type(exc.__cause__).__name__ in ("APIConnectionError", "APITimeoutError")
            raise ModelError(message + ("\n" + ways_on(settings) if lost else "")) from exc
        raise
