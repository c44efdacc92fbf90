"""Recall of `check`: realistic defects put into real statements, caught in the right category and section?

Run: `.venv/bin/python benchmarks/perturb.py [FOLDER ...]` (default: `../shared/corpus`, `../corpus/real`
when present, and the two cleaned samples for the parts that excerpts lack). Each defect below is
worded here, in several wordings a reviewer meets, and put into every document where it fits: a
problem point, the causes, the measures, the opening or the title. A defect counts as caught when a
finding of its category appears that the unchanged document did not have, in the section changed
(or inside it). Prints the catch rate per defect kind and overall; asserts nothing.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.check import check_document, resolve_theme  # noqa: E402
from agent.document import Document, Node  # noqa: E402
from agent.parser import parse_text  # noqa: E402
from benchmarks.check_quality import DEFAULT_FOLDERS, corpus_text  # noqa: E402

# (kind, category, where, wordings). `where`: point (inserted at the start of a problem point's body),
# point_end (appended to a problem point),
# cause / measure (a new item replacing the first one's body), opening (appended), title (rewritten).
DEFECTS: list[tuple[str, str, str, list[str]]] = [
    ("group subject", "voice", "point", [
        "个别班子成员对新理论学得不深，", "有的干部存在等上级安排的思想，", "少数党员对学习敷衍了事，",
        "一部分工作人员办事拖拉，", "一些科室负责人习惯于层层转发文件，", "有些同志把调研当成走过场，",
        "不少同志满足于完成规定动作，", "相当一部分干部习惯于坐在办公室听汇报，", "我们在工作中习惯于按老办法办事，"]),
    ("achievement talk", "voice", "point", [
        "全年招商引资实现了两位数增长，", "该项工作连续三年在全市考核中排名第一，", "我牵头的项目获评省级示范，",
        "确保了重点工程顺利推进，", "相关做法被上级作为经验推广，", "超额完成了年度目标任务，"]),
    ("self-praise sentence", "voice", "point", [
        "我始终坚持深入基层，经常到企业走访，及时帮助他们排忧解难。", "平时我积极参加各类学习，认真撰写心得体会。",
        "我总是带头加班加点，主动承担急难险重任务。", "工作中我注重调查研究，善于从群众中汲取智慧。"]),
    ("cause written as a pledge", "correspondence", "cause", [
        "我应该把理论学习摆在更加突出的位置，坚持每天读原著。",
        "今后要进一步加强党性锻炼，时刻以党章为镜。",
        "我需要持续改进工作作风，切实做到真抓实干。",
        "因此，我必须认真落实各项制度，带头严守纪律。"]),
    ("pledge in a problem", "concreteness", "point_end", [
        "这个问题需要我今后更加注重改进。", "如果能够多到一线看一看，这些问题就会得到解决。",
        "这件事让我认识到，必须进一步增强责任意识。", "因此，我会更加注重学以致用。"]),
    ("objective excuse", "voice", "cause", [
        "主要是因为这一时期工作任务过于繁重，实在抽不出时间学习。",
        "客观上基层人手少、事情多，很多工作顾不过来。",
        "由于上级临时交办的事务太多，学习时间难以保证。",
        "受疫情和经济下行等外部因素影响，许多工作推进不了。"]),
    ("slogan measure", "concreteness", "measure", [
        "进一步加强理论学习，持续提升政治能力。", "定期开展谈心谈话，常态化抓好作风建设。",
        "今后要长期坚持，努力把工作做得更好。", "持续深化学习，不断增强本领，切实改进作风。"]),
    ("mask left in", "placeholder", "point", [
        "在XX项目推进中，", "于X月组织的调研中，", "对____同志反映的问题，", "在[具体项目]中，", "（待补充）",
        "在**镇开展的检查中，"]),
    ("prompt echo / meta-prose", "contamination", "point", [
        "以下是根据要求撰写的内容：", "【检查发现的问题】", "本段重点写理论学习方面的问题。", "summary：",
        "注：此处可结合实际补充案例。", "（本部分约300字）"]),
    ("case missing", "concreteness", "strip_case", [""]),
    ("fact said twice", "duplication", "echo_point", [""]),
    ("wrong count in opening", "correspondence", "opening", ["现从九个方面对照检查如下。", "共查摆出问题27个，现报告如下。"]),
    ("title for another year", "correspondence", "title", [""]),
]
CASE_RE = re.compile(r"[。；]?(?:如[，,：:]|(?:比如|例如|譬如)[，,：:]?)[^。]*。")  # 如何… is no case marker


def points(doc: Document) -> list[Node]:
    """The first point (or the area itself) of each problem area."""
    out = []
    for part in doc.parts("problems"):
        for section in part.children:
            out.append(section.children[0] if section.children else section)
    return out


def _insert(text: str, at: int, piece: str) -> str:
    return text[:at] + piece + text[at:]


def variants(text: str, doc: Document, where: str, wording: str) -> list[tuple[str, str]]:
    """(perturbed text, id of the section changed) for each place the defect fits."""
    out = []
    if where == "point":
        out = [(_insert(text, p.body_start, wording), p.id) for p in points(doc)[:2]]
    elif where == "point_end":  # after what the point says, where a writer adds a pledge
        for p in points(doc)[:2]:
            end = len(text[:p.end].rstrip())
            # An excerpt's point may stop mid-sentence: the pledge still comes as a sentence of its own.
            out.append((_insert(text, end, ("" if text[end - 1] in "。；！？" else "。") + wording), p.id))
    elif where in ("cause", "measure"):
        part = doc.part("causes" if where == "cause" else "measures")
        if part and part.children:
            first = part.children[0]
            out = [(text[:first.body_start] + wording + text[first.end:], first.id)]
    elif where == "opening" and doc.part("opening"):
        node = doc.part("opening")
        out = [(_insert(text, node.end, wording), node.id)]
    elif where == "title" and doc.part("title"):
        node = doc.part("title")
        years = re.findall(r"20\d\d", doc.slice(node))
        if years:
            other = str(int(years[0]) - 2)
            out = [(text[:node.start] + doc.slice(node).replace(years[0], other) + text[node.end:], "title")]
    elif where == "strip_case":
        for p in points(doc)[:2]:
            body = text[p.body_start:p.end]
            if CASE_RE.search(body):
                out.append((text[:p.body_start] + CASE_RE.sub("。", body) + text[p.end:], p.id))
    elif where == "echo_point":
        for p in points(doc)[:2]:
            body = text[p.body_start:p.end]
            first = re.match(r"[^。]{8,60}。", body)
            if first:
                out.append((text[:p.end] + "如，" + first.group(0) + text[p.end:], p.id))
    return out


def check(text: str) -> list:
    doc = parse_text(text, repair=False)
    return check_document(doc, theme=resolve_theme(doc, None, None)).findings


def caught(before: list, after: list, category: str, section: str) -> bool:
    """A finding of the category in the changed section that the unchanged document had fewer of."""
    def here(f) -> bool:
        return f.category == category and (
            f.section == section or f.section.startswith(section + ".") or section.startswith(f.section + ".")
            or (section == "opening" and f.section in ("opening", "title")))

    old = Counter((f.rule, f.excerpt) for f in before if here(f))
    new = Counter((f.rule, f.excerpt) for f in after if here(f))
    return any(new[k] > old[k] for k in new)


def main(argv: list[str]) -> None:
    folders = [Path(a) for a in argv] or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    files = sorted(p for folder in folders for p in folder.glob("*.txt"))
    texts: list[tuple[str, str]] = [(p.name, corpus_text(p)) for p in files]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "fewshot" / "clean").glob("*.txt"))]
    tried, hits = Counter(), Counter()
    misses: list[str] = []
    for name, raw in texts:
        from agent.normalize import repair_extraction

        text = repair_extraction(raw)  # perturb what check sees, so offsets line up
        doc = parse_text(text)
        before = check(text)
        for kind, category, where, wordings in DEFECTS:
            if kind == "group subject" and doc.kind.voice == "group":
                continue  # 部分班子成员 is a 班子 statement's own voice
            if where == "opening" and not all(doc.part(k) for k in ("problems", "causes", "measures")):
                continue  # counts are judged against the body only in a whole statement, not an excerpt
            for wording in wordings:
                for changed, section in variants(text, doc, where, wording):
                    tried[kind] += 1
                    if caught(before, check(changed), category, section):
                        hits[kind] += 1
                    else:
                        misses.append(f"{kind:24} {name:40} {section:8} {wording[:20]}")
    print(f"{len(texts)} documents")
    for kind, *_ in DEFECTS:
        if tried[kind]:
            print(f"{kind:26} {hits[kind]:4}/{tried[kind]:<4} {100 * hits[kind] / tried[kind]:5.0f}%")
    total_tried, total_hits = sum(tried.values()), sum(hits.values())
    print(f"{'all':26} {total_hits:4}/{total_tried:<4} {100 * total_hits / max(1, total_tried):5.0f}%")
    if "--misses" in sys.argv:
        print("\n".join(misses))


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("-")])
