"""Placeholder rules: slots left for the user (xx, ××, 某某, 〔…〕, 【请补充：…】, ***)."""

from __future__ import annotations

import re

from agent.rules import Context, rule

SLOT_RE = re.compile(r"(?<![A-Za-z])(?:xx|XX|x{1,2}(?=[家个项人次名亿万元条篇届大])|X{1,2}(?=[家个项人次名亿万元条篇届大]))(?![A-Za-z])"
                     r"|××+|某某|〔[^〕]{0,12}〕|【请(?:补充|核实)[:：][^】]*】|\*{3,}")


@rule("placeholder.slots", "placeholder", "error")
def unfilled_slots(ctx: Context, r):
    """不得留有未填的占位符。"""
    for m in SLOT_RE.finditer(ctx.doc.text):
        slot = m.group(0)
        if slot.startswith("【请补充"):
            message = f"待补充：{slot[5:-1]}。请填入真实情况，或删去这句话。"
        elif slot.startswith("【请核实"):
            message = f"数字“{slot[5:-1]}”在笔记中找不到：请核实，属实就删去标记，不实就删去或改正。"
        else:
            message = f"有未填的占位符“{slot}”：请换成真实的名称或数字。"
        yield ctx.finding(r, message, m.start(), m.end(), user_only=True)
