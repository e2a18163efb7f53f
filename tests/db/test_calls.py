"""Calls from outside the workstation, on SQLite and PostgreSQL: `log_call` by id or number, and
a MiiTel-style call log attached to leads by phone, counted in the KPIs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from isdesk.services.calls import CallLogError, import_call_log, log_call, parse_duration
from isdesk.store.models import Activity, Lead
from tests.support import factories as f

TOKYO = ZoneInfo("Asia/Tokyo")


def write_log(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp932"))  # as a phone system's Excel CSV
    return path


def test_log_call_finds_the_lead_by_any_of_its_numbers(db) -> None:
    sato = f.operator("sato")
    lead_id = f.lead(sato, phone="03-1234-5678")
    logged = log_call(sato, lead_id=None, phone="0312345678", outcome="connected",
                      duration_s=95, recording_url="https://rec.example.jp/r/1")  # fmt: skip
    assert logged.lead_id == lead_id and logged.duration_s == 95
    with db.connection_context():
        row = Activity.get()
        assert (row.kind, row.outcome, row.recording_url) == (
            "call", "connected", "https://rec.example.jp/r/1"
        )  # fmt: skip
        assert Lead.get_by_id(lead_id).last_touch_at is not None
    with pytest.raises(CallLogError, match="no lead has the number"):
        log_call(sato, lead_id=None, phone="06-9999-0000", outcome="no_answer", duration_s=0)
    with pytest.raises(CallLogError, match="not a phone number"):
        log_call(sato, lead_id=None, phone="0000000000", outcome="no_answer", duration_s=0)


def test_a_call_log_is_attached_by_phone_once(db, tmp_path: Path) -> None:
    boss = f.operator("boss", role="lead")
    sato = f.operator("sato", display="佐藤 美咲")
    acme = f.lead(sato, company="アクメ", phone="03-1234-5678")
    beta = f.lead(sato, company="ベータ", contact="佐藤 花子", phone="090-1111-2222")
    path = write_log(tmp_path / "miitel.csv", [
        ["通話開始日時", "ユーザー名", "発着信", "相手先電話番号", "通話時間", "録音URL"],
        ["2026/11/02 10:15:00", "佐藤 美咲", "発信", "0312345678", "00:03:20",
         "https://miitel.example/r/abc"],
        ["2026/11/02 10:30:00", "佐藤 美咲", "発信", "090-1111-2222", "0:00:00", ""],
        ["2026/11/02 11:00:00", "sato", "着信", "03-1234-5678", "45", ""],
        ["2026/11/02 11:30:00", "sato", "発信", "06-0000-1111", "30", ""],  # nobody's number
        ["いつか", "sato", "発信", "03-1234-5678", "30", ""],
    ])  # fmt: skip
    summary = import_call_log(path, boss, zone=TOKYO)
    assert (summary.read, summary.recorded, summary.unmatched, summary.rejected) == (5, 3, 1, 1)
    assert summary.by_operator == {"sato": 3}
    with db.connection_context():
        calls = list(Activity.select().order_by(Activity.at))
        assert [(c.lead_id, c.outcome, c.duration_s) for c in calls] == [
            (acme, "connected", 200), (beta, "no_answer", 0), (acme, "connected", 45)
        ]  # fmt: skip
        assert calls[0].at == dt.datetime(2026, 11, 2, 1, 15, tzinfo=dt.UTC)
        assert calls[0].recording_url == "https://miitel.example/r/abc"
        assert calls[2].note == "着信" and {c.operator_id for c in calls} == {sato.id}
    # counted in the KPIs like calls logged on the lead screen
    from isdesk.rules import load_rules
    from isdesk.services.scorecard import operator_scorecard

    card = operator_scorecard(boss, "sato", dt.date(2026, 11, 2), load_rules(None))
    assert card.today_counts.get("call") == 3 and card.today_connected == 2
    again = import_call_log(path, boss, zone=TOKYO)
    assert (again.recorded, again.already) == (0, 3)
    # an operator imports only their own calls
    with pytest.raises(CallLogError, match="only a team lead"):
        import_call_log(path, f.operator("kato"), zone=TOKYO)


@pytest.mark.parametrize(
    "text, seconds", [("95", 95), ("1:35", 95), ("00:01:35", 95), ("95s", 95), ("1分35秒", 95)]
)
def test_durations_read_as_people_write_them(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
