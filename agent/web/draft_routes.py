"""起草 and 改写一节: the notes form, a draft's progress and text, downloads, and section revisions."""

from __future__ import annotations

import copy
import json
import shutil
from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from agent.errors import DuizhaoError, InputError, UsageError
from agent.web.app import attachment, error_page, render
from agent.web.demo import DEMO
from agent.web.jobs import accept_revision, refresh_view
from agent.web.store import Item, NotFound
from agent.web.uploads import one_upload, read_upload

__all__ = ["routes"]

NOTES_SUFFIXES = (".yaml", ".yml", ".md", ".txt", ".docx")
DRAFT_SUFFIXES = (".md", ".txt", ".docx")
MODES = {"form": "表单", "yaml": "YAML", "text": "自由文本", "file": "上传文件"}


@cache
def _spec():
    from agent.notes import Notes
    from agent.themes import load_themes
    from agent.web.noteform import form_spec

    themes = list(load_themes())
    areas = sorted({a.title for t in load_themes().values() for a in t.areas})
    return form_spec(Notes, {"meeting.theme": themes, "areas.area": areas})


@cache
def _demo_notes() -> dict:
    """The demo notes as the form shows them, parsed once (YAML parsing was most of the page's time)."""
    from agent.notes import load_notes

    return load_notes(DEMO.path("notes")).model_dump(exclude_none=True)


def _demo_values() -> dict:
    """A copy of the demo notes' values for one page, so the cached one is never changed."""
    return copy.deepcopy(_demo_notes())


def _providers() -> list[str]:
    from agent.resources import load_table

    return list(load_table("providers.yaml"))


def _settings_shown(flags: dict) -> dict:
    """Provider, address and model the page shows (never the key: only whether one is set)."""
    from agent.settings import resolve_settings

    s = resolve_settings(**flags)
    return {"provider": s.provider, "base_url": s.base_url, "model": s.model,
            "key": "已设置" if s.key_present() else ("无需密钥" if not s.key_env or s.key_optional else "未设置")}


def _form_page(request: Request, values: dict | None = None, *, error: str = "", mode: str = "form",
               text: str = "", flags: dict | None = None, status: int = 200):
    config = request.app.state.config
    flags = flags or {}
    if values is None and config.demo:
        values = _demo_values()
    try:
        shown, settings_error = _settings_shown(flags), ""
    except DuizhaoError as exc:
        shown, settings_error = None, str(exc)
    return render(request, "draft_form.html.j2", status=status, spec=_spec(), values=values or {}, error=error,
                  mode=mode, modes=MODES, text=text, flags=flags, providers=_providers(), settings=shown,
                  settings_error=settings_error, max_rounds=DEMO.draft_max_rounds if config.demo else 2,
                  recent=request.app.state.store.recent("drafts"), demo_section=DEMO.revise_section)


async def home(request: Request):
    return _form_page(request)


