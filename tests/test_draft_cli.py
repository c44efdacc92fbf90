"""`duizhao draft` end to end over HTTP against FakeOpenAIServer: exit 3 on endpoint failure, then --resume."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.fakeserver import FakeOpenAIServer, completion
from tests.scripted import good_responder, task_of

NOTES = ROOT / "tests" / "data" / "good-2023-notes.yaml"


def _cli(args, env):
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def test_endpoint_failure_exits_3_and_resume_requests_only_unfinished_sections(tmp_path):
    env = {**os.environ, "DUIZHAO_RUNS_DIR": str(tmp_path / "runs"), "DUIZHAO_MAX_RETRIES": "1",
           "DUIZHAO_CONFIG_DIR": str(tmp_path / "cfg")}
    served = []

    def healthy(body):
        served.append(task_of(body["messages"]))
        return 200, completion(good_responder(task_of(body["messages"]), body["messages"])), None, 0

    def failing_after_three(body):
        if len(served) >= 3:
            return 500, {"error": {"message": "down"}}, None, 0
        return healthy(body)

    with FakeOpenAIServer() as server:
        server.responder = failing_after_three
        first = _cli(["draft", str(NOTES), "--base-url", server.base_url, "-o", str(tmp_path / "d.md")], env)
        assert first.returncode == 3, first.stderr
        assert "--resume" in first.stderr and "Traceback" not in first.stderr
        run_dir = next((tmp_path / "runs").iterdir())
        finished = sorted(p.stem for p in (run_dir / "sections").glob("*.json"))
        assert finished == ["area-1", "area-2", "opening"]

        served.clear()
        server.responder = healthy
        second = _cli(["draft", str(NOTES), "--base-url", server.base_url, "--resume", str(run_dir),
                       "-o", str(tmp_path / "d.md")], env)
        assert second.returncode == 0, second.stderr
    assert "opening" not in served and served.count("area") == 4  # area-3 … area-6 only
    from agent.parser import parse_file

    assert len(parse_file(tmp_path / "d.md").part("problems").children) == 6
