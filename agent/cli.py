"""The `duizhao` command line: each command parses arguments, calls one library function, prints.

Library modules are imported inside the commands so `duizhao --help` and `duizhao check` start
fast and never import openai.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.cli_chrome import install as _chinese_chrome
from agent.errors import INTERNAL_EXIT, DuizhaoError, InputError, UsageError

_chinese_chrome()  # 用法/选项/[必填] and click's usage errors in Chinese; option names stay English
CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    help="duizhao：起草与检查个人对照检查材料（民主生活会、组织生活会）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT,
)
fewshot_app = typer.Typer(help="管理少样本语料（fewshot/raw → fewshot/clean）。", no_args_is_help=True,
                          context_settings=CONTEXT)
app.add_typer(fewshot_app, name="fewshot")

# Help panels: what users look for first, apart from the model and recording plumbing.
PANEL_OUT, PANEL_MODEL, PANEL_REC = "输出", "模型", "录制与回放"


def _version(value: bool) -> None:
    if value:
        from agent import __version__

        typer.echo(f"duizhao {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", "-V", help="显示版本并退出", callback=_version,
                                          is_eager=True)] = False,
) -> None:
    """duizhao：起草与检查个人对照检查材料（民主生活会、组织生活会）。"""


# Options shared by every command that calls a model.
ProviderOpt = Annotated[str | None, typer.Option(help="模型提供方预设（见 agent/data/providers.yaml）",
                                                 rich_help_panel=PANEL_MODEL)]
BaseUrlOpt = Annotated[str | None, typer.Option(help="OpenAI 兼容接口地址", rich_help_panel=PANEL_MODEL)]
ModelOpt = Annotated[str | None, typer.Option(help="模型名", rich_help_panel=PANEL_MODEL)]
RecordOpt = Annotated[Path | None, typer.Option(help="把本次 HTTP 会话录制到此文件（vcrpy YAML）",
                                                rich_help_panel=PANEL_REC)]
ReplayOpt = Annotated[Path | None, typer.Option(help="从录制文件离线回放，不访问网络", rich_help_panel=PANEL_REC)]
ConcurrencyOpt = Annotated[int | None, typer.Option(help="同时起草的独立章节数（1–16；预设：本地服务 1，远程服务 4）",
                                                    rich_help_panel=PANEL_MODEL)]


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def _stderr_is_terminal() -> bool:
    """Whether rich would treat stderr as a terminal (TTY_COMPATIBLE, FORCE_COLOR, else isatty),
    decided without importing rich."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


@app.command()
def themes() -> None:
    """列出主题预设及其必须覆盖的方面。"""
    from agent.themes import load_themes

    for theme in load_themes().values():
        typer.echo(f"{theme.key}\t{theme.name}")
        for area in theme.areas:
            flag = "" if area.required else "（可选）"
            typer.echo(f"    - {area.title}{flag}")
        typer.echo(f"    部分：{'、'.join(theme.parts)}")


@fewshot_app.command("build")
def fewshot_build(
    raw: Annotated[Path | None, typer.Option(help="原始样例目录（默认 fewshot/raw）")] = None,
    out: Annotated[Path | None, typer.Option(help="输出目录（默认 fewshot/clean）")] = None,
) -> None:
    """清洗 fewshot/raw/ 中的样例，写入 fewshot/clean/ 和 manifest.json。"""
    from agent.cleaner import build_corpus

    if raw is not None and not raw.is_dir():
        raise InputError("目录不存在", path=str(raw))
    entries = build_corpus(raw, out)
    for entry in entries:
        typer.echo(f"{entry.clean}\t改动 {len(entry.changes)} 处\t{entry.clean_sha256[:12]}")


