"""Theme presets (data files in agent/data/themes): required areas and parts, and fuzzy matching."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

from pydantic import BaseModel, Field

from agent.resources import DATA_DIR, load_yaml

MATCH_RATIO = 0.5


class Area(BaseModel):
    """A required problem area of a theme."""

    key: str
    title: str
    aliases: list[str] = Field(default_factory=list)
    required: bool = True
    measure: str | None = None  # the title of the measure that answers this area


class Theme(BaseModel):
    """A meeting theme: which parts a statement needs and which areas its problems must cover."""

    key: str
    name: str
    year: int | None = None
    keywords: list[str] = Field(default_factory=list)
    parts: list[str]
    areas: list[Area] = Field(default_factory=list)

    def required_areas(self) -> list[Area]:
        """The areas a statement must cover."""
        return [a for a in self.areas if a.required]


@cache
def load_themes() -> dict[str, Theme]:
    """All theme presets by key."""
    themes = {}
    for path in sorted((DATA_DIR / "themes").glob("*.yaml")):
        theme = Theme.model_validate(load_yaml(path.read_text(encoding="utf-8")))
        themes[theme.key] = theme
    return themes


def get_theme(key: str) -> Theme:
    """A theme by key.

    Raises:
        UnknownThemeError: an unknown key; the message lists the known ones.
    """
    from agent.errors import UnknownThemeError

    themes = load_themes()
    if key not in themes:
        raise UnknownThemeError(f"未知主题“{key}”，可用：{'、'.join(themes)}（duizhao themes 列出各主题）")
    return themes[key]


def infer_theme(text: str) -> Theme | None:
    """Guess the theme from a title/opening: keywords first, then the year of the meeting."""
    themes = [t for t in load_themes().values() if t.key != "custom"]
    for theme in themes:
        if any(k in text for k in theme.keywords):
            return theme
    years = [int(y) for y in re.findall(r"(20\d\d)\s*年", text[:300])]
    for year in years:
        for theme in themes:
            if theme.year == year:
                return theme
    return None


def area_similarity(area: Area, title: str) -> float:
    """How well a section title names an area: 1.0 for an alias hit, else a character ratio."""
    if any(alias in title for alias in area.aliases) or area.title.rstrip("方面") in title:
        return 1.0
    return _ratio(_core(area.title), _core(title))


@cache
def _ratio(a: str, b: str) -> float:
    # Area titles recur across a batch of statements, so the ratio is worth remembering.
    return SequenceMatcher(None, a, b).ratio()


def match_areas(areas: list[Area], titles: list[str]) -> dict[str, int | None]:
    """Assign each area the index of the best unused section title (None when nothing matches)."""
    scored = sorted(((area_similarity(a, t), ai, ti) for ai, a in enumerate(areas) for ti, t in enumerate(titles)),
                    reverse=True)
    result: dict[str, int | None] = {a.key: None for a in areas}
    used: set[int] = set()
    for score, ai, ti in scored:
        key = areas[ai].key
        if score < MATCH_RATIO or result[key] is not None or ti in used:
            continue
        result[key] = ti
        used.add(ti)
    return result


def area_name(title: str) -> str:
    """An area's name without its frame: 带头…, …方面, 在…上 (“强化政治忠诚、提高政治能力”, “理论学习”)."""
    return re.sub(r"^(?:在|关于|带头)|(?:方面|上)$|[“”\s]", "", title.rstrip("。：:"))


@cache
def _core(title: str) -> str:
    # Remembered like `_ratio`: every section title of a statement is compared with every area of its theme.
    return re.sub(r"^(在|带头)|方面$|[“”、，。\s]", "", title)
