"""One code path to every OpenAI-compatible server: transport retries, structured output, metering.

What differs between servers is data in the preset (agent/data/providers.yaml): the token-limit
parameter, whether temperature is sent, extra body fields, where reasoning and cached tokens are
read. Reasoning is logged and metered, never fed back; `<think>…</think>` is cut from the content.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_before_delay

from agent.errors import DraftRetryError, ModelError, OutputTruncatedError
from agent.settings import FALLBACK, Settings, Structured

T = TypeVar("T", bound=BaseModel)
MAX_WAIT = 60.0
MAX_PROMPT_CHARS = 60_000  # one request's messages; real prompts are a few thousand
THINK_RE = re.compile(r"<think>.*?</think>", re.S)
JSON_HINT = "（请只输出 JSON。）"  # json_object servers (DeepSeek, DashScope) refuse prompts without the word


class CallRecord(BaseModel):
    """The meter of one model call."""

    step: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens served from the provider's cache (billed lower)
    reasoning_tokens: int = 0
    seconds: float = 0.0
    retries: int = 0


class Meter(BaseModel):
    """All calls of a run, with totals."""

    calls: list[CallRecord] = Field(default_factory=list)

    def totals(self) -> dict:
        """Sums over every call."""
        return {
            "calls": len(self.calls),
            "prompt_tokens": sum(c.prompt_tokens for c in self.calls),
            "completion_tokens": sum(c.completion_tokens for c in self.calls),
            "cached_tokens": sum(c.cached_tokens for c in self.calls),
            "reasoning_tokens": sum(c.reasoning_tokens for c in self.calls),
            "seconds": round(sum(c.seconds for c in self.calls), 2),
            "retries": sum(c.retries for c in self.calls),
        }


def get_client(settings: Settings):
    """An openai.OpenAI client with the SDK's own retries off (tenacity does them, visibly)."""
    import openai

    return openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key(), max_retries=0,
                         timeout=openai.Timeout(settings.timeout, connect=settings.connect_timeout))


def _replay_miss(exc: BaseException | None) -> bool:
    """A request missing from a replayed recording (vcrpy's error, possibly wrapped by the SDK)."""
    while exc is not None:
        if type(exc).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _transient(exc: BaseException) -> bool:
    import openai

    if _replay_miss(exc):
        return False
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    # A body cut off mid-JSON is a dropped connection in all but name: worth another try.
    return isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, json.JSONDecodeError))


