"""What `duizhao web --demo` replays: the recorded example sessions, in this one table.

The example notes, drafts and cassettes are re-recorded from time to time and may change names or
the section the revision was recorded on: change them here and nowhere else. The values mirror
`make demo` (Makefile) and the revise command in README ("离线体验改写").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEMO", "Demo"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Demo:
    """The recorded sessions and the parameters they were recorded with (paths relative to the checkout)."""

    notes: str  # the notes `make demo` drafts from; the draft form is prefilled with them
    draft_cassette: str
    draft_max_rounds: int
    revise_draft: str  # the draft the revision was recorded on
    revise_notes: str
    revise_section: str
    revise_cassette: str
    revise_max_rounds: int

    def path(self, name: str) -> Path:
        """An example file by its table field (`notes`, `draft_cassette`, …), under the checkout."""
        return ROOT / getattr(self, name)


DEMO = Demo(
    notes="examples/2023-zhuti.yaml",
    draft_cassette="examples/sessions/2023-zhuti.yaml",
    draft_max_rounds=1,
    revise_draft="examples/draft-2023-zhuti.md",
    revise_notes="examples/2023-zhuti.yaml",
    revise_section="1.4.1",
    revise_cassette="examples/sessions/revise-2023-zhuti.yaml",
    revise_max_rounds=2,
)
