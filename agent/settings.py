"""Settings for model calls: flag > DUIZHAO_* env > config file > provider preset."""

from __future__ import annotations

import difflib
import os
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlparse

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import InputError, LimitError, SettingsError, UnknownProviderError
from agent.resources import load_table

MAX_CONFIG_BYTES = 64 * 1024
FIELDS = ("provider", "base_url", "model", "structured", "timeout", "max_retries", "temperature", "concurrency",
          "connect_timeout", "call_budget", "token_param", "send_temperature")


class Structured(StrEnum):
    """How a server is asked for JSON; a 400 saying a mode is unsupported steps down to the next (FALLBACK)."""

    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    JSON_OBJECT_SCHEMA = "json_object_schema"  # llama-cpp-python: {"type": "json_object", "schema": …}
    NONE = "none"


FALLBACK = {Structured.JSON_SCHEMA: Structured.JSON_OBJECT, Structured.JSON_OBJECT_SCHEMA: Structured.JSON_OBJECT,
            Structured.JSON_OBJECT: Structured.NONE}

# The worst stall with default settings: a server that accepts the connection and never answers holds one
# call for at most CONNECT_TIMEOUT + CALL_BUDGET = 118 s (retries included, each attempt's read timeout cut
# to what is left), then the run stops. 115 s still covers the longest reply of the 2-core local model
# (the single prompt took ≈106 s).
CONNECT_TIMEOUT, READ_TIMEOUT, CALL_BUDGET = 3.0, 115.0, 115.0


class Settings(BaseModel):
    """Resolved settings for one run; the key itself is read from the environment only when needed."""

    model_config = ConfigDict(extra="forbid")

    provider: str = "local"
    base_url: str
    model: str
    key_env: str | None = None
    key_optional: bool = False
    structured: Structured = Structured.JSON_SCHEMA
    token_param: str = Field(default="max_tokens", pattern="^(max_tokens|max_completion_tokens)$")
    send_temperature: bool = True
    extra_body: dict = Field(default_factory=dict)
    reasoning_fields: list[str] = Field(default_factory=lambda: ["reasoning_content", "reasoning"])
    cached_fields: list[str] = Field(default_factory=lambda: ["prompt_tokens_details.cached_tokens"])
    concurrency: int = Field(default=1, ge=1, le=16)
    connect_timeout: float = Field(default=CONNECT_TIMEOUT, gt=0, le=60)
    timeout: float = Field(default=READ_TIMEOUT, gt=0)
    call_budget: float = Field(default=CALL_BUDGET, gt=0)
    max_retries: int = Field(default=4, ge=0, le=10)
    temperature: float = Field(default=0.3, ge=0, le=2)

    def api_key(self) -> str:
        """The API key from its environment variable (a placeholder for keyless local servers)."""
        if not self.key_env:
            return os.environ.get("DUIZHAO_API_KEY") or "not-needed"
        key = os.environ.get(self.key_env) or os.environ.get("DUIZHAO_API_KEY")
        if not key:
            if self.key_optional:
                return "not-needed"
            raise InputError(f"缺少 API 密钥：请设置环境变量 {self.key_env}（或 DUIZHAO_API_KEY）")
        return key

    def key_present(self) -> bool:
        """Whether a key is set in the environment (the key itself is never shown)."""
        return bool((self.key_env and os.environ.get(self.key_env)) or os.environ.get("DUIZHAO_API_KEY"))

    def worst_stall(self) -> float:
        """The longest one call can hold the run: connect timeout plus the per-call budget."""
        return self.connect_timeout + self.call_budget


def config_path() -> Path:
    """The user config file: $DUIZHAO_CONFIG_DIR/config.yaml, else the platform's app dir."""
    base = os.environ.get("DUIZHAO_CONFIG_DIR")
    if not base:
        import typer

        base = typer.get_app_dir("duizhao")
    return Path(base) / "config.yaml"


# What each setting must be, in the words of the error message.
_EXPECTED = {
    "timeout": "大于 0 的秒数（如 115）",
    "call_budget": "大于 0 的秒数（如 115）",
    "connect_timeout": "介于 0 到 60 的秒数（如 3）",
    "concurrency": "介于 1 到 16 的整数",
    "token_param": "max_tokens 或 max_completion_tokens",
    "send_temperature": "true 或 false",
    "max_retries": "介于 0 到 10 的整数",
    "temperature": "介于 0 到 2 的数",
    "base_url": "以 http:// 或 https:// 开头的地址，如 http://127.0.0.1:8765/v1",
    "model": "模型名（非空文字）",
    "structured": "json_schema、json_object、json_object_schema 或 none",
    "provider": "providers.yaml 里的预设名",
}
STRUCTURED_MODES = ("json_schema", "json_object", "json_object_schema", "none")


