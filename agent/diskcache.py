"""A per-user disk cache for pure start-up work: compiled word-list regexes and parsed YAML tables.

`duizhao check` on one file spends a good part of its run compiling the same large regexes and
parsing the same tables as the run before. Both are pure functions of their input, so their results
are kept in one JSON file in the user's cache folder and reused:

- a regex entry is keyed by its full pattern text and flags, the file by the Python build and its
  regex engine version, and an entry is stored only after checking that it rebuilds a pattern equal
  (same compiled program) to what `re.compile` gives;
- a YAML entry is keyed by the SHA-256 of the text and stored as JSON only when JSON gives back
  exactly the same data (plain dicts, lists, strings, numbers, booleans, None).

- a derived entry (`derived`) is keyed by the name of a pure function of a pattern and the
  pattern's text and flags; the file's key (the Python build) covers the parser it reads them with.
- a data entry (`derived_data`) is keyed by a name and the SHA-256 of every text the data is worked
  out from (the code that works it out included), and kept only when JSON gives it back unchanged.

Each entry carries the generation (the count of saves) that last used it; a save drops entries no
run has used for `KEEP_GENERATIONS` saves, so patterns edited over time do not pile up and slow every
start. A hit therefore returns what a miss computes. Any problem with the file (missing, unreadable,
corrupt, from another Python) means a miss; a write that fails is skipped. The folder is
`DUIZHAO_CACHE_DIR`, else `$XDG_CACHE_HOME/duizhao`, else `~/.cache/duizhao`; setting
`DUIZHAO_CACHE_DIR` to an empty string turns the cache off.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "compile_re", "derived", "derived_data", "parse_yaml"]

KINDS = ("re", "yaml", "derived", "data")
# A save happens only when a run computed something new, so a user's cache is saved a handful of times
# in all, while a developer editing word lists saves it on most runs: ten saves keeps every command's
# entries for the one and lets an edited pattern's old versions go for the other.
KEEP_GENERATIONS = 10
_store: dict[str, dict[str, Any]] | None = None
_stamps: dict[str, dict[str, int]] = {}  # kind -> key -> the generation that last used the entry
_generation = 0  # the saves the file had when read
_touched: set[tuple[str, str]] = set()  # entries this run used or added
_path: Path | None = None  # where _store was read from, and is written back to
_dirty = False


def cache_dir() -> Path | None:
    """The cache folder, or None when `DUIZHAO_CACHE_DIR` is set to an empty string."""
    explicit = os.environ.get("DUIZHAO_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "duizhao"


def _file() -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    import _sre
    import hashlib

    # The compiled program is only valid for the engine that made it.
    build = f"{sys.version}|{sys.implementation.cache_tag}|{_sre.MAGIC}|{_sre.CODESIZE}|{sys.maxunicode}"
    # v3: each entry as [generation, value]; files of older layouts are removed at the next save.
    return folder / f"{LAYOUT}{hashlib.sha256(build.encode()).hexdigest()[:16]}.json"


LAYOUT = "startup-v3-"
OLD_LAYOUTS = ("startup-v2-*.json", "startup-[0-9a-f]*.json")  # v2, and the first (unversioned) layout


def _load() -> None:
    """Read the file into `_store` and `_stamps` (an empty store when there is none or it is broken)."""
    global _store, _stamps, _generation, _path
    _store, _stamps, _generation, _path = {k: {} for k in KINDS}, {k: {} for k in KINDS}, 0, None
    _touched.clear()
    try:
        path = _path = _file()
        # Bytes, decoded by json itself: reading the file as text (the newline translation of a
        # megabyte of mostly CJK text) took longer than parsing it.
        data = json.loads(path.read_bytes()) if path is not None else None
        if isinstance(data, dict) and isinstance(data.get("generation"), int) \
                and all(isinstance(data.get(k), dict) for k in KINDS):
            for kind in KINDS:
                for key, pair in data[kind].items():
                    if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int):
                        _stamps[kind][key], _store[kind][key] = pair
            _generation = data["generation"]
    except (OSError, ValueError):
        pass  # no cache yet, or a broken one: it is rebuilt


def _entries(kind: str) -> dict[str, Any]:
    if _store is None:
        _load()
    return _store[kind]  # type: ignore[index]


def _hit(kind: str, key: str) -> Any:
    """The cached value under `key` (None when absent), marked as used by this run."""
    value = _entries(kind).get(key)
    if value is not None:
        _touched.add((kind, key))
    return value


def _remember(kind: str, key: str, value: Any) -> None:
    global _dirty
    _entries(kind)[key] = value
    _touched.add((kind, key))
    if not _dirty:
        import atexit

        atexit.register(_write)
        _dirty = True


def _saved() -> dict[str, Any]:
    """What the next save writes: entries used within the last `KEEP_GENERATIONS` saves, stamped."""
    generation = _generation + 1
    data: dict[str, Any] = {"generation": generation}
    for kind in KINDS:
        stamps, kept = _stamps.get(kind, {}), {}
        for key, value in (_store or {}).get(kind, {}).items():
            stamp = generation if (kind, key) in _touched else stamps.get(key, 0)
            if generation - stamp < KEEP_GENERATIONS:
                kept[key] = [stamp, value]
        data[kind] = kept
    return data


def _write() -> None:
    """Save the cache (at exit, and only when something new was computed); failures are ignored."""
    path = _path
    try:
        if path is None or _store is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_saved(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a concurrent run reads the old file or the new one
        for pattern in OLD_LAYOUTS:  # an older layout's file is never read again
            for old in path.parent.glob(pattern):
                old.unlink(missing_ok=True)
    except OSError:
        pass


@cache
def compile_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, with the compiled program reused from the cache when known."""
    flags = int(flags)
    key = f"{flags}:{pattern}"
    hit = _hit("re", key)
    if hit is not None:
        try:
            import _sre

            final_flags, code, groups, groupindex, indexgroup = hit
            return _sre.compile(pattern, final_flags, _code_list(code), groups, groupindex, tuple(indexgroup))
        except Exception:  # noqa: BLE001 (a stale or damaged entry: compile as usual)
            pass
    compiled = re.compile(pattern, flags)
    entry = _program(pattern, flags)
    if entry is not None:
        import _sre

        try:
            if _sre.compile(pattern, entry[0], _code_list(entry[1]), *entry[2:4], tuple(entry[4])) == compiled:
                _remember("re", key, entry)
        except Exception:  # noqa: BLE001 (the engine's internals differ: just do not cache)
            pass
    return compiled


