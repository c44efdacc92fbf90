"""The model client against FakeOpenAIServer: retries, Retry-After, give-up, truncation, reask."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from agent.errors import DraftRetryError, ModelError, OutputTruncatedError
from agent.llm import LLM, response_format
from agent.settings import Settings
from tests.fakeserver import FakeOpenAIServer


class Pair(BaseModel):
    a: str
    b: int


def make_llm(server, sleeps=None, **kw) -> LLM:
    settings = Settings(provider="local", base_url=server.base_url, model="fake", structured="json_schema",
                        timeout=kw.pop("timeout", 5), max_retries=kw.pop("max_retries", 3))
    return LLM(settings, sleep=(sleeps.append if sleeps is not None else (lambda s: None)))


MSGS = [{"role": "user", "content": "hi"}]


def test_429_with_retry_after_is_honoured():
    sleeps = []
    with FakeOpenAIServer() as server:
        server.error(429, {"retry-after": "7"}).reply("好")
        llm = make_llm(server, sleeps)
        assert llm.chat(MSGS, step="t") == "好"
    assert sleeps == [7.0]
    assert llm.meter.calls[0].retries == 1


def test_500_retried_with_backoff_then_success():
    sleeps = []
    with FakeOpenAIServer() as server:
        server.error(500).error(502).reply("好")
        llm = make_llm(server, sleeps)
        assert llm.chat(MSGS, step="t") == "好"
    assert sleeps == [1.0, 2.0]
    assert len(server.requests) == 3


def test_gives_up_after_bound_with_model_error():
    with FakeOpenAIServer() as server:
        for _ in range(3):
            server.error(503)
        llm = make_llm(server, max_retries=2)
        with pytest.raises(ModelError) as info:
            llm.chat(MSGS, step="t")
    assert info.value.exit_code == 3
    assert "--resume" in str(info.value)
    assert len(server.requests) == 3


def test_400_is_not_retried():
    with FakeOpenAIServer() as server:
        server.error(400)
        llm = make_llm(server)
        with pytest.raises(ModelError):
            llm.chat(MSGS, step="t")
        assert len(server.requests) == 1


def test_timeout_is_retried():
    with FakeOpenAIServer() as server:
        server.error(200, delay=1.5).reply("好")
        llm = make_llm(server, timeout=0.5)
        assert llm.chat(MSGS, step="t") == "好"


def test_truncated_output_raises_and_is_not_returned():
    with FakeOpenAIServer() as server:
        server.reply('{"a": "x", "b"', finish_reason="length")
        llm = make_llm(server)
        with pytest.raises(OutputTruncatedError):
            llm.structured(MSGS, Pair, step="t")
        assert len(server.requests) == 1  # a truncation is not reasked as a validation error


def test_invalid_json_is_fed_back_once():
    with FakeOpenAIServer() as server:
        server.reply("这不是 JSON").reply('{"a": "x", "b": 2}')
        llm = make_llm(server)
        assert llm.structured(MSGS, Pair, step="t") == Pair(a="x", b=2)
        second = server.requests[1]["body"]["messages"]
    assert second[-2]["content"] == "这不是 JSON"
    assert "JSON" in second[-1]["content"]
    assert server.requests[0]["body"]["response_format"]["type"] == "json_schema"


def test_invalid_twice_raises_draft_retry_error():
    with FakeOpenAIServer() as server:
        server.reply("{}").reply('{"a": 1}')
        with pytest.raises(DraftRetryError) as info:
            make_llm(server).structured(MSGS, Pair, step="t")
    assert info.value.attempts == 2 and info.value.last_output == '{"a": 1}'


def test_truncated_response_body_is_a_model_error():
    with FakeOpenAIServer() as server:
        server.raw('{"id": "x", "choices": [')
        with pytest.raises(ModelError):
            make_llm(server, max_retries=0).chat(MSGS, step="t")


def test_meter_counts_tokens_and_time():
    with FakeOpenAIServer() as server:
        server.reply("好", prompt_tokens=100, completion_tokens=20).reply("好", prompt_tokens=50, completion_tokens=5)
        llm = make_llm(server)
        llm.chat(MSGS, step="a")
        llm.chat(MSGS, step="b")
    totals = llm.meter.totals()
    assert (totals["calls"], totals["prompt_tokens"], totals["completion_tokens"]) == (2, 150, 25)
    assert totals["seconds"] >= 0


def test_response_format_by_server_mode():
    assert response_format("json_object", Pair) == {"type": "json_object"}
    assert response_format("json_object_schema", Pair)["schema"]["required"] == ["a", "b"]
    assert response_format("none", Pair) is None
