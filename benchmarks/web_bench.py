"""Figures for `duizhao web` (not a test): first paint of each page, and a 200-file batch check vs the CLI.

    .venv/bin/python benchmarks/web_bench.py [--files 200] [--repeat 5]

Goals (issue #15): first contentful paint of every page under 300 ms in headless Chromium; the batch
check of 200 uploaded files (upload, check, table) within 2x `duizhao check` on the same files.
First paint is Chromium's own paint timing (`first-contentful-paint`, from the start of navigation,
each load in a fresh context: nothing cached). The batch table paints its first rows and lays out the
rest just after (static/app.js); the time all its rows were painted is shown too. The figures
depend on the machine's load, printed with them.
Identity of the page's draft, findings and revision with the CLI's is a test
(tests/test_web.py::test_draft_and_revision_are_byte_identical_to_the_cli).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_files(folder: Path, n: int) -> list[Path]:
    """n statements copied from fewshot/clean and the test fixtures, under two unit folders."""
    sources = sorted((ROOT / "fewshot" / "clean").glob("*.txt")) + sorted((ROOT / "tests" / "data").rglob("*.md")) \
        + sorted((ROOT / "tests" / "data").rglob("*.txt")) + [ROOT / "examples" / "draft-2023-zhuti.md"]
    sources = [s for s in sources if s.stat().st_size > 500]
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        target = folder / ("第一支部" if i % 2 else "第二支部") / f"{i:03d}-{src.stem[:20]}{src.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, target)
        out.append(target)
    return out


def start_server(data_dir: Path):
    import uvicorn

    from agent.web.app import create_app
    from agent.web.store import WebConfig

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(WebConfig(data_dir=data_dir, port=port, demo=True))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def batch(base: str, files: list[Path], folder: Path) -> tuple[float, float, str]:
    """(CLI seconds, web seconds, check result URL) for the same files."""
    import httpx

    t = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "agent", "check", str(folder), "--format", "json"],
                            capture_output=True, cwd=ROOT)
    cli = time.perf_counter() - t
    assert result.returncode in (0, 1), result.stderr.decode()
    payload = [("files", (f.name, f.read_bytes(), "text/plain")) for f in files]
    t = time.perf_counter()
    with httpx.Client(base_url=base, timeout=120) as client:
        response = client.post("/check", files=payload)
        assert response.status_code == 303, response.text[:500]
        page = client.get(response.headers["location"])
        assert f"共 {len(files)} 份" in page.text
    web = time.perf_counter() - t
    return cli, web, response.headers["location"]


ALL_ROWS = "performance.getEntriesByName('duizhao:all-rows')"


def first_paint(base: str, paths: list[str], repeat: int) -> dict[str, tuple[float, float, float | None]]:
    """Per page in headless Chromium, medians (ms): first contentful paint, first byte, all rows painted."""
    from playwright.sync_api import sync_playwright

    chromium = next(p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p)
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for path in paths:
            samples = []
            for _ in range(repeat):
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + path, wait_until="load")
                fcp = page.evaluate("() => new Promise(r => { const e = performance.getEntriesByName"
                                    "('first-contentful-paint'); if (e.length) r(e[0].startTime); else "
                                    "new PerformanceObserver(l => r(l.getEntries()[0].startTime))"
                                    ".observe({type: 'paint', buffered: true}); })")
                ttfb = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStart")
                rows = None
                if page.locator("#later-rows").count():  # the rows app.js shows after the first paint
                    page.wait_for_function(f"() => {ALL_ROWS}.length")
                    rows = page.evaluate(f"() => {ALL_ROWS}[0].startTime")
                samples.append((fcp, ttfb, rows))
                context.close()
            paints, firsts, all_rows = zip(*samples, strict=True)
            shown = None if None in all_rows else statistics.median(all_rows)
            out[path] = (statistics.median(paints), statistics.median(firsts), shown)
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["DUIZHAO_RUNS_DIR"] = str(tmp / "runs")
        files = make_files(tmp / "材料", args.files)
        server, base = start_server(tmp / "web")
        # One drafted and one opened document, so their pages can be timed too.
        import httpx

        with httpx.Client(base_url=base) as client:
            opened = client.post("/open", data={"demo": "1"}).headers["location"]
        cli, web, check_url = batch(base, files, tmp / "材料")
        pages = ["/", "/check", "/format", opened, check_url, check_url + "/file/1"]
        paints = first_paint(base, pages, args.repeat)
        server.should_exit = True
    print(f"批量检查 {args.files} 份：命令行 {cli:.2f} 秒，网页（上传+检查+表格）{web:.2f} 秒，"
          f"比值 {web / cli:.2f}（目标 ≤ 2）")
    for path, (ms, ttfb, rows) in paints.items():
        tail = f"；全部行画出 {rows:.0f} ms" if rows is not None else ""
        print(f"首次绘制 {path:<36} {ms:6.0f} ms（目标 < 300；其中服务器首字节 {ttfb:.0f} ms{tail}）")
    load = " ".join(f"{x:.2f}" for x in load_before), " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"负载（1/5/15 分钟）：开始 {load[0]}，结束 {load[1]}")


if __name__ == "__main__":
    main()
