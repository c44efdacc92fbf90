"""Contamination rules: site residue, adverts, pinyin leftovers, prompt echo, meta-prose, Latin runs, markdown.

Every rule matches on `ctx.doc.norm` (simplified characters, same offsets as the text) and leaves
out the page furniture the parser marked: `contamination.site` reports each such span once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from itertools import accumulate
from pathlib import Path

from agent.cleaner import ad_pattern, marker_pattern, pinyin_pattern
from agent.diskcache import compile_re, derived_data
from agent.parser import split_paragraphs
from agent.resources import bundled_dir, load_table
from agent.rules import Context, rule
from agent.rules.helpers import Matcher, norm_sentences, prefiltered, quoted, words_re
from agent.rules.placeholder import doc_masks

# The product's own slots are output, not an echo of the prompt.
OWN_SLOTS = ("请补充", "请核实")
HEADER_RE = compile_re(r"【([^】\n]{1,40})】")
# Brackets a copied header may come in: 【…】, [ … ], ［…］, 〖…〗.
BRACKETED_RE = compile_re(r"[【\[［〖]\s*([^】\]］〗\n]{1,40}?)\s*[】\]］〗]")
LATIN_RE = compile_re(r"[A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*)*")
CJK_RE = compile_re(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = 3  # a run of this many Latin words inside Chinese prose is English text


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return not any(s < end and start < e for s, e in spans)


def _paragraphs(ctx: Context) -> list:
    """`split_paragraphs(ctx.doc.norm)`, once per check."""
    return ctx.derived("paragraphs:norm", lambda: split_paragraphs(ctx.doc.norm))


ADDRESS_RE = compile_re(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
# The same matches where the text has no @: the e-mail branch, whose \S+ backtracks over every
# character of a line of Chinese (no spaces), can never match there.
URL_RE = compile_re(r"(?:https?://|www\.)\S+")


def _skip_spans(ctx: Context) -> list[tuple[int, int]]:
    """Furniture (reported once by contamination.site) plus URLs and e-mail addresses (by .ads), once per check."""
    return ctx.derived("skip_spans:norm", lambda: _address_spans(ctx))


def _address_spans(ctx: Context) -> list[tuple[int, int]]:
    text = ctx.doc.norm
    spans = [(f.start, f.end) for f in ctx.doc.furniture]
    spans += [m.span() for m in (ADDRESS_RE if "@" in text else URL_RE).finditer(text)]
    return spans


@rule("contamination.site", "contamination", "error")
def site_furniture(ctx: Context, r):
    """不得残留素材网站的页面内容（网站名、导航、浏览量、发布时间、下载和版权说明、合集标题）或目录。"""
    for span in ctx.doc.furniture:
        reason = span.reason or ""
        if "目录" in reason or "toc" in reason.lower() or "contents" in reason.lower():
            what = "目录（材料正文不带目录）"
        else:
            what = f"素材网站的页面内容（{reason}）" if reason else "素材网站的页面内容"
        yield ctx.finding(r, f"这是{what}，不是对照检查材料的正文：请删除。", span.start, span.end)


@rule("contamination.ads", "contamination", "error")
def adverts(ctx: Context, r):
    """不得含有素材网站的广告、联系方式、网址或付费标记。"""
    text = ctx.doc.norm
    furniture = [(f.start, f.end) for f in ctx.doc.furniture]
    for pattern in (marker_pattern(), _ads()):
        for m in pattern.finditer(text):
            if _outside(furniture, m.start(), m.end()):
                yield ctx.finding(r, f"含有广告或联系方式“{m.group(0)[:20]}”：请删除。", m.start(), m.end())


@cache
def _ads() -> Matcher:
    """The cleaner's advert pattern, prefiltered (the same matches, found faster)."""
    return prefiltered(ad_pattern().pattern, ad_pattern().flags)


@cache
def _pinyin() -> Matcher:
    """The cleaner's pinyin pattern, prefiltered."""
    return prefiltered(pinyin_pattern().pattern, pinyin_pattern().flags)


