"""`duizhao web --demo` end to end in headless Chromium (the system's; no browser is downloaded).

One server for the module, on a free loopback port. Screenshots go to tmp_path, and also to
$WEB_SHOTS_DIR when set (to look at while changing the pages).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from agent.web.app import create_app
from agent.web.demo import DEMO
from agent.web.store import WebConfig
from tests.conftest import CLEAN, ROOT

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    app = create_app(WebConfig(data_dir=tmp_path_factory.mktemp("web"), port=port, demo=True))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "需要 chromium（scripts/ensure-chromium 会安装）"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def _plain(text: str) -> str:
    return re.sub(r"[\s*0-9]", "", text)


def shot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    extra = os.environ.get("WEB_SHOTS_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / f"{name}.png", Path(extra) / f"{name}.png")
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000


def test_draft_from_the_recording_then_revise_a_section_and_download(server, page, tmp_path):
    import docx

    page.goto(server + "/")
    assert page.input_value("input[name='notes.role']")  # prefilled with the demo notes
    # Rows: add a problem row and remove it again; the form must still draft the recorded notes.
    first_area = page.locator("fieldset.rows[data-name='notes.areas'] > .row-list > .row-box").first
    first_area.locator("[data-add]").click()
    assert first_area.locator(".row-box").count() == 3
    first_area.locator(".row-box").last.locator("[data-remove]").click()
    assert first_area.locator(".row-box").count() == 2
    shot(page, tmp_path, "01-form")
    page.click("#start-draft")
    page.wait_for_selector("#draft-text, #job-error:not([hidden])")
    assert page.locator("#job-error:not([hidden])").count() == 0, page.inner_text("#job-error")
    # Findings highlighted in place (the recorded demo draft may have none): each one on a stretch of text, which the
    # list quotes, has its mark; a whole-text one (篇幅) is listed only.
    listed = page.locator("#findings li").count()
    assert listed == int(page.inner_text(".findings h2").split("（")[1].rstrip("）"))
    assert (page.locator("#draft-text mark").count() > 0) == (page.locator("#findings li blockquote").count() > 0)
    shot(page, tmp_path, "02-draft")
    with page.expect_download() as dl:
        page.click("#dl-docx")
    path = tmp_path / "draft.docx"
    dl.value.save_as(path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "对照检查材料" in text and "存在的问题" in text

    # 改写一节 on the draft the revision was recorded on: pick it by clicking its paragraph.
    page.goto(server + "/")
    page.click("#open-demo-draft")
    page.wait_for_selector("#draft-text")
    assert page.locator("#draft-text mark").count() > 0  # the draft the revision was recorded on has findings
    # A click picks the section the paragraph opens (a point lives inside its area's paragraph), and a
    # point is then chosen in the list.
    para = DEMO.revise_section
    while page.locator(f"#draft-text p[data-section='{para}']").count() == 0 and "." in para:
        para = para.rsplit(".", 1)[0]
    page.click(f"#draft-text p[data-section='{para}']")
    assert page.input_value("#section-select") == para
    page.select_option("#section-select", DEMO.revise_section)
    page.click("#revise")
    page.wait_for_selector("#diff, #job-error:not([hidden])")
    assert page.locator("#job-error:not([hidden])").count() == 0, page.inner_text("#job-error")
    shot(page, tmp_path, "03-revision")
    added = page.inner_text("#diff .add").lstrip("+")
    page.click("#accept")
    page.wait_for_selector("#draft-text")
    # The revised text is on the page (finding numbers and a covered `**` aside).
    assert _plain(added) in _plain(page.inner_text("#draft-text"))
    with page.expect_download() as dl:
        page.click("#dl-md")
    dl.value.save_as(tmp_path / "revised.md")
    assert added in (tmp_path / "revised.md").read_text(encoding="utf-8")


def test_batch_check_of_three_files_shows_the_table_and_reports(server, page, tmp_path):
    page.goto(server + "/check")
    page.set_input_files("input[name=files]", [str(p) for p in CLEAN[:2]] + [str(ROOT / DEMO.revise_draft)])
    page.click("#start-check")
    page.wait_for_selector("#batch")
    shot(page, tmp_path, "04-check")
    rows = page.locator("#batch tbody tr")
    assert rows.count() == 3
    assert "共 3 份" in page.inner_text("#batch-summary")
    cells = rows.nth(2).locator("td").all_inner_texts()
    assert cells[1] == Path(DEMO.revise_draft).name and cells[4] in ("通过", "通过（有警告）", "未通过")
    assert int(cells[5]) <= 100 and int(cells[6]) >= 0
    rows.nth(2).locator("a").click()
    page.wait_for_selector("main mark")
    shot(page, tmp_path, "05-file-report")


def test_format_and_an_oversized_upload_message(server, page, tmp_path):
    page.goto(server + "/format")
    page.set_input_files("input[name=file]", str(ROOT / DEMO.revise_draft))
    page.click("#start-format")
    page.wait_for_selector("#format-result")
    assert "文字未改动" in page.inner_text("#format-result")
    page.goto(server + "/check")
    big = tmp_path / "很大.txt"
    big.write_bytes("字".encode() * 2_000_000)  # 6 MB: past the 5 MB a file may have
    page.set_input_files("input[name=files]", str(big))
    page.click("#start-check")
    page.wait_for_selector("#error-message")
    assert "超过" in page.inner_text("#error-message")
    shot(page, tmp_path, "06-too-large")


def test_a_long_batch_table_shows_every_row_with_and_without_scripts(server, browser, page, tmp_path):
    from agent.web.check_routes import FIRST_ROWS

    n = FIRST_ROWS + 5
    files = []
    for i in range(n):
        files.append(tmp_path / f"{i:03d}-{CLEAN[i % len(CLEAN)].name}")
        shutil.copy(CLEAN[i % len(CLEAN)], files[-1])
    page.goto(server + "/check")
    page.set_input_files("input[name=files]", [str(p) for p in files])
    page.click("#start-check")
    page.wait_for_selector("#batch")
    # The rows past the first ones are laid out after the first paint, then all show.
    page.wait_for_function("() => performance.getEntriesByName('duizhao:all-rows').length > 0")
    assert page.locator("#batch tbody tr:visible").count() == n
    assert page.locator("#batch tbody tr").last.inner_text().startswith(str(n))
    shot(page, tmp_path, "07-long-batch")
    # Without scripts every row shows at once, and the notes form shows only the chosen source's panel.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(page.url)
        assert plain.locator("#batch tbody tr:visible").count() == n
        plain.goto(server + "/")
        assert plain.locator(".panel[data-mode='form']").is_visible()
        assert plain.locator(".panel[data-mode='yaml text']").is_hidden()
        plain.check("input[name=mode][value=yaml]")
        assert plain.locator(".panel[data-mode='yaml text']").is_visible()
        assert plain.locator(".panel[data-mode='form']").is_hidden()
    finally:
        context.close()
