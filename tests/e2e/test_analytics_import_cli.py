"""The issue's two defects through the real commands: `isdesk import` then `isdesk report`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from isdesk.services.operators import add_operator
from isdesk.store.db import open_database
from isdesk.store.models import Lead
from isdesk.store.schema import upgrade
from tests.db.test_analytics_import_history import returning_lead, write_csv
from tests.support.analytics_data import Builder

ROOT = Path(__file__).resolve().parents[2]


def isdesk(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        timeout=120,
        env={**os.environ, "ISDESK_OPERATOR": "boss"},
        cwd=ROOT,
    )


def test_import_then_report_campaigns_and_stages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    db = open_database(url)
    upgrade(db)
    with db.connection_context():
        b = Builder()
        add_operator("boss", team="inbound", role="lead", display_name="リーダー")
        returning_lead(b)
    db.close()
    rows = [
        ["株式会社モドリ", "戻 太郎", "back@example.jp", "セミナー", "", "11月セミナー", "seminar",
         "2026-11-18", ""],
        ["株式会社アタラシ", "新 花子", "new@example.jp", "セミナー", "", "11月セミナー",
         "seminar", "2026-11-18", ""],
        ["株式会社ウケタ", "受 一", "won@example.jp", "Web", "2026-06-01 10:00", "", "", "",
         "受注"],
    ]  # fmt: skip
    done = isdesk("import", str(write_csv(tmp_path / "list.csv", rows)), "--db", url,
                  "--no-assign")  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    report = isdesk("report", "campaigns", "--db", url, "--format", "json")
    assert report.returncode == 0, report.stderr.decode()
    (seminar,) = json.loads(report.stdout)["campaigns"]
    assert (seminar["leads"], seminar["sqls"], seminar["orders"]) == (1, 0, 0)
    assert seminar["returns"] == 1
    stages = isdesk("report", "stages", "--db", url, "--format", "json", "--stale-days", "0")
    assert stages.returncode == 0, stages.stderr.decode()
    db = open_database(url)
    with db.connection_context():
        won = Lead.get(Lead.email == "won@example.jp").id
    stale = {row["id"] for row in json.loads(stages.stdout)["stale"]}
    assert won not in stale and stale  # the open new lead is listed, the won one is not


def test_campaign_set_cost_then_report(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    db = open_database(url)
    upgrade(db)
    with db.connection_context():
        Builder()
        add_operator("boss", team="inbound", role="lead", display_name="リーダー")
    db.close()
    rows = [
        [f"株式会社{i}", f"氏名 {i}", f"p{i}@example.jp", "セミナー", "", "冬セミナー", "seminar",
         "2026-01-20", ""]
        for i in range(4)
    ]  # fmt: skip
    assert isdesk("import", str(write_csv(tmp_path / "l.csv", rows)), "--db", url).returncode == 0
    done = isdesk("campaign", "set-cost", "冬セミナー", "¥400,000", "--db", url)
    assert done.returncode == 0, done.stderr.decode()
    assert "¥400,000" in done.stdout.decode()
    listed = isdesk("campaign", "list", "--db", url).stdout.decode()
    assert "冬セミナー\tseminar\t2026-01-20\t400,000" in listed
    report = json.loads(isdesk("report", "campaigns", "--db", url, "--format", "json").stdout)
    (row,) = report["campaigns"]
    assert (row["cost"], row["cost_per_lead"], row["cost_per_sql"]) == (400_000, 100_000.0, None)
    for args, words in (
        (["set-cost", "冬セミナー", "たくさん"], "not an amount"),
        (["set-cost", "夏セミナー", "1000"], "no campaign named"),
    ):
        bad = isdesk("campaign", *args, "--db", url)
        assert bad.returncode == 2 and words in bad.stderr.decode(), bad.stderr
        assert bad.stderr.decode().count("\n") == 1
    field = isdesk("campaign", "set-cost", "冬セミナー", "1", "--db", url, "--as", "sato")
    assert field.returncode == 2 and "team lead" in field.stderr.decode()
