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

from agent.errors import DuizhaoError, InputError

app = typer.Typer(
    help="duizhao：起草与检查个人对照检查材料（民主生活会、组织生活会）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
fewshot_app = typer.Typer(help="管理少样本语料（fewshot/raw → fewshot/clean）。", no_args_is_help=True)
app.add_typer(fewshot_app, name="fewshot")


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


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
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（DESIGN 约定的格式）")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text 或 csv")] = "text",
    html: Annotated[Path | None, typer.Option(help="把第一份文件的检查结果写成 HTML（问题就地高亮）")] = None,
) -> None:
    """检查草稿（不调用模型）。退出码：0 无错误，1 有错误，2 输入有误。"""
    from agent.check import check_paths
    from agent.report import print_human, to_csv, to_json

    if fmt not in ("text", "csv"):
        raise InputError(f"--format 只能是 text 或 csv，而不是 {fmt}")
    loaded = _load_notes(notes)
    console = _stderr()
    with console.status("检查中…") as status:
        reports = check_paths(files, theme=theme, notes=loaded, target_chars=target,
                              progress=lambda p: status.update(f"已检查 {p.name}"))
    if not reports:
        raise InputError("没有找到可检查的文件（.txt/.md/.docx）")
    if json_out:
        typer.echo(to_json(reports))
    elif fmt == "csv":
        typer.echo(to_csv(reports), nl=False)
    else:
        from rich.console import Console

        print_human(reports, Console())
    if html:
        _write_html(reports[0], html, theme, loaded)
        console.print(f"HTML 报告已写入 {html}")
    if any(r.error for r in reports):
        raise typer.Exit(2)
    raise typer.Exit(0 if all(r.passed for r in reports) else 1)


def _load_notes(path: Path | None):
    if path is None:
        return None
    from agent.notes import load_notes

    return load_notes(path)


def _write_html(report, path: Path, theme: str | None, notes) -> None:
    from agent.parser import parse_file
    from agent.render.html import render_html
    from agent.writer import write_atomic

    if report.error:
        raise InputError(report.error)
    write_atomic(path, render_html(parse_file(report.file), report))


def main() -> None:
    """Console-script entry: run the app and map expected errors to one Chinese line + exit code."""
    try:
        # Without standalone mode the parser returns typer.Exit's code instead of exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except DuizhaoError as exc:
        _stderr().print(f"[red]错误：[/]{exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyError as exc:  # unknown section/theme keys carry their Chinese message
        _stderr().print(f"[red]错误：[/]{exc.args[0] if exc.args else exc}", highlight=False, soft_wrap=True)
        sys.exit(InputError.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _stderr().print("已取消")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors from the argument parser
        exc.show()
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except Exception as exc:
        if os.environ.get("DUIZHAO_RAISE_ERRORS"):
            raise
        _stderr().print(f"[red]内部错误：[/]{type(exc).__name__}: {exc}（设置 DUIZHAO_RAISE_ERRORS=1 查看详情）",
                        highlight=False, soft_wrap=True)
        sys.exit(1)
