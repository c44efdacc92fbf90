"""The error tree: each class knows the exit code the CLI maps it to (DESIGN §3).

Exit codes: 0 ok; 1 `check` found errors; 2 bad input or usage (`InputError` and its subclasses);
3 model endpoint failure (`ModelError`); 4 an internal error, i.e. a bug (`INTERNAL_EXIT`).
User errors are raised where they are detected, as the subclass that names what went wrong, so the
CLI never has to guess from a bare `KeyError` whether it is looking at bad input or at a bug.
"""

from __future__ import annotations

INTERNAL_EXIT = 4  # an unexpected exception: a bug, never "check found errors" (exit 1)


class DuizhaoError(Exception):
    """Base of every expected error; the message is Chinese and user-facing."""

    exit_code = 1


class InputError(DuizhaoError):
    """Bad input or usage: a file that cannot be read, a broken notes field (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field, self.detail = path, line, field, message
        where = path or ""
        if line is not None:
            where += f" 第{line}行"
        if field:
            where += f" 字段 {field}"
        super().__init__(f"{where.strip()}：{message}" if where.strip() else message)


class UsageError(InputError):
    """Options that contradict each other or name something impossible (`--record` with `--replay`)."""


class UnknownThemeError(InputError, LookupError):
    """A theme key that names no preset; the message lists the known keys."""


class UnknownSectionError(InputError, LookupError):
    """A section id or title fragment that selects no section, or more than one."""


class UnknownProviderError(InputError, LookupError):
    """A provider name that is not in agent/data/providers.yaml."""


class SettingsError(InputError):
    """A setting of the wrong type or out of range, named with where it came from (flag, env, config)."""


class NotesError(InputError):
    """A notes file with one or more problems, all reported at once (up to a bound).

    Each problem is `(line, field, message)`; line is 1-based, field a 1-based path such as
    `areas 第2项 → problems 第1项 → facts`.
    """

    def __init__(self, problems: list[tuple[int | None, str | None, str]], *, path: str | None = None,
                 total: int | None = None) -> None:
        self.problems = problems
        total = max(total or 0, len(problems))
        if total == 1:
            line, field, message = problems[0]
            super().__init__(message, path=path, line=line, field=field)
            return
        more = f"，只列出前 {len(problems)} 处" if total > len(problems) else ""
        lines = []
        for line, field, message in problems:
            where = (f"第{line}行 " if line is not None else "") + (f"字段 {field}" if field else "")
            lines.append(f"  {where.strip()}：{message}" if where.strip() else f"  {message}")
        super().__init__(f"笔记有 {total} 处错误{more}：\n" + "\n".join(lines), path=path)


class LimitError(InputError):
    """Input past a stated bound (size, nesting depth, characters per fact, prompt tokens)."""


class OutputPathError(InputError):
    """An output path that cannot be written: a folder, a read-only file or folder, a missing drive."""


class ModelError(DuizhaoError):
    """The model endpoint failed after retries; the run can be resumed (exit 3)."""

    exit_code = 3


class OutputTruncatedError(ModelError):
    """The model stopped at its token limit (`finish_reason == "length"`); never validated or saved."""


class DraftRetryError(ModelError):
    """Structured output stayed invalid after the reask; carries what the last attempt returned."""

    def __init__(self, message: str, *, attempts: int, last_output: str) -> None:
        self.attempts, self.last_output = attempts, last_output
        super().__init__(message)
