"""The command line's chrome in Chinese: 用法, 选项, [必填], the help option, usage errors.

typer (0.29 on) vendors click with its strings inline, so `install()` patches the few places they
are produced: the usage prefix, the help option's text, and how usage errors are shown (their
messages translated by the patterns in `MESSAGES`). Option names stay English; strings with no
pattern pass through unchanged.
"""

from __future__ import annotations

import re
import sys

__all__ = ["install", "translate", "MESSAGES"]

HELP_TEXT = "显示本帮助并退出。"
USAGE_PREFIX = "用法："
# click's usage-error messages → Chinese (first match wins; groups keep names and values).
MESSAGES: list[tuple[str, str]] = [
    (r"Missing (argument|option|parameter) (.+)\.$", r"缺少\1 \2。"),
    (r"No such option: (\S+)(?: Did you mean (\S+)\?)?", r"没有选项 \1。"),
    (r"No such command '(.+)'\.", r"没有命令 '\1'。"),
    (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数（\1）"),
    (r"Invalid value for (.+?): (.+)", r"\1 的取值无效：\2"),
    (r"Option '(.+)' requires an argument\.", r"选项 '\1' 需要一个值。"),
    (r"Option '(.+)' requires (\d+) arguments\.", r"选项 '\1' 需要 \2 个值。"),
    (r"Option '(.+)' does not take a value\.", r"选项 '\1' 不带值。"),
    (r"'(.+)' is not a valid integer\.", r"'\1' 不是整数。"),
    (r"'(.+)' is not a valid float\.", r"'\1' 不是数字。"),
    (r"'(.+)' is not one of (.+)\.", r"'\1' 不在 \2 之中。"),
    (r"Path '(.+)' does not exist\.", r"路径 '\1' 不存在。"),
    (r"Missing command\.", "缺少命令。"),
]
_WORDS = {"argument": "参数", "option": "选项", "parameter": "参数"}
# Fragments inside other messages (typer's coercion errors, click's suggestions).
_FRAGMENTS: list[tuple[str, str]] = [
    (r" ?\(Possible options: (.+)\)", r"（可能的选项：\1）"),
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid number.*", "应为数字"),
    (r"Input should be a valid boolean.*", "应为 true 或 false"),
]


def translate(message: str) -> str:
    """A click usage-error message in Chinese (unchanged when no pattern knows it)."""
    for pattern, repl in _FRAGMENTS:
        message = re.sub(pattern, repl, message)
    for pattern, repl in MESSAGES:
        m = re.search(pattern, message)
        if m:
            out = re.sub(pattern, repl, message, count=1)
            for en, zh in _WORDS.items():
                out = out.replace(f"缺少{en}", f"缺少{zh}")
            if "Did you mean" in message and m.lastindex and m.lastindex >= 2 and m.group(2):
                out += f"是不是 {m.group(2)}？"
            return out
    return message


# typer's rich help: panel titles and option annotations.
_TYPER = {
    "OPTIONS_PANEL_TITLE": "选项",
    "ARGUMENTS_PANEL_TITLE": "参数",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "DEPRECATED_STRING": "（已弃用）",
    "ABORTED_TEXT": "已取消",
    "RICH_HELP": "用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}


def _set_panel_strings(rich_utils) -> None:
    for name, value in _TYPER.items():
        setattr(rich_utils, name, value)


class _OnRichUtilsImport:
    """Sets the panel strings when typer first imports `typer.rich_utils`.

    typer imports it only to draw help or an error panel; importing it eagerly (rich's markdown
    and markdown-it with it) would cost every `check` run a third of its start-up.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        from importlib.util import find_spec

        spec = find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_set(module) -> None:
            exec_module(module)
            _set_panel_strings(module)

        spec.loader.exec_module = exec_and_set
        return spec


def install() -> None:
    """Put the chrome in Chinese for this process (idempotent)."""
    from typer._click import core, exceptions, formatting
    from typer._click.utils import echo

    if getattr(core.Command.get_help_option, "_duizhao", False):
        return
    if "typer.rich_utils" in sys.modules:
        _set_panel_strings(sys.modules["typer.rich_utils"])
    else:
        sys.meta_path.insert(0, _OnRichUtilsImport())

    get_help_option = core.Command.get_help_option

    def help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    help_option._duizhao = True
    core.Command.get_help_option = help_option

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage

    def show_usage_error(self, file=None):
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                hint = f"用 '{self.ctx.command_path} {self.ctx.help_option_names[0]}' 查看帮助。\n"
            echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None, color=self.ctx.color)
        echo(f"错误：{translate(self.format_message())}", file=file, err=file is None)

    def show_error(self, file=None):
        echo(f"错误：{translate(self.format_message())}", file=file, err=file is None)

    exceptions.UsageError.show = show_usage_error
    exceptions.ClickException.show = show_error
