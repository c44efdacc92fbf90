"""FakeOpenAIServer: a scripted OpenAI-compatible HTTP server on loopback, for tests only.

It makes the error cases a real server will not produce on demand (429 with Retry-After, 500,
slow replies, invalid JSON, truncated output). Nothing it serves is ever saved as a recording.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(content: str, finish_reason: str = "stop", prompt_tokens: int = 10, completion_tokens: int = 5) -> dict:
    """The body of a chat.completion reply."""
    return {"id": "fake", "object": "chat.completion", "created": 0, "model": "fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


class FakeOpenAIServer:
    """Serves queued replies in order; each is (status, body dict or raw str, headers, delay seconds)."""

    def __init__(self) -> None:
        self.replies: deque = deque()
        self.requests: list[dict] = []
        self.default: tuple | None = None
        # Optional: answer from the request body once the queue is empty.
        self.responder = None
        # GET /models: the ids listed, or an HTTP status to fail with.
        self.models: list[str] = ["fake"]
        self.models_status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append({"path": self.path, "body": body, "time": time.monotonic()})
                if server.replies:
                    status, payload, headers, delay = server.replies.popleft()
                elif server.responder:
                    status, payload, headers, delay = server.responder(body)
                else:
                    status, payload, headers, delay = server.default
                if delay:
                    time.sleep(delay)
                data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
                raw = data.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(raw)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):  # noqa: N802
                ok = server.models_status == 200
                payload = ({"object": "list", "data": [{"id": m, "object": "model"} for m in server.models]} if ok
                           else {"error": {"message": f"fake {server.models_status}"}})
                raw = json.dumps(payload).encode("utf-8")
                self.send_response(server.models_status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def reply(self, content: str, **kw) -> FakeOpenAIServer:
        """Queue a normal completion."""
        self.replies.append((200, completion(content, **kw), None, 0))
        return self

    def error(self, status: int, headers: dict | None = None, delay: float = 0) -> FakeOpenAIServer:
        """Queue an HTTP error."""
        self.replies.append((status, {"error": {"message": f"fake {status}"}}, headers, delay))
        return self

    def raw(self, body: str, status: int = 200, delay: float = 0) -> FakeOpenAIServer:
        """Queue a raw body (e.g. truncated JSON)."""
        self.replies.append((status, body, None, delay))
        return self

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
