"""Every long-view report gives the same figures on SQLite and PostgreSQL for the same history
(one hand-built history plus an import, written to both; the reports compared as JSON)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from isdesk.analytics import History, build_report
from isdesk.analytics.history import local_midnight
from isdesk.analytics.render import render_json
from isdesk.importer import import_file
from isdesk.rules import load_rules
from isdesk.store.db import open_database
from isdesk.store.schema import upgrade
from tests.db.test_analytics_import_history import returning_lead, write_csv
from tests.support.analytics_data import Builder, jst

RULES = load_rules(None)
NOW = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
OPTIONS = {
    "periods": {"per": "operator"},
    "cohorts": {"months": 6},
    "campaigns": {},
    "funnel": {},
    "stages": {},
    "forecast": {"months": 2, "runs": 50, "coverage": 3},
    "voice": {},
}


def _history(b: Builder) -> None:
    seminar = b.campaign("秋セミナー", "seminar", dt.date(2026, 9, 1))
    returning_lead(b)
    for i in range(12):
        lead = b.lead(jst(2026, 6 + i % 5, 2 + i), campaign=seminar if i % 2 else None)
        b.act(lead, jst(2026, 6 + i % 5, 3 + i), "call", outcome="connected" if i % 3 else "")
        if i % 3 == 0:
            b.sql(lead, jst(2026, 7 + i % 4, 5))
            b.hand_off(lead, jst(2026, 7 + i % 4, 6))
        if i % 4 == 0:
            b.act(lead, jst(2026, 8, 1), "call", outcome="connected", note="声", voice=True)


def _reports(url: str, tmp_path: Path) -> dict[str, object]:
    db = open_database(url)
    upgrade(db)
    with db.connection_context():
        _history(Builder())
    rows = [
        ["株式会社モドリ", "戻 太郎", "back@example.jp", "セミナー", "", "秋セミナー",
         "seminar", "2026-09-01", ""],
        ["株式会社ウケタ", "受 一", "won@example.jp", "Web", "2026-06-01 10:00", "", "", "",
         "受注"],
    ]  # fmt: skip
    import_file(write_csv(tmp_path / "list.csv", rows), rules=RULES, now=NOW)
    out: dict[str, object] = {}
    with db.connection_context():
        history = History(RULES, local_midnight(dt.date(2026, 11, 25), RULES))
        for kind, options in OPTIONS.items():
            out[kind] = json.loads(render_json(build_report(kind, history, **options)))
    if hasattr(db, "close_all"):
        db.close_all()
    else:
        db.close()
    return out


def test_every_report_agrees_between_sqlite_and_postgresql(pg_server, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    lite = _reports(f"sqlite:///{tmp_path / 'a' / 'agree.sqlite3'}", tmp_path / "a")
    name = f"isdesk_agree{os.getpid()}"
    url = pg_server.create_database(name)
    try:
        pg = _reports(url, tmp_path / "b")
    finally:
        pg_server.drop_database(name)
    for kind in OPTIONS:
        assert lite[kind] == pg[kind], kind
    # and they are not empty: the history is there on both
    assert lite["campaigns"]["campaigns"][0]["returns"] == 1  # type: ignore[index]
    assert lite["voice"]["notes"]  # type: ignore[index]
