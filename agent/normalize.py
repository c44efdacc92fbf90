"""Text as matched and as read: traditional → simplified in place, and PDF extraction artefacts undone.

`simplified` keeps length and offsets, so rules can match on it and report spans on the original.
`repair_extraction` changes the text (joins hard-wrapped lines, drops spaces a PDF put inside words);
`check` uses it on files, `revise` never does, because revise must leave every other byte alone.
"""

from __future__ import annotations

from functools import cache

from agent.diskcache import compile_re

CJK = r"\u4e00-\u9fff"
SENTENCE_END = "。！？!?；;：:…”」』）)】"
# A line that starts like this begins a new paragraph even in hard-wrapped text.
NEW_PARA_RE = compile_re(
    rf"^\s*(?:[{CJK}]{{0,1}}[一二三四五六七八九十]{{1,3}}\s*[、.．]|[（(]\s*[一二三四五六七八九十0-9０-９]{{1,3}}\s*[）)]"
    rf"|[0-9０-９]{{1,2}}\s*[、.．](?![0-9])|[①-⑳]|第[一二三四五六七八九十]+部分|[#>]|[-*+]\s|[一二三四五六七八九十]{{1,2}}是)"
)
WRAP_MIN_LINES = 8  # fewer lines than this are never judged hard-wrapped
WRAP_SHARE = 0.3  # share of lines that end mid-sentence in a hard-wrapped text


@cache
def _converter():
    import opencc  # a maintained converter; imported only for text that needs it

    return opencc.OpenCC("t2s")


def _needs_conversion(text: str) -> bool:
    """Whether text has ideographs outside GB2312 (traditional characters are, simplified ones mostly not)."""
    try:
        text.encode("gb2312")
        return False  # the common case, decided at C speed
    except UnicodeEncodeError:
        pass
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                return True
    return False


def simplified(text: str) -> str:
    """Text with traditional characters made simplified, same length, so every offset still holds."""
    if not _needs_conversion(text):
        return text
    convert = _converter().convert
    out = convert(text)
    if len(out) == len(text):
        return out
    # A phrase mapping changed the length somewhere: redo line by line, and char by char where needed.
    lines = []
    for line in text.splitlines(keepends=True):
        done = convert(line)
        lines.append(done if len(done) == len(line) else "".join(
            c if len(c := convert(ch)) == 1 else ch for ch in line))
    return "".join(lines)


def is_hard_wrapped(text: str) -> bool:
    """Whether most lines end mid-sentence at a similar width, as text copied out of a PDF does."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < WRAP_MIN_LINES:
        return False
    widths = sorted(len(ln) for ln in lines)
    typical = widths[len(widths) * 3 // 4]
    if typical < 12 or typical > 60:
        return False
    open_ended = sum(1 for ln in lines if ln[-1] not in SENTENCE_END and len(ln) >= typical * 0.8)
    return open_ended / len(lines) >= WRAP_SHARE


def repair_extraction(text: str) -> str:
    """Join hard-wrapped lines and drop spaces between ideographs, as copied-out PDF text needs.

    Only a text judged hard-wrapped has its lines joined: a line that ends mid-sentence near the
    typical width continues on the next, unless the next starts a numbered item or heading.
    """
    # A space a PDF left inside a word goes; one before a numbered heading (…措施 一、存在的…) stays.
    text = compile_re(rf"(?<=[{CJK}]) (?=[{CJK}])(?![一二三四五六七八九十]{{1,2}}[、是])").sub("", text)
    if not is_hard_wrapped(text):
        return text
    lines = text.splitlines()
    widths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    typical = widths[len(widths) * 3 // 4]
    out: list[str] = []
    last = ""  # the previous physical line: its width says whether it was cut by the page edge
    for line in lines:
        joins = (last and last[-1] not in SENTENCE_END and len(last) >= typical * 0.8 and line.strip()
                 and not NEW_PARA_RE.match(line))
        if joins:
            out[-1] = out[-1].rstrip() + line.strip()
        else:
            out.append(line)
        last = line.strip()
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
