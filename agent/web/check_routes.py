"""检查 (a batch of uploaded files or a zip: `duizhao check`) and 排版 (`duizhao format`)."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from agent.errors import InputError, LimitError
from agent.web.app import attachment, render
from agent.web.store import Item, NotFound
from agent.web.uploads import (
    CHECK_SUFFIXES,
    UploadedFile,
    one_upload,
    read_upload,
    safe_name,
    save_uploads,
    unzip,
)

__all__ = ["routes", "run_check"]

# Rows of the batch table in the first paint (more than a screenful); the rest are laid out just
# after it (static/app.js), since laying out all 200 rows at once is most of the page's first paint.
FIRST_ROWS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def check_page(request: Request):
    config = request.app.state.config
    return render(request, "check_form.html.j2", recent=request.app.state.store.recent("checks"),
                  max_files=config.max_files, max_mb=config.max_file_bytes // (1024 * 1024),
                  max_request_mb=config.max_request_bytes // (1024 * 1024))


async def _collect(request: Request, form) -> list[UploadedFile]:
    """The uploaded files, zips unpacked, bounded in number and size."""
    config = request.app.state.config
    files: list[UploadedFile] = []
    for upload in form.getlist("files"):
        if isinstance(upload, str) or not upload.filename:
            continue
        name = safe_name(upload.filename)
        data = await read_upload(upload, config.max_file_bytes)
        if name.lower().endswith(".zip"):
            files.extend(unzip(data, max_files=config.max_files - len(files), max_file_bytes=config.max_file_bytes,
                               max_total=config.max_zip_bytes))
        elif name.lower().endswith(CHECK_SUFFIXES):
            files.append(UploadedFile(name, data))
        else:
            raise InputError(f"“{name}”不是可检查的文件：只收 .txt、.md、.docx 或 .zip")
        if len(files) > config.max_files:
            raise LimitError(f"一次最多检查 {config.max_files} 份文件，请分批上传")
    if not files:
        raise InputError("没有收到可检查的文件（.txt/.md/.docx，或装有它们的 .zip）")
    return files


def run_check(item: Item, kind: str | None) -> None:
    """`duizhao check` on the saved files (`check_paths`), names shown relative to the upload folder.

    The reports are kept whole (for the spreadsheets), each one also alone (for its file's page) and
    the table's rows apart, so neither page reads and validates all the reports.
    """
    from agent.check import check_paths
    from agent.kinds import parse_kind
    from agent.report import summary_line, verdict, who, worst_categories

    folder = item.path / "files"
    reports = check_paths([folder], kind=parse_kind(kind) if kind else None)
    public = [r.model_copy(update={"file": str(Path(r.file).relative_to(folder))}) for r in reports]
    dumped = [r.model_dump(mode="json") for r in public]
    (item.path / "reports.json").write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    (item.path / "reports").mkdir()
    for n, r in enumerate(dumped, 1):
        (item.path / "reports" / f"{n}.json").write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
    rows = []
    for n, r in enumerate(public, 1):
        label, level = verdict(r)
        rows.append({"n": n, "file": r.file, "error": r.error, "label": label, "level": level, "score": r.score,
                     "counts": r.counts.model_dump(), "person": who(r, None, Path("")),
                     "worst": "、".join(worst_categories(r)) or (r.error or "")})
    (item.path / "table.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    item.update(status="done", summary=summary_line(public), files=len(public))


def _reports(item: Item):
    """Every report of a batch, in the table's order."""
    from agent.check import FileReport

    return [FileReport.model_validate(r) for r in json.loads((item.path / "reports.json").read_text(encoding="utf-8"))]


def _report(item: Item, n: int):
    """The n-th report (from 1) of a batch. Raises NotFound past the end."""
    from agent.check import FileReport

    alone = item.path / "reports" / f"{n}.json"
    if alone.is_file():
        return FileReport.model_validate_json(alone.read_bytes())
    if (item.path / "reports").is_dir():
        raise NotFound(n)
    reports = _reports(item)  # a batch checked before reports were also kept one by one
    if not 1 <= n <= len(reports):
        raise NotFound(n)
    return reports[n - 1]


async def start_check(request: Request):
    config, store = request.app.state.config, request.app.state.store
    form = await request.form(max_files=config.max_files + 5, max_fields=20)
    files = await _collect(request, form)
    kind = str(form.get("kind") or "").strip() or None
    item = store.create("checks", status="running", title=f"{len(files)} 份文件")
    save_uploads(files, item.path / "files")
    await run_in_threadpool(run_check, item, kind)
    return RedirectResponse(f"/check/{item.id}", status_code=303)


async def show_check(request: Request):
    item = request.app.state.store.get("checks", request.path_params["id"])
    rows = json.loads((item.path / "table.json").read_text(encoding="utf-8"))
    first, later = rows[:FIRST_ROWS], rows[FIRST_ROWS:]
    return render(request, "check_result.html.j2", state=item.state(), rows=first, later_rows=later)


async def check_file_page(request: Request):
    """One file's report: `duizhao check --html`'s page, linking back to the table."""
    from agent.parser import parse_file
    from agent.render.html import render_html

    item = request.app.state.store.get("checks", request.path_params["id"])
    report = _report(item, request.path_params["n"])
    if report.error:
        raise InputError(report.error)
    doc = await run_in_threadpool(parse_file, item.file("files/" + report.file), repair=True, kind=report.kind)
    return HTMLResponse(render_html(doc, report, index_href=f"/check/{item.id}", root=Path("")))


async def check_download(request: Request):
    from agent.report import to_csv, to_xlsx

    item = request.app.state.store.get("checks", request.path_params["id"])
    reports = _reports(item)
    if request.path_params["fmt"] == "csv":
        data, media = to_csv(reports, None, Path("")).encode("utf-8"), "text/csv; charset=utf-8"
    elif request.path_params["fmt"] == "xlsx":
        data, media = await run_in_threadpool(to_xlsx, reports, None, Path("")), XLSX
    else:
        raise NotFound(request.path_params["fmt"])
    name = f"检查结果.{request.path_params['fmt']}"
    return Response(data, media_type=media, headers={"content-disposition": attachment(name)})


async def format_page(request: Request):
    return render(request, "format.html.j2", result=None, error="")


async def start_format(request: Request):
    """`duizhao format`: the statement laid out in GB/T 9704, its words verified unchanged."""
    from agent.typeset import typeset

    config, store = request.app.state.config, request.app.state.store
    form = await request.form(max_files=2, max_fields=10)
    name, data = await one_upload(form, "file", what="材料", suffixes=CHECK_SUFFIXES, limit=config.max_file_bytes)
    item = store.create("formats", status="running", title=name, source=name)
    item.file(name).write_bytes(data)
    result = await run_in_threadpool(typeset, item.file(name))
    if not result.unchanged:  # a bug, never the user's doing: nothing is offered
        raise RuntimeError("排版后的文字与原文不一致")
    out = Path(name).stem + "-排版.docx"
    item.file(out).write_bytes(result.data)
    parts = sum(1 for node in result.doc.walk() if node.kind == "part")
    sections = sum(1 for node in result.doc.walk() if node.kind == "section")
    item.update(status="done", output=out, parts=parts, sections=sections)
    return RedirectResponse(f"/format/{item.id}", status_code=303)


async def show_format(request: Request):
    item = request.app.state.store.get("formats", request.path_params["id"])
    return render(request, "format.html.j2", result=item.state(), error="")


async def format_download(request: Request):
    item = request.app.state.store.get("formats", request.path_params["id"])
    state = item.state()
    return Response(item.file(state["output"]).read_bytes(), media_type=DOCX,
                    headers={"content-disposition": attachment(state["output"])})


def routes() -> list[Route]:
    return [
        Route("/check", check_page),
        Route("/check", start_check, methods=["POST"]),
        Route("/check/{id}", show_check),
        Route("/check/{id}/file/{n:int}", check_file_page),
        Route("/check/{id}/download/{fmt}", check_download),
        Route("/format", format_page),
        Route("/format", start_format, methods=["POST"]),
        Route("/format/{id}", show_format),
        Route("/format/{id}/download", format_download),
    ]
