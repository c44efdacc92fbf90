"""The error tree: each class knows the exit code the CLI maps it to (DESIGN §3)."""

from __future__ import annotations


class DuizhaoError(Exception):
    """Base of every expected error; the message is Chinese and user-facing."""

    exit_code = 1


class InputError(DuizhaoError):
    """Bad input or usage: a file that cannot be read, a broken notes field (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field = path, line, field
        where = path or ""
        if line is not None:
            where += f" 第{line}行"
        if field:
            where += f" 字段 {field}"
        super().__init__(f"{where.strip()}：{message}" if where.strip() else message)


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
