"""Record and replay HTTP sessions with vcrpy: match on method, path and body; secrets filtered."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from agent.errors import InputError

SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie",
                  "set-cookie", "x-request-id"]


def _scrub_response(response: dict) -> dict:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            headers.pop(name)
    return response


@contextmanager
def session(record: str | Path | None = None, replay: str | Path | None = None):
    """Within this block HTTP is recorded to `record`, or served only from `replay` (no network).

    Raises:
        InputError: the replay file is missing, or a request is not in it (notes or prompts changed).
    """
    if not record and not replay:
        yield
        return
    import vcr
    from vcr.errors import CannotOverwriteExistingCassetteException

    path = Path(replay or record)
    if replay and not path.exists():
        raise InputError("录制文件不存在", path=str(path))
    recorder = vcr.VCR(
        record_mode="none" if replay else "all",
        match_on=["method", "path", "body"],
        filter_headers=SECRET_HEADERS,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    try:
        with recorder.use_cassette(str(path)):
            yield
    except CannotOverwriteExistingCassetteException as exc:
        raise InputError("录制中没有这次请求：笔记、提示词或参数与录制时不同，请用 --record 重新录制", path=str(path)) from exc