@rule("contamination.pinyin", "contamination", "error")
def pinyin_leftovers(ctx: Context, r):
    """不得残留拼音缩写（dangshi、mzshh…），中文词语中不得夹带拉丁字母。"""
    text = ctx.doc.norm
    if not re.search(r"[A-Za-z]", text):
        return
    table = load_table("pinyin.yaml")
    skip = _skip_spans(ctx) + doc_masks(ctx)
    known = []
    for m in _pinyin().finditer(text):
        known.append(m.span())
        if _outside(skip, m.start(), m.end()):
            yield ctx.finding(r, f"残留拼音缩写“{m.group(0)}”：应写作“{table[m.group(0).lower()]}”。", m.start(), m.end())
    fields, allowed = notes_fields(), latin_allowed()
    for m in re.finditer(r"[A-Za-z]+", text):
        word, start, end = m.group(0), m.start(), m.end()
        if not _outside(known + skip, start, end) or word in allowed or word.isupper():
            continue
        if re.fullmatch(r"[xX]+", word):
            continue  # an anonymising slot: placeholder.slots reports it
        before, after = text[start - 1:start], text[end:end + 1]
        if not (CJK_RE.match(before) or CJK_RE.match(after)):
            continue  # a Latin word between spaces or punctuation: English text, see contamination.english
        if word in fields:
            message = f"正文中出现了笔记或提示词的字段名“{word}”：请删除，改写成完整的中文句子。"
        else:
            message = f"中文词语中夹带了拉丁字母“{word}”（像是拼音或乱码残留）：请改成中文。"
        yield ctx.finding(r, message, start, end)


@rule("contamination.english", "contamination", "error")
def english_runs(ctx: Context, r):
    """中文正文中不得夹带英文句子或成串的英文单词（字段名、提示词残留）。"""
    text = ctx.doc.norm
    if not re.search(r"[A-Za-z]{2}", text):
        return
    skip = _skip_spans(ctx) + doc_masks(ctx)
    fields, allowed = notes_fields(), latin_allowed()
    for para in _paragraphs(ctx):
        line = text[para.start:para.end]
        if not CJK_RE.search(line):
            continue
        for m in LATIN_RE.finditer(text, para.start, para.end):
            words = m.group(0).split()
            start, end = m.start(), m.end()
            if not _outside(skip, start, end):
                continue
            if len(words) >= ENGLISH_WORDS and sum(len(w) for w in words) >= 8:
                yield ctx.finding(r, f"中文正文中夹带了英文“{m.group(0)[:30]}”：请删除或改成中文。", start, end)
            elif len(words) == 1 and words[0] in fields and words[0] not in allowed:
                # A field name standing alone (`summary：…`); glued to Chinese, .pinyin reports it.
                if not (CJK_RE.match(text[start - 1:start]) or CJK_RE.match(text[end:end + 1])):
                    yield ctx.finding(r, f"正文中出现了笔记或提示词的字段名“{words[0]}”：请删除，改写成完整的中文句子。",
                                      start, end)


@rule("contamination.prompt_echo", "contamination", "error")
def prompt_echo(ctx: Context, r):
    """不得出现提示词回声：提示词的【…】标题、任务说明的原话、生成时的套话。"""
    text = ctx.doc.norm
    skip = [(f.start, f.end) for f in ctx.doc.furniture]
    reported: list[tuple[int, int]] = []
    for m in BRACKETED_RE.finditer(text):
        if _is_prompt_header(m.group(1)) and _outside(skip, m.start(), m.end()):
            reported.append(m.span())
            yield ctx.finding(r, f"出现了生成工具的提示词标题“{m.group(0)}”：请删除这个标题及其后不属于正文的内容。",
                              m.start(), m.end())
    for para in _paragraphs(ctx):
        # A header copied without its brackets, alone on its line (`检查发现的问题：`).
        bare = text[para.text_start:para.end].strip().rstrip("：:")
        if bare and _is_prompt_header(bare) and _outside(reported + skip, para.start, para.end):
            reported.append((para.start, para.end))
            yield ctx.finding(r, f"出现了生成工具的提示词标题“{bare}”：请删除。", para.start, para.end)
    for m in words_re("prompt_echo").finditer(text):
        if _outside(reported + skip, m.start(), m.end()):
            reported.append(m.span())
            yield ctx.finding(r, f"出现了与正文无关的套话“{m.group(0)}”（像是生成时的提示残留）：请删除。",
                              m.start(), m.end())
    for start, end in _task_wording(ctx):
        if _outside(reported + skip, start, end):
            reported.append((start, end))
            yield ctx.finding(r, f"照抄了生成任务的说明文字“{text[start:end][:24]}”：请删除，只保留材料正文。", start, end)


