"""The long-view reports on small hand-built histories, on SQLite and PostgreSQL.

Every expected figure below is worked out by hand from the rows the test writes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.analytics import (
    History,
    campaigns_report,
    cohorts_report,
    funnel_report,
    periods_report,
    stage_times_report,
)
from isdesk.analytics.history import local_midnight
from isdesk.rules import load_rules
from tests.support.analytics_data import Builder, jst

RULES = load_rules(None)


def history(db, as_of: dt.date) -> History:
    return History(RULES, local_midnight(as_of, RULES))


# --- cohorts: the seed's cross-month example ---------------------------------------------------


def test_cohort_keeps_a_late_appointment_in_its_acquisition_month(db) -> None:
    with db.connection_context():
        b = Builder()
        september = b.lead(jst(2025, 9, 10))
        b.act(september, jst(2025, 12, 5), "call", outcome="connected")  # contacted in December
        b.act(september, jst(2026, 5, 12), "appointment")  # appointment in May
        b.sql(september, jst(2026, 5, 12, 13))
        b.lead(jst(2025, 9, 20))  # a September lead that never answered
        b.lead(jst(2026, 5, 3))  # May's only lead
        h = history(db, dt.date(2026, 6, 15))
        report = cohorts_report(h, first=dt.date(2025, 9, 1), last=dt.date(2026, 5, 1), months=12)
        snapshot = periods_report(h, start=dt.date(2025, 9, 1), end=dt.date(2026, 5, 31))
    by_month = {c.month: c for c in report.cohorts}
    sep, may = by_month["2025-09"], by_month["2026-05"]
    assert sep.leads == 2 and may.leads == 1
    assert sep.reached == {"contact": 1, "reach": 1, "appointment": 1, "sql": 1, "order": 0}
    # Sep → Dec is month 3, Sep → May month 8; June (month 9) is as_of's month, 10+ unseen.
    assert sep.cumulative["contact"][:5] == (0, 0, 0, 1, 1)
    assert sep.cumulative["appointment"] == (0,) * 8 + (1, 1) + (None,) * 3
    assert sep.share["appointment"][8] == 0.5
    assert sep.median_days_to_appointment == (jst(2026, 5, 12) - jst(2025, 9, 10)).days
    assert may.reached["appointment"] == 0 and may.cumulative["appointment"][:2] == (0, 0)
    # The snapshot view shows the May appointment beside May's one lead: the report the
    # cohorts are there to correct.
    may_row = next(r for r in snapshot.totals if r.bucket == "2026-05")
    assert (may_row.leads, may_row.appointments) == (1, 1)
    rows = report.table("appointment").dicts()
    assert rows[0]["cohort"] == "2025-09" and rows[0]["m8"] == 1 and rows[0]["m10"] is None


# --- periods -----------------------------------------------------------------------------------


def test_periods_count_each_figure_in_its_bucket_and_credit_operators(db) -> None:
    with db.connection_context():
        b = Builder()
        a = b.lead(jst(2026, 4, 3))
        b.act(a, jst(2026, 4, 4), "email")
        # not a first attempt, but the first time somebody answered: reached, by kato
        b.act(a, jst(2026, 4, 6), "call", op=b.kato, outcome="connected")
        b.act(a, jst(2026, 5, 8), "appointment")
        b.sql(a, jst(2026, 5, 8))
        b.event(a, jst(2026, 5, 9), "sql", old="true", new="false")
        b.sql(a, jst(2026, 5, 10))  # again in May: one SQL lead in May
        b.hand_off(a, jst(2026, 5, 11))  # event + status at one instant: one hand-off
        b.stage(a, jst(2026, 5, 20), "proposal", "opportunity", actor=b.field)
        b.stage(a, jst(2026, 7, 2), "opportunity", "quote", actor=b.field)
        b.stage(a, jst(2026, 7, 9), "quote", "order", actor=b.field)
        c = b.lead(jst(2026, 5, 30), source="展示会", owner=b.kato)
        b.act(c, jst(2026, 6, 1), "call", op=b.kato, outcome="no_answer")
        b.status(c, jst(2026, 6, 3), "open", "handed_off", actor=b.kato)  # status only
        h = history(db, dt.date(2026, 8, 1))
        months = periods_report(h, start=dt.date(2026, 4, 1), end=dt.date(2026, 7, 31))
        quarters = periods_report(h, by="quarter", per="operator", start=dt.date(2026, 4, 1))
        years = periods_report(h, by="year", per="source")
    got = {r.bucket: r.counts() for r in months.totals}
    #                       leads attempted reached appts sqls handoffs orders
    assert got == {
        "2026-04": (1, 1, 1, 0, 0, 0, 0),
        "2026-05": (1, 0, 0, 1, 1, 1, 0),
        "2026-06": (0, 1, 0, 0, 0, 1, 0),  # c's unanswered call: attempted, not reached
        "2026-07": (0, 0, 0, 0, 0, 0, 1),
    }
    assert months.buckets == ("2026-04", "2026-05", "2026-06", "2026-07")
    q = {(r.bucket, r.group): r.counts() for r in quarters.rows}
    # Q1 (Apr–Jun): sato acquired, contacted, booked and handed off a; kato reached a, c.
    assert q["FY2026 Q1", "sato"] == (1, 1, 0, 1, 1, 1, 0)
    assert q["FY2026 Q1", "kato"] == (1, 1, 1, 0, 0, 1, 0)
    # The order (recorded by field sales) is credited to sato, who handed the lead off.
    assert q["FY2026 Q2", "sato"][6] == 1 and ("FY2026 Q2", "mori") not in q
    assert [r.bucket for r in years.totals] == ["FY2026"]
    y = {r.group: r.counts() for r in years.rows}
    assert y["資料請求"] == (1, 1, 1, 1, 1, 1, 1) and y["展示会"] == (1, 1, 0, 0, 0, 1, 0)


# --- campaigns ---------------------------------------------------------------------------------


def test_campaigns_compare_each_with_its_type_average(db) -> None:
    with db.connection_context():
        b = Builder()
        s1 = b.campaign("セミナー1", "seminar", dt.date(2026, 4, 10))
        s2 = b.campaign("セミナー2", "seminar", dt.date(2026, 5, 10))
        w1 = b.campaign("ウェビナー1", "webinar", dt.date(2026, 5, 20))
        s1_leads = [b.lead(jst(2026, 4, 11), source="セミナー", campaign=s1) for _ in range(4)]
        for lead in s1_leads[:2]:
            b.act(lead, jst(2026, 4, 15), "call", outcome="connected")
            b.sql(lead, jst(2026, 4, 20))
        b.act(s1_leads[0], jst(2026, 4, 21), "appointment")
        b.lead(jst(2026, 5, 11), source="セミナー", campaign=s2)
        walk_in = b.lead(jst(2026, 5, 12), source="セミナー")  # first touch: a Touch via s2
        b.touch(walk_in, jst(2026, 5, 12), s2, kind="new")
        w = b.lead(jst(2026, 5, 21), source="ウェビナー", campaign=w1)
        b.touch(w, jst(2026, 6, 1), s1)  # came back through s1 later: stays webinar's
        b.sql(w, jst(2026, 6, 2))
        report = campaigns_report(history(db, dt.date(2026, 7, 1)))
    rows = {c.name: c for c in report.campaigns}
    one, two, web = rows["セミナー1"], rows["セミナー2"], rows["ウェビナー1"]
    assert (one.leads, one.contacted, one.reached, one.appointments, one.sqls) == (4, 2, 2, 1, 2)
    assert (two.leads, two.sqls) == (2, 0)
    assert (web.leads, web.sqls, web.sql_rate) == (1, 1, 1.0)
    kinds = {k.kind: k for k in report.kinds}
    assert kinds["seminar"].campaigns == 2 and kinds["seminar"].leads == 3.0
    # Pooled over the type's leads: 2 SQLs of 6 leads (the 2-lead campaign weighs 2 leads).
    assert kinds["seminar"].sql_rate == pytest.approx(2 / 6)
    assert one.diff_leads == 1.0 and two.diff_leads == -1.0
    assert one.diff_sql_rate == pytest.approx(0.5 - 2 / 6)
    assert two.diff_sql_rate == pytest.approx(-2 / 6)
    assert web.diff_sql_rate == 0.0
    # Over all three campaigns' 7 leads: 3 SQLs.
    assert kinds["(all)"].sql_rate == pytest.approx(3 / 7)
    assert one.diff_sql_rate_all == pytest.approx(0.5 - 3 / 7)
    assert one.small and two.small  # fewer than 10 leads each
    assert report.to_rows()[0]["campaign"] == "セミナー1"


# --- funnel ------------------------------------------------------------------------------------


def test_funnel_counts_every_stage_up_to_the_furthest_and_flags_the_weakest_step(db) -> None:
    with db.connection_context():
        b = Builder()
        day = jst(2026, 4, 1)
        leads = [b.lead(day + dt.timedelta(hours=i)) for i in range(6)]
        leads += [b.lead(day, source="展示会", owner=b.kato) for _ in range(4)]
        t = jst(2026, 4, 10)
        for lead in leads[:5] + leads[6:7]:  # six reach proposal …
            b.stage(lead, t, "list", "proposal")
        b.stage(leads[0], jst(2026, 4, 20), "proposal", "opportunity")
        b.stage(leads[0], jst(2026, 5, 1), "opportunity", "quote")
        b.stage(leads[0], jst(2026, 5, 9), "quote", "order")
        b.stage(leads[1], jst(2026, 4, 20), "proposal", "opportunity")
        b.stage(leads[1], jst(2026, 5, 2), "opportunity", "quote")
        b.stage(leads[1], jst(2026, 6, 1), "quote", "proposal")  # sent back: still reached quote
        b.stage(leads[7], jst(2026, 4, 12), "list", "opportunity")  # skipped proposal
        b.stage(leads[7], jst(2026, 4, 30), "opportunity", "list")
        b.lead(jst(2026, 8, 1))  # acquired after the period
        h = history(db, dt.date(2026, 9, 1))
        report = funnel_report(h, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
        cohort = funnel_report(h, cohort=dt.date(2026, 8, 1))
    f = report.funnel
    assert f.leads == 10
    # list 10, proposal 7 (six + the skip), opportunity 3, quote 2, order 1
    assert [s.reached for s in f.steps] == [10, 7, 3, 2, 1]
    assert [s.conversion for s in f.steps] == [
        None,
        0.7,
        pytest.approx(3 / 7),
        pytest.approx(2 / 3),
        0.5,
    ]
    assert f.weakest_step == "proposal→opportunity"
    assert [s.weakest for s in f.steps] == [False, False, True, False, False]
    segs = {s.segment: s for s in report.segments}
    assert set(segs) == {"inbound", "outbound"}
    assert [s.reached for s in segs["inbound"].steps] == [6, 5, 2, 2, 1]
    assert [s.reached for s in segs["outbound"].steps] == [4, 2, 1, 0, 0]
    assert segs["outbound"].weakest_step == "opportunity→quote"
    assert cohort.funnel.leads == 1 and cohort.cohort == "2026-08"
    assert cohort.funnel.weakest_step == "list→proposal"


# --- stage times, stalled and stale ------------------------------------------------------------


def test_stage_times_medians_and_the_stalled_and_stale_lists(db) -> None:
    with db.connection_context():
        b = Builder()
        start = jst(2026, 3, 1)
        for days in (2, 4, 10):  # moved on after 2, 4 and 10 days
            lead = b.lead(start)
            b.stage(lead, start + dt.timedelta(days=days), "list", "proposal")
        lost = b.lead(start)
        b.status(lost, start + dt.timedelta(days=6), "open", "lost")  # dropped after 6
        b.act(lost, start + dt.timedelta(days=1), "call")
        b.lead(start, company="=CMD|' /C calc'!A0")  # never touched: still there, and stale
        as_of = jst(2026, 6, 30, 0)
        stuck = b.lead(start, company="停滞商事")
        b.hand_off(stuck, as_of - dt.timedelta(days=80))  # proposal 80 → 70 days
        b.stage(stuck, as_of - dt.timedelta(days=70), "proposal", "opportunity", b.field)
        moving = b.lead(start, company="順調工業")
        b.hand_off(moving, as_of - dt.timedelta(days=50))
        b.stage(moving, as_of - dt.timedelta(days=40), "proposal", "opportunity", b.field)
        b.stage(moving, as_of - dt.timedelta(days=30), "opportunity", "quote", b.field)
        fresh = b.lead(start, company="最近接触")
        b.act(fresh, as_of - dt.timedelta(days=10), "call")
        nurtured = b.lead(start, company="育成中")
        b.status(nurtured, start + dt.timedelta(days=1), "open", "nurturing")
        h = History(RULES, as_of)
        report = stage_times_report(h, stalled_days=60, stale_days=90)
    st = {s.stage: s for s in report.stages}
    lst = st["list"]
    assert (lst.entered, lst.moved_on, lst.dropped, lst.still_there) == (9, 5, 2, 2)
    # Ended list stays in days: 2, 4, 10, 6 (lost), 1 (nurtured), and the hand-offs 80 and
    # 50 days before as_of (1 March 12:00 → 30 June 00:00 JST is 120.5 days): 40.5 and 70.5.
    span = (as_of - start) / dt.timedelta(days=1)
    assert span == 120.5
    ended = sorted([2, 4, 10, 6, 1, span - 80, span - 50])
    assert lst.median_days == pytest.approx(ended[3])
    pos = (len(ended) - 1) * 0.8  # 4.8: between the 5th and 6th
    assert lst.p80_days == pytest.approx(ended[4] + (ended[5] - ended[4]) * (pos - 4))
    assert lst.median_days_to_move_on == pytest.approx(sorted([2, 4, 10, span - 80, span - 50])[2])
    assert lst.move_on_rate == pytest.approx(5 / 7)
    prop = st["proposal"]
    assert (prop.entered, prop.moved_on, prop.median_days) == (5, 2, 10.0)
    assert (st["opportunity"].entered, st["opportunity"].still_there) == (2, 1)
    assert st["quote"].still_there == 1
    assert [(x.company, x.stage, x.days) for x in report.stalled] == [
        ("停滞商事", "opportunity", 70.0)
    ]
    stale = [x.company for x in report.stale]
    assert "=CMD|' /C calc'!A0" in stale and "最近接触" not in stale and "育成中" not in stale
    assert report.stale[0].days >= 90


# --- both backends give the same reports ------------------------------------------------------


def _build_mixed() -> None:
    b = Builder()
    s1 = b.campaign("展示会A", "trade_show", dt.date(2026, 3, 1))
    for i in range(12):
        lead = b.lead(
            jst(2026, 3 + i % 4, 1 + i, 10),
            source="展示会" if i % 3 else "資料請求",
            campaign=s1 if i % 2 else None,
        )
        b.act(lead, jst(2026, 3 + i % 4, 2 + i, 11), "call", outcome="connected")
        if i % 3 == 0:
            b.sql(lead, jst(2026, 4 + i % 4, 3 + i))
            b.act(lead, jst(2026, 4 + i % 4, 3 + i), "appointment")
            b.hand_off(lead, jst(2026, 4 + i % 4, 4 + i, 15, 30))
            if i % 2 == 0:
                b.stage(lead, jst(2026, 5 + i % 4, 5, 9, 59), "proposal", "opportunity", b.field)


def test_sqlite_and_postgresql_agree(pg_server, tmp_path) -> None:
    from isdesk.analytics import build_report
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    outputs = []
    urls = [f"sqlite:///{tmp_path / 'same.sqlite3'}", pg_server.create_database("isdesk_same")]
    try:
        for url in urls:
            database = open_database(url)
            upgrade(database)
            with database.connection_context():
                _build_mixed()
                h = History(RULES, local_midnight(dt.date(2026, 10, 1), RULES))
                outputs.append(
                    {
                        kind: build_report(kind, h).to_json()
                        for kind in ("periods", "cohorts", "campaigns", "funnel", "stages")
                    }
                    | {"forecast": build_report("forecast", h, months=2, runs=50).to_json()}
                )
            if hasattr(database, "close_all"):
                database.close_all()
    finally:
        pg_server.drop_database("isdesk_same")
    assert outputs[0] == outputs[1]
    assert outputs[0]["periods"]["totals"]
