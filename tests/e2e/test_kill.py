"""SIGKILL while answering loses nothing the screen showed as saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from isdesk.store.db import is_postgres
from isdesk.store.models import Answer, Lead
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]


def test_killed_app_keeps_every_answer_shown_as_saved(db, db_url: str) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.kill_target", db_url, str(lead_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    saved: dict[str, str] = {}
    deadline = time.monotonic() + 60
    try:
        assert child.stdout is not None
        while len(saved) < 4 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            if line.startswith("SAVED "):
                _, key, text = line.rstrip("\n").split(" ", 2)
                saved[key] = text
        time.sleep(0.3)  # mid-typing of the next answer
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert len(saved) == 4, child.stderr.read() if child.stderr else ""

    with db.connection_context():
        stored = {a.item: a.value for a in Answer.select().where(Answer.lead == lead_id)}
        for key, text in saved.items():
            assert stored[key] == text
        lead = Lead.get_by_id(lead_id)
        assert lead.heard >= 4 and lead.rank == "B"  # budget + authority known
        if not is_postgres(db):
            assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
