"""Run folders: every finished section checkpointed atomically, so `--resume` pays for none twice."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from agent.errors import InputError
from agent.writer import write_atomic


def runs_root() -> Path:
    """Where run folders live: $DUIZHAO_RUNS_DIR, else ./runs."""
    return Path(os.environ.get("DUIZHAO_RUNS_DIR", "runs"))


class Run:
    """One drafting run's folder: notes, plan, sections/*.json, calls.jsonl, draft and report."""

    def __init__(self, path: Path) -> None:
        self.path = path
        (path / "sections").mkdir(parents=True, exist_ok=True)

    @classmethod
    def create(cls, base: Path | None = None) -> Run:
        """A new run folder named by time."""
        base = base or runs_root()
        name = time.strftime("%Y%m%d-%H%M%S")
        path = base / name
        n = 1
        while path.exists():
            path = base / f"{name}-{n}"
            n += 1
        return cls(path)

    @classmethod
    def resume(cls, path: str | Path) -> Run:
        """An existing run folder. Raises InputError when it is not one."""
        p = Path(path)
        if not (p / "sections").is_dir():
            p = runs_root() / str(path)
        if not (p / "sections").is_dir():
            raise InputError("不是 duizhao 的运行目录（缺少 sections/）", path=str(path))
        return cls(p)

    def load_sections(self) -> dict:
        """Finished sections by key."""
        from agent.sections import SectionResult

        out = {}
        for f in sorted((self.path / "sections").glob("*.json")):
            result = SectionResult.model_validate_json(f.read_text(encoding="utf-8"))
            out[result.key] = result
        return out

    def save_section(self, result) -> None:
        """Checkpoint one finished section."""
        write_atomic(self.path / "sections" / f"{result.key}.json", result.model_dump_json(indent=1))

    def save_inputs(self, notes_yaml: str, settings: dict) -> None:
        """Keep the notes and the (key-free) settings the run was made with."""
        write_atomic(self.path / "notes.yaml", notes_yaml)
        write_atomic(self.path / "settings.json", json.dumps(settings, ensure_ascii=False, indent=1))

    def log_call(self, entry: dict) -> None:
        """Append one call (template step, messages, output, usage) to calls.jsonl."""
        with open(self.path / "calls.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def save_final(self, text: str, report: dict, meter) -> None:
        """The assembled draft, its report and the meter."""
        write_atomic(self.path / "draft.txt", text)
        write_atomic(self.path / "report.json", json.dumps({"report": report, "usage": meter.totals(),
                                                            "calls": [c.model_dump() for c in meter.calls]},
                                                           ensure_ascii=False, indent=1))
