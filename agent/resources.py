"""Where the package's data lives: tables in agent/data, prompts/ and fewshot/ beside the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from agent.diskcache import parse_yaml

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def bundled_dir(name: str) -> Path:
    """A top-level project folder (prompts, fewshot): the checkout's copy, else the wheel's."""
    in_checkout = PACKAGE_DIR.parent / name
    if in_checkout.is_dir():
        return in_checkout
    return PACKAGE_DIR / "_bundled" / name


def _parse(text: str):
    import yaml

    # libyaml's loader when PyYAML was built with it: the tables are read on every `check` start.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


def load_yaml(text: str):
    """Parse YAML text with the fastest safe loader available (the result kept in the disk cache)."""
    return parse_yaml(text, _parse)


@cache
def load_table(name: str) -> dict | list:
    """Load a YAML data table from agent/data by file name."""
    return load_yaml((DATA_DIR / name).read_text(encoding="utf-8"))