@rule("contamination.meta", "contamination", "error")
def meta_prose(ctx: Context, r):
    """正文不得谈论文字本身（“本段将…”“并以…结尾”“字数约…”“按要求写…”），也不得对读者说话（“您”）。"""
    text = ctx.doc.norm
    skip = [(f.start, f.end) for f in ctx.doc.furniture]
    reported: list[tuple[int, int]] = []
    for m in words_re("meta_prose").finditer(text):
        # Inside quotation marks the words are someone else's (群众说“您放心”), not the text about itself.
        if _outside(skip, m.start(), m.end()) and not quoted(text, m.start()):
            reported.append(m.span())
            yield ctx.finding(r, f"“{m.group(0)}”是在说明这段文字本身（写作要求的残留），不是材料内容：请删去这句话。",
                              m.start(), m.end())
    for m in words_re("meta_address").finditer(text):
        if _outside(skip + reported, m.start(), m.end()) and not quoted(text, m.start()):
            yield ctx.finding(r, f"“{m.group(0)}”是在对读者说话（生成工具或网站的口吻），不是材料内容：请删去这句话。",
                              m.start(), m.end())


@rule("contamination.markdown", "contamination", "error")
def markdown_in_body(ctx: Context, r):
    """正文中不得夹带 Markdown 标记（**、#、列表符号、代码块）；打码的 `**镇` `20**年` 不算。"""
    text = ctx.doc.norm
    skip = None  # the masks are looked for only once some markup is found: most drafts have none
    for para in _paragraphs(ctx):
        start = para.start
        if ctx.fmt == "md":
            # Markdown files may mark headings; a bold heading at the paragraph start is fine too.
            lead = re.match(r"#{1,6}\s+|\*\*[^*]{1,40}\*\*", text[start:para.end])
            if lead:
                start += lead.end()
        for m in words_re("markdown_inline").finditer(text, start, para.end):
            if skip is None:
                skip = [(f.start, f.end) for f in ctx.doc.furniture] + doc_masks(ctx)
            if (ctx.fmt != "md" or m.start() >= start) and _outside(skip, m.start(), m.end()):
                yield ctx.finding(r, f"正文中夹带了排版标记“{m.group(0).strip()}”：请删除标记，只保留文字。",
                                  m.start(), m.end())


# --- what the tool itself would leave behind -----------------------------------------------------

@cache
def prompt_headers() -> frozenset[str]:
    """Every `【…】` header of prompts/*.j2, without its bracketed aside (`样例（只学文风）` → `样例`)."""
    found = set()
    for path in sorted(bundled_dir("prompts").glob("*.j2")):
        for m in HEADER_RE.finditer(path.read_text(encoding="utf-8")):
            if "{" in m.group(1) or m.group(1).startswith(OWN_SLOTS):
                continue
            found.add(_core(m.group(1)))
    return frozenset(h for h in found if h)


ASIDE_RE = compile_re(r"[（(][^）)]*[）)]")


def _core(header: str) -> str:
    return ASIDE_RE.sub("", header).strip().rstrip("：:")


@cache
def _short_headers() -> frozenset[str]:
    """The two-character prompt headers (笔记, 样例…)."""
    return frozenset(h for h in prompt_headers() if len(h) == 2)


def _is_prompt_header(content: str) -> bool:
    core = _core(content)
    if not core or core.startswith(OWN_SLOTS):
        return False
    if core in prompt_headers():
        return True
    # `【笔记：…】`, `【样例二】`, `【任务说明】`: a short header word opening the bracket.
    return len(core) <= 12 and core[:2] in _short_headers()