@app.command()
def outline(file: Annotated[Path, typer.Argument(help="草稿文件（.txt/.md/.docx）")]) -> None:
    """显示草稿的结构：章节编号、标题和字数（revise --section 用这些编号）。"""
    from agent.parser import parse_file

    doc = parse_file(file)
    for node in doc.walk():
        indent = "  " * node.id.count(".")
        typer.echo(f"{indent}{node.id}\t{node.prefix}{node.title}\t{node.end - node.start}字")
    for warning in doc.warnings:
        _stderr().print(f"[yellow]提示：{warning}[/]")


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="草稿文件或文件夹（.txt/.md/.docx，文件夹递归）")],
    theme: Annotated[str | None, typer.Option(help="主题预设键（默认从标题和年度推断）")] = None,
    notes: Annotated[Path | None, typer.Option(help="笔记 YAML：启用“数字须有出处”等核对")] = None,
    target: Annotated[int | None, typer.Option(help="目标字数")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（DESIGN 约定的格式），同 --format json",
                                           rich_help_panel=PANEL_OUT)] = False,
    fmt: Annotated[str, typer.Option("--format", help="text、json、csv（中文表头，Excel 可直接打开）、xlsx 或 html；"
                                     "xlsx 和 html 需用 -o 指定文件", rich_help_panel=PANEL_OUT)] = "text",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="把 --format 的报告写到此文件（默认打印）",
                                                rich_help_panel=PANEL_OUT)] = None,
    html: Annotated[Path | None, typer.Option(help="另写 HTML 报告：一份文件写一页；多份写汇总页（.html）和每份一页"
                                              "（在 名称_files/ 中），或写进一个文件夹", rich_help_panel=PANEL_OUT)] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="另写 CSV（每条问题一行）", rich_help_panel=PANEL_OUT)] = None,
    xlsx: Annotated[Path | None, typer.Option(help="另写 Excel 表（汇总表 + 问题表，按严重程度着色）",
                                              rich_help_panel=PANEL_OUT)] = None,
    kind: Annotated[str | None, typer.Option(help="材料类别：个人 或 班子，可加会议，如 班子,民主生活会（默认从标题和开头推断）")] = None,
) -> None:
    """检查草稿（不调用模型）。退出码：0 无错误，1 有错误，2 输入有误。

    \b
    一次写出全部报告：duizhao check 材料/ --html 报告/ --csv 报告.csv --xlsx 报告.xlsx
    """
    from agent.check import check_paths
    from agent.kinds import parse_kind
    from agent.report import print_human, to_csv, to_json

    fmt = "json" if json_out else fmt
    if fmt not in ("text", "json", "csv", "xlsx", "html"):
        raise InputError(f"--format 只能是 text、json、csv、xlsx 或 html，而不是 {fmt}")
    if fmt in ("xlsx", "html") and output is None:
        raise InputError(f"--format {fmt} 需要用 -o 指定输出文件")
    doc_kind = parse_kind(kind) if kind else None
    from agent.check import expand_paths

    if target is not None and not 300 <= target <= 20000:
        raise UsageError(f"--target 应在 300 到 20000 字之间，而不是 {target}")
    _check_outputs((html, "HTML 报告文件", (".html", ".htm")))
    loaded = _load_notes(notes, theme)
    paths = expand_paths(files)
    if len(paths) < 2 or not _stderr_is_terminal():
        # One file is checked in a blink, and a bar nobody sees (stderr piped) would draw nothing:
        # no progress bar then, and rich's progress module is not imported.
        reports = check_paths(paths, theme=theme, notes=loaded, target_chars=target, kind=doc_kind, jobs=None)
    else:
        import time

        from rich.progress import Progress

        # Drawn from this thread only (no auto-refresh thread), so forking the batch's workers is safe.
        with Progress(console=_stderr(), transient=True, auto_refresh=False) as bar:
            task = bar.add_task("检查中", total=len(paths))
            drawn = [0.0]

            def advance(_: Path) -> None:
                bar.advance(task)
                if time.monotonic() - drawn[0] >= 0.1:
                    drawn[0] = time.monotonic()
                    bar.refresh()

            reports = check_paths(paths, theme=theme, notes=loaded, target_chars=target, kind=doc_kind,
                                  progress=advance, jobs=None)
    if not reports:
        raise InputError("没有找到可检查的文件（.txt/.md/.docx）")
    # 单位 can be read from the folder under a single checked folder (材料/第一支部/张三.docx).
    root = files[0] if len(files) == 1 and files[0].is_dir() else None
    if fmt == "html":
        html = html or output
    elif output is not None:
        _write_report(fmt, reports, output, loaded, root)
    elif fmt == "json":
        typer.echo(to_json(reports))
    elif fmt == "csv":
        typer.echo(to_csv(reports, loaded, root), nl=False)
    else:
        from rich.console import Console

        print_human(reports, Console())
    for kind_, path in (("csv", csv_out), ("xlsx", xlsx)):
        if path is not None:
            _write_report(kind_, reports, path, loaded, root)
    if html:
        written = _write_html(reports, html, loaded, root)
        _stderr().print(f"HTML 报告已写入 {written[0]}" + (f"（另有 {len(written) - 1} 页）" if len(written) > 1 else ""))
    if any(r.error for r in reports):
        raise typer.Exit(2)
    raise typer.Exit(0 if all(r.passed for r in reports) else 1)


