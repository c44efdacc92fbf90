"""The document model shared by every job: parts → sections → points, each with exact spans."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

PartKind = Literal["title", "opening", "last_year", "problems", "causes", "measures", "case", "closing", "other"]
NodeKind = Literal["title", "opening", "part", "section", "point", "closing"]
Voice = Literal["personal", "group"]
MeetingKind = Literal["民主生活会", "组织生活会"]

PART_LABELS: dict[str, str] = {
    "title": "标题",
    "opening": "开头",
    "last_year": "上年度整改落实情况",
    "problems": "存在的问题",
    "causes": "原因剖析",
    "measures": "整改措施",
    "case": "反面典型案例剖析",
    "closing": "结尾",
    "other": "其他",
}


class Node(BaseModel):
    """One addressable piece of a document: its id, numbering, title and span in `Document.text`.

    `start`/`end` cover the whole node (numbering prefix included); `body_start` is where the text
    after its heading begins. Offsets index the decoded text exactly, so a rewrite can replace one
    node's span and leave every other character alone.
    """

    id: str
    kind: NodeKind
    part_kind: PartKind = "other"
    number: int | None = None
    prefix: str = ""
    title: str = ""
    start: int
    end: int
    body_start: int
    children: list[Node] = Field(default_factory=list)

    def walk(self):
        """Yield this node and all descendants, depth first."""
        # A stack, not nested generators: each node costs one step, however deep it sits.
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


class DocKind(BaseModel):
    """Who speaks and at which meeting: a personal (我) or a leading group's (班子/我们) statement."""

    voice: Voice = "personal"
    meeting: MeetingKind | None = None
    # Where the kind came from: "flag", "inferred" or "default" (reports say so).
    origin: str = "default"


class Span(BaseModel):
    """A stretch of the text that is not part of the statement (page furniture, a table of contents)."""

    start: int
    end: int
    reason: str


class Document(BaseModel):
    """A parsed draft: the exact text, its top-level nodes, and why parsing fell short if it did.

    `norm` is `text` with traditional characters made simplified, character for character, so it
    has the same length and every offset means the same place: rules match on `norm`, report on `text`.
    `furniture` holds page furniture and a table of contents kept out of the parts.
    """

    text: str
    source: str = ""
    nodes: list[Node] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    kind: DocKind = Field(default_factory=DocKind)
    furniture: list[Span] = Field(default_factory=list)
    normalized: str | None = None

    @property
    def norm(self) -> str:
        """The text for matching: simplified characters, same length and offsets as `text`."""
        return self.normalized if self.normalized is not None else self.text

    def walk(self):
        """Every node in document order."""
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def slice(self, node: Node) -> str:
        """The text of a node, heading included."""
        return self.text[node.start:node.end]

    def body(self, node: Node) -> str:
        """The text of a node after its heading."""
        return self.text[node.body_start:node.end]

    def parts(self, kind: str | None = None) -> list[Node]:
        """Top-level nodes, optionally only those of one part kind."""
        return [n for n in self.nodes if kind is None or n.part_kind == kind]

    def part(self, kind: str) -> Node | None:
        """The first top-level node of a part kind, or None."""
        found = self.parts(kind)
        return found[0] if found else None

    @property
    def title(self) -> str:
        """The title line, or an empty string."""
        node = self.part("title")
        # A title broken over two lines reads as one.
        return "".join(line.strip() for line in self.slice(node).splitlines()) if node else ""

    def get(self, key: str) -> Node:
        """Find a node by id (`1.3.2`) or by a unique fragment of its title.

        Raises:
            UnknownSectionError: unknown or ambiguous, with the candidate list in the message.
        """
        for node in self.walk():
            if node.id == key:
                return node
        matches = [n for n in self.walk() if key and key in n.title]
        # Prefer the shallowest match: `担当作为` names the area, not every point inside it.
        if matches:
            depth = min(n.id.count(".") for n in matches)
            matches = [n for n in matches if n.id.count(".") == depth]
        if len(matches) == 1:
            return matches[0]
        reason = "不唯一" if matches else "找不到"
        from agent.errors import UnknownSectionError

        raise UnknownSectionError(f"章节“{key}”{reason}。可用的章节：{self.outline()}")

    def outline(self) -> str:
        """A one-line list of ids and titles, for error messages."""
        return "；".join(f"{n.id} {n.title[:16]}" for n in self.walk())

    def section_of(self, offset: int) -> str:
        """The id of the deepest node containing a text offset ("" when none)."""
        best = ""
        for node in self.walk():
            if node.start <= offset < node.end:
                best = node.id
        return best