@cache
def notes_fields() -> frozenset[str]:
    """Latin field names a model may leak: every field of the notes models and the prompts' JSON keys."""
    from pydantic import BaseModel

    from agent import notes

    names: set[str] = set()
    for obj in vars(notes).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == notes.__name__:
            names.update(obj.model_fields)
    for path in bundled_dir("prompts").glob("*.j2"):
        names.update(re.findall(r'"([a-z_]{3,})"\s*:', path.read_text(encoding="utf-8")))
        names.update(re.findall(r"^([a-z_]{3,})：", path.read_text(encoding="utf-8"), re.MULTILINE))
    return frozenset(names)


@cache
def latin_allowed() -> frozenset[str]:
    return frozenset(load_table("wordlists.yaml")["latin_allowed"])


TASK_RUN = 10  # CJK characters of the prompts' instructions that, repeated, are an echo


@cache
def _task_grams() -> frozenset[str]:
    """TASK_RUN-grams of the prompts' own instruction text that no real statement uses.

    Template variables and blocks are dropped; grams found in the cleaned samples (real genre
    wording such as 现对照检查如下) or in the political formulae are not instructions.
    """
    # late: duplication needs the rule registry
    from agent.rules.duplication import mask_allowed, sample_inputs, sample_texts

    prompts = [path.read_text(encoding="utf-8") for path in sorted(bundled_dir("prompts").glob("*.j2"))]

    def compute() -> list[str]:
        grams: set[str] = set()
        for text in prompts:
            raw = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "\x00", text, flags=re.S)
            raw = mask_allowed(raw)  # meeting titles and formulae are genre wording
            chars = compile_re(r"[^\u4e00-\u9fff\x00\n]").sub("", raw).replace("\n", "\x00")
            grams.update(w for i in range(len(chars) - TASK_RUN + 1) if "\x00" not in (w := chars[i:i + TASK_RUN]))
        genre: set[str] = set()
        for _, text in sample_texts():
            chars = compile_re(r"[^\u4e00-\u9fff]").sub("", text)
            genre.update(chars[i:i + TASK_RUN] for i in range(len(chars) - TASK_RUN + 1))
        return sorted(grams - genre)

    # Kept in the start-up cache: every check needs it, and it reads every prompt and sample.
    code = Path(__file__).read_text(encoding="utf-8")
    return frozenset(derived_data("task_grams", sample_inputs(code, *prompts), compute))


TASK_SEED = 5  # TASK_RUN >= 2·TASK_SEED − 1: every TASK_RUN-window holds a seed at a multiple of TASK_SEED


@cache
def _task_seeds() -> frozenset[str]:
    """Every TASK_SEED-long piece of every instruction gram."""
    return frozenset(g[i:i + TASK_SEED] for g in _task_grams() for i in range(TASK_RUN - TASK_SEED + 1))


def _task_windows(chars: str) -> list[int]:
    """Start offsets of the TASK_RUN-windows of chars that are instruction grams.

    Only the TASK_SEED-grams at multiples of TASK_SEED are looked up first; the windows around a
    seed hit are then checked exactly, which finds what checking every window finds, faster.
    """
    grams, seeds = _task_grams(), _task_seeds()
    last = len(chars) - TASK_RUN
    hits = [j for j in range(0, len(chars) - TASK_SEED + 1, TASK_SEED) if chars[j:j + TASK_SEED] in seeds]
    return [i for j in hits for i in range(max(0, j + TASK_SEED - TASK_RUN), min(j, last) + 1)
            if chars[i:i + TASK_RUN] in grams]


def _has_task_gram(chars: str) -> bool:
    """Whether any TASK_RUN-window of chars is an instruction gram."""
    return bool(_task_windows(chars))


def _task_wording(ctx: Context):
    """Spans of sentences (of the norm) that carry a run of the prompts' instruction wording."""
    rows = norm_sentences(ctx)
    # All sentences at once, NUL between them: no gram holds a NUL, so a window found lies in one
    # sentence, and every window still holds a seed at a multiple of TASK_SEED.
    found = _task_windows("\x00".join([chars for _, _, chars in rows]))
    if not found:
        return
    firsts = list(accumulate((len(chars) + 1 for _, _, chars in rows), initial=0))
    marked = {bisect_right(firsts, i) - 1 for i in found}
    for k in sorted(marked):
        yield rows[k][0], rows[k][1]