@app.command("format")
def format_cmd(
    file: Annotated[Path, typer.Argument(help="已有的材料（.txt/.md/.docx，手打编号或 Word 自动编号均可）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 .docx 文件")],
    author: Annotated[str, typer.Option(help="写入文档属性的作者（默认留空）")] = "",
) -> None:
    """按党政机关公文格式（GB/T 9704）重新排版一份材料，一个字都不改，输出 .docx。

    \b
    例：duizhao format 旧材料.docx -o 排版后.docx
    """
    from agent.typeset import typeset
    from agent.writer import write_atomic

    if output.suffix.lower() != ".docx":
        raise InputError("format 只输出 .docx：请用 -o 文件名.docx", path=str(output))
    result = typeset(file, author=author)
    if not result.unchanged:  # a bug, never the user's doing: keep their file, write nothing
        raise RuntimeError("排版后的文字与原文不一致，未写出文件")
    write_atomic(output, result.data)
    parts = sum(1 for n in result.doc.walk() if n.kind == "part")
    sections = sum(1 for n in result.doc.walk() if n.kind == "section")
    _stderr().print(f"已按 GB/T 9704 排版写入 {output}（{parts} 个部分、{sections} 个方面，文字未改动）", highlight=False)


@app.command()
def draft(
    notes: Annotated[Path, typer.Argument(help="笔记：YAML（推荐）或自由文本 .md/.txt/.docx")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="草稿输出文件（.md/.txt/.docx）；缺省打印到标准输出")] = None,
    theme: Annotated[str | None, typer.Option(help="主题预设键（缺省取笔记中的 meeting.theme）")] = None,
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    model: ModelOpt = None,
    max_rounds: Annotated[int, typer.Option(help="每节最多修改轮数")] = 2,
    record: RecordOpt = None,
    replay: ReplayOpt = None,
    resume: Annotated[str | None, typer.Option(help="续跑中断的运行目录，已完成的节不再请求")] = None,
    report: Annotated[Path | None, typer.Option(help="把检查报告和用量写成 JSON 文件")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="把报告和用量以 JSON 打印到标准输出（草稿需用 -o）")] = False,
    show_notes: Annotated[bool, typer.Option("--show-notes", help="只打印理解到的笔记（中文标签，并列出原文中找不到的内容），不起草")] = False,
    concurrency: ConcurrencyOpt = None,
) -> None:
    """根据笔记起草对照检查材料：逐节起草、检查、修改，最后汇总。退出码 3 表示模型服务失败，可 --resume。"""
    import json

    from agent.draft import draft as run_draft
    from agent.draft import understand_notes
    from agent.recording import session
    from agent.settings import resolve_settings

    _check_recording(record, replay)
    if json_out and output is None:
        raise UsageError("使用 --json 时请用 -o 指定草稿文件")
    _check_rounds(max_rounds)
    _check_outputs((output, "草稿输出文件", DRAFT_SUFFIXES), (report, "报告文件", (".json",)))
    settings = resolve_settings(provider=provider, base_url=base_url, model=model, concurrency=concurrency)
    console = _stderr()
    with session(record=record, replay=replay):
        if show_notes:
            from agent.extraction import show
            from agent.llm import LLM

            typer.echo(show(understand_notes(notes, lambda: LLM(settings))))
            return
        from agent.progress import DraftProgress

        with DraftProgress(console) as progress:
            try:
                result = run_draft(notes, settings, theme=theme, max_rounds=max_rounds, resume=resume,
                                   progress=progress, check_connection=replay is None)
            except KeyboardInterrupt:
                # Finished sections are checkpointed: say how to go on from here.
                if progress.run_dir:
                    console.print(f"已中断。已完成的节保存在 {progress.run_dir}，续跑：\n"
                                  f"  duizhao draft {notes} --resume {progress.run_dir}", highlight=False)
                raise typer.Exit(130) from None
    summary = {"report": result.report, "usage": result.usage, "slots": result.slots, "run_dir": result.run_dir,
               "token_note": "用量是服务端报告的 token 数；少样本预算按 cl100k_base 计数，对非 OpenAI 模型只是估计"}
    if output:
        from agent.parser import parse_text
        from agent.render import write_document

        # The draft as the chain assembled and checked it, parsed once; only its source label is the file's.
        doc = result.document.model_copy(update={"source": str(output)}) if result.document else \
            parse_text(result.text, source=str(output))
        meta = None
        if output.suffix.lower() == ".docx" and result.notes:
            from agent.render.docx import DocMeta

            n = result.notes
            meta = DocMeta(title=doc.title, author=n.name or n.role, subject=f"{n.meeting.year}年度{n.meeting.kind}",
                           comments="duizhao 按笔记起草的初稿，按 GB/T 9704 排版")
        write_document(doc, output, meta)
        console.print(f"草稿已写入 {output}")
    else:
        typer.echo(result.text, nl=False)
    if report:
        from agent.writer import write_atomic

        write_atomic(report, json.dumps(summary, ensure_ascii=False, indent=1))
    if json_out:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=1))
    usage = result.usage
    console.print(f"检查：{'通过' if result.report['passed'] else '未通过'}，得分 {result.report['score']}，"
                  f"错误 {result.report['counts']['error']}，警告 {result.report['counts']['warning']}；"
                  f"调用 {usage['calls']} 次，输入 {usage['prompt_tokens']}（缓存命中 {usage['cached_tokens']}）"
                  f" / 输出 {usage['completion_tokens']} token，"
                  f"{usage['seconds']} 秒，重试 {usage['retries']} 次", highlight=False)
    repairs, fallbacks = result.report.get("repairs", []), result.report.get("fallbacks", [])
    if repairs or fallbacks:
        console.print(f"自动修复：删去模型写的 {len(repairs)} 处（回声、套话、重复、样例原句、笔记外数字等）"
                      + (f"；{len(fallbacks)} 节改用稳妥版本（" + "、".join(f["section"] for f in fallbacks) + "）"
                         if fallbacks else "") + "，详见 --report", highlight=False)
    for flag in result.report.get("notes_flags", []):
        console.print(f"  笔记核对：{flag['field']} {flag['value']}（{flag['why']}）", highlight=False)
    # Each slot with its section id (as `revise --section` takes it).
    slots = [f for f in result.report["findings"] if f["rule"] == "placeholder.slots"]
    for f in slots or [{"section": "", "excerpt": slot} for slot in result.slots]:
        where = f"［{f['section']}］" if f["section"] else ""
        console.print(f"  待补充{where}：{f['excerpt']}", highlight=False)


