"""`duizhao doctor`: each setting and where it came from, the key, the connection, the model, one JSON call.

Every failed check carries a Chinese diagnosis and the exact command or setting that fixes it.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

from pydantic import BaseModel

from agent.errors import DuizhaoError, OutputTruncatedError
from agent.reach import why_unreachable
from agent.settings import Settings

SHOWN = ("provider", "base_url", "model", "key_env", "structured", "token_param", "send_temperature", "extra_body",
         "concurrency", "connect_timeout", "timeout", "call_budget", "max_retries")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


class Check(BaseModel):
    """One line of the diagnosis: ok is None when the check was skipped."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""


class Ping(BaseModel):
    """The tiny structured reply doctor asks for."""

    ok: bool


def settings_lines(settings: Settings, origins: dict[str, str]) -> list[str]:
    """Each setting with its value and origin; the key itself is never among them."""
    return [f"{name} = {getattr(settings, name) if getattr(settings, name) is not None else '（无）'}"
            f"（来自 {origins.get(name, '默认值')}）" for name in SHOWN]


def diagnose(settings: Settings, client=None) -> list[Check]:
    """Run the checks in order; later ones are skipped once the service cannot be reached."""
    checks = [_key_check(settings)]
    if checks[0].ok is False:
        return checks + [Check(name=n, ok=None, detail="跳过（先设置密钥）") for n in ("连接", "模型列表", "结构化输出")]
    reason = why_unreachable(settings, seconds=settings.connect_timeout) if client is None else None
    if reason:
        checks.append(Check(name="连接", ok=False, detail=f"{settings.base_url}：{reason}", fix=_start_fix(settings)))
        return checks + [Check(name=n, ok=None, detail="跳过（连不上服务）") for n in ("模型列表", "结构化输出")]
    checks.append(Check(name="连接", ok=True, detail=f"{settings.base_url} 可以连接"))
    from agent.llm import LLM

    llm = LLM(settings.model_copy(update={"max_retries": 0, "call_budget": min(settings.call_budget, 30.0)}),
              client=client)
    checks.append(_models_check(settings, llm.client))
    checks.append(_structured_check(settings, llm))
    return checks


def _key_check(settings: Settings) -> Check:
    if not settings.key_env:
        return Check(name="密钥", ok=True, detail="此服务不需要密钥")
    if settings.key_present():
        return Check(name="密钥", ok=True, detail=f"环境变量 {settings.key_env} 已设置（不显示内容）")
    if settings.key_optional:
        return Check(name="密钥", ok=True, detail=f"{settings.key_env} 未设置；此服务未开启密钥时可以不设")
    return Check(name="密钥", ok=False, detail=f"缺少密钥：环境变量 {settings.key_env} 未设置",
                 fix=f"export {settings.key_env}=你的密钥（密钥只放在环境变量里，不写进配置文件）")


def _start_fix(settings: Settings) -> str:
    host = urlparse(settings.base_url).hostname or ""
    if settings.provider == "local":
        return ("启动本地模型服务：duizhao serve-local --model models/qwen2.5-coder-1.5b-instruct-q4.gguf；"
                "或改用 DeepSeek：export DEEPSEEK_API_KEY=你的密钥，再加 --provider deepseek")
    if host in LOCAL_HOSTS:
        return (f"先启动 {settings.provider} 服务并确认端口，或用 --base-url 指向它正在监听的地址"
                f"（如 http://127.0.0.1:端口/v1）")
    return "检查网络和代理（HTTPS_PROXY），或确认 --base-url 没有写错"


def _status_fix(settings: Settings, status: int) -> tuple[str, str]:
    if status in (401, 403):
        return ("服务拒绝了密钥（401/403）：密钥无效、过期，或与此平台/地区不符",
                f"重新设置：export {settings.key_env or 'DUIZHAO_API_KEY'}=正确的密钥（国内站和国际站的密钥不能混用）")
    if status == 404:
        return ("地址下没有 OpenAI 兼容接口（404）", "检查 --base-url：通常以 /v1 结尾，如 http://127.0.0.1:8765/v1")
    if status == 429:
        return ("服务限流或额度用尽（429）", "稍后再试，或到服务商控制台查看余额与速率限制")
    return (f"服务返回 HTTP {status}", "查看服务端日志")


def _models_check(settings: Settings, client) -> Check:
    import openai

    try:
        ids = [m.id for m in client.models.list(timeout=openai.Timeout(10.0, connect=settings.connect_timeout))]
    except openai.APIStatusError as exc:
        detail, fix = _status_fix(settings, exc.status_code)
        return Check(name="模型列表", ok=False, detail=f"GET /models：{detail}", fix=fix)
    except (openai.APIConnectionError, openai.APITimeoutError) as exc:
        return Check(name="模型列表", ok=False, detail=f"GET /models 没有回应（{type(exc).__name__}）",
                     fix="服务可能还在加载模型：稍等再运行 duizhao doctor")
    if settings.model in ids:
        return Check(name="模型列表", ok=True, detail=f"模型 {settings.model} 在 /models 列表中")
    listed = "、".join(ids[:8]) or "（空）"
    fix = (f"改用列表中的模型：--model {ids[0]}（或 export DUIZHAO_MODEL={ids[0]}）" if ids
           else "服务没有加载任何模型：启动时指定模型")
    return Check(name="模型列表", ok=False, detail=f"模型 {settings.model} 不在 /models 列表中；服务提供：{listed}", fix=fix)


def _structured_check(settings: Settings, llm) -> Check:
    messages = [{"role": "system", "content": "你只输出 JSON。"},
                {"role": "user", "content": '请输出 JSON：{"ok": true}'}]
    start = time.perf_counter()
    try:
        llm.structured(messages, Ping, step="doctor", max_tokens=200)
    except OutputTruncatedError:
        return Check(name="结构化输出", ok=False, detail="200 个 token 内没有写完一个极短的 JSON：模型多半在“思考”",
                     fix="关闭思考：在预设的 extra_body 中关掉 thinking（各服务的写法见 agent/data/providers.yaml），"
                         "或换一个非推理模型（--model）")
    except DuizhaoError as exc:
        text = str(exc)
        fix = "查看上面的服务端消息"
        if "max_tokens" in text:
            fix = "此模型不接受 max_tokens：export DUIZHAO_TOKEN_PARAM=max_completion_tokens"
        elif "temperature" in text:
            fix = "此模型不接受 temperature：export DUIZHAO_SEND_TEMPERATURE=false"
        elif "401" in text or "403" in text:
            fix = _status_fix(settings, 401)[1]
        return Check(name="结构化输出", ok=False, detail=f"一次极小的 JSON 调用失败：{text[:200]}", fix=fix)
    seconds = time.perf_counter() - start
    if llm.mode != settings.structured:
        return Check(name="结构化输出", ok=False,
                     detail=f"服务不支持 {settings.structured.value}，退到 {llm.mode.value} 后成功（{seconds:.1f} 秒）",
                     fix=f"省去每次的试探：export DUIZHAO_STRUCTURED={llm.mode.value}（或写进配置文件 structured: {llm.mode.value}）")
    return Check(name="结构化输出", ok=True, detail=f"{settings.structured.value} 模式返回了有效 JSON（{seconds:.1f} 秒）")
