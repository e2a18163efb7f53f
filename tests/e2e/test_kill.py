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


async def test_a_call_killed_mid_way_is_offered_and_recorded_at_the_next_start(
    db, db_url: str
) -> None:
    from isdesk.screens.lead import LeadScreen
    from isdesk.screens.lead.log_activity import LogActivityDialog
    from isdesk.store.calls import PhoneCall
    from isdesk.store.models import Activity
    from tests.support.ui import SIZE, make_app, settle

    me = f.operator("sato")
    lead_id = f.lead(me)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.call_kill_target", db_url, str(lead_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        time.sleep(6)  # on the phone for a while: at least one heartbeat lands
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert line.startswith("CALL "), child.stderr.read() if child.stderr else ""
    call_id = int(line.split()[1])
    with db.connection_context():
        left = PhoneCall.get_by_id(call_id)
    assert left.status == "running" and left.last_seen_at > left.started_at

    app = make_app(db, me)  # the next start of isdesk
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(60):
            await settle(pilot)
            if isinstance(app.screen, LogActivityDialog):
                break
        assert isinstance(app.screen, LogActivityDialog)
        assert isinstance(app.screen_stack[-2], LeadScreen)
        await pilot.press("1", "w", "enter")
        await settle(pilot)
    with db.connection_context():
        activity = Activity.get(Activity.lead == lead_id)
        call = PhoneCall.get_by_id(call_id)
    assert (activity.kind, activity.outcome) == ("call", "connected")
    # Up to the last heartbeat before the kill (one every few seconds, so at least one).
    seen = int((left.last_seen_at - left.started_at).total_seconds())
    assert activity.duration_s == seen >= 1
    assert (call.status, call.activity_id) == ("logged", activity.id)
