"""The long view after an ordinary import, on SQLite and PostgreSQL: a returning lead stays
with the campaign it arrived through (its return is counted as a return, per campaign), and a
lead imported won, lost or nurturing starts its history in that status.

Each test writes a small history with the Builder, then runs the real importer on a CSV file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from isdesk.analytics import History, campaigns_report, periods_report, stage_times_report
from isdesk.analytics.history import local_midnight
from isdesk.importer import import_file
from isdesk.rules import load_rules
from isdesk.store.models import Campaign, ImportRun, Lead, LeadEvent, Touch
from isdesk.store.schema import upgrade
from tests.support.analytics_data import Builder, jst

RULES = load_rules(None)
NOW = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
HEADER = ["company", "contact", "email", "source", "acquired_at", "campaign", "campaign_type",
          "campaign_date", "status"]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(HEADER)
    out.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def history(db, day: dt.date) -> History:
    return History(RULES, local_midnight(day, RULES))


def returning_lead(b: Builder) -> int:
    """The issue's lead: acquired 2025-12 with no campaign, SQL 2026-02, won 2026-04."""
    lead = b.lead(jst(2025, 12, 10), source="Web")
    Lead.update(email="back@example.jp").where(Lead.id == lead).execute()
    b.act(lead, jst(2025, 12, 11), "call", outcome="connected")
    b.sql(lead, jst(2026, 2, 10))
    b.hand_off(lead, jst(2026, 2, 11))
    b.stage(lead, jst(2026, 3, 1), "proposal", "opportunity", b.field)
    b.stage(lead, jst(2026, 3, 20), "opportunity", "quote", b.field)
    b.stage(lead, jst(2026, 4, 10), "quote", "order", b.field)
    b.status(lead, jst(2026, 4, 10), "handed_off", "won", b.field)
    return lead


def test_a_returning_lead_stays_with_its_arrival_and_counts_as_a_return(db, tmp_path) -> None:
    with db.connection_context():
        b = Builder()
        back = returning_lead(b)
    seminar_rows = [
        ["株式会社モドリ", "戻 太郎", "back@example.jp", "セミナー", "", "11月セミナー", "seminar",
         "2026-11-18", ""],
        ["株式会社アタラシ", "新 花子", "new@example.jp", "セミナー", "", "11月セミナー",
         "seminar", "2026-11-18", ""],
    ]  # fmt: skip
    summary = import_file(write_csv(tmp_path / "seminar.csv", seminar_rows), rules=RULES,
                          now=NOW)  # fmt: skip
    assert (summary.created, summary.merged) == (1, 1)
    with db.connection_context():
        h = history(db, dt.date(2026, 12, 1))
        report = campaigns_report(h)
        per = periods_report(h, per="campaign", start=dt.date(2025, 12, 1),
                             end=dt.date(2026, 11, 30))  # fmt: skip
        assert back not in h.first_touch_campaign
    (row,) = report.campaigns
    assert row.name == "11月セミナー"
    # The seminar brought one lead; the returning lead is a return, its SQL and order before.
    assert (row.leads, row.sqls, row.orders) == (1, 0, 0)
    assert (row.returns, row.return_sqls, row.return_orders) == (1, 0, 0)
    table = {r["campaign"]: r for r in report.table("campaigns").dicts()}
    assert table["11月セミナー"]["returns"] == 1
    seminar = {r.bucket: r for r in per.rows if r.group == "11月セミナー"}
    assert sum(r.leads for r in seminar.values()) == 1 and seminar["2026-11"].leads == 1
    assert sum(r.orders for r in seminar.values()) == 0
    assert sum(r.sqls for r in seminar.values()) == 0


def test_a_return_that_leads_to_an_sql_is_credited_to_the_return(db, tmp_path) -> None:
    with db.connection_context():
        b = Builder()
        lead = b.lead(jst(2026, 1, 10))
        Lead.update(email="again@example.jp").where(Lead.id == lead).execute()
    rows = [["株式会社サイド", "再 一郎", "again@example.jp", "展示会", "2026-09-01 10:00",
             "秋の展示会", "trade_show", "2026-09-01", ""]]  # fmt: skip
    import_file(write_csv(tmp_path / "show.csv", rows), rules=RULES, now=NOW)
    with db.connection_context():
        b.sql(lead, jst(2026, 9, 15))
        report = campaigns_report(history(db, dt.date(2026, 12, 1)))
    (row,) = report.campaigns
    assert (row.leads, row.sqls, row.returns, row.return_sqls) == (0, 0, 1, 1)


