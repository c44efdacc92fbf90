"""Is the model service there at all? A TCP connect to the base URL, well under a second, before anything is made."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from agent.errors import ModelError
from agent.settings import Settings

PROBE_SECONDS = 1.0  # a loopback refusal is instant; a remote service answers a connect in far less


class ModelUnreachableError(ModelError):
    """Nothing listens at the base URL: the message names the provider, the URL and the two ways on."""


def why_unreachable(settings: Settings, seconds: float = PROBE_SECONDS) -> str | None:
    """None when a TCP connection to the base URL's host and port opens; else the reason, in Chinese."""
    url = urlparse(settings.base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=min(seconds, settings.connect_timeout)).close()
    except ConnectionRefusedError:
        return f"端口 {port} 上没有服务在运行（连接被拒绝）"
    except socket.gaierror:
        return f"域名 {url.hostname} 无法解析（没有网络，或地址写错了）"
    except TimeoutError:
        return f"{seconds:g} 秒内连不上 {url.hostname}:{port}（网络不通或被防火墙拦截）"
    except OSError as exc:
        return f"连接失败（{exc.strerror or exc}）"
    return None


def ways_on(settings: Settings) -> str:
    """The two ways on when no model is reachable, as commands to copy."""
    return ("接下来可以二选一：\n"
            "  1. 启动本地模型服务（另开一个终端）：duizhao serve-local --model models/qwen2.5-coder-1.5b-instruct-q4.gguf\n"
            "  2. 改用 DeepSeek：export DEEPSEEK_API_KEY=你的密钥，再加 --provider deepseek\n"
            f"逐项诊断：duizhao doctor --provider {settings.provider}")


def ensure_reachable(settings: Settings) -> None:
    """Raise at once, before any run folder exists, when nothing answers at the base URL.

    Raises:
        ModelUnreachableError: the connection failed; nothing was created or sent.
    """
    reason = why_unreachable(settings)
    if reason:
        raise ModelUnreachableError(f"连不上模型服务 {settings.provider}（{settings.base_url}）：{reason}。"
                                    f"没有创建运行目录。\n{ways_on(settings)}")
