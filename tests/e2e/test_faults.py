"""Faults a team meets: everyone starting at once, a killed logger, a read-only or full disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from isdesk.store.db import open_database
from isdesk.store.models import Activity, Lead
from isdesk.store.schema import known_migrations, schema_version, upgrade
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

UPGRADER = """
import sys
from isdesk.store.db import open_database
from isdesk.store.schema import upgrade
print(",".join(upgrade(open_database(sys.argv[1]))), flush=True)
"""


def test_a_team_starting_at_once_upgrades_the_schema_once(db_url: str) -> None:
    # Six operators open a brand-new database in the same instant: one process migrates
    # under the lock, the others wait and find nothing left to do; none fails.
    children = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADER, db_url],
            env=ENV,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [child.communicate(timeout=120) for child in children]
    assert all(child.returncode == 0 for child in children), [err for _, err in results]
    applied = [out.strip() for out, _ in results if out.strip()]
    assert len(applied) == 1  # exactly one process applied the migrations
    assert applied[0].split(",") == [m.name for m in known_migrations()]
    db = open_database(db_url)
    assert schema_version(db) == known_migrations()[-1].idx
    if hasattr(db, "close_all"):
        db.close_all()


LOGGER = """
import sys, datetime as dt
from isdesk.store.db import open_database
from isdesk.services.activities import ActivityInput, log_activity
from isdesk.services.operators import find_operator
open_database(sys.argv[1])
me = find_operator("sato")
n = 0
while True:
    log_activity(me, int(sys.argv[2]), ActivityInput("call", "no_answer", note=f"#{n}"))
    print(n, flush=True)  # logged: shown as saved
    n += 1
"""


def test_killing_the_app_while_logging_keeps_every_logged_activity(db, db_url: str) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    child = subprocess.Popen(
        [sys.executable, "-c", LOGGER, db_url, str(lead_id)],
        env=ENV,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    logged: list[int] = []
    assert child.stdout is not None
    deadline = time.monotonic() + 60
    while len(logged) < 40 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        logged.append(int(line))
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert len(logged) >= 40, child.stderr.read() if child.stderr else ""
    with db.connection_context():
        notes = {a.note for a in Activity.select().where(Activity.lead == lead_id)}
        lead = Lead.get_by_id(lead_id)
        assert {f"#{n}" for n in logged} <= notes  # every one reported as logged is there
        assert lead.last_touch_at is not None
        if db_url.startswith("sqlite"):
            assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def _isdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
        timeout=60,
    )


def test_a_read_only_database_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from isdesk.cli import main as cli
    from isdesk.store import db as store_db

    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    assert cli.main(["operator", "add", "boss", "--team", "t", "--role", "lead", "--db", url]) == 0
    # SQLite's query_only gives the same SQLITE_READONLY a read-only file gives (root, who
    # runs CI, writes through file permissions, so the pragma stands in for them).
    monkeypatch.setattr(store_db, "SQLITE_PRAGMAS", {**store_db.SQLITE_PRAGMAS, "query_only": 1})
    code = cli.main(["operator", "add", "sato", "--team", "t", "--db", url, "--as", "boss"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "readonly" in err and "permissions" in err


def test_a_read_only_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    # Root ignores file permissions, so make the database unreachable the other way: a path
    # under a file where a folder should be.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = _isdesk("operator", "list", "--db", f"sqlite:///{blocker}/isdesk.sqlite3")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot open the database" in result.stderr


def test_a_full_disk_fails_the_write_whole_and_says_so(tmp_path: Path) -> None:
    from peewee import OperationalError

    from isdesk.services.activities import ActivityInput, log_activity

    db = open_database(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    upgrade(db)
    me = f.operator("sato")
    lead_id = f.lead(me)
    with db.connection_context():
        pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    # SQLite's page limit stands in for a full disk: the same SQLITE_FULL error.
    db._pragmas = [*db._pragmas, ("max_page_count", pages)]
    logged = 0
    with pytest.raises(OperationalError, match="full"):
        for n in range(200):  # each note needs new pages before long
            log_activity(me, lead_id, ActivityInput("note", note=f"{n:04d}" + "x" * 9000))
            logged += 1
    db._pragmas = [p for p in db._pragmas if p[0] != "max_page_count"]
    with db.connection_context():
        # All or nothing: every write before the full disk is whole, the failed one absent.
        assert Activity.select().count() == logged
        assert Lead.get_by_id(lead_id).version == 1 + logged
