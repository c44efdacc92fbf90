"""`duizhao doctor` against fake servers (FakeOpenAIServer, tests only): each failure with its fix."""

from __future__ import annotations

from agent.doctor import diagnose, settings_lines
from agent.settings import resolve_settings, resolve_with_origins
from tests.fakeserver import FakeOpenAIServer, completion
from tests.test_concurrency import _closed_port


def by_name(checks):
    return {c.name: c for c in checks}


def test_all_checks_pass_and_settings_show_their_origin(monkeypatch):
    monkeypatch.setenv("DUIZHAO_MODEL", "fake")
    with FakeOpenAIServer() as server:
        server.reply('{"ok": true}')
        settings, origins = resolve_with_origins(provider="vllm", base_url=server.base_url)
        checks = diagnose(settings)
    assert all(c.ok for c in checks), checks
    lines = settings_lines(settings, origins)
    assert "model = fake（来自 环境变量 DUIZHAO_MODEL）" in lines
    assert any(line.startswith("base_url") and "--base-url" in line for line in lines)


def test_missing_key_is_named_and_never_printed(monkeypatch):
    checks = by_name(diagnose(resolve_settings(provider="deepseek")))
    assert checks["密钥"].ok is False and "export DEEPSEEK_API_KEY=" in checks["密钥"].fix
    assert checks["连接"].ok is None
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-secret-value")
    settings, origins = resolve_with_origins(provider="deepseek", base_url=f"http://127.0.0.1:{_closed_port()}/v1")
    checks = diagnose(settings)
    assert "sk-secret-value" not in repr(checks) + "".join(settings_lines(settings, origins))


def test_nothing_listening_says_how_to_start_one():
    checks = by_name(diagnose(resolve_settings(base_url=f"http://127.0.0.1:{_closed_port()}/v1")))
    assert checks["连接"].ok is False and "连接被拒绝" in checks["连接"].detail
    assert "duizhao serve-local" in checks["连接"].fix and "--provider deepseek" in checks["连接"].fix


def test_model_not_listed_names_the_ones_that_are():
    with FakeOpenAIServer() as server:
        server.models = ["qwen3:8b"]
        server.reply('{"ok": true}')
        checks = by_name(diagnose(resolve_settings(provider="ollama", base_url=server.base_url, model="qwen2.5:7b")))
    assert checks["模型列表"].ok is False and "qwen3:8b" in checks["模型列表"].detail
    assert checks["模型列表"].fix.startswith("改用列表中的模型：--model qwen3:8b")


def test_rejected_key_is_diagnosed(monkeypatch):
    monkeypatch.setenv("DUIZHAO_API_KEY", "wrong")
    with FakeOpenAIServer() as server:
        server.models_status = 401
        server.error(401)
        checks = by_name(diagnose(resolve_settings(provider="vllm", base_url=server.base_url, model="fake")))
    assert checks["模型列表"].ok is False and "401" in checks["模型列表"].detail
    assert "export VLLM_API_KEY=" in checks["模型列表"].fix


def test_unsupported_mode_is_reported_with_the_setting_that_saves_the_probe():
    def no_schema(body):
        if body.get("response_format", {}).get("type") == "json_schema":
            return 400, {"error": {"message": "This response_format type is unavailable now"}}, None, 0
        return 200, completion('{"ok": true}'), None, 0

    with FakeOpenAIServer() as server:
        server.responder = no_schema
        checks = by_name(diagnose(resolve_settings(provider="vllm", base_url=server.base_url, model="fake")))
    assert checks["结构化输出"].ok is False
    assert checks["结构化输出"].fix.startswith("省去每次的试探：export DUIZHAO_STRUCTURED=json_object")


def test_thinking_that_eats_the_budget_is_diagnosed():
    with FakeOpenAIServer() as server:
        server.reply("", finish_reason="length")
        checks = by_name(diagnose(resolve_settings(provider="vllm", base_url=server.base_url, model="fake")))
    assert checks["结构化输出"].ok is False and "思考" in checks["结构化输出"].detail