def test_imported_statuses_start_the_history_where_the_lead_was(db, tmp_path) -> None:
    rows = [
        ["株式会社ウケタ", "受 一", "won@example.jp", "Web", "2026-06-01 10:00", "", "", "",
         "受注"],
        ["株式会社ウシナ", "失 二", "lost@example.jp", "Web", "2026-06-01 10:00", "", "", "",
         "失注"],
        ["株式会社ソダテ", "育 三", "nurt@example.jp", "Web", "2026-06-01 10:00", "", "", "",
         "nurturing"],
        ["株式会社アイテ", "開 四", "open@example.jp", "Web", "2026-06-01 10:00", "", "", "", ""],
    ]  # fmt: skip
    import_file(write_csv(tmp_path / "statuses.csv", rows), rules=RULES, now=NOW)
    with db.connection_context():
        ids = {lead.email.split("@")[0]: lead.id for lead in Lead.select()}
        imported = {
            e.lead_id: e.new_value
            for e in LeadEvent.select().where(
                (LeadEvent.kind == "status") & (LeadEvent.field == "import")
            )
        }
        h = history(db, dt.date(2027, 3, 1))
        report = stage_times_report(h, stale_days=90)
        timelines = {k: h.timeline_of(i, h.acquired[i]) for k, i in ids.items()}
    # An open lead needs no event: open is where every history starts.
    assert imported == {ids["won"]: "won", ids["lost"]: "lost", ids["nurt"]: "nurturing"}
    assert {k: t.status for k, t in timelines.items()} == {
        "won": "won", "lost": "lost", "nurt": "nurturing", "open": "open"
    }  # fmt: skip
    # Only the open lead is a stay in the list stage, and only it is stale.
    assert [lead.id for lead in report.stale] == [ids["open"]]
    list_stage = report.stages[0]
    assert (list_stage.entered, list_stage.still_there, list_stage.moved_on) == (1, 1, 0)
    assert all(not t.stays for k, t in timelines.items() if k != "open")


def test_the_migration_backfills_leads_imported_before(db) -> None:
    with db.connection_context():
        b = Builder()
        # As an import before this version left a lead: its status, no status event.
        run = ImportRun.create(digest="old", file_name="old.csv", status="done")
        old = b.lead(jst(2026, 5, 1), status="lost")
        Touch.create(lead=old, at=jst(2026, 5, 1), kind="new", import_run=run.id, row=2)
        changed = b.lead(jst(2026, 5, 1), status="lost")  # lost later: has its status event
        b.status(changed, jst(2026, 6, 1), "open", "lost")
        Touch.create(lead=changed, at=jst(2026, 5, 1), kind="new", import_run=run.id, row=3)
        b.lead(jst(2026, 5, 1), status="won")  # not imported (the demo's, a hand-made lead)
        db.execute_sql(f"DELETE FROM schema_migration WHERE name LIKE {db.param}", ("0011%",))
    upgrade(db)
    upgrade(db)  # already applied: nothing twice
    with db.connection_context():
        events = list(LeadEvent.select().where(LeadEvent.field == "import"))
        h = history(db, dt.date(2026, 12, 1))
        status = h.timeline_of(old, h.acquired[old]).status
        stays = h.timeline_of(old, h.acquired[old]).stays
    assert [(e.lead_id, e.kind, e.new_value) for e in events] == [(old, "status", "lost")]
    assert status == "lost" and stays == ()


def test_a_campaign_cost_column_sets_a_new_campaigns_cost(db, tmp_path) -> None:
    path = tmp_path / "costed.csv"
    path.write_text(
        "company,contact,email,campaign,campaign_type,campaign_cost\r\n"
        '株式会社イチ,一 太郎,one@example.jp,冬の展示会,trade_show,"¥1,200,000"\r\n'
        "株式会社ニ,二 花子,two@example.jp,冬の展示会,trade_show,999\r\n"
        "株式会社サン,三 次郎,three@example.jp,春ウェビナー,webinar,35万円\r\n"
        "株式会社ヨン,四 四郎,four@example.jp,夏セミナー,seminar,たくさん\r\n",
        encoding="utf-8",
    )
    summary = import_file(path, rules=RULES, now=NOW)
    assert (summary.created, summary.rejected) == (3, 1)
    with db.connection_context():
        costs = {c.name: c.cost for c in Campaign.select()}
        report = campaigns_report(history(db, dt.date(2026, 12, 1)))
    # The first row that creates a campaign gives its cost; the bad amount is set aside.
    assert costs == {"冬の展示会": 1_200_000, "春ウェビナー": 350_000}
    show = next(c for c in report.campaigns if c.name == "冬の展示会")
    assert (show.leads, show.cost_per_lead) == (2, 600_000)
    rejects = (tmp_path / "costed.rejects.csv").read_text(encoding="utf-8-sig")
    assert "たくさん" in rejects and "not an amount in yen" in rejects
