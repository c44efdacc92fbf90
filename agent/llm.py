"""One code path to every OpenAI-compatible server: transport retries, structured output, metering."""

from __future__ import annotations

import json
import time
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from agent.errors import DraftRetryError, ModelError, OutputTruncatedError
from agent.settings import Settings

T = TypeVar("T", bound=BaseModel)
MAX_WAIT = 60.0
MAX_PROMPT_CHARS = 60_000  # one request's messages; real prompts are a few thousand


class CallRecord(BaseModel):
    """The meter of one model call."""

    step: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
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
            "seconds": round(sum(c.seconds for c in self.calls), 2),
            "retries": sum(c.retries for c in self.calls),
        }


def get_client(settings: Settings):
    """An openai.OpenAI client with the SDK's own retries off (tenacity does them, visibly)."""
    import openai

    return openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key(), max_retries=0,
                         timeout=settings.timeout)


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
    return isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError))


def _wait(state: RetryCallState) -> float:
    """Honour Retry-After when the server sends it; else exponential backoff, bounded."""
    exc = state.outcome.exception() if state.outcome else None
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    if header:
        try:
            return min(float(header), MAX_WAIT)
        except ValueError:
            pass
    return min(2.0 ** (state.attempt_number - 1), MAX_WAIT)


class LLM:
    """A chat model behind an OpenAI-compatible endpoint, metered."""

    def __init__(self, settings: Settings, client=None, meter: Meter | None = None, sleep=time.sleep,
                 log=None) -> None:
        self.settings = settings
        self.log = log
        self.client = client or get_client(settings)
        self.meter = meter or Meter()
        self._sleep = sleep

    def chat(self, messages: list[dict], *, step: str, max_tokens: int = 800,
             response_format: dict | None = None) -> str:
        """One completion's text; transient errors retried; a truncated reply raises.

        Raises:
            ModelError: the endpoint failed past the retry bound.
            OutputTruncatedError: finish_reason == "length".
        """
        _check_prompt_size(messages, step)
        record = CallRecord(step=step)
        start = time.perf_counter()
        kwargs = {"model": self.settings.model, "messages": messages, "max_tokens": max_tokens,
                  "temperature": self.settings.temperature}
        if response_format:
            kwargs["response_format"] = response_format
        retrying = Retrying(retry=retry_if_exception(_transient), wait=_wait, sleep=self._sleep,
                            stop=stop_after_attempt(self.settings.max_retries + 1), reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    record.retries = attempt.retry_state.attempt_number - 1
                    response = self.client.chat.completions.create(**kwargs)
        except Exception as exc:
            if _replay_miss(exc):
                from agent.errors import InputError

                raise InputError("录制中没有这次请求：笔记、提示词或参数与录制时不同，请用 --record 重新录制") from exc
            # A body that is not JSON at all is the server's fault too, not a bug of ours.
            if _transient(exc) or exc.__class__.__module__.startswith("openai") or isinstance(exc, json.JSONDecodeError):
                raise ModelError(f"模型服务调用失败（{type(exc).__name__}：{str(exc)[:120]}），已重试 {record.retries} 次。"
                                 "可用 --resume 继续本次运行") from exc
            raise
        finally:
            record.seconds = round(time.perf_counter() - start, 3)
        usage = getattr(response, "usage", None)
        record.prompt_tokens = getattr(usage, "prompt_tokens", 0) or 0
        record.completion_tokens = getattr(usage, "completion_tokens", 0) or 0
        self.meter.calls.append(record)
        choice = response.choices[0]
        if self.log:
            self.log({"step": step, "model": self.settings.model, "base_url": self.settings.base_url,
                      "messages": messages, "output": choice.message.content, "finish_reason": choice.finish_reason,
                      **record.model_dump()})
        if choice.finish_reason == "length":
            raise OutputTruncatedError(f"模型输出在 {max_tokens} 个 token 处被截断（步骤 {step}）：不保存截断的内容")
        return choice.message.content or ""

    def structured(self, messages: list[dict], model: type[T], *, step: str, max_tokens: int = 800) -> T:
        """A reply parsed into `model`; a parse failure is fed back once with the error.

        Raises:
            DraftRetryError: still invalid after the reask.
        """
        fmt = response_format(self.settings.structured, model)
        text = ""
        for attempt in range(2):
            text = self.chat(messages, step=step if attempt == 0 else f"{step}:reask", max_tokens=max_tokens,
                             response_format=fmt)
            try:
                return model.model_validate_json(_strip_fences(text))
            except (ValidationError, json.JSONDecodeError, ValueError) as exc:
                messages = messages + [
                    {"role": "assistant", "content": text},
                    {"role": "user", "content": f"输出不符合要求的 JSON 格式：{str(exc)[:400]}。请只输出修正后的 JSON。"},
                ]
        raise DraftRetryError(f"模型两次都没有给出有效的 JSON（步骤 {step}）", attempts=2, last_output=text)


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
