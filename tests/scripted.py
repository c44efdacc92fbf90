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
    for marker, task in (("学习后的认识和体会", "opening"), ("各写一段对照检查", "area"), ("各段在初稿中被删去", "fill"), ("各写一段原因剖析", "causes"),
                         ("各写一段整改措施", "measures"), ("反面典型案例剖析", "case"),
                         ("把笔记整理成 JSON", "extract")):
        if marker in text:
            return task
    return "unknown"


def area_json(messages, extra: str = "") -> str:
    """One 表现 paragraph for every problem in the area prompt, each worded for its own problem."""
    user = messages[1]["content"]
    problems = [line.split("：", 1)[1] for line in user.splitlines() if line.startswith("问题")]
    return json.dumps({"items": [f"我在“{p}”上认识不深、行动不实，{_VARIANTS[i % 3]}。{extra}"
                                 for i, p in enumerate(problems)]}, ensure_ascii=False)


_VARIANTS = ["满足于面上过得去", "遇事习惯按老办法处理", "抓落实的韧劲还不够"]
_MEASURE_TIMES = ["年底前", "每季度", "半年内"]

CAUSES = json.dumps({"items": [
    "我对理论学习重要性认识不足，学用结合不够。",
    "我对主观世界改造不够，党性锻炼不经常。",
    "我对群众的急难愁盼感受不深。",
    "我遇到难题有畏难情绪，干事创业劲头不足。",
    "我对廉洁自律要求执行不严。"]}, ensure_ascii=False)


def measures_json(messages) -> str:
    user = messages[1]["content"]
    areas = [line.split(". ", 1)[1].split("：")[0] for line in user.splitlines() if line[:1].isdigit() and ". " in line]
    # Each measure worded for its own area: a well-behaved model does not repeat one template.
    return json.dumps({"items": [f"我将围绕{a}，{_MEASURE_TIMES[i % 3]}拿出具体办法并抓好落实。" for i, a in enumerate(areas)]},
                      ensure_ascii=False)


def fill_json(messages, area=None) -> str:
    """An item for every numbered entry of the one fill prompt, worded for its block (area problem, cause,
    measure); `area(summary)` may word the area problems instead."""
    items, block = [], ""
    for line in messages[1]["content"].splitlines():
        if line.startswith("【") and "：每段约" in line:
            block = line
        elif line[:1].isdigit() and ". " in line:
            entry = line.split(". ", 1)[1].split("（")[0]
            if "原因剖析" in block:
                items.append(f"我对{entry}的要求在思想上重视不够，自我改造抓得不紧。")
            elif "整改措施" in block:
                items.append(f"我将围绕{entry}，{_MEASURE_TIMES[len(items) % 3]}拿出具体办法并抓好落实。")
            else:
                items.append(area(entry) if area else f"我在“{entry}”上认识不深、行动不实，{_VARIANTS[len(items) % 3]}。")
    return json.dumps({"items": items}, ensure_ascii=False)


def good_responder(task: str, messages) -> str:
    """A well-behaved model."""
    return {
        "opening": lambda: "通过学习，我对初心使命有了更深的认识。",
        "area": lambda: area_json(messages),
        "fill": lambda: fill_json(messages),
        "causes": lambda: CAUSES,
        "measures": lambda: measures_json(messages),
        "case": lambda: "我对照这一案例深刻反思，引以为戒。",
        "revise": lambda: messages[1]["content"].split("【要修改的内容】\n", 1)[1].split("\n\n【检查发现的问题】")[0],
    }[task]()
