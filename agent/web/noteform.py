"""The notes form, built from the pydantic Notes model: a field added to the model appears in the form.

Each field becomes an input by its type (text, number, choice, one item a line, a group, or a list
of groups with add/remove rows); its label is the field's description. Submitted names are dotted
paths (`areas.3.problems.0.facts`); `form_to_yaml` turns them back into notes YAML, which the same
`parse_notes_yaml` that reads a notes file then validates (errors name field and item in Chinese).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from typing import Literal, get_args, get_origin

import yaml
from pydantic import BaseModel

__all__ = ["FormField", "form_spec", "form_to_yaml", "form_data"]

# Fields whose description is missing or is not a good label (nested models carry none).
LABELS = {"meeting": "会议", "opinions": "征求意见与谈心谈话", "areas": "查摆的问题（按方面）", "problems": "问题",
          "case_analysis": "反面典型案例剖析（2024 年起要求）"}
ROW_LABELS = {"areas": "方面", "problems": "问题"}


@dataclass
class FormField:
    """One input of the form (or a group of them)."""

    name: str
    label: str
    widget: str  # text | number | select | lines | group | rows
    required: bool = False
    optional_group: bool = False
    choices: list[str] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)
    row_label: str = ""
    default: str = ""  # shown as the placeholder: what an empty input means
    depth: int = 0  # how many row lists enclose this one: the placeholder of its new rows


def _unwrap(annotation):
    """(the type without None, whether None was allowed)."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _model(annotation) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def form_spec(model: type[BaseModel], choices: dict[str, list[str]] | None = None, *, _prefix: str = "",
              _depth: int = 0) -> list[FormField]:
    """The form's fields for a model, in the model's order; `choices` offers values for dotted names."""
    choices = choices or {}
    out = []
    for name, info in model.model_fields.items():
        annotation, optional = _unwrap(info.annotation)
        label = LABELS.get(name) or info.description or name
        dotted = _prefix + name
        default = "" if info.is_required() or info.default in (None, [], {}) or info.default_factory else str(info.default)
        spec = FormField(name=name, label=label, widget="text", required=info.is_required(), depth=_depth,
                         default=default)
        if get_origin(annotation) is Literal:
            spec.widget, spec.choices = "select", [str(a) for a in get_args(annotation)]
        elif _model(annotation):
            spec.widget, spec.optional_group = "group", optional
            spec.children = form_spec(annotation, choices, _prefix=dotted + ".", _depth=_depth)
        elif get_origin(annotation) is list:
            (item,) = get_args(annotation) or (str,)
            if _model(item):
                spec.widget, spec.row_label = "rows", ROW_LABELS.get(name, label)
                spec.children = form_spec(item, choices, _prefix=dotted + ".", _depth=_depth + 1)
            else:
                spec.widget = "lines"
        elif annotation in (int, float):
            spec.widget = "number"
        if dotted in choices:
            spec.choices = choices[dotted]
        out.append(spec)
    return out


def form_data(items: list[tuple[str, str]], spec: list[FormField], prefix: str = "notes.") -> dict:
    """The nested notes data from submitted (name, value) pairs; empty inputs are left out."""
    tree: dict = {}
    for key, value in items:
        if not key.startswith(prefix) or "__R" in key:
            continue
        node = tree
        parts = key[len(prefix):].split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _coerce(tree, spec)


def _coerce(tree: dict, spec: list[FormField]) -> dict:
    out = {}
    for f in spec:
        raw = tree.get(f.name)
        if raw is None:
            continue
        if f.widget == "group":
            value = _coerce(raw, f.children) if isinstance(raw, dict) else {}
        elif f.widget == "rows":
            rows = raw.values() if not isinstance(raw, dict) else [raw[k] for k in sorted(raw, key=_row_key)]
            value = [c for c in (_coerce(r, f.children) for r in rows if isinstance(r, dict)) if c]
        elif f.widget == "lines":
            value = [line.strip() for line in str(raw).splitlines() if line.strip()]
        elif f.widget == "number":
            text = str(raw).strip()
            value = int(text) if text.lstrip("-").isdigit() else text  # anything else: the validator says why
        else:
            value = str(raw).strip()
        if value in ("", [], {}):
            continue
        out[f.name] = value
    return out


def _row_key(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 62, key)


def form_to_yaml(items: list[tuple[str, str]], spec: list[FormField]) -> str:
    """Notes YAML from the submitted form (validated by the caller with `parse_notes_yaml`)."""
    return yaml.safe_dump(form_data(items, spec), allow_unicode=True, sort_keys=False)
