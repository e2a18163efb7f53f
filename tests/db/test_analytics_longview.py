"""The long view's honest figures on small hand-built histories, on SQLite and PostgreSQL:
stage times that count the stays still in progress, and a forecast that reports how often
its range held.

Every expected figure is worked out by hand from the rows the test writes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.analytics import (
    History,
    campaigns_report,
    forecast_report,
    periods_report,
    stage_times_report,
    voice_report,
)
from isdesk.analytics.history import local_midnight
from isdesk.rules import load_rules
from tests.support.analytics_data import Builder, jst

RULES = load_rules(None)


def history(db, day: dt.date) -> History:
    return History(RULES, local_midnight(day, RULES))


def test_stage_times_count_the_stays_still_in_progress(db) -> None:
    with db.connection_context():
        b = Builder()
        # Two list stays moved on after 2 and 4 days; one after 45.
        for start, days in ((jst(2026, 5, 1, 0), 2), (jst(2026, 5, 1, 0), 4)):
            lead = b.lead(start)
            b.stage(lead, start + dt.timedelta(days=days), "list", "proposal")
        late = b.lead(jst(2026, 5, 1, 0))
        b.stage(late, jst(2026, 5, 1, 0) + dt.timedelta(days=45), "list", "proposal")
        # Three still in the list at as_of (2026-07-01 00:00 JST): 30, 40 and 50 days old.
        for days in (30, 40, 50):
            b.lead(jst(2026, 7, 1, 0) - dt.timedelta(days=days))
        report = stage_times_report(history(db, dt.date(2026, 7, 1)))
    first = report.stages[0]
    assert (first.entered, first.moved_on, first.still_there) == (6, 3, 3)
    # Ended only: 2, 4, 45 days.
    assert first.median_days == 4.0
    # Kaplan–Meier over 2, 4 (ended), 30, 40 (open), 45 (ended), 50 (open):
    # S(2) = 5/6, S(4) = 5/6 * 4/5 = 2/3, S(45) = 2/3 * 1/2 = 1/3 (two at risk at 45).
    assert first.km_median_days == 45.0
    assert first.km_p80_days is None  # S never falls to 0.2: too many still there to tell
    table = report.table("stages").dicts()[0]
    assert table["km_median_days"] == 45.0 and table["median_days"] == 4.0
    # The proposal stays all go on (nobody left): none ended, so no estimate.
    proposal = report.stages[1]
    assert (proposal.entered, proposal.still_there, proposal.km_median_days) == (3, 3, None)


def _flow(b: Builder) -> None:
    """Leads arrive every month from 2025-07; some become SQL the next month, more and more."""
    for month in range(12):
        year, m = 2025 + (6 + month) // 12, (6 + month) % 12 + 1
        for i in range(3 + month % 4):
            lead = b.lead(jst(year, m, 3 + i))
            if i < 1 + month // 3:
                nxt_year, nxt = year + m // 12, m % 12 + 1
                b.sql(lead, jst(nxt_year, nxt, 5 + i))


def test_the_forecast_reports_its_backtest_coverage_and_widens_its_range(db) -> None:
    with db.connection_context():
        _flow(Builder())
        h = history(db, dt.date(2026, 7, 1))
        raw = forecast_report(h, months=2, lookback=6, runs=100, coverage=0)
        report = forecast_report(h, months=2, lookback=6, runs=100, coverage=3)
    assert raw.coverage == () and "coverage" not in [t.key for t in raw.tables()]
    by = {c.figure: c for c in report.coverage}
    # Origins 1, 2 and 3 months back; 1, 2 and 2 of their months are over by as_of.
    assert [(c.origins, c.checked) for c in report.coverage] == [(3, 5)] * 3
    for c in report.coverage:
        assert c.scale >= 1.0 and c.held_calibrated >= c.held_raw
    # The range is the raw one times the SQL scale around the same expectation.
    for r, m in zip(raw.forecast, report.forecast, strict=True):
        assert m.sqls == r.sqls
        assert m.sqls_p10 == pytest.approx(
            max(0, r.sqls - by["sqls"].scale * (r.sqls - r.sqls_p10)), abs=0.01
        )
        assert m.sqls_p90 == pytest.approx(
            r.sqls + by["sqls"].scale * (r.sqls_p90 - r.sqls), abs=0.01
        )
    rows = report.table("coverage").dicts()
    assert rows[0]["figure"] == "sqls" and rows[0]["checked"] == 5


def test_campaigns_are_compared_at_the_same_age(db) -> None:
    with db.connection_context():
        b = Builder()
        old = b.campaign("春セミナー", "seminar", dt.date(2026, 3, 1))
        young = b.campaign("6月セミナー", "seminar", dt.date(2026, 6, 10))
        other = b.campaign("展示会", "trade_show", dt.date(2026, 3, 5))
        # The old seminar: 12 leads on 3/2; 3 SQL within 30 days, 3 more by day 50, 2 at day 80.
        for i in range(12):
            lead = b.lead(jst(2026, 3, 2), campaign=old)
            if i < 3:
                b.sql(lead, jst(2026, 3, 20))
            elif i < 6:
                b.sql(lead, jst(2026, 3, 2) + dt.timedelta(days=50))
            elif i < 8:
                b.sql(lead, jst(2026, 3, 2) + dt.timedelta(days=80))
        # The young one (as_of 7/1: 20 days old): 4 leads, 1 SQL already.
        for i in range(4):
            lead = b.lead(jst(2026, 6, 11), campaign=young)
            if i == 0:
                b.sql(lead, jst(2026, 6, 20))
        b.lead(jst(2026, 3, 6), campaign=other)
        h = history(db, dt.date(2026, 7, 1))
        report = campaigns_report(h)
        seminars = campaigns_report(h, kind="seminar")
    rows = {c.name: c for c in report.campaigns}
    spring, june = rows["春セミナー"], rows["6月セミナー"]
    # Day 30/60/90 over the leads that old: the spring seminar's 12 leads are 121 days old.
    assert (spring.sql_d30, spring.sql_d60, spring.sql_d90) == (3 / 12, 6 / 12, 8 / 12)
    assert spring.sql_rate == 8 / 12 and not spring.small
    # The June leads are 20 days old: no rate at day 30 yet, however good it looks to date.
    assert (june.sql_d30, june.sql_d60, june.sql_rate) == (None, None, 1 / 4) and june.small
    assert june.diff_sql_d60 is None
    kinds = {k.kind: k for k in report.kinds}
    assert kinds["seminar"].sql_d60 == 6 / 12  # pooled over the leads 60 days old
    assert spring.diff_sql_d60 == 0.0
    # --kind lists one type; "(all)" is still every campaign of every type.
    assert [c.name for c in seminars.campaigns] == ["春セミナー", "6月セミナー"]
    assert [k.kind for k in seminars.kinds] == ["seminar", "(all)"]
    assert {k.kind: k for k in seminars.kinds}["(all)"].leads == kinds["(all)"].leads == 17 / 3
    assert "every campaign of every type" in seminars.table("kinds").title


def test_the_customers_voice_by_campaign_product_and_period(db) -> None:
    from isdesk.store.models import Activity

    with db.connection_context():
        b = Builder()
        seminar = b.campaign("秋セミナー", "seminar", dt.date(2026, 9, 1))
        a = b.lead(jst(2026, 9, 2), campaign=seminar, company="株式会社エー")
        c = b.lead(jst(2026, 9, 3), company="株式会社シー")
        b.event(a, jst(2026, 9, 4), "answer", field="product", new="勤怠ＳａａＳ")
        b.event(c, jst(2026, 9, 4), "answer", field="product", new="経費精算")
        for lead, at, note, voice, op in (
            (a, jst(2026, 9, 10), "紙の申請が多くて困っている", True, b.sato),
            (a, jst(2026, 9, 11), "折り返し希望", False, b.sato),  # not tagged
            (c, jst(2026, 10, 5), "他社は高すぎた", True, b.kato),
            (c, jst(2026, 12, 5), "まだ先", True, b.kato),  # after as_of
        ):
            Activity.create(lead=lead, operator=op.id, at=at, kind="call", outcome="connected",
                            note=note, customer_voice=voice)  # fmt: skip
        h = history(db, dt.date(2026, 11, 1))
        every = voice_report(h)
        seminar_only = voice_report(h, campaign="秋セミナー")
        saas = voice_report(h, product="saas")  # width- and case-insensitive
        october = voice_report(h, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
        kato = voice_report(h, operator="kato", search="高すぎ")
    assert [(n.day, n.company, n.campaign, n.product, n.operator) for n in every.notes] == [
        (dt.date(2026, 10, 5), "株式会社シー", "", "経費精算", "kato"),
        (dt.date(2026, 9, 10), "株式会社エー", "秋セミナー", "勤怠ＳａａＳ", "sato"),
    ]
    assert [n.lead for n in seminar_only.notes] == [a]
    assert [n.lead for n in saas.notes] == [a]
    assert [n.note for n in october.notes] == ["他社は高すぎた"]
    assert [n.lead for n in kato.notes] == [c] and kato.filters[0] == ("operator", "kato")
    assert every.table("by_campaign").rows == (("", 1), ("秋セミナー", 1))


def test_periods_show_contribution_rejections_win_rate_and_partial_months(db) -> None:
    with db.connection_context():
        b = Builder()
        won = b.lead(jst(2026, 4, 3), extra='{"amount": 2000000}')
        b.sql(won, jst(2026, 4, 9))
        b.hand_off(won, jst(2026, 4, 10))
        b.stage(won, jst(2026, 5, 10), "proposal", "order", b.field)
        rejected = b.lead(jst(2026, 4, 5), owner=b.kato, source="展示会")
        b.hand_off(rejected, jst(2026, 4, 12), actor=b.kato)
        b.event(rejected, jst(2026, 4, 20), "handoff", field="rejected", actor=b.field)
        lost = b.lead(jst(2026, 4, 6), owner=b.kato, source="展示会")
        b.hand_off(lost, jst(2026, 4, 15), actor=b.kato)
        b.status(lost, jst(2026, 6, 1), "handed_off", "lost", actor=b.field)
        never = b.lead(jst(2026, 4, 7))
        b.status(never, jst(2026, 5, 2), "open", "lost")  # lost before any hand-off: not counted
        h = history(db, dt.date(2026, 6, 15))
        per_op = periods_report(h, per="operator")
        totals = periods_report(h)
        segments = periods_report(h, per="segment")
    rows = {(r.bucket, r.group): r for r in per_op.rows}
    may = rows["2026-05", "sato"]
    # sato's SQL was ordered: the order and its value are sato's, though field sales recorded it.
    assert (may.orders, may.order_value, may.win_rate) == (1, 2_000_000, 1.0)
    assert rows["2026-04", "kato"].rejected == 1 and rows["2026-06", "kato"].lost == 1
    assert ("2026-05", "mori") not in rows
    t = {r.bucket: r for r in totals.totals}
    assert (t["2026-04"].rejected, t["2026-05"].lost, t["2026-06"].lost) == (1, 0, 1)
    assert t["2026-06"].win_rate == 0.0 and t["2026-05"].win_rate == 1.0
    # Data from 4/3 (April is not whole) to as_of 6/15 (June is not over): both marked.
    assert [(b, t[b].partial) for b in totals.buckets] == [
        ("2026-04", True), ("2026-05", False), ("2026-06", True)
    ]  # fmt: skip
    assert totals.table("totals").dicts()[0]["partial"] == "*"
    seg = {r.group: 0 for r in segments.rows}
    for r in segments.rows:
        seg[r.group] += r.leads
    assert seg == {"inbound": 2, "outbound": 2}


def test_campaign_cost_per_lead_sql_order_and_roi(db) -> None:
    from isdesk.services.campaigns import CampaignError, set_campaign_cost
    from isdesk.services.operators import add_operator

    with db.connection_context():
        b = Builder()
        boss = add_operator("boss", team="inbound", role="lead", display_name="リーダー")
        seminar = b.campaign("冬セミナー", "seminar", dt.date(2026, 1, 20))
        free = b.campaign("無料ウェビナー", "webinar", dt.date(2026, 1, 25))
        for i in range(4):
            lead = b.lead(jst(2026, 1, 21), campaign=seminar, extra='{"amount": 1500000}')
            if i < 2:
                b.sql(lead, jst(2026, 2, 1))
            if i == 0:
                b.stage(lead, jst(2026, 3, 1), "list", "order", b.field)
        b.lead(jst(2026, 1, 26), campaign=free)
        with pytest.raises(CampaignError, match="team lead"):
            set_campaign_cost(b.sato, "冬セミナー", 100)
        with pytest.raises(CampaignError, match="no campaign named"):
            set_campaign_cost(boss, "夏セミナー", 100)
        assert set_campaign_cost(boss, "冬セミナー", 600_000).cost == 600_000
        report = campaigns_report(history(db, dt.date(2026, 4, 1)))
    rows = {c.name: c for c in report.campaigns}
    paid, unpaid = rows["冬セミナー"], rows["無料ウェビナー"]
    assert (paid.cost, paid.cost_per_lead, paid.cost_per_sql, paid.cost_per_order) == (
        600_000, 150_000, 300_000, 600_000
    )  # fmt: skip
    assert paid.order_value == 1_500_000 and paid.roi == 1.5  # (1.5M - 0.6M) / 0.6M
    assert (unpaid.cost, unpaid.cost_per_lead, unpaid.roi) == (None, None, None)


def test_the_kpi_scorecard_shows_the_orders_of_the_operators_sqls(db) -> None:
    from isdesk.services.scorecard import operator_scorecard

    with db.connection_context():
        b = Builder()
        mine = b.lead(jst(2026, 4, 2), extra='{"amount": 2000000}')
        b.hand_off(mine, jst(2026, 4, 10))  # sato's hand-off ...
        b.stage(mine, jst(2026, 5, 12), "proposal", "order", b.field)  # ... field sales' order
        budget = b.lead(jst(2026, 4, 3))
        b.event(budget, jst(2026, 4, 5), "answer", field="budget", new="300万円")
        b.hand_off(budget, jst(2026, 4, 11))
        b.stage(budget, jst(2026, 5, 13), "proposal", "order", b.field)
        theirs = b.lead(jst(2026, 4, 4), owner=b.kato)
        b.hand_off(theirs, jst(2026, 4, 12), actor=b.kato)
        b.stage(theirs, jst(2026, 5, 14), "proposal", "order", b.field)
        before = b.lead(jst(2026, 1, 4))
        b.hand_off(before, jst(2026, 1, 12))
        b.stage(before, jst(2026, 3, 14), "proposal", "order", b.field)  # last quarter
    card = operator_scorecard(b.sato, "sato", dt.date(2026, 5, 20), RULES)
    assert (card.orders_quarter, card.order_value_quarter) == (2, 5_000_000)
    kato = operator_scorecard(b.kato, "kato", dt.date(2026, 5, 20), RULES)
    assert (kato.orders_quarter, kato.order_value_quarter) == (1, 0)  # no amount known
