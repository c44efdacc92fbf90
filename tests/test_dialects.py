"""Each documented server dialect against a fake OpenAI-compatible server (FakeOpenAIServer, tests only)."""

from __future__ import annotations

import json
import time

import pytest
from pydantic import BaseModel

from agent.errors import ModelError, SettingsError
from agent.llm import LLM, strip_think
from agent.settings import Settings, resolve_settings
from tests.fakeserver import FakeOpenAIServer, completion


class Pair(BaseModel):
    a: str
    b: int


MSGS = [{"role": "system", "content": "只输出 JSON。"}, {"role": "user", "content": "给出 a 和 b"}]
GOOD = '{"a": "x", "b": 2}'


def preset_llm(provider: str, server: FakeOpenAIServer, **kw) -> LLM:
    settings = resolve_settings(provider=provider, base_url=server.base_url, model="fake").model_copy(update=kw)
    return LLM(settings, client=None, sleep=lambda s: None)


def _error(status: int, message: str, code: str | None = None):
    return status, {"error": {"message": message, "type": "invalid_request_error", "code": code}}, None, 0


def test_reasoning_model_rejecting_max_tokens_and_temperature_gets_neither(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    def openai_reasoning(body):
        if "max_tokens" in body:
            return _error(400, "Unsupported parameter: 'max_tokens' is not supported with this model. "
                               "Use 'max_completion_tokens' instead.", "unsupported_parameter")
        if "temperature" in body:
            return _error(400, "Unsupported value: 'temperature' does not support 0.3 with this model.",
                          "unsupported_value")
        return 200, completion(GOOD), None, 0

    with FakeOpenAIServer() as server:
        server.responder = openai_reasoning
        assert preset_llm("openai", server).structured(MSGS, Pair, step="t") == Pair(a="x", b=2)
    body = server.requests[0]["body"]
    assert body["max_completion_tokens"] == 800 and body["reasoning_effort"] == "none"
    assert body["response_format"]["type"] == "json_schema"
    assert len(server.requests) == 1


def test_reasoning_content_is_logged_never_fed_back(monkeypatch):
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    logged = []

    def reply(content):
        body = completion(content, prompt_tokens=120)
        body["choices"][0]["message"]["reasoning_content"] = "先想一想……"
        body["usage"].update({"prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 56,
                              "completion_tokens_details": {"reasoning_tokens": 30}})
        return 200, body, None, 0

    with FakeOpenAIServer() as server:
        server.replies.extend([reply("不是 JSON"), reply(GOOD)])
        llm = preset_llm("deepseek", server)
        llm.log = logged.append
        assert llm.structured(MSGS, Pair, step="t") == Pair(a="x", b=2)
    first, second = (r["body"] for r in server.requests)
    assert first["thinking"] == {"type": "disabled"} and "max_tokens" in first
    assert second["messages"][-2] == {"role": "assistant", "content": "不是 JSON"}
    assert "先想一想" not in json.dumps(second, ensure_ascii=False)
    assert logged[0]["reasoning"] == "先想一想……"
    assert [c.cached_tokens for c in llm.meter.calls] == [64, 64]
    assert llm.meter.totals()["cached_tokens"] == 128 and llm.meter.totals()["reasoning_tokens"] == 60


def test_inline_think_tags_are_stripped_before_parsing():
    with FakeOpenAIServer() as server:
        server.reply("<think>\n用户要 JSON，先想想 a 和 b。\n</think>\n\n" + GOOD)
        llm = preset_llm("vllm", server)
        assert llm.structured(MSGS, Pair, step="t") == Pair(a="x", b=2)
    assert strip_think("前文 </think>正文") == "正文"  # the template opened the block in the prompt
    assert strip_think("<think>没有写完") == ""
    assert strip_think("  原样，无标签 ") == "  原样，无标签 "


def test_json_object_prompt_without_the_word_json_gets_it(monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test")

    def dashscope(body):
        if body.get("response_format", {}).get("type") == "json_object" and "json" not in json.dumps(
                body["messages"], ensure_ascii=False).lower():
            return _error(400, "'messages' must contain the word 'json' in some form, to use 'response_format' "
                               "of type 'json_object'.")
        return 200, completion(GOOD), None, 0

    with FakeOpenAIServer() as server:
        server.responder = dashscope
        llm = preset_llm("qwen", server, structured="json_object")
        assert llm.structured([{"role": "user", "content": "给出 a 和 b"}], Pair, step="t") == Pair(a="x", b=2)
    assert len(server.requests) == 1 and server.requests[0]["body"]["enable_thinking"] is False
    assert llm.mode == "json_object"  # the json-word rule is not mistaken for a missing mode


def test_openai_style_cached_tokens_are_metered():
    body = completion(GOOD, prompt_tokens=2000)
    body["usage"]["prompt_tokens_details"] = {"cached_tokens": 1536}
    with FakeOpenAIServer() as server:
        server.replies.append((200, body, None, 0))
        llm = preset_llm("llamacpp", server)
        llm.chat(MSGS, step="t")
    assert llm.meter.calls[0].cached_tokens == 1536 and llm.meter.totals()["cached_tokens"] == 1536


@pytest.mark.parametrize("message,status", [
    ("This response_format type is unavailable now", 400),  # DeepSeek
    ('response_format type must be one of "text" or "json_object", but got: json_schema', 400),  # llama.cpp
    ("Failed to deserialize the JSON body: `json_schema` is unavailable now", 422),
])
def test_unsupported_response_format_steps_down_once_for_the_run(message, status):
    def only_json_object(body):
        if body.get("response_format", {}).get("type") == "json_schema":
            return _error(status, message)
        return 200, completion(GOOD), None, 0

    with FakeOpenAIServer() as server:
        server.responder = only_json_object
        llm = preset_llm("vllm", server)
        assert llm.structured(MSGS, Pair, step="a") == Pair(a="x", b=2)
        assert llm.structured(MSGS, Pair, step="b") == Pair(a="x", b=2)
    kinds = [r["body"].get("response_format", {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]


def test_no_structured_mode_at_all_falls_back_to_none():
    def plain_only(body):
        if "response_format" in body:
            return _error(400, "response_format is not supported by this server")
        return 200, completion(GOOD), None, 0

    with FakeOpenAIServer() as server:
        server.responder = plain_only
        llm = preset_llm("vllm", server)
        assert llm.structured(MSGS, Pair, step="a") == Pair(a="x", b=2)
    assert llm.mode == "none" and "response_format" not in server.requests[-1]["body"]


def test_other_400_is_not_taken_for_a_missing_mode():
    with FakeOpenAIServer() as server:
        server.replies.append(_error(400, "Unsupported parameter: 'max_tokens'"))
        with pytest.raises(ModelError):
            preset_llm("vllm", server).structured(MSGS, Pair, step="t")
        assert len(server.requests) == 1


def test_body_cut_off_mid_json_is_retried_as_transient():
    with FakeOpenAIServer() as server:
        server.raw('{"id": "x", "object": "chat.completion", "choi').reply("好")
        llm = preset_llm("local", server)
        assert llm.chat(MSGS, step="t") == "好"
    assert llm.meter.calls[0].retries == 1


def test_a_server_that_never_answers_is_given_up_within_the_call_budget():
    with FakeOpenAIServer() as server:
        for _ in range(3):
            server.error(200, delay=3)
        llm = preset_llm("local", server, call_budget=1.0, timeout=60.0)
        start = time.monotonic()
        with pytest.raises(ModelError):
            llm.chat(MSGS, step="t")
        assert time.monotonic() - start < 2.5


def test_default_worst_stall_is_stated_and_under_two_minutes():
    s = resolve_settings()
    assert s.worst_stall() == s.connect_timeout + s.call_budget <= 120
    assert s.timeout <= s.call_budget


def test_local_presets_send_the_recorded_body_shape():
    for provider, fmt in (("local", "json_object"), ("llamacpp", "json_schema")):
        llm = LLM(resolve_settings(provider=provider), client=object())
        body = llm.body(MSGS, 100, {"type": fmt})
        assert list(body) == ["model", "messages", "max_tokens", "temperature", "response_format"]
        assert llm.settings.extra_body == {} and llm.settings.concurrency == 1


def test_structured_typo_and_bad_base_url_are_input_errors():
    with pytest.raises(SettingsError) as info:
        resolve_settings(provider="vllm", base_url="http://x/v1", model="m", structured="json_shema")
    assert info.value.exit_code == 2 and "json_schema" in str(info.value)
    with pytest.raises(SettingsError):
        resolve_settings(base_url="127.0.0.1:8765")


def test_vllm_needs_no_key_but_remote_services_do():
    assert resolve_settings(provider="vllm").api_key() == "not-needed"
    with pytest.raises(Exception, match="DEEPSEEK_API_KEY"):
        resolve_settings(provider="deepseek").api_key()


def test_every_preset_names_its_quirks():
    from agent.resources import load_table

    for name, preset in load_table("providers.yaml").items():
        s = Settings.model_validate({**preset, "provider": name})
        assert s.token_param in ("max_tokens", "max_completion_tokens"), name
        assert s.concurrency == (1 if name in ("local", "llamacpp", "ollama") else 4), name
    assert resolve_settings(provider="kimi").send_temperature is False  # kimi-k2.6 fixes temperature
