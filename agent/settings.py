"""Settings for model calls: flag > DUIZHAO_* env > config file > provider preset."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from agent.errors import InputError
from agent.resources import load_table

FIELDS = ("provider", "base_url", "model", "structured", "timeout", "max_retries", "temperature")


class Settings(BaseModel):
    """Resolved settings for one run; the key itself is read from the environment only when needed."""

    model_config = ConfigDict(extra="forbid")

    provider: str = "local"
    base_url: str
    model: str
    key_env: str | None = None
    structured: str = "json_schema"
    timeout: float = Field(default=300.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=10)
    temperature: float = Field(default=0.3, ge=0, le=2)

    def api_key(self) -> str:
        """The API key from its environment variable (a placeholder for keyless local servers)."""
        if not self.key_env:
            return "not-needed"
        key = os.environ.get(self.key_env) or os.environ.get("DUIZHAO_API_KEY")
        if not key:
            raise InputError(f"缺少 API 密钥：请设置环境变量 {self.key_env}（或 DUIZHAO_API_KEY）")
        return key


def config_path() -> Path:
    """The user config file: $DUIZHAO_CONFIG_DIR/config.yaml, else the platform's app dir."""
    base = os.environ.get("DUIZHAO_CONFIG_DIR")
    if not base:
        import typer

        base = typer.get_app_dir("duizhao")
    return Path(base) / "config.yaml"


def resolve_settings(**flags) -> Settings:
    """Merge flags, DUIZHAO_* environment, the config file and the provider preset, in that order.

    Raises:
        InputError: unknown provider or a malformed config file.
    """
    env = {f: os.environ[f"DUIZHAO_{f.upper()}"] for f in FIELDS if f"DUIZHAO_{f.upper()}" in os.environ}
    config = _read_config()
    given = {k: v for k, v in flags.items() if v is not None}
    provider = given.get("provider") or env.get("provider") or config.get("provider") or "local"
    presets = load_table("providers.yaml")
    if provider not in presets:
        raise InputError(f"未知的模型提供方“{provider}”，可用：{'、'.join(presets)}")
    merged = {**presets[provider], **config, **env, **given, "provider": provider}
    if "api_key" in merged:
        raise InputError("密钥不能写在配置文件里：请用环境变量", path=str(config_path()))
    merged = {k: v for k, v in merged.items() if k in Settings.model_fields}
    return Settings.model_validate(merged)


def _read_config() -> dict:
    path = config_path()
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"配置文件不是有效的 YAML（{exc}）", path=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError("配置文件应是键值映射", path=str(path))
    return data