def resolve_settings(**flags) -> Settings:
    """Merge flags, DUIZHAO_* environment, the config file and the provider preset, in that order.

    Raises:
        UnknownProviderError, SettingsError, InputError: as `resolve_with_origins`.
    """
    return resolve_with_origins(**flags)[0]


def resolve_with_origins(**flags) -> tuple[Settings, dict[str, str]]:
    """The settings and, for each, where it came from (flag, env, config file, preset, default).

    Raises:
        UnknownProviderError: a provider that is not a preset.
        SettingsError: a value of the wrong type or out of range, named with where it came from.
        InputError: a malformed config file, or a key written into it.
    """
    env = {f: os.environ[f"DUIZHAO_{f.upper()}"] for f in FIELDS if f"DUIZHAO_{f.upper()}" in os.environ}
    config = _read_config()
    given = {k: v for k, v in flags.items() if v is not None}
    provider = given.get("provider") or env.get("provider") or config.get("provider") or "local"
    presets = load_table("providers.yaml")
    if provider not in presets:
        origin = ("--provider" if given.get("provider") else "环境变量 DUIZHAO_PROVIDER" if env.get("provider")
                  else f"配置文件 {config_path()}" if config.get("provider") else "")
        guess = difflib.get_close_matches(provider, list(presets), n=1, cutoff=0.6)
        raise UnknownProviderError(f"未知的模型提供方“{provider}”{'（来自 ' + origin + '）' if origin else ''}，"
                                   + (f"是不是 {guess[0]}？" if guess else "") + f"可用：{'、'.join(presets)}")
    if "api_key" in config:
        raise InputError("密钥不能写在配置文件里：请用环境变量", path=str(config_path()))
    origins = {k: "预设" for k in presets[provider]}
    origins.update({k: f"配置文件 {config_path()} 的 {k}" for k in config})
    origins.update({k: f"环境变量 DUIZHAO_{k.upper()}" for k in env})
    origins.update({k: f"--{k.replace('_', '-')}" for k in given})
    merged = {**presets[provider], **config, **env, **given, "provider": provider}
    merged = {k: v for k, v in merged.items() if k in Settings.model_fields}
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        raise SettingsError(f"{origins.get(key, key)} 应为{_EXPECTED.get(key, '有效的值')}，"
                            f"而不是“{str(err.get('input'))[:80]}”") from exc
    _check_values(settings, origins)
    origins = {k: origins.get(k, "默认值") for k in Settings.model_fields}
    return settings, origins


def _check_values(settings: Settings, origins: dict[str, str]) -> None:
    """What pydantic's types let through but no server accepts: a base URL that is not a URL."""
    url = urlparse(settings.base_url)
    if url.scheme not in ("http", "https") or not url.netloc or any(c.isspace() for c in settings.base_url):
        raise SettingsError(f"{origins.get('base_url', 'base_url')} 应为{_EXPECTED['base_url']}，"
                            f"而不是“{settings.base_url[:80]}”")
    if not settings.model.strip():
        raise SettingsError(f"{origins.get('model', 'model')} 应为{_EXPECTED['model']}")


def _read_config() -> dict:
    path = config_path()
    if not path.exists():
        return {}
    if path.is_dir():
        raise InputError("配置文件的位置是一个文件夹", path=str(path))
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise LimitError(f"配置文件过大，不能超过 {MAX_CONFIG_BYTES // 1024} KB", path=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except RecursionError as exc:
        raise LimitError("配置文件嵌套过深：应是一层“键: 值”", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("配置文件不是 UTF-8 文本", path=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"配置文件不是有效的 YAML（{getattr(exc, 'problem', None) or exc}）", path=str(path),
                         line=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise InputError("配置文件应是键值映射，如 provider: deepseek", path=str(path))
    known = set(FIELDS) | {"api_key", "key_env"}
    for key in data:
        if str(key) not in known:
            guess = difflib.get_close_matches(str(key), sorted(known - {"api_key"}), n=1, cutoff=0.6)
            raise SettingsError("不认识的设置" + (f"，是不是要写 {guess[0]}？" if guess else f"；可用：{'、'.join(FIELDS)}"),
                                path=str(path), field=str(key))
    return data