async def start_draft(request: Request):
    """Validate the notes and settings as `draft` does before a run folder exists, then queue the job."""
    from agent.draft import validate
    from agent.notes import parse_notes_yaml
    from agent.settings import resolve_settings
    from agent.web.noteform import form_data, form_to_yaml

    config, store = request.app.state.config, request.app.state.store
    form = await request.form(max_files=2, max_fields=3000)
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    mode = str(form.get("mode") or "form")
    flags = {} if config.demo else {k: (str(form.get(k) or "").strip() or None) for k in ("provider", "base_url", "model")}
    text = str(form.get("notes_text") or "")
    values = form_data(items, _spec())
    try:
        if mode == "form":
            content, suffix = form_to_yaml(items, _spec()), ".yaml"
        elif mode in ("yaml", "text"):
            content, suffix = text, ".yaml" if mode == "yaml" else ".txt"
            if not content.strip():
                raise InputError("请先粘贴笔记")
        elif mode == "file":
            name, content = await one_upload(form, "notes_file", what="笔记", suffixes=NOTES_SUFFIXES,
                                             limit=config.max_file_bytes)
        else:
            raise UsageError("未知的笔记来源")
        max_rounds = DEMO.draft_max_rounds if config.demo else int(str(form.get("max_rounds") or 2))
        if not 0 <= max_rounds <= 10:
            raise UsageError(f"每节最多修改轮数应在 0 到 10 之间，而不是 {max_rounds}")
        theme = str(form.get("theme") or "").strip() or None
        if suffix in (".yaml", ".yml") and isinstance(content, str):
            parse_notes_yaml(content, "笔记")  # the form's and the pasted notes' errors, named by field
        settings = resolve_settings(**flags)
    except (DuizhaoError, ValueError) as exc:
        message = str(exc) if isinstance(exc, DuizhaoError) else "轮数应是整数"
        return _form_page(request, values, error=message, mode=mode, text=text, flags=flags, status=400)
    item = store.create("drafts", kind="draft", status="queued", source=MODES.get(mode, mode), notes_file="notes" + suffix,
                        settings=flags, max_rounds=max_rounds, theme=theme, messages=[],
                        title=_title(values) if mode == "form" else MODES.get(mode, mode))
    path = item.file(item.state()["notes_file"])
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    try:
        await run_in_threadpool(validate, path, settings, theme=theme)
    except DuizhaoError as exc:
        shutil.rmtree(item.path, ignore_errors=True)
        return _form_page(request, values, error=str(exc), mode=mode, text=text, flags=flags, status=400)
    request.app.state.worker.submit_draft(item)
    return RedirectResponse(f"/draft/{item.id}", status_code=303)


def _title(values: dict) -> str:
    meeting = values.get("meeting") or {}
    return " ".join(str(x) for x in (values.get("role"), meeting.get("year"), meeting.get("kind")) if x) or "表单"


async def open_draft(request: Request):
    """An existing draft (uploaded, or the demo's) opened for checking and revising."""
    from agent.notes import load_notes

    config, store = request.app.state.config, request.app.state.store
    form = await request.form(max_files=2, max_fields=10)
    if form.get("demo") and config.demo:
        name, data = DEMO.path("revise_draft").name, DEMO.path("revise_draft").read_bytes()
        notes_name, notes = "notes.yaml", DEMO.path("revise_notes").read_bytes()
    else:
        notes_upload = form.get("notes_file")
        name, data = await one_upload(form, "draft_file", what="草稿", suffixes=DRAFT_SUFFIXES,
                                      limit=config.max_file_bytes)
        notes_name, notes = None, None
        if notes_upload is not None and not isinstance(notes_upload, str) and notes_upload.filename:
            notes_name, notes = "notes.yaml", await read_upload(notes_upload, config.max_file_bytes)
    item = store.create("drafts", kind="opened", status="done", source="打开的草稿", current=name, notes_file=notes_name,
                        settings={}, max_rounds=2, theme=None, messages=[], title=name, version=0)
    item.file(name).write_bytes(data)
    try:
        if notes is not None:
            item.file(notes_name).write_bytes(notes)
            load_notes(item.file(notes_name))
        await run_in_threadpool(refresh_view, item)
    except DuizhaoError:
        shutil.rmtree(item.path, ignore_errors=True)
        raise
    return RedirectResponse(f"/draft/{item.id}", status_code=303)


def _item(request: Request) -> Item:
    return request.app.state.store.get("drafts", request.path_params["id"])


async def show_draft(request: Request):
    from agent.web.views import draft_page

    item = _item(request)
    state = item.state()
    context = {"state": state, "view": None, "outline": [], "revisions": _revisions(item)}
    if state["status"] == "done":
        context["view"], context["outline"] = await run_in_threadpool(draft_page, item)
    return render(request, "draft_item.html.j2", **context, demo_section=DEMO.revise_section)


def _revisions(item: Item) -> list[dict]:
    folder = item.path / "revisions"
    if not folder.is_dir():
        return []
    return [json.loads((p / "state.json").read_text(encoding="utf-8")) for p in sorted(folder.iterdir(), reverse=True)
            if (p / "state.json").exists()]


async def draft_status(request: Request):
    """The state the progress area polls: status, progress lines, the live status line."""
    item = _item(request)
    state = item.state()
    live = request.app.state.worker.live.get(item.id)
    return JSONResponse({"status": state["status"], "messages": state.get("messages", [])[-40:],
                         "line": live.status() if live is not None else "", "error": state.get("error"),
                         "resumable": state.get("resumable", False)})