def unsupported_format(exc: BaseException) -> bool:
    """A 400/422 saying the server lacks the response_format asked for (not the json-word rule)."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 422):
        return False
    text = str(exc).lower()
    if "word" in text and "json" in text:  # DashScope: "'messages' must contain the word 'json'"
        return False
    return "response_format" in text or "json_schema" in text or "json_object" in text


def strip_think(text: str) -> str:
    """The content without `<think>…</think>` (an unclosed one is all thinking); untouched if none."""
    if "<think>" not in text and "</think>" not in text:
        return text
    text = THINK_RE.sub("", text)
    if "</think>" in text:  # the template opened the block inside the prompt
        text = text.rsplit("</think>", 1)[1]
    elif "<think>" in text:
        text = text.split("<think>", 1)[0]
    return text.lstrip()


def _dig(obj, path: str):
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
    return obj


class LLM:
    """A chat model behind an OpenAI-compatible endpoint, metered; safe to call from several threads."""

    def __init__(self, settings: Settings, client=None, meter: Meter | None = None, sleep=time.sleep,
                 log=None) -> None:
        self.settings = settings
        self.log = log
        self.client = client or get_client(settings)
        self.meter = meter or Meter()
        self.mode = Structured(settings.structured)  # steps down when the server says it lacks a mode
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._pause_until = 0.0  # one backoff shared by every call in flight once a 429 arrives
        self._mine = threading.local()  # the pause this thread already slept through (tenacity's own wait)

    def body(self, messages: list[dict], max_tokens: int, response_format: dict | None) -> dict:
        """The request fields, in the order every recording was made with (model, messages, limit, …)."""
        s = self.settings
        kwargs = {"model": s.model, "messages": messages, s.token_param: max_tokens}
        if s.send_temperature:
            kwargs["temperature"] = s.temperature
        if response_format:
            kwargs["response_format"] = response_format
        return kwargs

    def chat(self, messages: list[dict], *, step: str, max_tokens: int = 800,
             schema: type[BaseModel] | None = None) -> str:
        """One completion's text; transient errors retried; a truncated reply raises.

        With `schema`, the reply is asked for as JSON in the current structured mode; a server that
        answers 400 that it lacks the mode is asked again in the next one (json_schema → json_object → none).

        Raises:
            ModelError: the endpoint failed past the retry bound or the per-call budget.
            OutputTruncatedError: finish_reason == "length".
        """
        _check_prompt_size(messages, step)
        while True:
            fmt = response_format(self.mode, schema) if schema is not None else None
            sent = messages
            if fmt and fmt["type"] == "json_object" and "schema" not in fmt and not _says_json(messages):
                sent = messages[:-1] + [{**messages[-1], "content": f"{messages[-1]['content']}\n{JSON_HINT}"}]
            try:
                return self._complete(sent, step, max_tokens, fmt)
            except ModelError as exc:
                if fmt is None or not unsupported_format(exc.__cause__):
                    raise
                with self._lock:
                    if self.mode == Structured(_mode_of(fmt)):
                        self.mode = FALLBACK[self.mode]

    def _complete(self, messages: list[dict], step: str, max_tokens: int, fmt: dict | None) -> str:
        import openai

        record = CallRecord(step=step)
        start = time.perf_counter()
        s = self.settings
        deadline = time.monotonic() + s.call_budget
        kwargs = self.body(messages, max_tokens, fmt)
        if s.extra_body:
            kwargs["extra_body"] = s.extra_body
        retrying = Retrying(retry=retry_if_exception(_transient), wait=self._wait, sleep=self._sleep, reraise=True,
                            stop=stop_after_attempt(s.max_retries + 1) | stop_before_delay(s.call_budget))
        try:
            for attempt in retrying:
                with attempt:
                    record.retries = attempt.retry_state.attempt_number - 1
                    self._hold_for_backoff()
                    left = max(0.5, deadline - time.monotonic())
                    with self._slots:
                        response = self.client.chat.completions.create(
                            **kwargs, timeout=openai.Timeout(min(s.timeout, left), connect=s.connect_timeout))
        except Exception as exc:
            if _replay_miss(exc):
                from agent.errors import InputError

                raise InputError("录制中没有这次请求：笔记、提示词或参数与录制时不同，请用 --record 重新录制") from exc
            # A body that is not JSON at all is the server's fault too, not a bug of ours.
            if _transient(exc) or exc.__class__.__module__.startswith("openai") or isinstance(exc, json.JSONDecodeError):
                raise ModelError(f"模型服务 {s.provider}（{s.base_url}）调用失败（{type(exc).__name__}：{str(exc)[:160]}），"
                                 f"已重试 {record.retries} 次、用时 {time.perf_counter() - start:.0f} 秒。"
                                 "可用 --resume 继续本次运行；检查设置：duizhao doctor") from exc
            raise
        finally:
            record.seconds = round(time.perf_counter() - start, 3)
        choice = response.choices[0]
        self._meter_usage(record, getattr(response, "usage", None))
        reasoning = self._reasoning(choice.message)
        content = strip_think(choice.message.content or "")
        with self._lock:
            self.meter.calls.append(record)
        if self.log:
            entry = {"step": step, "model": s.model, "base_url": s.base_url, "messages": messages,
                     "output": choice.message.content, "finish_reason": choice.finish_reason, **record.model_dump()}
            if reasoning:
                entry["reasoning"] = reasoning  # kept for the record; never sent back to the model
            with self._lock:
                self.log(entry)
        if choice.finish_reason == "length":
            raise OutputTruncatedError(f"模型输出在 {max_tokens} 个 token 处被截断（步骤 {step}）：不保存截断的内容")
        return content

    def _meter_usage(self, record: CallRecord, usage) -> None:
        record.prompt_tokens = getattr(usage, "prompt_tokens", 0) or 0
        record.completion_tokens = getattr(usage, "completion_tokens", 0) or 0
        for path in self.settings.cached_fields:
            value = _dig(usage, path)
            if isinstance(value, int) and value:
                record.cached_tokens = value
                break
        value = _dig(usage, "completion_tokens_details.reasoning_tokens")
        record.reasoning_tokens = value if isinstance(value, int) else 0

    def _reasoning(self, message) -> str:
        for name in self.settings.reasoning_fields:
            value = getattr(message, name, None)
            if value is None:
                value = (getattr(message, "model_extra", None) or {}).get(name)
            if isinstance(value, str) and value:
                return value
        return ""

    def _hold_for_backoff(self) -> None:
        if self._pause_until <= getattr(self._mine, "slept_until", 0.0):
            return
        wait = self._pause_until - time.monotonic()
        if wait > 0:
            self._sleep(wait)

    def _wait(self, state: RetryCallState) -> float:
        """Honour Retry-After when the server sends it; else exponential backoff, bounded; a 429 pauses all calls."""
        exc = state.outcome.exception() if state.outcome else None
        response = getattr(exc, "response", None)
        header = response.headers.get("retry-after") if response is not None else None
        seconds = min(2.0 ** (state.attempt_number - 1), MAX_WAIT)
        if header:
            try:
                seconds = min(float(header), MAX_WAIT)
            except ValueError:
                pass
        if getattr(exc, "status_code", None) == 429:
            with self._lock:
                self._pause_until = max(self._pause_until, time.monotonic() + seconds)
            self._mine.slept_until = self._pause_until
        return seconds

    def structured(self, messages: list[dict], model: type[T], *, step: str, max_tokens: int = 800) -> T:
        """A reply parsed into `model`; a parse failure is fed back once with the error.

        Raises:
            DraftRetryError: still invalid after the reask.
        """
        text = ""
        for attempt in range(2):
            text = self.chat(messages, step=step if attempt == 0 else f"{step}:reask", max_tokens=max_tokens,
                             schema=model)
            try:
                return model.model_validate_json(_strip_fences(text))
            except (ValidationError, json.JSONDecodeError, ValueError) as exc:
                messages = messages + [
                    {"role": "assistant", "content": text},
                    {"role": "user", "content": f"输出不符合要求的 JSON 格式：{str(exc)[:400]}。请只输出修正后的 JSON。"},
                ]
        raise DraftRetryError(f"模型两次都没有给出有效的 JSON（步骤 {step}）", attempts=2, last_output=text)


def _says_json(messages: list[dict]) -> bool:
    return any("json" in str(m.get("content") or "").lower() for m in messages)


def _mode_of(fmt: dict) -> str:
    if fmt["type"] == "json_schema":
        return "json_schema"
    return "json_object_schema" if "schema" in fmt else "json_object"


def _check_prompt_size(messages: list[dict], step: str) -> None:
    """A backstop: no prompt past MAX_PROMPT_CHARS is sent (notes and drafts are bounded before this).

    Raises:
        LimitError: the prompt is too long; nothing was sent.
    """
    size = sum(len(str(m.get("content") or "")) for m in messages)
    if size > MAX_PROMPT_CHARS:
        from agent.errors import LimitError

        raise LimitError(f"提示词过长（{size} 字符，步骤 {step}），上限 {MAX_PROMPT_CHARS} 字符：请精简笔记或草稿；未发送")


def response_format(mode: str, model: type[BaseModel]) -> dict | None:
    """The response_format a server of this mode understands."""
    schema = model.model_json_schema()
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": schema}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