@app.command()
def revise(
    file: Annotated[Path, typer.Argument(help="要修改的草稿（.txt/.md/.docx）")],
    section: Annotated[str, typer.Option(help="章节编号（如 1.3、1.3.2、2）或唯一的标题片段；用 duizhao outline 查看")],
    notes: Annotated[Path | None, typer.Option(help="笔记 YAML：改写只用其中的事实")] = None,
    instruction: Annotated[str | None, typer.Option(help="补充的修改要求")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="把结果写到新文件")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接改原文件（先备份为 .bak）")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示该节的检查意见和预计 token 数，不调用模型")] = False,
    theme: Annotated[str | None, typer.Option(help="主题预设键")] = None,
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    model: ModelOpt = None,
    max_rounds: Annotated[int, typer.Option(help="最多改写轮数")] = 2,
    record: RecordOpt = None,
    replay: ReplayOpt = None,
) -> None:
    """改写草稿中的一节，其余内容一个字节都不动。默认只打印差异（diff），不写文件。"""
    from agent.llm import LLM
    from agent.reader import read_source
    from agent.recording import session
    from agent.revise import revise_source, write_revision
    from agent.settings import resolve_settings

    if output and in_place:
        raise UsageError("-o 和 --in-place 只能二选一")
    _check_recording(record, replay)
    _check_rounds(max_rounds)
    docx_out = file.suffix.lower() in (".docx", ".doc")
    _check_outputs((output, "输出文件", (".docx",) if docx_out else (".txt", ".md", ".markdown", "")))
    if in_place and not dry_run:
        _check_in_place(file)
    source = read_source(file)
    loaded = _load_notes(notes, theme)
    console = _stderr()
    settings = None if dry_run else resolve_settings(provider=provider, base_url=base_url, model=model)
    if settings is not None:
        settings.api_key()  # a missing key is reported before the section is even looked up
        if replay is None:
            from agent.reach import ensure_reachable

            ensure_reachable(settings)  # nothing listening: say so at once, with the ways on
    with session(record=record, replay=replay):
        result = revise_source(source, section, llm_factory=lambda: LLM(settings), notes=loaded, theme=theme,
                               instruction=instruction, max_rounds=max_rounds, dry_run=dry_run,
                               progress=lambda m: console.print(m, highlight=False))
    if dry_run:
        typer.echo(f"章节 {result.section}：得分 {result.score_before}，预计输入约 {result.estimated_prompt_tokens} token"
                   "（按 cl100k_base 估算，非 OpenAI 模型仅供参考）")
        for f in result.before:
            typer.echo(f"  {f.severity}\t{f.message}")
        return
    console.print(f"章节 {result.section}：得分 {result.score_before} → {result.score_after}（{result.rounds} 轮）",
                  highlight=False)
    if not result.changed:
        console.print("没有比原文更好的改写，原文保持不变。")
        if output:
            write_revision(source, result, output)
            console.print(f"已把原文原样写入 {output}")
        return
    if output:
        write_revision(source, result, output)
        console.print(f"已写入 {output}")
    elif in_place:
        from agent.writer import backup

        saved = backup(file)
        write_revision(source, result, file)
        console.print(f"已修改 {file}（原文备份在 {saved}）")
    else:
        typer.echo(result.diff, nl=False)


