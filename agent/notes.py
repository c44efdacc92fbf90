"""The notes file: what the user knows about themselves, as a validated pydantic model.

Notes are YAML. A broken file is reported with the field and its line in the file, so the user
can fix it without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import InputError
from agent.reader import read_source


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Meeting(_Strict):
    """The meeting the statement is for."""

    year: int = Field(ge=2000, le=2100, description="会议年度")
    kind: str = Field(default="民主生活会", description="民主生活会 或 组织生活会")
    theme: str = Field(default="custom", description="主题预设键，如 2023-zhuti")
    title: str | None = Field(default=None, description="会议名称，缺省时由主题生成")


class Opinions(_Strict):
    """Opinions collected and heart-to-heart talks held before the meeting."""

    collected: int | None = Field(default=None, ge=0, description="征求意见条数")
    talks: int | None = Field(default=None, ge=0, description="谈心谈话人次")
    notes: list[str] = Field(default_factory=list, description="意见要点")


class Problem(_Strict):
    """One problem the user owns, with the concrete facts that show it."""

    summary: str = Field(min_length=2, description="问题概括")
    facts: list[str] = Field(default_factory=list, description="具体事例：时间、项目、数字、会议")


class AreaNotes(_Strict):
    """The problems of one area (an area of the theme, or a custom one)."""

    area: str = Field(min_length=2, description="方面：主题的方面标题或键")
    problems: list[Problem] = Field(default_factory=list)


class CaseAnalysis(_Strict):
    """The 反面典型案例剖析 part (required from 2024 on)."""

    case: str = Field(description="案例")
    lessons: list[str] = Field(default_factory=list, description="对照自身的警示")


class Notes(_Strict):
    """Everything the draft may say about its author; nothing else may be asserted as fact."""

    role: str = Field(min_length=2, description="职务")
    unit: str | None = Field(default=None, description="单位")
    meeting: Meeting
    studied: list[str] = Field(default_factory=list, description="会前学习内容")
    opinions: Opinions = Field(default_factory=Opinions)
    last_year: list[str] = Field(default_factory=list, description="上年度整改落实情况")
    areas: list[AreaNotes] = Field(default_factory=list)
    cause_hints: list[str] = Field(default_factory=list, description="原因剖析的提示")
    measure_hints: list[str] = Field(default_factory=list, description="整改措施的提示（时限、数量）")
    case_analysis: CaseAnalysis | None = None
    target_chars: int = Field(default=3000, ge=300, le=20000, description="目标字数")

    @field_validator("studied", "last_year", "cause_hints", "measure_hints", mode="before")
    @classmethod
    def _one_string_is_a_list(cls, value):
        return [value] if isinstance(value, str) else value

    def facts(self) -> list[tuple[str, str]]:
        """Every note fact a draft must carry, as (area or part, fact text)."""
        out = []
        for area in self.areas:
            for problem in area.problems:
                out.extend((area.area, fact) for fact in problem.facts)
        out.extend(("last_year", item) for item in self.last_year)
        if self.opinions.collected is not None:
            out.append(("opening", f"征求意见{self.opinions.collected}条"))
        if self.opinions.talks is not None:
            out.append(("opening", f"谈心谈话{self.opinions.talks}人次"))
        return out

    def all_text(self) -> str:
        """All note text in one string, for grounding figures."""
        return yaml.safe_dump(self.model_dump(), allow_unicode=True)


def load_notes(path: str | Path) -> Notes:
    """Read and validate a YAML notes file.

    Raises:
        InputError: unreadable, not YAML, or a field that fails validation (with field and line).
    """
    source = read_source(path)
    return parse_notes_yaml(source.text, source.path)


def parse_notes_yaml(text: str, label: str = "notes") -> Notes:
    """Validate YAML notes text; errors name the field and its line."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError(f"不是有效的 YAML（{getattr(exc, 'problem', exc)}）", path=label, line=line) from exc
    if not isinstance(data, dict):
        raise InputError("笔记应是 YAML 映射（键: 值），例如 role: …、meeting: …", path=label, line=1)
    try:
        return Notes.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        field = ".".join(loc) or None
        raise InputError(_message(err), path=label, line=_line_of(root, err["loc"]), field=field) from exc


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "不认识的字段（拼写错误？）"
    if kind.startswith("int") or kind.startswith("float"):
        return f"应为数字，实际是 {err.get('input')!r}"
    if kind in ("string_too_short",):
        return "内容太短"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"数值超出范围：{err.get('input')!r}"
    return err["msg"]


def _line_of(node, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (the parent's when missing)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if node is None:
            break
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    child = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        node = child
    return line