def derived(name: str, pattern: str, flags: int, compute: Callable[[str, int], str]) -> str:
    """`compute(pattern, flags)`, a pure function of the pattern known as `name`, reused from the cache."""
    key = f"{name}:{int(flags)}:{pattern}"
    hit = _hit("derived", key)
    if isinstance(hit, str):
        return hit
    value = compute(pattern, flags)
    _remember("derived", key, value)
    return value


def _program(pattern: str, flags: int) -> list | None:
    """What `re._compiler.compile` hands to the engine, as JSON-able data (None if unavailable)."""
    if flags & re.DEBUG:
        return None
    try:
        from re import _compiler, _parser

        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        return [flags | parsed.state.flags, _code_text(code), parsed.state.groups - 1, groupindex, indexgroup]
    except Exception:  # noqa: BLE001 (another Python's internals)
        return None


def _code_typecode() -> str | None:
    """The `array` type whose items are the engine's code words, or None when none matches."""
    import _sre
    from array import array

    return next((t for t in "IL" if array(t).itemsize == _sre.CODESIZE), None)


def _code_text(code: list[int]) -> str | list[int]:
    """A compiled program as base64 of its machine words: the file then holds a few long strings,
    which JSON reads many times faster than the same program as a list of numbers."""
    typecode = _code_typecode()
    if typecode is None:
        return list(code)
    import base64
    from array import array

    return base64.b64encode(array(typecode, code).tobytes()).decode("ascii")


def _code_list(code: str | list[int]) -> list[int]:
    """The program `_code_text` stored, as the list `_sre.compile` takes (a list is taken as is)."""
    if isinstance(code, list):
        return code
    import base64
    from array import array

    words = array(_code_typecode() or "I")
    words.frombytes(base64.b64decode(code, validate=True))
    return words.tolist()


def _plain(value: Any) -> bool:
    """Whether JSON gives `value` back unchanged: plain containers, str keys, finite numbers."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def derived_data(name: str, inputs: list[str | bytes], compute: Callable[[], Any]) -> Any:
    """`compute()`, data worked out from the texts `inputs` alone, reused from the cache.

    `inputs` must hold everything the result depends on, the source of the code computing it
    included, so that any change to them is a miss. Each call returns a fresh object.
    """
    import hashlib

    digest = hashlib.sha256(name.encode())
    for text in inputs:
        raw = text.encode("utf-8") if isinstance(text, str) else text
        digest.update(len(raw).to_bytes(8, "little") + raw)  # length-prefixed: no two lists hash alike
    return _as_json("data", f"{name}:{digest.hexdigest()}", compute, family=f"{name}:")


def parse_yaml(text: str, parse) -> Any:
    """`parse(text)`, with the parsed data reused from the cache when this exact text was seen.

    Each call returns a fresh object, so a caller changing it never changes the cache.
    """
    import hashlib

    return _as_json("yaml", hashlib.sha256(text.encode("utf-8")).hexdigest(), lambda: parse(text))


def _as_json(kind: str, key: str, compute: Callable[[], Any], family: str | None = None) -> Any:
    """`compute()`, or a fresh copy of what it returned before under `key`: kept as JSON text, and only when
    JSON gives it back unchanged; a new entry replaces the older ones whose key starts with `family`."""
    entries = _entries(kind)
    hit = _hit(kind, key)
    if isinstance(hit, str):
        try:
            return json.loads(hit)
        except ValueError:
            pass
    data = compute()
    if _plain(data):
        dumped = json.dumps(data, ensure_ascii=False)
        if json.loads(dumped) == data:
            # A derived table is large (hundreds of KB) and every change to its inputs gives it a new key:
            # kept, the old ones would make every start read megabytes no run asks for.
            if family:
                for old in [k for k in entries if k.startswith(family)]:
                    del entries[old]
            _remember(kind, key, dumped)
    return data
