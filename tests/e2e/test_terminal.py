"""A person at a real terminal: `isdesk demo` in tmux, a whole call typed and read back.

Takes the next lead, answers hearing items, sees the rank change, logs the call and opens the
KPI screen, reading the screen text as the operator sees it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("ISDESK_REQUIRE_TMUX") != "1",
    reason="tmux is not installed",
)


class Terminal:
    def __init__(self, env: dict[str, str]) -> None:
        self.name = f"isdesk-{uuid.uuid4().hex[:8]}"
        self.env = env

    def tmux(self, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        # A server of our own (-L): a running tmux server would otherwise give the session
        # its environment instead of ours.
        return subprocess.run(
            ["tmux", "-L", self.name, *args], check=True, text=True, env=self.env, **kwargs
        )

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", self.name, "-x", "140", "-y", "45", command)

    def keys(self, *keys: str) -> None:
        # One key at a time with a breath between, as a fast typist; tmux would otherwise
        # deliver a burst faster than any person and race the screen's focus changes.
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.05)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name, capture_output=True).stdout

    def wait_for(self, needle: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared on screen:\n{self.text()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], check=False)


def test_a_whole_call_in_a_real_terminal(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ISDESK_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "ISDESK_OPERATOR": "demo.user",
        "PYTHONPATH": str(ROOT),
    }
    term = Terminal(env)
    exe = f"{sys.executable} -m isdesk"
    term.start(f"{exe} demo --leads 300 --lang ja; sleep 30")
    data = tmp_path / "data"
    try:
        term.wait_for("ワークキュー")
        term.wait_for("件")
        term.keys("n")  # take the most urgent lead
        screen = term.wait_for("ヒアリング")
        assert "ランク" in screen
        # Leave the first field, jump to item 4 (timing) and answer it; then 6 (competitors).
        term.keys("Escape", "4")
        term.keys("C-a", "C-k")
        term.keys("+10", "Enter")
        term.keys("Escape", "6")
        term.keys("C-a", "C-k")
        term.keys("Salesforce", "Enter")
        screen = term.wait_for("保存済み")
        term.wait_for(" A ")  # timing in 10 days and competitors known: rank A
        term.keys("F2")  # the call starts
        term.wait_for("通話中")
        term.keys("F2")  # …and ends: how did it go?
        term.wait_for("結果")
        term.keys("1", "t")
        term.keys("決裁者は部長", "Enter")
        term.wait_for("架電を記録しました")
        term.keys("Escape", "Escape")
        term.wait_for("ワークキュー")
        term.keys("K")
        screen = term.wait_for("今日の行動量")
        screen = term.wait_for("架電 1 (接続 1)")
        assert "FY2026" in screen or "FY20" in screen
        term.keys("Escape", "q")
    finally:
        term.close()
    assert (data / "demo.sqlite3").exists()  # it ran on this test's own files
