"""Settings precedence (flag > env > config > preset), keys from env only, provider presets."""

from __future__ import annotations

import pytest

from agent.errors import InputError
from agent.resources import load_table
from agent.settings import config_path, resolve_settings


def test_preset_is_the_default():
    s = resolve_settings(provider="deepseek")
    assert s.base_url == "https://api.deepseek.com" and s.model == "deepseek-flash" and s.structured == "json_object"


def test_flag_beats_env_beats_config_beats_preset(monkeypatch):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("provider: qwen\nmodel: from-config\ntimeout: 42\n", encoding="utf-8")
    s = resolve_settings()
    assert (s.provider, s.model, s.timeout) == ("qwen", "from-config", 42)
    monkeypatch.setenv("DUIZHAO_MODEL", "from-env")
    assert resolve_settings().model == "from-env"
    assert resolve_settings(model="from-flag").model == "from-flag"
    assert resolve_settings(model="from-flag").base_url.startswith("https://dashscope")


def test_key_only_from_env(monkeypatch):
    s = resolve_settings(provider="openai")
    with pytest.raises(InputError, match="OPENAI_API_KEY"):
        s.api_key()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert s.api_key() == "sk-test"
    assert "sk-test" not in s.model_dump_json()
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("api_key: sk-oops\n", encoding="utf-8")
    with pytest.raises(InputError, match="环境变量"):
        resolve_settings()


def test_unknown_provider_is_input_error():
    with pytest.raises(InputError, match="未知的模型提供方"):
        resolve_settings(provider="nope")


def test_presets_cover_the_design_list():
    presets = load_table("providers.yaml")
    assert set(presets) >= {"openai", "deepseek", "qwen", "glm", "kimi", "ollama", "vllm", "llamacpp", "local"}
    for name, p in presets.items():
        assert {"base_url", "model", "key_env", "structured"} <= set(p), name
        assert p["structured"] in {"json_schema", "json_object", "json_object_schema", "none"}
