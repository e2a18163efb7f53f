"""`isdesk export leads` then `isdesk import` of that file, as a user runs them, on SQLite and
PostgreSQL: the file a CRM takes comes back into the very same leads."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from isdesk.store.models import Lead, Touch
from tests.db.test_export_leads import build_desk

ROOT = Path(__file__).resolve().parents[2]


def isdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=os.environ.copy(),
        cwd=ROOT,
    )


@pytest.mark.parametrize("mapping", ["salesforce", "hubspot", "isdesk"])
def test_a_crm_file_reimported_merges_into_the_same_leads(
    db, db_url: str, mapping: str, tmp_path: Path
) -> None:
    desk = build_desk()
    with db.connection_context():
        before = Lead.select().count()
    out = tmp_path / f"{mapping}.csv"
    exported = isdesk("export", "leads", "--db", db_url, "--as", "lee", "--mapping", mapping,
                      "--handed-off", "--lang", "ja", "-o", str(out))  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert f"wrote 2 leads for {mapping}" in exported.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert len(rows) == 3  # header + the two live hand-offs

    imported = isdesk("import", str(out), "--db", db_url, "--as", "lee", "--format", "json",
                      "--no-assign")  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert report["details"]["mapping"] == mapping  # detected from the header
    # matched to the same leads; what isdesk exported brings nothing new: unchanged, no return
    counts = ("read", "created", "merged", "unchanged", "rejected")
    assert tuple(report[k] for k in counts) == (2, 0, 0, 2, 0)
    with db.connection_context():
        assert Lead.select().count() == before  # no duplicate
        touched = sorted(t.lead_id for t in Touch.select().where(Touch.kind == "return"))
        owners = {lead.id: lead.owner_id for lead in Lead.select()}
    assert touched == []  # not taken for the customer coming back
    assert owners[desk.handed] == desk.field.id  # still with field sales


def test_field_sales_export_their_hand_offs_to_stdout(db, db_url: str) -> None:
    desk = build_desk()
    done = isdesk("export", "leads", "--db", db_url, "--as", "mori", "--mapping", "salesforce",
                  "--handed-off")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"), newline="")))
    assert sorted(int(r["Isdesk_Lead_Id__c"]) for r in rows) == sorted(
        [desk.handed, desk.suzuki_handed]
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as", "sato", "--team", "inbound"], "--team is for team leads"),
        (["--as", "lee", "--team", "outbound"], "may export only it"),
        (["--as", "lee", "--from", "2026-11-20", "--to", "2026-11-01"], "before"),
        (["--as", "lee", "--from", "2026/11/20"], "--from: '2026/11/20' is not a date"),
        (["--as", "lee", "--format", "xlsx"], "-o FILE.xlsx"),
    ],
)
def test_mistakes_exit_2_with_one_line(db, db_url: str, args: list[str], expected: str) -> None:
    build_desk()
    done = isdesk("export", "leads", "--db", db_url, *args)
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
