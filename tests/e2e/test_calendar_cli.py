"""`isdesk rules check` says what the working calendar is made of and warns, naming the first
day it cannot answer, when a complete list of days off runs out within a year."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def isdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        cwd=ROOT,
    )


def test_the_shipped_calendar_does_not_run_out() -> None:
    done = isdesk("rules", "check", str(ROOT / "rules.yaml"))
    assert done.returncode == 0, done.stderr
    assert "calendar: Japan's public holidays + 6 days off every year" in done.stdout
    assert "known until 2099-12-31" in done.stdout
    assert "warning" not in done.stderr


def test_a_list_that_ends_soon_is_named_in_a_warning(tmp_path: Path) -> None:
    last = dt.date.today() + dt.timedelta(days=40)
    text = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    text = re.sub(
        r"  holidays: japan\n  annual_days_off:.*\n  add_days_off:.*\n  remove_days_off:.*\n",
        f"  non_working_days: [{dt.date.today().isoformat()}, {last.isoformat()}]\n",
        text,
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    done = isdesk("rules", "check", str(path))
    assert done.returncode == 0, done.stderr
    assert f"a list of 2 days off, known until {last.isoformat()}" in done.stdout
    first = (last + dt.timedelta(days=1)).isoformat()
    assert f"isdesk: warning: the calendar cannot answer from {first} on" in done.stderr
