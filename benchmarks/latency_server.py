"""A loopback OpenAI-compatible server that answers from recordings with a remote service's latency (benchmark only).

Each POST is matched by its JSON body against the vcrpy cassettes given; the recorded reply is sent
after time-to-first-token + completion_tokens / tokens-per-second, so a chain's wall time can be
measured as if against a remote API. Requests are served concurrently (one thread each).

Default latency: DeepSeek V4 Flash as measured by a third party in May 2026 — average TTFT 180 ms,
142 tokens/s (https://apibenchmarks.apiguider.com/deepseek-v4-flash-vs-gpt4o-benchmarks-2026.html).

Run: .venv/bin/python benchmarks/latency_server.py examples/sessions/2023-zhuti.yaml --port 8799
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

TTFT, TOKENS_PER_SECOND = 0.18, 142.0


def _key(body: str | bytes) -> str:
    return json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def load_recordings(paths: list[Path]) -> dict[str, list[str]]:
    """Recorded reply bodies by canonical request body (a request recorded twice is answered in turn)."""
    table: dict[str, list[str]] = {}
    for path in paths:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            body = item["response"]["body"]
            table.setdefault(_key(item["request"]["body"]), []).append(body["string"] if isinstance(body, dict) else body)
    return table


class LatencyServer:
    """Serves `recordings` on 127.0.0.1 with the given latency; counts requests and peak concurrency."""

    def __init__(self, recordings: dict[str, list[str]], ttft: float = TTFT, tps: float = TOKENS_PER_SECOND,
                 port: int = 0) -> None:
        self.recordings, self.ttft, self.tps = recordings, ttft, tps
        self.served, self.misses, self.in_flight, self.peak = 0, 0, 0, 0
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                reply = server.answer(raw)
                status = 200 if reply is not None else 404
                data = (reply or json.dumps({"error": {"message": "not in the recording"}})).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                data = json.dumps({"object": "list", "data": []}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def answer(self, raw: bytes) -> str | None:
        """The recorded reply for this body, after the simulated latency.

        A body not in the recording (a recording older than the prompts) gets the reply of the recorded
        request sharing the longest prefix with it, and is counted in `misses`; None only when empty.
        """
        key = _key(raw)
        with self._lock:
            replies = self.recordings.get(key)
            if not replies:
                self.misses += 1
                if not self.recordings:
                    return None
                key = max(self.recordings, key=lambda k: _common_prefix(k, key))
                replies = self.recordings[key]
            n = self._used.get(key, 0)
            self._used[key] = n + 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        reply = replies[min(n, len(replies) - 1)]
        tokens = (json.loads(reply).get("usage") or {}).get("completion_tokens", 0)
        time.sleep(self.ttft + tokens / self.tps)
        with self._lock:
            self.in_flight -= 1
            self.served += 1
        return reply

    def reset(self) -> None:
        with self._lock:
            self._used.clear()
            self.served = self.misses = self.peak = 0

    def __enter__(self) -> LatencyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recordings", type=Path, nargs="+")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--ttft", type=float, default=TTFT, help="seconds to first token")
    parser.add_argument("--tps", type=float, default=TOKENS_PER_SECOND, help="generated tokens per second")
    args = parser.parse_args()
    with LatencyServer(load_recordings(args.recordings), args.ttft, args.tps, args.port) as server:
        print(f"serving {sum(map(len, server.recordings.values()))} recorded replies at {server.base_url}", flush=True)
        try:
            server.thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
