"""Record and replay: secrets never reach the cassette; replay needs no server; a miss is explicit."""

from __future__ import annotations

import pytest

from agent.errors import InputError
from agent.llm import LLM
from agent.recording import session
from agent.settings import Settings
from tests.fakeserver import FakeOpenAIServer

MSGS = [{"role": "user", "content": "你好"}]


def test_record_filters_secrets_and_replay_works_without_server(tmp_path, monkeypatch):
    cassette = tmp_path / "s.yaml"
    monkeypatch.setenv("FAKE_API_KEY", "fake-secret-value-for-test")
    with FakeOpenAIServer() as server:
        server.reply("好的回答")
        settings = Settings(provider="openai", base_url=server.base_url, model="fake", key_env="FAKE_API_KEY")
        with session(record=cassette):
            assert LLM(settings).chat(MSGS, step="t") == "好的回答"
    text = cassette.read_text(encoding="utf-8")
    assert "fake-secret-value" not in text and "authorization" not in text.lower()
    # The server is gone: the answer now comes from the cassette alone.
    with session(replay=cassette):
        assert LLM(settings).chat(MSGS, step="t") == "好的回答"


def test_replay_miss_is_an_input_error(tmp_path):
    cassette = tmp_path / "s.yaml"
    with FakeOpenAIServer() as server:
        server.reply("一")
        settings = Settings(provider="local", base_url=server.base_url, model="fake")
        with session(record=cassette):
            LLM(settings).chat(MSGS, step="t")
    with session(replay=cassette), pytest.raises(InputError, match="录制中没有这次请求"):
        LLM(settings).chat([{"role": "user", "content": "别的问题"}], step="t")


def test_missing_replay_file(tmp_path):
    with pytest.raises(InputError, match="录制文件不存在"):
        with session(replay=tmp_path / "none.yaml"):
            pass
