"""`duizhao web`: the whole workflow in a browser page on the user's own machine.

起草 (notes form, pasted or uploaded notes → live progress → the draft with findings marked),
改写一节 (a diff to accept or discard), 检查 (a batch of files or a zip → table, reports, CSV/XLSX)
and 排版 (GB/T 9704 .docx), each calling the library function its CLI command calls.
Starlette and uvicorn are imported only by this command.
"""

from __future__ import annotations

__all__ = ["serve", "create_app", "WebConfig"]


def __getattr__(name: str):
    if name in ("serve", "create_app"):
        from agent.web import app

        return getattr(app, name)
    if name == "WebConfig":
        from agent.web.store import WebConfig

        return WebConfig
    raise AttributeError(name)
