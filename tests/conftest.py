"""Shared fixtures: isolated config/env for every test, and paths to the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = sorted((ROOT / "fewshot" / "raw").glob("*.txt"))
CLEAN = sorted((ROOT / "fewshot" / "clean").glob("*.txt"))


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, tmp_path_factory, monkeypatch):
    """No test reads the user's config or keys, and unexpected errors surface as tracebacks."""
    for name in list(__import__("os").environ):
        if name.startswith("DUIZHAO_") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DUIZHAO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("DUIZHAO_RUNS_DIR", str(tmp_path / "runs"))
    # The start-up cache (agent/diskcache.py): the session's own, outside the folders tests list.
    monkeypatch.setenv("DUIZHAO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "duizhao-cache"))


@pytest.fixture
def seed_000() -> str:
    return (ROOT / "fewshot" / "clean" / "000_7b69468aeeb3f112.txt").read_text(encoding="utf-8")


@pytest.fixture
def seed_001() -> str:
    return (ROOT / "fewshot" / "clean" / "001_40c88b85273e41a4.txt").read_text(encoding="utf-8")
