"""The document model: walking the node tree."""

from __future__ import annotations

from agent.document import Node
from agent.parser import parse_text
from tests.conftest import CLEAN


def _recursive(node: Node):
    yield node
    for child in node.children:
        yield from _recursive(child)


def test_walk_visits_every_node_depth_first_in_document_order():
    for path in CLEAN:
        doc = parse_text(path.read_text(encoding="utf-8"))
        expected = [n.id for top in doc.nodes for n in _recursive(top)]
        assert [n.id for n in doc.walk()] == expected
        assert len(expected) > 20 and expected[:2] == ["title", "opening"]
        part = doc.part("problems")
        assert [n.id for n in part.walk()] == [n.id for n in _recursive(part)]