async def resume_draft(request: Request):
    item = _item(request)
    if item.state()["status"] != "failed":
        raise UsageError("只有中断或失败的起草可以续跑")
    request.app.state.worker.submit_draft(item, resume=True)
    return RedirectResponse(f"/draft/{item.id}", status_code=303)


async def download(request: Request):
    """草稿 .md/.docx (as `draft -o` writes them) and the report (.json as `--report`, .html as `check --html`)."""
    from agent.web.downloads import draft_download

    item = _item(request)
    if item.state()["status"] != "done":
        raise InputError("草稿还没有完成")
    data, filename, media = await run_in_threadpool(draft_download, item, request.path_params["what"])
    return Response(data, media_type=media, headers={"content-disposition": attachment(filename)})


async def start_revision(request: Request):
    item = _item(request)
    if item.state()["status"] != "done":
        raise InputError("草稿还没有完成，不能改写")
    form = await request.form(max_files=0, max_fields=10)
    section = str(form.get("section") or "").strip()
    instruction = str(form.get("instruction") or "").strip()
    if not section:
        raise InputError("请先选择要改写的一节")
    if len(instruction) > 500:
        raise InputError("修改要求最多 500 字")
    from agent.parser import parse_file

    parse_file(item.file(item.state()["current"])).get(section)  # an unknown section is said now
    folder = item.path / "revisions"
    folder.mkdir(exist_ok=True)
    from agent.web.store import new_id

    revision = Item(folder / new_id())
    revision.path.mkdir()
    revision.update(id=revision.id, draft=item.id, section=section, instruction=instruction, messages=[],
                    max_rounds=DEMO.revise_max_rounds if request.app.state.config.demo else 2)  # revise's default
    request.app.state.worker.submit_revise(item, revision)
    return RedirectResponse(f"/draft/{item.id}/revise/{revision.id}", status_code=303)


def _revision(request: Request, item: Item) -> Item:
    rid = request.path_params["rid"]
    if not rid.isalnum() or not (item.path / "revisions" / rid / "state.json").exists():
        raise NotFound(rid)
    return Item(item.path / "revisions" / rid)


async def show_revision(request: Request):
    from agent.revise import Revision
    from agent.web.views import diff_lines

    item = _item(request)
    revision = _revision(request, item)
    state, result = revision.state(), None
    if state["status"] in ("done", "accepted", "discarded"):
        rev = Revision.model_validate_json((revision.path / "revision.json").read_text(encoding="utf-8"))
        result = {"rev": rev, "diff": diff_lines(rev.diff)}
    return render(request, "revision.html.j2", item=item.state(), state=state, result=result)


async def revision_status(request: Request):
    revision = _revision(request, _item(request))
    state = revision.state()
    return JSONResponse({"status": state["status"], "messages": state.get("messages", [])[-20:], "line": "",
                         "error": state.get("error"), "resumable": False})


async def decide_revision(request: Request):
    item = _item(request)
    revision = _revision(request, item)
    if request.path_params["decision"] not in ("accept", "discard"):
        raise NotFound(request.path_params["decision"])
    if revision.state()["status"] != "done":
        return error_page(request, "这次改写已经处理过，或还没有完成。", 409)
    if request.path_params["decision"] == "accept":
        await run_in_threadpool(accept_revision, item, revision)
    else:
        revision.update(status="discarded")
    return RedirectResponse(f"/draft/{item.id}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/draft", start_draft, methods=["POST"]),
        Route("/open", open_draft, methods=["POST"]),
        Route("/draft/{id}", show_draft),
        Route("/draft/{id}/status", draft_status),
        Route("/draft/{id}/resume", resume_draft, methods=["POST"]),
        Route("/draft/{id}/download/{what}", download),
        Route("/draft/{id}/revise", start_revision, methods=["POST"]),
        Route("/draft/{id}/revise/{rid}", show_revision),
        Route("/draft/{id}/revise/{rid}/status", revision_status),
        Route("/draft/{id}/revise/{rid}/{decision:str}", decide_revision, methods=["POST"]),
    ]
