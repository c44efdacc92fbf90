"""The notes file: what the user knows about themselves, as a validated pydantic model.

Notes are YAML. A broken file is reported with the field and its line in the file, so the user
can fix it without reading a traceback.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import InputError, LimitError, NotesError
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
    kind: Literal["个人", "班子"] = Field(default="个人", description="个人 或 班子（领导班子）对照检查")
    name: str | None = Field(default=None, max_length=40, description="署名（姓名）")
    date: str | None = Field(default=None, max_length=40, description="日期，如 2026年1月15日")
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


# Bounds on a notes file. Notes feed the prompts, so these bound every prompt the chain builds; each
# is stated in the message when hit. The largest real notes seen are a few KB.
MAX_NOTES_BYTES = 256 * 1024
MAX_NOTES_CHARS = 20_000  # all note text together
MAX_FIELD_CHARS = 1_000  # one fact, summary or other string
MAX_LIST_ITEMS = 100  # one list (areas, problems, facts…)
MAX_DEPTH = 12  # nesting of mappings and lists; real notes need 5
MAX_NODES = 5_000  # values in the file, aliases expanded (a "billion laughs" file stops here)
MAX_REPORTED = 20  # errors listed at once

_FULLWIDTH_KEY_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)\s*：")
_NO_SPACE_KEY_RE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(?=[^\s:/])")
_FLOW_COMMA_RE = re.compile(r"[\[{][^\]}]*，")
_YAML_PROBLEMS = {
    "mapping values are not allowed here": "这里不能出现“键: 值”（多半是缩进不对，或上一行少了半角冒号）",
    "could not find expected ':'": "找不到半角冒号“:”（每个字段都要写成 键: 值）",
    "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请改用空格",
    "expected ',' or ']', but got '<stream end>'": "方括号 [ 没有闭合",
    "expected ',' or '}', but got '<stream end>'": "花括号 { 没有闭合",
    "found undefined alias": "引用了未定义的锚点（*名称）",
    "found unhashable key": "键不能是列表或映射",
    "found duplicate anchor": "锚点（&名称）重复",
}


def load_notes(path: str | Path) -> Notes:
    """Read and validate a YAML notes file.

    Raises:
        InputError: unreadable, not YAML, or a field that fails validation (with field and line).
        NotesError: every problem of the file (up to MAX_REPORTED), each with its line and field.
        LimitError: the file is larger than MAX_NOTES_BYTES.
    """
    p = Path(path)
    if p.is_file() and p.stat().st_size > MAX_NOTES_BYTES:
        raise LimitError(f"笔记文件过大（{p.stat().st_size // 1024} KB），不能超过 {MAX_NOTES_BYTES // 1024} KB",
                         path=str(p))
    source = read_source(p)
    return parse_notes_yaml(source.text, source.path)


def parse_notes_yaml(text: str, label: str = "notes") -> Notes:
    """Validate YAML notes text; every error names its field (1-based list items) and its line.

    Raises:
        InputError: not YAML (with a hint for full-width punctuation), or not a mapping.
        LimitError: nesting, size or number of values past the bounds above.
        NotesError: fields that fail validation, all of them (up to MAX_REPORTED).
    """
    if len(text) > MAX_NOTES_BYTES:
        raise LimitError(f"笔记过长（{len(text)} 个字符），不能超过 {MAX_NOTES_BYTES} 个字符", path=label)
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except RecursionError as exc:
        raise LimitError(f"笔记嵌套过深：映射和列表最多嵌套 {MAX_DEPTH} 层", path=label) from exc
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, label) from exc
    if not isinstance(data, dict):
        hint = _punctuation_hint(text.splitlines(), 0, len(text.splitlines()))
        line = hint[0] if hint else 1
        raise InputError("笔记应是 YAML 映射（键: 值），例如 role: …、meeting: …" + (hint[1] if hint else ""),
                         path=label, line=line)
    problems = _limit_problems(data, root, label)
    notes = None
    try:
        notes = Notes.model_validate(data)
    except ValidationError as exc:
        lines = text.splitlines()
        for err in exc.errors():
            line = _line_of(root, err["loc"])
            message = _message(err)
            if line is not None and 0 < line <= len(lines):
                message += _line_hint(lines[line - 1], err)
            problems.append((line, _field(err["loc"]), message))
    except RecursionError as exc:
        raise LimitError(f"笔记嵌套过深：映射和列表最多嵌套 {MAX_DEPTH} 层", path=label) from exc
    problems = _merge_misspelt(problems)
    if problems or notes is None:
        problems.sort(key=lambda p: (p[0] or 0))
        raise NotesError(problems[:MAX_REPORTED], path=label, total=len(problems))
    return notes


def theme_for(notes: Notes | None, theme: str | None, notes_path: str | Path | None = None):
    """The theme a run uses: the flag, else the notes' meeting.theme (None with neither).

    Raises:
        UnknownThemeError: naming `--theme`, or the notes file, line and field it came from.
    """
    from agent.errors import UnknownThemeError
    from agent.themes import get_theme

    if not theme and notes is None:
        return None
    try:
        return get_theme(theme or notes.meeting.theme)
    except UnknownThemeError as exc:
        if theme:
            raise UnknownThemeError(exc.detail, field="--theme") from None
        line = None
        if notes_path and Path(notes_path).suffix.lower() in (".yaml", ".yml"):
            line = notes_line(Path(notes_path), ("meeting", "theme"))
        raise UnknownThemeError(exc.detail, path=str(notes_path) if notes_path else None, line=line,
                                field="meeting → theme") from None


def notes_line(path: Path, loc: tuple) -> int | None:
    """The 1-based line of a field in a notes file (None when it cannot be read or found)."""
    try:
        return _line_of(yaml.compose(read_source(path).text), loc)
    except (InputError, yaml.YAMLError, RecursionError):
        return None


def _merge_misspelt(problems: list[tuple[int | None, str | None, str]]) -> list[tuple[int | None, str | None, str]]:
    """Drop "缺少必填字段 role" when a misspelt key already says "是不是要写 role？"."""
    guessed = set()
    for _, field, message in problems:
        m = re.search(r"是不是要写 ([\w-]+)", message)
        if m and field:
            guessed.add(" → ".join([*field.split(" → ")[:-1], m.group(1)]))
    return [p for p in problems if not (p[2] == "缺少必填字段" and p[1] in guessed)]


def _yaml_error(exc: yaml.YAMLError, text: str, label: str) -> InputError:
    """A YAML syntax error in Chinese, on the line to fix: the full-width colon's, when there is one."""
    problem = str(getattr(exc, "problem", "") or exc)
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else None
    lines = text.splitlines()
    message = next((zh for en, zh in _YAML_PROBLEMS.items() if problem.startswith(en)), None)
    message = message or f"YAML 格式有误（{problem}）"
    # The parser notices a bad line only on the line after it: look back from there.
    first = (context.line if context else (line or 1) - 2) if line else 0
    hint = _punctuation_hint(lines, max(0, first), line or len(lines))
    if hint:
        return InputError(f"不是有效的 YAML：{message}{hint[1]}", path=label, line=hint[0])
    return InputError(f"不是有效的 YAML：{message}", path=label, line=line)


