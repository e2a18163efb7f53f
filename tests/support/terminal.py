"""A real terminal for end-to-end tests: the workstation in a tmux session of its own."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def demo_operator_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a person trying the demo as its operator: their own data dir
    under ``tmp_path``, a colour terminal, this checkout's isdesk."""
    return {
        **os.environ,
        "ISDESK_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "ISDESK_OPERATOR": "demo.user",
        "PYTHONPATH": str(ROOT),
    }


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

    def start(self, command: str, width: int = 140, height: int = 45) -> None:
        self.tmux(
            "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), command
        )

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