@app.command("eval")
def eval_cmd(
    cases: Annotated[Path, typer.Option(help="评测用例目录")] = Path("evals/cases"),
    sessions: Annotated[Path, typer.Option(help="录制会话目录")] = Path("evals/sessions"),
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
    compare: Annotated[Path | None, typer.Option(help="与保存的结果（--json 的输出）比较，给出差值")] = None,
    record: Annotated[bool, typer.Option("--record", help="对真实模型服务重新录制（需要服务在运行）")] = False,
    record_mode: Annotated[str, typer.Option(help="--record 时只重录哪种：chain（链式）、single（单提示）或 both")] = "both",
    only: Annotated[str | None, typer.Option(help="只跑名字含此片段的用例")] = None,
    max_rounds: Annotated[int, typer.Option(help="链式起草每节最多修改轮数（须与录制时一致）")] = 1,
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    model: ModelOpt = None,
) -> None:
    """离线回放录制的会话，给出每个用例和平均的质量指标：链式起草与单提示基线并列。"""
    import json

    from agent.evals import MODES, load_cases, run_suite, table_rows
    from agent.evals import compare as compare_results
    from agent.settings import resolve_settings

    if record_mode not in (*MODES, "both"):
        raise InputError("--record-mode 只能是 chain、single 或 both", field="record_mode")
    loaded = [c for c in load_cases(cases) if not only or only in c.name]
    settings = resolve_settings(provider=provider, base_url=base_url, model=model)
    console = _stderr()
    recorded = MODES if record_mode == "both" else (record_mode,)
    result = run_suite(loaded, sessions, settings, record=record, max_rounds=max_rounds, record_modes=recorded,
                       progress=lambda m: console.print(m, highlight=False))
    deltas = None
    if compare:
        if not compare.is_file():
            raise InputError("比较基准文件不存在", path=str(compare))
        deltas = compare_results(result, json.loads(compare.read_text(encoding="utf-8")))
    if json_out:
        data = result.model_dump()
        if deltas is not None:
            data["deltas"] = deltas
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"评测（回放 {result.replay_seconds} 秒）")
    for col in ("用例", "指标", "链式", "单提示"):
        table.add_column(col)
    for row in table_rows(result):
        table.add_row(*row)
    Console().print(table)
    if deltas is not None:
        for mode, values in deltas.items():
            typer.echo(f"{mode} 与基准相比：" + "，".join(f"{k} {v:+}" for k, v in values.items()))


