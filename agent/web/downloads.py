"""The files a draft page offers, made by the CLI's own writers.

.md and .docx are what `duizhao draft -o 草稿.md|.docx` writes (`agent.render.write_document` on
the chain's text; after an accepted revision, on the revised file). The report is `--report`'s
JSON for a fresh draft, else the check report's JSON; .html is `duizhao check --html`'s page.
"""

from __future__ import annotations

import json

from agent.check import FileReport
from agent.web.store import Item, NotFound

__all__ = ["draft_download"]

MEDIA = {"md": "text/markdown; charset=utf-8", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "json": "application/json", "html": "text/html; charset=utf-8"}


def draft_download(item: Item, what: str) -> tuple[bytes, str, str]:
    """(bytes, file name, media type) of one download: `md`, `docx`, `report.json` or `report.html`.

    Raises:
        NotFound: not one of those.
    """
    from agent.parser import parse_file, parse_text
    from agent.render import write_document

    state = item.state()
    current = item.file(state["current"])
    view = json.loads(item.file("view.json").read_text(encoding="utf-8"))
    stem = "草稿" if state.get("kind") == "draft" else current.stem
    fresh = view["origin"] == "chain"
    if what in ("md", "docx"):
        if current.suffix.lower() == f".{what}":
            return current.read_bytes(), f"{stem}.{what}", MEDIA[what]
        out = item.file(f"download.{what}")
        # Fresh: exactly `draft -o`, from the chain's text; revised or opened: the current file.
        doc = (parse_text(item.file("chain.txt").read_text(encoding="utf-8"), source=str(out)) if fresh
               else parse_file(current))
        write_document(doc, out)
        return out.read_bytes(), f"{stem}.{what}", MEDIA[what]
    if what == "report.json":
        data = item.file("report.json").read_bytes() if fresh else json.dumps(view["report"], ensure_ascii=False,
                                                                             indent=1).encode()
        return data, f"{stem}-检查报告.json", MEDIA["json"]
    if what == "report.html":
        from agent.render.html import render_html
        from agent.web.views import draft_document

        report = FileReport.model_validate(view["report"])
        report = report.model_copy(update={"file": f"{stem}{current.suffix}"})
        return render_html(draft_document(item, view), report).encode(), f"{stem}-检查报告.html", MEDIA["html"]
    raise NotFound(what)
