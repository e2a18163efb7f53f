"""`isdesk next --serve`: a dialer starts isdesk once and asks for lead after lead on a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli import isdesk

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import sys
from isdesk.store.db import open_database
from isdesk.store.schema import upgrade
from tests.support import factories as f
db = open_database(sys.argv[1])
upgrade(db)
f.operator("boss", role="lead")
f.operator("sato")
for days, name in ((-3, "古い資料請求"), (-2, "中くらいの資料請求")):
    f.lead(None, company=name, acquired_days=days)
"""


def test_a_dialer_asks_line_by_line_and_gets_one_json_line_each(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dial.sqlite3'}"
    seed = subprocess.run(
        [sys.executable, "-c", SEED, url], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert seed.returncode == 0, seed.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "isdesk", "--db", url, "--as", "sato", "next", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    assert server.stdin is not None and server.stdout is not None

    def ask(request: str) -> dict:
        # One request, then wait for its answer before sending the next: the answer comes
        # while the process keeps running (not buffered until the end of input).
        server.stdin.write(request + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    try:
        first = ask("next")
        assert first["lead"]["company"] == "古い資料請求" and first["lead"]["claimed"] is True
        # Now it is sato's own untouched lead: the next request gives it again, not claimed.
        again = ask("")
        assert again["lead"]["id"] == first["lead"]["id"] and again["lead"]["claimed"] is False
        assert "unknown request" in ask("please")["error"]
        # Deactivated while the dialer runs: refused at the next request, the process goes on.
        gone = isdesk("operator", "deactivate", "sato", "--db", url, "--as", "boss")
        assert gone.returncode == 0, gone.stderr
        assert "inactive" in ask("next")["error"]
        server.stdin.write("quit\n")
        server.stdin.flush()
        assert server.wait(timeout=30) == 0
        assert "Traceback" not in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    # The second lead is still free: one claim per "next", and none after quitting.
    listed = isdesk("--db", url, "--as", "boss", "assign", "--dry-run")
    assert "would assign 1 lead(s)" in listed.stdout, listed.stdout + listed.stderr
