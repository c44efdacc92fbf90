"""The draft's progress on stderr: the chain's messages as lines, plus a live line that keeps ticking.

The chain reports `[n/N] （一）理论学习：起草中… 已用 token T` as each step starts. While a model call
runs (minutes on a small local model) the live line shows the step, the seconds it has taken, the
whole run's time and an estimate of what is left, from the steps finished so far. The run folder
announced at the start is kept, so an interrupted run can print its resume command.
"""

from __future__ import annotations

import re
import threading
import time

__all__ = ["DraftProgress", "format_seconds"]

_STEP_RE = re.compile(r"^\[(\d+)/(\d+)\] (.+?)：(起草中|已完成)")
_RUN_RE = re.compile(r"^运行目录：(.+?)（")


def format_seconds(seconds: float) -> str:
    """12 秒, 3 分 05 秒, 1 小时 02 分."""
    s = int(seconds)
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60:02d} 秒"
    return f"{s // 3600} 小时 {s % 3600 // 60:02d} 分"


class DraftProgress:
    """A progress callback for the chain, with a live status line on a rich console (stderr).

    Use as a context manager; call the instance with each message. `run_dir` is the run folder once
    announced. `status()` is the live line's text (tested without a terminal).
    """

    def __init__(self, console, *, clock=time.monotonic, live: bool = True) -> None:
        self.console, self.clock = console, clock
        self.started = clock()
        self.step_started = self.started
        self.step, self.n, self.total, self.done_drafted = "", 0, 0, 0
        self.drafted_seconds = 0.0
        self.run_dir: str | None = None
        self._live = live and console.is_terminal
        self._status = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        run = _RUN_RE.match(message)
        if run:
            self.run_dir = run.group(1)
        step = _STEP_RE.match(message)
        if step:
            now = self.clock()
            if self.step and self.step_drafting:
                self.done_drafted += 1
                self.drafted_seconds += now - self.step_started
            self.n, self.total, self.step = int(step.group(1)), int(step.group(2)), step.group(3)
            self.step_drafting = step.group(4) == "起草中"
            self.step_started = now
        self.console.print(message, highlight=False)
        self._refresh()

    step_drafting = False

    def status(self) -> str:
        """The live line: step, its seconds, total time, and the estimate of what is left."""
        now = self.clock()
        if not self.step:
            return f"准备中… 已用 {format_seconds(now - self.started)}"
        text = (f"第 {self.n}/{self.total} 步 {self.step} · 本步 {format_seconds(now - self.step_started)}"
                f" · 共 {format_seconds(now - self.started)}")
        if self.done_drafted:
            left = self.drafted_seconds / self.done_drafted * (self.total - self.n + 1) - (now - self.step_started)
            text += f" · 预计还需约 {format_seconds(max(left, 0))}"
        return text

    def _refresh(self) -> None:
        if self._status is not None:
            self._status.update(self.status())

    def __enter__(self) -> DraftProgress:
        if self._live:
            self._status = self.console.status(self.status())
            self._status.start()
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._refresh()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._status is not None:
            self._status.stop()
