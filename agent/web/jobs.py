"""Model jobs in the background: drafting and revising, one at a time, state kept in the item's folder.

Each job calls the library function its CLI command calls (`agent.draft.draft`,
`agent.revise.revise_source`) with the same arguments, under the same `agent.recording.session`,
and writes the same files the CLI writes; so a page reload (or a restart) finds the state on disk,
and a draft that failed at the model can be resumed from its run folder as `--resume` does.
One worker thread runs the jobs in order: a recording replayed for one job patches HTTP for the
whole process, and a local model serves one request at a time anyway.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import traceback
from pathlib import Path

from agent.errors import DuizhaoError, InputError, ModelError
from agent.web.demo import DEMO
from agent.web.store import Item, Store, WebConfig

__all__ = ["Worker", "load_item_notes", "refresh_view", "accept_revision"]

log = logging.getLogger("duizhao.web")


class _Sink:
    """The console DraftProgress prints to: each line goes into the item's state."""

    is_terminal = False

    def __init__(self, item: Item) -> None:
        self.item = item

    def print(self, message: str, **_kw) -> None:
        self.item.append_message(str(message))


class Worker:
    """One background thread running queued jobs; `live` holds the running draft's progress."""

    def __init__(self, config: WebConfig, store: Store) -> None:
        self.config, self.store = config, store
        self.jobs: queue.Queue = queue.Queue()
        self.live: dict[str, object] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._recover()
        self._thread = threading.Thread(target=self._loop, name="duizhao-web-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.jobs.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def submit_draft(self, item: Item, *, resume: bool = False) -> None:
        item.update(status="queued", error=None, resumable=False)
        self.jobs.put((self._draft, item, resume))

    def submit_revise(self, draft: Item, revision: Item) -> None:
        revision.update(status="queued", error=None)
        self.jobs.put((self._revise, draft, revision))

    def _recover(self) -> None:
        """Jobs cut off by a restart are failed, resumable when their run folder has finished sections."""
        for state in self.store.recent("drafts", 1000):
            if state.get("status") in ("queued", "running"):
                item = self.store.get("drafts", state["id"])
                item.update(status="failed", error="服务重启，起草中断。", resumable=_has_sections(state.get("run_dir")))

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            fn, *args = job
            fn(*args)

    def _fail(self, item: Item, exc: BaseException, **extra) -> None:
        if isinstance(exc, DuizhaoError):
            message = str(exc)
        else:  # a bug: the page says so in Chinese, the traceback goes to the item's folder and the log
            (item.path / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
            log.exception("job %s failed", item.id)
            message = f"内部错误：{type(exc).__name__}（详情已记入数据目录的 error.log）"
        item.update(status="failed", error=message, **extra)

    def _draft(self, item: Item, resume: bool) -> None:
        from agent.draft import draft
        from agent.progress import DraftProgress
        from agent.recording import session
        from agent.settings import resolve_settings

        state = item.update(status="running", messages=[])
        progress = DraftProgress(_Sink(item), live=False)
        self.live[item.id] = progress
        replay = DEMO.path("draft_cassette") if self.config.demo else None
        run_dir = state.get("run_dir") if resume and _has_sections(state.get("run_dir")) else None
        try:
            settings = resolve_settings(**state["settings"])
            with session(replay=replay):
                result = draft(item.file(state["notes_file"]), settings, theme=state.get("theme"),
                               max_rounds=state["max_rounds"], resume=run_dir, progress=progress,
                               check_connection=replay is None)
            _save_draft(item, result)
        except Exception as exc:  # noqa: BLE001 (every failure is shown on the page, none crashes the worker)
            run = progress.run_dir or run_dir
            self._fail(item, exc, run_dir=run, resumable=isinstance(exc, ModelError) and _has_sections(run))
        finally:
            self.live.pop(item.id, None)

    def _revise(self, draft_item: Item, revision: Item) -> None:
        from agent.llm import LLM
        from agent.reader import read_source
        from agent.recording import session
        from agent.revise import revise_source
        from agent.settings import resolve_settings

        state = revision.update(status="running", messages=[])
        draft_state = draft_item.state()
        replay = DEMO.path("revise_cassette") if self.config.demo else None
        try:
            source = read_source(draft_item.file(draft_state["current"]))
            settings = resolve_settings(**draft_state["settings"])
            settings.api_key()
            if replay is None:
                from agent.reach import ensure_reachable

                ensure_reachable(settings)
            with session(replay=replay):
                result = revise_source(source, state["section"], llm_factory=lambda: LLM(settings),
                                       notes=load_item_notes(draft_item), instruction=state.get("instruction") or None,
                                       max_rounds=state["max_rounds"], progress=revision.append_message)
            (revision.path / "revision.json").write_text(result.model_dump_json(), encoding="utf-8")
            revision.update(status="done", changed=result.changed, score_before=result.score_before,
                            score_after=result.score_after, rounds=result.rounds)
        except Exception as exc:  # noqa: BLE001
            self._fail(revision, exc)


def _has_sections(run_dir: str | None) -> bool:
    return bool(run_dir) and any((Path(run_dir) / "sections").glob("*.json"))


def _save_draft(item: Item, result) -> None:
    """The files `duizhao draft -o 草稿.md --report 报告.json` writes, written the same way."""
    from agent.parser import parse_text
    from agent.render import write_document
    from agent.writer import write_atomic

    out = item.file("draft.md")
    write_document(parse_text(result.text, source=str(out)), out)
    write_atomic(item.file("chain.txt"), result.text)
    summary = {"report": result.report, "usage": result.usage, "slots": result.slots, "run_dir": result.run_dir,
               "token_note": "用量是服务端报告的 token 数；少样本预算按 cl100k_base 计数，对非 OpenAI 模型只是估计"}
    write_atomic(item.file("report.json"), json.dumps(summary, ensure_ascii=False, indent=1))
    write_atomic(item.file("view.json"), json.dumps({"origin": "chain", "report": result.report}, ensure_ascii=False))
    usage = result.usage
    item.update(status="done", current="draft.md", run_dir=result.run_dir, version=0, resumable=False,
                summary=f"调用模型 {usage['calls']} 次，输入 {usage['prompt_tokens']} / 输出 {usage['completion_tokens']} token，"
                        f"用时 {usage['seconds']} 秒，重试 {usage['retries']} 次")
    _precompute_page(item)


def load_item_notes(item: Item):
    """The notes a draft item was made with (YAML as given, or the run's notes for free text); None without."""
    from agent.notes import load_notes

    state = item.state()
    notes_file = state.get("notes_file")
    if notes_file and notes_file.endswith((".yaml", ".yml")):
        return load_notes(item.file(notes_file))
    run_notes = Path(state["run_dir"]) / "notes.yaml" if state.get("run_dir") else None
    if run_notes is not None and run_notes.is_file():
        return load_notes(run_notes)
    return None


def refresh_view(item: Item) -> dict:
    """Check the item's current file as `duizhao check FILE --notes NOTES` would; saved as view.json."""
    from agent.check import check_file
    from agent.writer import write_atomic

    state = item.state()
    report = check_file(item.file(state["current"]), notes=load_item_notes(item))
    view = {"origin": "file", "report": report.public(), "kind": report.kind.model_dump() if report.kind else None}
    write_atomic(item.file("view.json"), json.dumps(view, ensure_ascii=False))
    item.update(summary="已按当前文件重新检查")
    _precompute_page(item)
    return view


def _precompute_page(item: Item) -> None:
    """Compute the draft page's view now, in the job, so the first page view does not wait for it."""
    from agent.web.views import draft_page

    try:
        draft_page(item)
    except Exception:  # noqa: BLE001 - the page computes it again and shows any error itself
        log.debug("precomputing the page of %s failed", item.id, exc_info=True)


def accept_revision(draft_item: Item, revision: Item) -> None:
    """Write an accepted revision into the draft's file (the previous version kept), as `revise -o` writes.

    Raises:
        InputError: the draft changed since the revision was proposed, or there is nothing to accept.
    """
    import shutil

    from agent.reader import read_source
    from agent.revise import Revision, write_revision

    state = draft_item.state()
    rev = Revision.model_validate_json((revision.path / "revision.json").read_text(encoding="utf-8"))
    path = draft_item.file(state["current"])
    source = read_source(path)
    if source.text != rev.original:
        raise InputError("草稿在提出这次改写之后已经改动，请重新改写这一节")
    if not rev.changed:
        raise InputError("这次改写没有比原文更好的版本，原文保持不变")
    version = int(state.get("version", 0)) + 1
    versions = draft_item.path / "versions"
    versions.mkdir(exist_ok=True)
    shutil.copy2(path, versions / f"{version - 1:03d}{path.suffix}")
    write_revision(source, rev, path)
    draft_item.update(version=version)
    revision.update(status="accepted")
    refresh_view(draft_item)
