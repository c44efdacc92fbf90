"""ScriptedClient: stands in for openai.OpenAI in unit tests, answering by which prompt it was sent."""

from __future__ import annotations

import json
from types import SimpleNamespace


def _reply(content: str, finish_reason: str = "stop"):
    return SimpleNamespace(
        choices=[SimpleNamespace(message=SimpleNamespace(content=content), finish_reason=finish_reason)],
        usage=SimpleNamespace(prompt_tokens=100, completion_tokens=50))


class ScriptedClient:
    """`responder(task, messages)` returns the reply text; `task` names the prompt (opening, area, …)."""

    def __init__(self, responder, fail_after: int | None = None) -> None:
        self.responder = responder
        self.fail_after = fail_after
        self.tasks: list[str] = []
        self.max_tokens: list[int] = []
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **kwargs):
        if self.fail_after is not None and len(self.tasks) >= self.fail_after:
            import httpx2 as httpx
            import openai

            raise openai.APIConnectionError(request=httpx.Request("POST", "http://fake/v1/chat/completions"))
        task = task_of(kwargs["messages"])
        self.tasks.append(task)
        self.max_tokens.append(kwargs["max_tokens"])
        reply = self.responder(task, kwargs["messages"])
        if isinstance(reply, tuple):  # (text, finish_reason)
            return _reply(*reply)
        return _reply(reply)


def task_of(messages: list[dict]) -> str:
    """Which chain prompt a request is, from its wording."""
    user = messages[-1]["content"] if messages[-1]["role"] == "user" else messages[1]["content"]
    text = messages[1]["content"]
    if "检查发现的问题" in user:
        return "revise"
    for marker, task in (("开头一段", "opening"), ("为每个问题写一个要点", "area"), ("从思想根源上剖析原因", "causes"),
                         ("各写一条整改措施", "measures"), ("反面典型案例剖析", "case"), ("结尾一句表态", "closing"),
                         ("把笔记整理成 JSON", "extract")):
        if marker in text:
            return task
    return "unknown"


def area_json(messages, case_from_notes: bool = True, extra: str = "") -> str:
    """Points for every problem in the area prompt, with cases taken from its facts."""
    user = messages[1]["content"]
    problems = [line.split("：", 1)[1] for line in user.splitlines() if line.startswith("问题")]
    facts = [line.split("事实：", 1)[1] for line in user.splitlines() if line.strip().startswith("事实：")]
    points = []
    for summary, fact in zip(problems, facts, strict=False):
        case = fact if case_from_notes and "笔记没有给出" not in fact else ""
        points.append({"summary": summary, "detail": f"我在“{summary}”上认识不深、行动不实。{extra}", "case": case})
    return json.dumps({"points": points}, ensure_ascii=False)


CAUSES = json.dumps({"items": [
    {"title": "理论学习不够深入", "text": "我对理论学习重要性认识不足，学用结合不够。"},
    {"title": "党性修养有所放松", "text": "我对主观世界改造不够，党性锻炼不经常。"},
    {"title": "宗旨意识有所淡化", "text": "我对群众的急难愁盼感受不深。"},
    {"title": "担当精神有所减弱", "text": "我遇到难题有畏难情绪，干事创业劲头不足。"},
    {"title": "纪律规矩意识不强", "text": "我对廉洁自律要求执行不严。"}]}, ensure_ascii=False)


def measures_json(messages) -> str:
    user = messages[1]["content"]
    areas = [line.split(". ", 1)[1].split("：")[0] for line in user.splitlines() if line[:1].isdigit() and ". " in line]
    # Each measure worded for its own area: a well-behaved model does not repeat one template.
    return json.dumps({"items": [{"title": f"改进{a}", "text": f"{i + 3}月底前完成{a}整改。"}
                                 for i, a in enumerate(areas)]}, ensure_ascii=False)


def good_responder(task: str, messages) -> str:
    """A well-behaved model."""
    return {
        "opening": lambda: "按照上级部署，我认真学习，广泛征求意见，开展谈心谈话，现对照检查如下。",
        "area": lambda: area_json(messages),
        "causes": lambda: CAUSES,
        "measures": lambda: measures_json(messages),
        "case": lambda: "我对照这一案例深刻反思，引以为戒。",
        "closing": lambda: "以上对照检查，请同志们批评指正。",
        "revise": lambda: messages[1]["content"].split("【要修改的内容】\n", 1)[1].split("\n\n【检查发现的问题】")[0],
    }[task]()