@app.command()
def doctor(
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    model: ModelOpt = None,
) -> None:
    """诊断模型设置：每项设置及其来源、密钥（不显示）、连接、/models 中的模型、一次极小的 JSON 调用。

    \b
    每一项失败都给出原因和修正办法。退出码：0 全部通过，3 有失败项。
    例：duizhao doctor --provider deepseek
    """
    from agent.doctor import diagnose, settings_lines
    from agent.settings import resolve_with_origins

    settings, origins = resolve_with_origins(provider=provider, base_url=base_url, model=model)
    typer.echo("设置：")
    for line in settings_lines(settings, origins):
        typer.echo(f"  {line}")
    checks = diagnose(settings)
    for check in checks:
        mark = {True: "通过", False: "失败", None: "跳过"}[check.ok]
        typer.echo(f"[{mark}] {check.name}：{check.detail}")
        if check.fix:
            typer.echo(f"       修正：{check.fix}")
    raise typer.Exit(3 if any(c.ok is False for c in checks) else 0)


@app.command("serve-local")
def serve_local(
    model: Annotated[Path, typer.Option(help="GGUF 模型文件（scripts/fetch-test-model 可下载测试模型）")],
    port: Annotated[int, typer.Option(help="端口（local 预设用 8765）")] = 8765,
    threads: Annotated[int, typer.Option(help="线程数")] = 2,
    ctx: Annotated[int, typer.Option(help="上下文长度")] = 8192,
) -> None:
    """在本机回环地址上启动 llama-cpp-python 的 OpenAI 兼容服务（需要 [local] 扩展）。"""
    import importlib.util
    import subprocess

    if not model.is_file():
        raise InputError("模型文件不存在", path=str(model))
    if importlib.util.find_spec("llama_cpp") is None:
        raise InputError("未安装 llama-cpp-python：请运行 pip install -e '.[local]'")
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", str(ctx), "--n_threads", str(threads), "--model_alias", "qwen2.5-coder-1.5b"]
    _stderr().print(f"启动本地模型服务：http://127.0.0.1:{port}/v1（Ctrl-C 停止）")
    raise typer.Exit(subprocess.call(cmd))


DRAFT_SUFFIXES = (".md", ".markdown", ".txt", ".docx", "")


def _check_recording(record: Path | None, replay: Path | None) -> None:
    """`--record` and `--replay` exclude each other; the recording must be a file that can be written."""
    if record and replay:
        raise UsageError("--record 和 --replay 只能二选一：录制会访问模型服务，回放不访问")
    if record:
        from agent.writer import check_output_path

        check_output_path(record, what="录制文件", suffixes=(".yaml", ".yml"))


def _check_rounds(max_rounds: int) -> None:
    if not 0 <= max_rounds <= 10:
        raise UsageError(f"--max-rounds 应在 0 到 10 之间，而不是 {max_rounds}")


def _check_outputs(*outputs: tuple[Path | None, str, tuple[str, ...] | None]) -> None:
    """Every output path writable and not a folder, before anything is read, created or paid for."""
    from agent.writer import check_output_path

    for path, what, suffixes in outputs:
        if path is not None:
            check_output_path(path, what=what, suffixes=suffixes)


def _check_in_place(file: Path) -> None:
    """`--in-place` changes only a file the user can write, and only with room for its backup."""
    from agent.errors import OutputPathError
    from agent.writer import check_output_path, is_read_only

    if file.is_file() and is_read_only(file):
        raise OutputPathError("文件是只读的，--in-place 不会改它：先取消只读，或用 -o 写到新文件", path=str(file))
    if file.is_file():
        check_output_path(file.with_name(file.name + ".bak"), what="备份文件")