def _punctuation_hint(lines: list[str], lo: int, hi: int) -> tuple[int, str] | None:
    """(1-based line, hint) for the first full-width colon or comma, or missing space, in lines[lo:hi]."""
    for i in range(lo, min(hi, len(lines))):
        hint = _line_hint(lines[i], None)
        if hint:
            return i + 1, hint
    return None


def _line_hint(line: str, err: dict | None) -> str:
    """A hint for full-width punctuation on one line, or "" (only for errors it can explain)."""
    m = _FULLWIDTH_KEY_RE.match(line)
    if m:
        return f"。提示：这一行用了全角冒号“：”，YAML 要用半角冒号加空格，如 {m.group(2)}: …"
    if _NO_SPACE_KEY_RE.match(line) and (err is None or err["type"] in ("model_type", "dict_type")):
        return "。提示：冒号后要有一个空格，如 role: 镇党委书记"
    if line.lstrip(" -").startswith("\u3000"):
        return "。提示：这一行用了全角空格缩进，YAML 只认半角空格"
    if _FLOW_COMMA_RE.search(line):
        return "。提示：方括号列表里要用半角逗号“,”分隔，全角逗号“，”会被当成文字的一部分"
    return ""


def _limit_problems(data, root, label: str) -> list[tuple[int | None, str | None, str]]:
    """Bounds checked on the raw data before pydantic sees it (which would expand aliases without end).

    Raises:
        LimitError: nesting or number of values past the bounds (nothing else is worth reporting then).
    """
    problems: list[tuple[int | None, str | None, str]] = []
    total, nodes = 0, 0
    stack: list[tuple[object, tuple, int]] = [(data, (), 0)]
    while stack:
        value, loc, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise LimitError(f"笔记内容过多：最多 {MAX_NODES} 个值（含 YAML 引用展开后的）", path=label)
        if depth > MAX_DEPTH:
            raise LimitError(f"笔记嵌套过深（字段 {_field(loc[:1])}）：映射和列表最多嵌套 {MAX_DEPTH} 层", path=label)
        if isinstance(value, dict):
            stack.extend((v, (*loc, k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                problems.append((_line_of(root, loc), _field(loc),
                                 f"列表有 {len(value)} 项，最多 {MAX_LIST_ITEMS} 项"))
            stack.extend((v, (*loc, i), depth + 1) for i, v in enumerate(value))
        elif isinstance(value, str):
            total += len(value)
            if len(value) > MAX_FIELD_CHARS:
                problems.append((_line_of(root, loc), _field(loc),
                                 f"内容过长（{len(value)} 字），每条最多 {MAX_FIELD_CHARS} 字：请拆成几条"))
    if total > MAX_NOTES_CHARS:
        problems.append((None, None, f"笔记文字共 {total} 字，最多 {MAX_NOTES_CHARS} 字：只留起草需要的事实"))
    return problems


def _field(loc: tuple) -> str | None:
    """A pydantic location as the user reads it: list items numbered from 1."""
    parts = []
    for key in loc:
        if isinstance(key, int) and parts:
            parts[-1] += f" 第{key + 1}项"
        else:
            parts.append(str(key))
    return " → ".join(parts) or None


_TYPE_NAMES = {"list": "列表（每项一行，以“- ”开头）", "dict": "映射（键: 值）", "str": "一段文字",
               "int": "整数", "float": "数字", "bool": "是/否（true/false）", "NoneType": "空值"}


_FOUND_NAMES = {"list": "列表", "dict": "映射", "str": "文字", "int": "整数", "float": "小数", "bool": "布尔值",
                "NoneType": "空值", "date": "日期", "datetime": "日期时间"}


def _kind_of(value) -> str:
    return _FOUND_NAMES.get(type(value).__name__, type(value).__name__)


def _message(err: dict) -> str:
    """A pydantic error in Chinese, with what was found and what is expected."""
    kind = err["type"]
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) else " " + repr(value)[:60]
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        guess = _did_you_mean(err["loc"])
        return "不认识的字段" + (f"，是不是要写 {guess}？" if guess else "（拼写错误？）")
    if kind == "list_type":
        return f"应为{_TYPE_NAMES['list']}，实际是{_kind_of(value)}{shown}"
    if kind in ("string_type",):
        return f"应为{_TYPE_NAMES['str']}，实际是{_kind_of(value)}{shown}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"应为{_TYPE_NAMES['dict']}，实际是{_kind_of(value)}{shown}"
    if kind.startswith("int") or kind.startswith("float"):
        return f"应为数字，实际是{shown or _kind_of(value)}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"应为 true 或 false，实际是{shown or _kind_of(value)}"
    if kind == "literal_error":
        allowed = err.get("ctx", {}).get("expected", "").replace("'", "").replace(" or ", "、")
        return f"只能是 {allowed}，实际是{shown or _kind_of(value)}"
    if kind == "string_too_long":
        return f"内容太长：最多 {err.get('ctx', {}).get('max_length')} 个字"
    if kind == "string_too_short":
        return f"内容太短：至少 {err.get('ctx', {}).get('min_length', 2)} 个字"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = err.get("ctx", {})
        bound = {"greater_than_equal": f"不能小于 {ctx.get('ge')}", "less_than_equal": f"不能大于 {ctx.get('le')}",
                 "greater_than": f"须大于 {ctx.get('gt')}", "less_than": f"须小于 {ctx.get('lt')}"}[kind]
        return f"数值超出范围：{shown.strip()}，{bound}"
    return f"取值无效（{err['msg']}）"


def _did_you_mean(loc: tuple) -> str | None:
    """The known field closest to a misspelt key (by spelling, or by its Chinese label)."""
    model = _model_at(loc[:-1])
    key = str(loc[-1]) if loc else ""
    if model is None or not key:
        return None
    names = list(model.model_fields)
    close = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)
    if close:
        return close[0]
    for name, info in model.model_fields.items():
        label = info.description or ""
        if key and (key in label or (label and label.split("：")[0].split("，")[0] in key)):
            return f"{name}（{label.split('：')[0]}）"
    return None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at `loc` (list indices skipped)."""
    model: type[BaseModel] | None = Notes
    for key in loc:
        if isinstance(key, int) or model is None:
            continue
        info = model.model_fields.get(str(key))
        if info is None:
            return None
        model = _model_in(info.annotation)
    return model


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _line_of(node, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (the parent's when missing)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if node is None:
            break
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    child = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        node = child
    return line
