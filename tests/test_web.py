"""`duizhao web` through Starlette's TestClient: every route, the guards, and identity with the CLI."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from agent.web.app import create_app
from agent.web.demo import DEMO
from agent.web.store import WebConfig
from tests.conftest import CLEAN, ROOT


def client_for(tmp_path, **config) -> TestClient:
    app = create_app(WebConfig(data_dir=tmp_path / "web", **config))
    return TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False, follow_redirects=False)


@pytest.fixture
def demo(tmp_path):
    with client_for(tmp_path, demo=True) as client:
        yield client


class FormInputs(HTMLParser):
    """The (name, value) pairs a browser would submit from the draft form (template rows left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.items, self._in_form, self._template, self._textarea, self._select = [], False, 0, None, None
        self._option_selected, self._first_option = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("id") == "draft-form"
        if not self._in_form:
            return
        if tag == "template":
            self._template += 1
        if self._template:
            return
        if tag == "input" and a.get("type") in ("text", "number") and a.get("name"):
            self.items.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") == "radio" and "checked" in a:
            self.items.append((a["name"], a["value"]))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select, self._option_selected, self._first_option = a["name"], None, None
        elif tag == "option" and self._select:
            value = a.get("value")
            self._pending = (value, "selected" in a)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        pending = getattr(self, "_pending", None)
        if pending is not None and self._select:
            value = pending[0] if pending[0] is not None else data
            if self._first_option is None:
                self._first_option = value
            if pending[1]:
                self._option_selected = value
            self._pending = None

    def handle_endtag(self, tag):
        if tag == "template" and self._template:
            self._template -= 1
        elif tag == "textarea" and self._textarea is not None:
            self.items.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select:
            self.items.append((self._select, self._option_selected or self._first_option or ""))
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_items(html: str) -> list[tuple[str, str]]:
    parser = FormInputs()
    parser.feed(html)
    return parser.items


def as_data(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for k, v in items:
        data.setdefault(k, []).append(v)
    return data


def wait_done(client: TestClient, url: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(url).json()
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish")


def draft_from_form(client: TestClient) -> str:
    """Submit the prefilled demo form as a browser would; the draft item's id when done."""
    items = form_items(client.get("/").text)
    response = client.post("/draft", data=as_data(items))
    assert response.status_code == 303, response.text
    draft_id = response.headers["location"].rsplit("/", 1)[1]
    state = wait_done(client, f"/draft/{draft_id}/status")
    assert state["status"] == "done", state
    return draft_id


def duizhao(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


# -- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path,text", [("/", "按笔记起草"), ("/check", "检查材料"), ("/format", "GB/T 9704")])
def test_pages_render_in_chinese_with_local_assets_only(demo, path, text):
    response = demo.get(path)
    assert response.status_code == 200
    assert text in response.text and 'lang="zh-CN"' in response.text
    assert not re.search(r"(src|href)=\"(https?:)?//", response.text)  # no CDN, nothing from outside
    assert demo.get("/static/app.js").status_code == 200


def test_form_is_built_from_every_notes_field(demo):
    from agent.notes import Notes

    html = demo.get("/").text
    for name, info in Notes.model_fields.items():
        assert f'name="notes.{name}' in html or f'data-name="notes.{name}"' in html, name
        if info.description:
            assert info.description in html
    assert 'name="notes.areas.__R0__.problems.__R1__.facts"' in html  # an empty row to add, nested


def test_demo_form_round_trips_to_the_demo_notes(demo):
    from agent.notes import load_notes, parse_notes_yaml
    from agent.web.draft_routes import _spec
    from agent.web.noteform import form_to_yaml

    items = form_items(demo.get("/").text)
    assert parse_notes_yaml(form_to_yaml(items, _spec())) == load_notes(DEMO.path("notes"))


def test_rows_can_be_removed_and_added_with_gaps(demo):
    from agent.notes import parse_notes_yaml
    from agent.web.draft_routes import _spec
    from agent.web.noteform import form_to_yaml

    items = [(k, v) for k, v in form_items(demo.get("/").text) if not k.startswith("notes.areas.0.")]
    items += [("notes.areas.917.area", "新加的方面"), ("notes.areas.917.problems.3.summary", "新问题"),
              ("notes.areas.917.problems.3.facts", "一条\n\n两条")]
    notes = parse_notes_yaml(form_to_yaml(items, _spec()))
    assert notes.areas[-1].area == "新加的方面" and notes.areas[-1].problems[0].facts == ["一条", "两条"]
    assert notes.areas[0].area != "理论学习"


def test_bad_notes_are_shown_on_the_form_with_field_and_no_traceback(demo):
    items = [(k, "很多" if k == "notes.target_chars" else v) for k, v in form_items(demo.get("/").text)]
    response = demo.post("/draft", data=as_data(items))
    assert response.status_code == 400
    assert "target_chars" in response.text and "应为数字" in response.text
    assert "Traceback" not in response.text and 'value="副县长"' in response.text  # the user's input is kept


def test_pasted_yaml_with_fullwidth_colon_names_the_line(demo):
    response = demo.post("/draft", data={"mode": "yaml", "notes_text": "role： 副县长\nmeeting:\n  year: 2023\n"})
    assert response.status_code == 400
    assert "全角冒号" in response.text


# -- drafting, revising: the same bytes as the CLI -------------------------------------------------


def test_draft_and_revision_are_byte_identical_to_the_cli(demo, tmp_path):
    draft_id = draft_from_form(demo)
    page = demo.get(f"/draft/{draft_id}").text
    assert 'data-section="1.1"' in page

    cli_md, cli_report = tmp_path / "cli.md", tmp_path / "cli-report.json"
    result = duizhao("draft", DEMO.notes, "--max-rounds", str(DEMO.draft_max_rounds), "--replay", DEMO.draft_cassette,
                     "-o", str(cli_md), "--report", str(cli_report))
    assert result.returncode == 0, result.stderr
    assert demo.get(f"/draft/{draft_id}/download/md").content == cli_md.read_bytes()
    web_report = json.loads(demo.get(f"/draft/{draft_id}/download/report.json").content)
    cli = json.loads(cli_report.read_text(encoding="utf-8"))
    assert web_report["report"] == cli["report"]  # findings, scores, counts
    assert web_report["usage"]["calls"] == cli["usage"]["calls"]
    # Every finding on a stretch of text highlighted in place, none made up (a whole-text one, 篇幅, is listed only).
    assert ("<mark" in page) == any(f["end"] > f["start"] for f in cli["report"]["findings"])

    # 改写一节 on the draft the revision was recorded on, then accept: the file `revise -o` writes.
    opened = demo.post("/open", data={"demo": "1"})
    doc_id = opened.headers["location"].rsplit("/", 1)[1]
    assert "<mark" in demo.get(f"/draft/{doc_id}").text  # that draft still has 成绩 talk in 1.4.1
    response = demo.post(f"/draft/{doc_id}/revise", data={"section": DEMO.revise_section, "instruction": ""})
    assert response.status_code == 303
    revision_url = response.headers["location"]
    assert wait_done(demo, revision_url + "/status")["status"] == "done"
    proposal = demo.get(revision_url).text
    assert "得分" in proposal and 'class="add"' in proposal
    assert demo.post(revision_url + "/accept").status_code == 303
    cli_out = tmp_path / "revised.md"
    result = duizhao("revise", DEMO.revise_draft, "--section", DEMO.revise_section, "--notes", DEMO.revise_notes,
                     "--replay", DEMO.revise_cassette, "-o", str(cli_out))
    assert result.returncode == 0, result.stderr
    assert demo.get(f"/draft/{doc_id}/download/md").content == cli_out.read_bytes()
    assert demo.post(revision_url + "/accept").status_code == 409  # decided once


def test_downloads_docx_and_html_report(demo):
    import docx

    draft_id = draft_from_form(demo)
    response = demo.get(f"/draft/{draft_id}/download/docx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "对照检查材料" in text and "理论学习" in text
    html = demo.get(f"/draft/{draft_id}/download/report.html").text
    findings = json.loads(demo.get(f"/draft/{draft_id}/download/report.json").content)["report"]["findings"]
    assert "检查报告" in html and ("<mark" in html) == any(f["end"] > f["start"] for f in findings)
    opened = demo.post("/open", data={"demo": "1"}).headers["location"].rsplit("/", 1)[1]
    assert "<mark" in demo.get(f"/draft/{opened}/download/report.html").text
    assert demo.get(f"/draft/{draft_id}/download/secret.txt").status_code == 404


def test_revising_an_unknown_section_says_so(demo):
    doc_id = demo.post("/open", data={"demo": "1"}).headers["location"].rsplit("/", 1)[1]
    response = demo.post(f"/draft/{doc_id}/revise", data={"section": "9.9"})
    assert response.status_code == 400 and "9.9" in response.text


def test_a_model_failure_can_be_resumed_from_its_run_folder(demo, monkeypatch, tmp_path):
    import agent.draft
    from agent.errors import ModelError

    real = agent.draft.draft
    calls = []

    def flaky(notes_path, settings, **kw):
        calls.append(kw["resume"])
        if len(calls) == 1:
            run = tmp_path / "runs" / "r1"
            (run / "sections").mkdir(parents=True)
            (run / "sections" / "opening.json").write_text("{}", encoding="utf-8")
            kw["progress"](f"运行目录：{run}（中断后可用 --resume {run} 继续）")
            raise ModelError("模型服务失败：连接中断。可用 --resume 续跑")
        return real(notes_path, settings, **{**kw, "resume": None})

    monkeypatch.setattr(agent.draft, "draft", flaky)
    response = demo.post("/draft", data=as_data(form_items(demo.get("/").text)))
    draft_id = response.headers["location"].rsplit("/", 1)[1]
    state = wait_done(demo, f"/draft/{draft_id}/status")
    assert state["status"] == "failed" and state["resumable"] and "模型服务失败" in state["error"]
    assert "续跑" in demo.get(f"/draft/{draft_id}").text
    assert demo.post(f"/draft/{draft_id}/resume").status_code == 303
    assert wait_done(demo, f"/draft/{draft_id}/status")["status"] == "done"
    assert calls == [None, str(tmp_path / "runs" / "r1")]


# -- checking and typesetting ---------------------------------------------------------------------


def test_batch_check_table_reports_and_spreadsheets(demo):
    import openpyxl

    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in CLEAN[:2]]
    files.append(("files", ("../../逃逸.md", (ROOT / DEMO.revise_draft).read_bytes(), "text/markdown")))
    response = demo.post("/check", files=files)
    assert response.status_code == 303, response.text
    page = demo.get(response.headers["location"])
    assert "共 3 份" in page.text and page.text.count("未通过") >= 3
    assert "逃逸.md" in page.text and ".." not in re.sub(r"<[^>]+>", "", page.text).split("检查结果")[-1]
    report = demo.get(response.headers["location"] + "/file/3")
    assert "<mark" in report.text and "返回汇总" in report.text
    csv = demo.get(response.headers["location"] + "/download/csv")
    assert csv.content.startswith("\ufeff文件,姓名".encode())
    book = openpyxl.load_workbook(io.BytesIO(demo.get(response.headers["location"] + "/download/xlsx").content))
    assert book["汇总"].max_row == 4


def test_a_long_batch_lists_every_file_and_each_report_reads_only_its_own(demo):
    from agent.web.check_routes import FIRST_ROWS

    n = FIRST_ROWS + 10
    sources = (CLEAN * n)[:n]
    files = [("files", (f"{i:03d}-{p.name}", p.read_bytes(), "text/plain")) for i, p in enumerate(sources)]
    response = demo.post("/check", files=files)
    url = response.headers["location"]
    page = demo.get(url).text
    first, later = page.split('<tbody class="later" id="later-rows">')
    assert first.count("<tr class=") == FIRST_ROWS and later.count("<tr class=") == n - FIRST_ROWS
    for i in range(1, n + 1):  # every file, in order, linked to its report
        assert f'href="/check/{url.rsplit("/", 1)[1]}/file/{i}"' in page
    assert f"{n - 1:03d}-" in later and "<style>" in page and 'rel="stylesheet"' not in page
    # A file's page reads its own report, not the whole batch's (broken here on purpose).
    folder = next((demo.app.state.config.data_dir / "checks").iterdir())
    (folder / "reports.json").write_text("[]", encoding="utf-8")
    report = demo.get(url + f"/file/{n}")
    assert report.status_code == 200 and f"{n - 1:03d}-" in report.text
    assert demo.get(f"{url}/file/{n + 1}").status_code == 404 and demo.get(f"{url}/file/0").status_code == 404


def test_a_batch_checked_before_reports_were_kept_one_by_one_still_opens(demo):
    import shutil

    response = demo.post("/check", files=[("files", (p.name, p.read_bytes(), "text/plain")) for p in CLEAN])
    folder = next((demo.app.state.config.data_dir / "checks").iterdir())
    shutil.rmtree(folder / "reports")
    report = demo.get(response.headers["location"] + "/file/2")
    assert report.status_code == 200 and CLEAN[1].name in report.text
    assert demo.get(response.headers["location"] + "/file/3").status_code == 404


def test_the_draft_page_shows_the_current_file_after_it_changes(demo):
    from agent.web.jobs import refresh_view

    url = demo.post("/open", data={"demo": "1"}).headers["location"]
    assert "对照检查材料" in demo.get(url).text
    item = demo.app.state.store.get("drafts", url.rsplit("/", 1)[1])
    path = item.file(item.state()["current"])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("对照检查材料", "对照检查材料（第二稿）", 1), encoding="utf-8")
    refresh_view(item)
    assert "对照检查材料（第二稿）" in demo.get(url).text


def test_zip_keeps_folders_as_units_and_drops_traversal(demo, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("材料/第一支部/张三-对照检查材料.txt", CLEAN[0].read_text(encoding="utf-8"))
        z.writestr("../../../etc/evil.md", CLEAN[1].read_text(encoding="utf-8"))
        z.writestr("材料/readme.pdf", "not checked")
    response = demo.post("/check", files=[("files", ("材料.zip", buf.getvalue(), "application/zip"))])
    page = demo.get(response.headers["location"]).text
    assert "共 2 份" in page and "第一支部" in page and "张三" in page
    assert not (tmp_path / "etc").exists() and not (tmp_path / "web" / "etc").exists()


def test_oversized_and_unsupported_uploads_are_refused_with_a_message(tmp_path):
    with client_for(tmp_path, max_request_bytes=200_000, max_file_bytes=50_000) as client:
        big = client.post("/check", files=[("files", ("大.txt", b"x" * 300_000, "text/plain"))])
        assert big.status_code == 413 and "超过" in big.text
        one = client.post("/check", files=[("files", ("大.txt", "字".encode() * 20_000, "text/plain"))])
        assert one.status_code == 400 and "超过" in one.text and "大.txt" in one.text
        exe = client.post("/check", files=[("files", ("a.exe", b"MZ", "application/octet-stream"))])
        assert exe.status_code == 400 and "不是可检查的文件" in exe.text
        none = client.post("/check", files=[])
        assert none.status_code == 400


def test_format_gives_a_gbt_docx_with_the_same_words(demo):
    import docx

    from agent.typeset import words

    source = (ROOT / DEMO.revise_draft).read_text(encoding="utf-8")
    response = demo.post("/format", files={"file": ("旧材料.md", source.encode(), "text/markdown")})
    assert response.status_code == 303
    page = demo.get(response.headers["location"]).text
    assert "文字未改动" in page
    data = demo.get(response.headers["location"] + "/download").content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert words(text) == words(source)


# -- safety ---------------------------------------------------------------------------------------


def test_beyond_loopback_every_request_needs_the_token(tmp_path):
    with client_for(tmp_path, host="0.0.0.0", token="s3cret-token-123") as client:
        refused = client.get("/")
        assert refused.status_code == 403 and "访问令牌" in refused.text
        assert client.get("/static/style.css").status_code == 403
        assert client.post("/check").status_code == 403
        assert client.get("/", headers={"x-duizhao-token": "wrong-token"}).status_code == 403
        entered = client.get("/?token=s3cret-token-123")
        assert entered.status_code == 303 and "token" not in entered.headers["location"]
        assert client.get("/").status_code == 200  # the cookie from the link
    with client_for(tmp_path, host="0.0.0.0", token="s3cret-token-123") as client:
        assert client.get("/check", headers={"x-duizhao-token": "s3cret-token-123"}).status_code == 200


def test_loopback_refuses_foreign_host_and_cross_site_posts(demo):
    assert demo.get("/", headers={"host": "evil.example:8300"}).status_code == 403
    response = demo.post("/check", headers={"origin": "http://evil.example"})
    assert response.status_code == 403 and "其他网页" in response.text


def test_unknown_ids_and_paths_are_404_in_chinese(demo):
    for path in ("/draft/../../etc", "/draft/0123456789ab", "/check/zzz", "/format/abc/download", "/nope"):
        response = demo.get(path)
        assert response.status_code == 404 and "找不到" in response.text, path


def test_a_bug_is_a_chinese_message_never_a_traceback(demo, monkeypatch):
    import agent.web.check_routes

    def broken(*_a, **_kw):
        raise KeyError("secret detail")

    monkeypatch.setattr(agent.web.check_routes, "run_check", broken)
    response = demo.post("/check", files=[("files", ("a.txt", CLEAN[0].read_bytes(), "text/plain"))])
    assert response.status_code == 500 and "内部错误" in response.text
    assert "Traceback" not in response.text and "secret detail" not in response.text


def test_serve_requires_a_token_beyond_loopback_and_a_free_port(monkeypatch, tmp_path):
    import socket

    import uvicorn

    from agent.errors import InputError
    from agent.web.app import serve

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(kw, app=app))
    lines = []
    serve(host="0.0.0.0", port=0, data_dir=tmp_path / "d", announce=lines.append)
    token = re.search(r"token=([\w-]+)", lines[0]).group(1)
    assert len(token) >= 16 and started["app"].state.config.token == token
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(InputError, match="端口"):
            serve(port=s.getsockname()[1], data_dir=tmp_path / "d")


def test_web_command_is_in_the_cli_help():
    from typer.testing import CliRunner

    from agent.cli import app

    result = CliRunner().invoke(app, ["web", "--help"])
    assert result.exit_code == 0 and "--demo" in result.output and "--token" in result.output
