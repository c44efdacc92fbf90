"""Contamination rules: site adverts, pinyin leftovers, prompt echo, markdown inside body text."""

from __future__ import annotations

import re

from agent.cleaner import ad_pattern, marker_pattern, pinyin_pattern
from agent.parser import split_paragraphs
from agent.rules import Context, rule
from agent.rules.helpers import words_re


@rule("contamination.ads", "contamination", "error")
def adverts(ctx: Context, r):
    """不得含有素材网站的广告、联系方式、网址或付费标记。"""
    text = ctx.doc.text
    for pattern in (marker_pattern(), ad_pattern()):
        for m in pattern.finditer(text):
            yield ctx.finding(r, f"含有广告或联系方式“{m.group(0)[:20]}”：请删除。", m.start(), m.end())


@rule("contamination.pinyin", "contamination", "error")
def pinyin_leftovers(ctx: Context, r):
    """不得残留拼音缩写（dangshi、mzshh…）。"""
    from agent.resources import load_table

    table = load_table("pinyin.yaml")
    if not re.search(r"[A-Za-z]", ctx.doc.text):
        return
    for m in pinyin_pattern().finditer(ctx.doc.text):
        yield ctx.finding(r, f"残留拼音缩写“{m.group(0)}”：应写作“{table[m.group(0).lower()]}”。", m.start(), m.end())


@rule("contamination.prompt_echo", "contamination", "error")
def prompt_echo(ctx: Context, r):
    """不得出现提示词回声（生成时的提示、字段名、任务说明的残留）。"""
    for m in words_re("prompt_echo").finditer(ctx.doc.text):
        yield ctx.finding(r, f"出现了与正文无关的套话“{m.group(0)}”（像是生成时的提示残留）：请删除。",
                          m.start(), m.end())


@rule("contamination.markdown", "contamination", "error")
def markdown_in_body(ctx: Context, r):
    """正文中不得夹带 Markdown 标记（**、#、列表符号、代码块）。"""
    text = ctx.doc.text
    for para in split_paragraphs(text):
        start = para.start
        if ctx.fmt == "md":
            # Markdown files may mark headings; a bold heading at the paragraph start is fine too.
            lead = re.match(r"#{1,6}\s+|\*\*[^*]{1,40}\*\*", text[start:para.end])
            if lead:
                start += lead.end()
        for m in words_re("markdown_inline").finditer(text, start, para.end):
            if ctx.fmt != "md" or m.start() >= start:
                yield ctx.finding(r, f"正文中夹带了排版标记“{m.group(0).strip()}”：请删除标记，只保留文字。",
                                  m.start(), m.end())