def _load_notes(path: Path | None, theme: str | None = None):
    """The notes of `--notes` (None without), and the theme checked: `--theme`, else the notes' own."""
    if path is None and not theme:
        return None  # nothing to load or to check: agent.notes and its models stay unimported
    from agent.notes import load_notes, theme_for

    loaded = load_notes(path) if path is not None else None
    theme_for(loaded, theme, path)
    return loaded


def _write_report(fmt: str, reports, path: Path, notes, root) -> None:
    from agent.report import print_human, to_csv, to_json, to_xlsx
    from agent.writer import write_atomic

    if fmt == "xlsx":
        data = to_xlsx(reports, notes, root)
    elif fmt == "csv":
        data = to_csv(reports, notes, root)
    elif fmt == "json":
        data = to_json(reports)
    else:
        from rich.console import Console

        buf = Console(record=True, file=open(os.devnull, "w"), width=100)  # noqa: SIM115
        print_human(reports, buf)
        data = buf.export_text()
    write_atomic(path, data)
    _stderr().print(f"{fmt.upper()} 报告已写入 {path}")


def _write_html(reports, path: Path, notes=None, root=None) -> list[Path]:
    from agent.parser import parse_file
    from agent.render.html import write_html_reports

    if len(reports) == 1 and reports[0].error:
        raise InputError(reports[0].error)
    # Parsed as check parsed it (hard wraps repaired, same kind), so the offsets of the findings hold.
    docs = [None if r.error else parse_file(r.file, repair=True, kind=r.kind) for r in reports]
    return write_html_reports(reports, path, docs, notes=notes, root=root)


def _app_for(argv: list[str]) -> typer.Typer:
    """`app`, or for `duizhao check …` a copy of it that registers only check.

    typer builds a click command for every registered command on each start, a tenth of a check's
    run, and `check` needs only its own. The root's options and check's help, usage errors and exit
    codes come out the same: they depend on the root and on check alone.
    """
    if argv[:1] != ["check"]:
        return app
    import copy

    only = copy.copy(app)
    only.registered_commands = [c for c in app.registered_commands if c.callback is check]
    only.registered_groups = []
    return only


def main() -> None:
    """Console-script entry: run the app and map expected errors to one Chinese line + exit code."""
    try:
        # Without standalone mode the parser returns typer.Exit's code instead of exiting.
        code = _app_for(sys.argv[1:])(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except DuizhaoError as exc:
        # Expected errors are raised where they happen as InputError/ModelError subclasses; nothing
        # else (no bare KeyError) is mistaken for bad input.
        _stderr().print(f"[red]错误：[/]{exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _stderr().print("已取消")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors from the argument parser
        exc.show()
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except Exception as exc:
        # A bug: its own exit code (1 means "check found errors"), the traceback on request.
        if os.environ.get("DUIZHAO_RAISE_ERRORS"):
            import traceback

            traceback.print_exc()
        else:
            _stderr().print(f"[red]内部错误：[/]{type(exc).__name__}: {exc}（设置 DUIZHAO_RAISE_ERRORS=1 查看详情）",
                            highlight=False, soft_wrap=True)
        sys.exit(INTERNAL_EXIT)


@app.command()
def web(
    port: Annotated[int, typer.Option(help="端口")] = 8300,
    host: Annotated[str, typer.Option(help="监听地址；默认只有本机能访问，其他地址必须带访问令牌")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="启动后用默认浏览器打开")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="演示：回放录制的示例会话，起草、改写都不调用模型")] = False,
    token: Annotated[str | None, typer.Option(help="访问令牌（监听本机以外的地址时缺省会生成一个并打印）")] = None,
) -> None:
    """在浏览器里完成起草、改写一节、检查和排版（本机网页，数据不离开这台电脑）。

    \b
    例：duizhao web --open
        duizhao web --demo --open      # 不需要模型，回放录制的会话
    """
    from agent.web import serve

    console = _stderr()
    serve(host=host, port=port, demo=demo, token=token, open_browser=open_browser,
          announce=lambda line: console.print(line, highlight=False, soft_wrap=True))
