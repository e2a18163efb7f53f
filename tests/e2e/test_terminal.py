"""A person at a real terminal: `isdesk demo` in tmux, a whole call typed and read back.

Takes the next lead, answers hearing items, sees the rank change, logs the call and opens the
KPI screen, reading the screen text as the operator sees it.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.terminal import Terminal, demo_operator_env

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("ISDESK_REQUIRE_TMUX") != "1",
    reason="tmux is not installed",
)


def _calls_today(screen: str) -> tuple[int, int]:
    found = re.search(r"架電 ([0-9,]+) \(接続 ([0-9,]+)\)", screen)
    assert found, f"no call count on the KPI screen:\n{screen}"
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def test_a_whole_call_in_a_real_terminal(tmp_path: Path) -> None:
    env = demo_operator_env(tmp_path)
    term = Terminal(env)
    exe = f"{sys.executable} -m isdesk"
    term.start(f"{exe} demo --leads 300 --lang ja; sleep 30")
    data = tmp_path / "data"
    try:
        term.wait_for("ワークキュー")
        term.wait_for("件")
        # The demo operator has already worked today: read the day's calls first.
        term.keys("K")
        calls, connected = _calls_today(term.wait_for("(接続 "))  # once the figures are in
        term.keys("Escape")
        term.wait_for("ワークキュー")
        term.keys("n")  # take the most urgent lead
        screen = term.wait_for("履歴")  # the lead screen (the queue has ヒアリング too)
        assert "ランク" in screen
        # Leave the first field, jump to item 4 (timing) and answer it; then 6 (competitors).
        term.keys("M-4")
        term.keys("C-a", "C-k")
        term.keys("+10", "Enter")
        term.keys("M-6")
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
        term.wait_for("今日の行動量")
        term.wait_for(f"架電 {calls + 1} (接続 {connected + 1})")
        term.wait_for("年度")  # the fiscal quarter in the title, in Japanese
        term.keys("Escape", "q")
    finally:
        term.close()
    assert (data / "demo.sqlite3").exists()  # it ran on this test's own files
