"""The ASGI app: routes of the four pages, the access guard, Chinese error pages, and `serve`.

Bound to 127.0.0.1 by default. Bound elsewhere, every request must carry the access token (in the
link printed at start, then a cookie); without it the answer is 403 in Chinese. On loopback the
Host header must name this machine (no DNS rebinding), and a form posted from another site's page
is refused (its Origin differs).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import socket
from collections.abc import Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agent.errors import DuizhaoError, InputError
from agent.web.jobs import Worker
from agent.web.store import LOOPBACK, NotFound, Store, WebConfig, is_loopback
from agent.web.uploads import BodyLimit

__all__ = ["create_app", "serve", "render", "error_page", "attachment"]

log = logging.getLogger("duizhao.web")
COOKIE = "duizhao_token"
STATIC = Path(__file__).resolve().parent / "static"


@cache
def _env() -> Environment:
    """The templates' environment; the stylesheet goes inline (see base.html.j2), read once."""
    env = Environment(
        loader=PackageLoader("agent.web", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.globals["stylesheet"] = (STATIC / "style.css").read_text(encoding="utf-8")
    return env


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """A page from templates/, with the app's config (demo banner, nav) available to it."""
    html = _env().get_template(template).render(demo=request.app.state.config.demo, path=request.url.path,
                                                **context)
    return HTMLResponse(html, status_code=status)


def attachment(filename: str) -> str:
    """A Content-Disposition for a download with a Chinese file name (RFC 6266, ASCII fallback)."""
    from urllib.parse import quote

    return f"attachment; filename=\"download{Path(filename).suffix}\"; filename*=UTF-8''{quote(filename)}"


def error_page(request: Request, message: str, status: int = 400) -> HTMLResponse:
    return render(request, "error.html.j2", status=status, message=message)


async def _on_input_error(request: Request, exc: Exception) -> HTMLResponse:
    return error_page(request, str(exc), 400)


async def _on_missing(request: Request, exc: Exception) -> HTMLResponse:
    return error_page(request, "找不到这个页面或记录（可能已被删除，或链接有误）。", 404)


async def _on_bug(request: Request, exc: Exception) -> HTMLResponse:
    log.exception("request %s failed", request.url.path, exc_info=exc)
    return error_page(request, f"内部错误：{type(exc).__name__}。这是程序的缺陷，请把终端里的日志发给维护者。", 500)


class Guard:
    """ASGI middleware: the access token, the Host check on loopback, and same-origin posts."""

    def __init__(self, app, config: WebConfig) -> None:
        self.app, self.config = app, config

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        host = request.headers.get("host", "")
        if self.config.token is None and urlsplit(f"//{host}").hostname not in LOOPBACK:
            return await _refuse(scope, receive, send, "请用 http://127.0.0.1 打开本页（地址与本机服务不符，已拒绝）。")
        origin = request.headers.get("origin")
        if request.method == "POST" and origin and origin != "null" and urlsplit(origin).netloc != host:
            return await _refuse(scope, receive, send, "拒绝来自其他网页的提交。")
        token = self.config.token
        if token is not None:
            given = request.query_params.get("token") or request.headers.get("x-duizhao-token") \
                or request.cookies.get(COOKIE) or ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                return await _refuse(scope, receive, send, "需要访问令牌：请使用启动时打印的完整链接（含 ?token=…）打开。")
            if request.query_params.get("token"):  # from the printed link: keep it in a cookie, drop it from the URL
                response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
                response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


async def _refuse(scope, receive, send, message: str) -> None:
    body = (f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>拒绝访问</title>"
            f"<h1>拒绝访问（403）</h1><p>{message}</p></html>")
    await HTMLResponse(body, status_code=403)(scope, receive, send)


def create_app(config: WebConfig) -> Starlette:
    """The app for one data folder; the worker thread starts and stops with it."""
    from agent.web import check_routes, draft_routes

    store = Store(config.data_dir)
    worker = Worker(config, store)
    # Uploaded files stay in memory up to the per-file bound, so none is spooled to the system's
    # temporary folder: nothing is written outside the data folder (the request bound caps memory).
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, config.max_file_bytes + 1)

    @asynccontextmanager
    async def lifespan(app):
        worker.start()
        yield
        worker.stop()

    routes = [*draft_routes.routes(), *check_routes.routes(), Mount("/static", StaticFiles(directory=STATIC), name="static")]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={DuizhaoError: _on_input_error, NotFound: _on_missing,
                                        404: _on_missing, Exception: _on_bug})
    app.state.config, app.state.store, app.state.worker = config, store, worker
    app.add_middleware(BodyLimit, limit=config.max_request_bytes)
    app.add_middleware(Guard, config=config)
    return app


def serve(*, host: str = "127.0.0.1", port: int = 8300, demo: bool = False, token: str | None = None,
          open_browser: bool = False, data_dir: Path | None = None,
          announce: Callable[[str], None] = lambda _m: None) -> None:
    """Run the web app until interrupted.

    Args:
        host: the address to bind; anything but loopback requires a token (made here when not given).
        port: the port; taken already is an InputError naming another.
        demo: replay the recorded example sessions instead of calling a model (see agent/web/demo.py).
        token: the access token; required of every request when given.
        open_browser: open the page in the default browser once listening.
        data_dir: the app's data folder (default: `web/` beside the user config file).
        announce: receives the lines to show the user (address with token, data folder).
    Raises:
        InputError: the port is taken or the address cannot be bound.
    """
    import os
    import threading
    import webbrowser

    import uvicorn

    from agent.settings import config_path

    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(18)
    if token is not None and len(token) < 8:
        raise InputError("--token 至少 8 个字符")
    data_dir = data_dir or config_path().parent / "web"
    # Draft run folders go inside the data folder too: the app writes nowhere else.
    os.environ["DUIZHAO_RUNS_DIR"] = str(data_dir / "runs")
    _check_port(host, port)
    config = WebConfig(data_dir=data_dir, host=host, port=port, demo=demo, token=token)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/" + (f"?token={token}" if token else "")
    announce(f"duizhao 网页已启动：{url}（Ctrl-C 停止）")
    announce(f"数据目录：{data_dir}" + ("；演示模式：回放录制的会话，不调用模型" if demo else ""))
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise InputError(f"无法在 {host}:{port} 上启动（{exc.strerror or exc}）：端口可能已被占用，换一个，如 --port {port + 1}") from exc
