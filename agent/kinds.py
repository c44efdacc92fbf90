"""A statement's kind: personal (我) or a leading group's (班子/我们), at a 民主生活会 or 组织生活会."""

from __future__ import annotations

import re
from functools import cache

from agent.diskcache import compile_re
from agent.document import DocKind
from agent.errors import InputError
from agent.resources import load_table

OPENING_CHARS = 400  # the kind shows in the title and the first lines of the opening


@cache
def _res(key: str) -> re.Pattern[str]:
    return compile_re("|".join(load_table("kinds.yaml")[key]))


def infer_kind(title: str, opening: str) -> DocKind:
    """Read the kind from the title and the opening; personal and 民主生活会 unless they say otherwise."""
    head = opening[:OPENING_CHARS]
    if _res("group_markers").search(title):
        group = not _res("personal_markers").search(title)
    else:
        # No title to go by: the opening's subject decides (班子… vs 我…).
        group = len(_res("group_markers").findall(head)) >= 2 and head.count("我") <= head.count("我们") + 1
    meeting = None
    for name, words in load_table("kinds.yaml")["meetings"].items():
        if any(w in title for w in words):
            meeting = name
            break
    if meeting is None:
        meeting = next((n for n, ws in load_table("kinds.yaml")["meetings"].items() if any(w in head for w in ws)), None)
    return DocKind(voice="group" if group else "personal", meeting=meeting, origin="inferred")


def parse_kind(value: str) -> DocKind:
    """A `--kind` value: 个人 / 班子, optionally with the meeting (`班子,民主生活会`).

    Raises:
        InputError: a word that names neither a voice nor a meeting.
    """
    table = load_table("kinds.yaml")
    voice, meeting = "personal", None
    for word in filter(None, re.split(r"[,，、/+\s]+", value.strip())):
        if word in table["voice_names"]:
            voice = table["voice_names"][word]
        elif word in table["meeting_names"]:
            meeting = table["meeting_names"][word]
        else:
            raise InputError(f"--kind 的值“{word}”无法识别：可用 个人、班子，以及 民主生活会、组织生活会（如 班子,民主生活会）")
    return DocKind(voice=voice, meeting=meeting, origin="flag")
