"""Length rules: total 字数 against the target (LongWriter's S_l), problems + causes at least half."""

from __future__ import annotations

from agent.facts import cjk_count
from agent.rules import Context, rule

MIN_LENGTH_SCORE = 80


def length_score(target: int, actual: int) -> float:
    """LongWriter's S_l: 100 at the target, falling faster for too short than for too long."""
    if target <= 0 or actual <= 0:
        return 0.0
    if actual > target:
        return 100 * max(0.0, 1 - (actual / target - 1) / 3)
    return 100 * max(0.0, 1 - (target / actual - 1) / 2)


@rule("length.total", "length", "warning")
def total_length(ctx: Context, r):
    """全文字数接近目标字数。"""
    target = ctx.target_chars or (ctx.notes.target_chars if ctx.notes else None)
    if not target:
        return
    actual = cjk_count(ctx.doc.text)
    score = length_score(target, actual)
    if score < MIN_LENGTH_SCORE:
        direction = "偏短" if actual < target else "偏长"
        yield ctx.finding(r, f"全文{actual}字，目标{target}字，{direction}（长度得分{score:.0f}）：请调整篇幅。",
                          0, 0, section="title")


@rule("length.balance", "length", "warning")
def problems_and_causes_majority(ctx: Context, r):
    """问题和原因应占全文一半以上。"""
    if not all(ctx.doc.part(k) for k in ("problems", "causes", "measures")):
        return  # the share means something only in a whole statement; a missing part is reported already
    total = cjk_count(ctx.doc.text)
    main = sum(cjk_count(ctx.doc.slice(n)) for n in ctx.doc.nodes if n.part_kind in ("problems", "causes"))
    if total >= 300 and main * 2 < total:
        node = ctx.doc.part("problems") or ctx.doc.nodes[0]
        yield ctx.finding(r, f"问题和原因只占全文{main * 100 // total}%：请把篇幅集中在查摆问题和剖析原因上（一半以上）。",
                          node.start, node.body_start, section=node.id)
