"""Concurrent sections: same requests, checkpoints and draft as a sequential run; one shared 429 backoff;
a first run with nothing listening stops at once (fake servers and scripted clients only)."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import threading
import time

import pytest

from agent.chain import Chain
from agent.draft import draft
from agent.llm import LLM
from agent.reach import ModelUnreachableError
from agent.recording import session
from agent.runs import Run
from agent.settings import Settings
from agent.themes import get_theme
from tests.conftest import ROOT
from tests.fakeserver import FakeOpenAIServer, completion
from tests.scripted import ScriptedClient, area_json, good_responder, task_of
from tests.test_chain import NOTES

NOTES_FILE = ROOT / "tests" / "data" / "good-2023-notes.yaml"


def weak_area_responder(task, messages):
    """Every area first comes back with an echoed header, so revision rounds happen; a revision drops it."""
    if task == "area":
        return area_json(messages, extra="【检查发现的问题】")
    if task == "revise" and "【要修改的内容】\n{" in messages[1]["content"]:
        fixed = json.loads(messages[1]["content"].split("【要修改的内容】\n", 1)[1].split("\n\n【检查")[0])
        fixed["items"] = [x.replace("【检查发现的问题】", "") for x in fixed["items"]]
        return json.dumps(fixed, ensure_ascii=False)
    return good_responder(task, messages)


@pytest.fixture
def no_repair(monkeypatch):
    """Repair off, so the echoed header is an error only a revision can fix (and rounds happen)."""
    import agent.chain

    monkeypatch.setattr(agent.chain, "flagged_in", lambda *a: [])
    monkeypatch.setattr(agent.chain, "clean_piece", lambda piece, section, **kw: (piece, []))


class JitteryClient(ScriptedClient):
    """A scripted client whose replies finish in a shuffled order; it records bodies and calls in flight."""

    def __init__(self, responder, seed: int) -> None:
        super().__init__(responder)
        self.random, self.bodies, self.in_flight, self.peak = random.Random(seed), [], 0, 0
        self.lock = threading.Lock()

    def _create(self, **kwargs):
        kwargs.pop("timeout", None)
        with self.lock:
            self.bodies.append(json.dumps(kwargs, ensure_ascii=False, sort_keys=True))
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            delay = self.random.random() * 0.03
        time.sleep(delay)
        try:
            return super()._create(**kwargs)
        finally:
            with self.lock:
                self.in_flight -= 1


def run_chain(tmp_path, concurrency: int, seed: int = 0):
    settings = Settings(provider="local", base_url="http://fake/v1", model="fake", structured="json_object_schema",
                        concurrency=concurrency)
    client = JitteryClient(weak_area_responder, seed)
    run = Run.create(tmp_path / f"runs-{concurrency}-{seed}")
    result = Chain(LLM(settings, client=client, sleep=lambda s: None), NOTES, get_theme(NOTES.meeting.theme),
                   run=run, max_rounds=2).draft()
    checkpoints = {p.name: p.read_text(encoding="utf-8") for p in (run.path / "sections").glob("*.json")}
    return result, client, checkpoints


def test_concurrent_chain_sends_the_same_requests_and_gives_the_same_draft(tmp_path, no_repair):
    sequential, seq_client, seq_checkpoints = run_chain(tmp_path, 1)
    for seed in (1, 2):
        concurrent, client, checkpoints = run_chain(tmp_path, 4, seed)
        assert concurrent.text == sequential.text
        assert sorted(client.bodies) == sorted(seq_client.bodies)
        assert checkpoints == seq_checkpoints
        assert 1 < client.peak <= 4
    assert seq_client.peak == 1
    assert any(s.rounds for s in sequential.sections)  # revisions happened, so the order mattered


def test_concurrent_replay_of_a_sequential_recording_gives_the_same_text(tmp_path):
    cassette = tmp_path / "session.yaml"

    def answer(body):
        return 200, completion(weak_area_responder(task_of(body["messages"]), body["messages"])), None, 0

    with FakeOpenAIServer() as server:
        server.responder = answer
        settings = Settings(provider="local", base_url=server.base_url, model="fake",
                            structured="json_object_schema")
        with session(record=cassette):
            recorded = draft(NOTES_FILE, settings, max_rounds=1)
    with session(replay=cassette):
        replayed = draft(NOTES_FILE, settings.model_copy(update={"concurrency": 4}), max_rounds=1,
                         check_connection=False)
    assert replayed.text == recorded.text


def test_one_backoff_is_shared_once_a_429_arrives():
    sleeps = []
    with FakeOpenAIServer() as server:
        server.error(429, {"retry-after": "5"}).reply("好").reply("也好")
        settings = Settings(provider="local", base_url=server.base_url, model="fake", concurrency=4)
        llm = LLM(settings, sleep=sleeps.append)
        assert llm.chat([{"role": "user", "content": "a"}], step="a") == "好"
        other = threading.Thread(target=lambda: llm.chat([{"role": "user", "content": "b"}], step="b"))
        other.start()
        other.join()
    assert sleeps[0] == 5.0  # the call that got the 429
    assert len(sleeps) == 2 and 4.0 < sleeps[1] <= 5.0  # a call from another thread waits out the same pause


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nothing_listening_stops_draft_at_once_with_the_ways_on(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    settings = Settings(provider="local", base_url=url, model="m", structured="json_object_schema")
    start = time.monotonic()
    with pytest.raises(ModelUnreachableError) as info:
        draft(NOTES_FILE, settings)
    assert time.monotonic() - start < 1.0
    message = str(info.value)
    assert "local" in message and url in message
    assert "duizhao serve-local" in message and "--provider deepseek" in message and "DEEPSEEK_API_KEY" in message
    assert info.value.exit_code == 3
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_cli_draft_and_revise_with_nothing_listening_leave_no_run_folder(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    env = {"DUIZHAO_RUNS_DIR": str(tmp_path / "runs"), "DUIZHAO_CONFIG_DIR": str(tmp_path / "cfg"),
           "PATH": "/usr/bin:/bin"}
    for args in (["draft", str(NOTES_FILE)],
                 ["revise", str(ROOT / "examples" / "draft-2023-zhuti.md"), "--section", "3.3"]):
        result = subprocess.run([sys.executable, "-m", "agent", *args, "--base-url", url], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=60)
        assert result.returncode == 3, result.stderr
        assert "连不上模型服务 local" in result.stderr and url in result.stderr and "Traceback" not in result.stderr
        assert "--resume" not in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_fresh_run_that_fails_before_any_section_leaves_no_folder(tmp_path):
    with FakeOpenAIServer() as server:
        for _ in range(3):
            server.error(503)
        settings = Settings(provider="local", base_url=server.base_url, model="m", max_retries=0)
        with pytest.raises(Exception) as info:
            draft(NOTES_FILE, settings)
    assert "--resume" not in str(info.value) and info.value.exit_code == 3
    assert not any((tmp_path / "runs").iterdir())
