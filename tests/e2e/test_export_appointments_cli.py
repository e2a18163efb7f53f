"""`isdesk export appointments`: a date range as an .ics file, through the real CLI."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

from icalendar import Calendar

from isdesk.services.appointments import AppointmentInput, book_appointment
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]
JST = dt.timezone(dt.timedelta(hours=9))


def isdesk(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ISDESK_DB": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )


def test_appointments_of_a_range_are_exported_as_ical(db, db_url: str, tmp_path: Path) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me, company="株式会社カレンダー")
    for day in (9, 10, 12):
        start = dt.datetime(2026, 12, day, 15, 0, tzinfo=JST)
        book_appointment(me, lead_id, AppointmentInput(start, 60, None, "本社"))
    out = tmp_path / "appointments.ics"
    done = isdesk(
        db_url, "export", "appointments", "--from", "2026-12-10", "--to", "2026-12-11",
        "-o", str(out), "--as", "sato",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 appointments" in done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (event,) = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2026, 12, 10, 6, 0, tzinfo=dt.UTC)
    assert "株式会社カレンダー" in str(event["summary"])


def test_a_backwards_range_is_refused_in_one_line(db, db_url: str) -> None:
    f.operator("sato")
    done = isdesk(
        db_url, "export", "appointments", "--from", "2026-12-10", "--to", "2026-12-01",
        "--as", "sato",
    )  # fmt: skip
    assert done.returncode == 2
    assert "--to" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
