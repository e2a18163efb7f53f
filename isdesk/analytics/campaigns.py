"""Campaign results: each campaign, its type's average and its difference from that average.

A lead belongs to the campaign it arrived through (``Lead.campaign``, else the campaign of
its arrival touch, ``Touch.kind = 'new'``): a return never moves it, and a lead that arrived
through no campaign belongs to none however it comes back. Returns are reported apart, per
campaign: the leads that came back through it (touch dated in the period), and how many of
them became SQL or ordered since. Per campaign, by as_of: leads, contacted (a first call,
e-mail or meeting, answered or not), reached (an answered call or a meeting), leads with an
appointment, leads that became SQL, leads that reached the last stage (orders), and their
rates over the campaign's leads.

The type average (same ``Campaign.kind``: seminar, webinar, trade_show, …) pools the type's
campaigns with at least one lead: its rates are the type's leads that did it over the type's
leads, so a 2-lead campaign weighs 2 leads, not as much as a 60-lead one; a campaign with fewer
than :data:`SMALL` leads is marked ``small`` (its rates are a few leads' luck). The counts
(leads, SQLs, …) are means per campaign. Differences are campaign minus its type's average:
leads in leads, rates in percentage points.

Rates at the same age: a young campaign's leads have had less time, so its rate to date is not
comparable with an old one's. ``sql_d30/60/90``: of the campaign's leads at least 30/60/90
days old at as_of, the share that became SQL within that many days of arriving (None when none
is that old); ``diff_sql_d60`` compares it at day 60 with the type's pooled day-60 rate.

Cost (``isdesk campaign set-cost``): cost per lead, per SQL and per order of the campaign's
leads, its orders' value (each order's amount, else its budget answer; neither: 0) and ROI =
(order value − cost) ÷ cost; None without a cost (or without leads, SQLs, orders to divide by).

``kind``: list only that type's campaigns; the ``(all)`` average is always over every
campaign of every type (``--kind`` does not change what it means).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from isdesk.analytics.history import DAY_S, History, local_midnight, without_gc
from isdesk.analytics.report import FLOAT, PCT, TEXT, YEN, Column, ReportBase, Table, rate
from isdesk.i18n import tr

MEASURES = ("leads", "contacted", "reached", "appointments", "sqls", "orders")
_MEASURE_LABELS = {
    "leads": ("リード", "Leads"),
    "contacted": ("接触", "Contacted"),
    "reached": ("会話", "Reached"),
    "appointments": ("アポ", "Appointments"),
    "sqls": ("SQL", "Sqls"),
    "orders": ("受注", "Orders"),
}
RATES = ("contact_rate", "reach_rate", "appointment_rate", "sql_rate", "order_rate")
AGES = (30, 60, 90)  # days since a lead arrived, for the rates at the same age
SMALL = 10  # a campaign with fewer leads is marked small


@dataclass(frozen=True)
class CampaignRow:
    id: int
    name: str
    kind: str
    held_on: dt.date | None
    leads: int
    contacted: int  # attempted: a call (answered or not), an e-mail or a meeting
    reached: int  # an answered call or a meeting
    appointments: int
    sqls: int
    orders: int
    contact_rate: float | None
    reach_rate: float | None
    appointment_rate: float | None
    sql_rate: float | None
    order_rate: float | None
    diff_leads: float | None  # minus the type's average
    diff_appointment_rate: float | None
    diff_sql_rate: float | None
    diff_order_rate: float | None
    diff_sql_rate_all: float | None  # minus the average over all campaigns
    returns: int = 0  # leads that came back through the campaign (not counted in leads)
    return_sqls: int = 0  # of them, became SQL at or after the return
    return_orders: int = 0  # of them, reached the last stage at or after the return
    small: bool = False  # fewer than SMALL leads
    sql_d30: float | None = None  # SQL within 30 days, of the leads at least 30 days old
    sql_d60: float | None = None
    sql_d90: float | None = None
    diff_sql_d60: float | None = None  # minus the type's pooled day-60 rate
    cost: int | None = None  # yen
    cost_per_lead: float | None = None
    cost_per_sql: float | None = None
    cost_per_order: float | None = None
    order_value: int = 0  # yen, of its leads' orders
    roi: float | None = None  # (order value - cost) / cost


@dataclass(frozen=True)
class KindAverage:
    kind: str  # "(all)" for the average over every campaign
    campaigns: int
    leads: float
    contacted: float
    reached: float
    appointments: float
    sqls: float
    orders: float
    contact_rate: float | None
    reach_rate: float | None
    appointment_rate: float | None
    sql_rate: float | None
    order_rate: float | None
    sql_d30: float | None = None
    sql_d60: float | None = None
    sql_d90: float | None = None


@dataclass(frozen=True)
class CampaignsReport(ReportBase):
    as_of: dt.datetime
    start: dt.date | None
    end: dt.date | None
    campaigns: tuple[CampaignRow, ...]
    kinds: tuple[KindAverage, ...]  # per type, then "(all)"
    only_kind: str | None = None  # the --kind listed ("(all)" is still every campaign)

    kind = "campaigns"

    def tables(self) -> tuple[Table, ...]:
        main = Table(
            "campaigns",
            tr("report.campaigns.title"),
            (
                Column("campaign", "キャンペーン", "Campaign", TEXT),
                Column("small", "少数", "Small", TEXT),
                Column("kind", "種別", "Type", TEXT),
                Column("held_on", "開催日", "Held", TEXT),
                Column("leads", "リード", "Leads"),
                Column("contacted", "接触試行", "Attempted"),
                Column("reached", "接触(通話)", "Reached"),
                Column("appointments", "アポ", "Appts"),
                Column("sqls", "SQL", "SQLs"),
                Column("orders", "受注", "Orders"),
                Column("reach_rate", "接触率", "Reach %", PCT),
                Column("appointment_rate", "アポ率", "Appt %", PCT),
                Column("sql_rate", "SQL率", "SQL %", PCT),
                Column("order_rate", "受注率", "Order %", PCT),
                Column("diff_leads", "リード差", "Δ leads", FLOAT),
                Column("diff_appointment_rate", "アポ率差", "Δ appt pt", PCT),
                Column("diff_sql_rate", "SQL率差", "Δ SQL pt", PCT),
                Column("diff_order_rate", "受注率差", "Δ order pt", PCT),
                *(Column(f"sql_d{d}", f"SQL率{d}日", f"SQL % d{d}", PCT) for d in AGES),
                Column("diff_sql_d60", "SQL率差60日", "Δ SQL pt d60", PCT),
                Column("cost", "費用", "Cost ¥", YEN),
                Column("cost_per_lead", "リード単価", "¥/lead", YEN),
                Column("cost_per_sql", "SQL単価", "¥/SQL", YEN),
                Column("cost_per_order", "受注単価", "¥/order", YEN),
                Column("order_value", "受注金額", "Order ¥", YEN),
                Column("roi", "ROI", "ROI %", PCT),
                Column("returns", "再来", "Returns"),
                Column("return_sqls", "再来SQL", "Ret. SQLs"),
                Column("return_orders", "再来受注", "Ret. orders"),
            ),
            tuple(
                (
                    c.name,
                    f"<{SMALL}" if c.small else "",
                    c.kind,
                    c.held_on.isoformat() if c.held_on else "",
                    c.leads,
                    c.contacted,
                    c.reached,
                    c.appointments,
                    c.sqls,
                    c.orders,
                    c.reach_rate,
                    c.appointment_rate,
                    c.sql_rate,
                    c.order_rate,
                    c.diff_leads,
                    c.diff_appointment_rate,
                    c.diff_sql_rate,
                    c.diff_order_rate,
                    c.sql_d30,
                    c.sql_d60,
                    c.sql_d90,
                    c.diff_sql_d60,
                    c.cost,
                    c.cost_per_lead,
                    c.cost_per_sql,
                    c.cost_per_order,
                    c.order_value,
                    c.roi,
                    c.returns,
                    c.return_sqls,
                    c.return_orders,
                )
                for c in self.campaigns
            ),
        )
        kinds = Table(
            "kinds",
            tr("report.kinds.title")
            + (tr("report.listed_only", kind=self.only_kind) if self.only_kind else ""),
            (
                Column("kind", "種別", "Type", TEXT),
                Column("campaigns", "本数", "Campaigns"),
                *(Column(m, *_MEASURE_LABELS[m], FLOAT) for m in MEASURES),
                *(Column(r, r, r.replace("_", " "), PCT) for r in RATES),
                *(Column(f"sql_d{d}", f"SQL率{d}日", f"SQL % d{d}", PCT) for d in AGES),
            ),
            tuple(
                (
                    k.kind,
                    k.campaigns,
                    *(getattr(k, m) for m in MEASURES),
                    *(getattr(k, r) for r in RATES),
                    k.sql_d30,
                    k.sql_d60,
                    k.sql_d90,
                )
                for k in self.kinds
            ),
        )
        return (main, kinds)


def _cost_figures(cost: int | None, n: tuple[int, ...], value: int) -> tuple:
    """(cost, per lead, per SQL, per order, order value, ROI) of a campaign's counts ``n``."""
    if cost is None:
        return (None, None, None, None, value, None)
    leads, sqls, orders = n[0], n[MEASURES.index("sqls")], n[MEASURES.index("orders")]
    return (
        int(cost),
        cost / leads if leads else None,
        cost / sqls if sqls else None,
        cost / orders if orders else None,
        value,
        (value - cost) / cost if cost else None,
    )


def _diff(value: float | None, average: float | None) -> float | None:
    return None if value is None or average is None else value - average


@without_gc
def campaigns_report(
    history: History,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kind: str | None = None,
) -> CampaignsReport:
    """Campaign results for leads acquired start..end (local days, inclusive; default all)."""
    rules = history.rules
    lo = int(local_midnight(start, rules).timestamp()) if start else None
    hi = int(local_midnight(end + dt.timedelta(days=1), rules).timestamp()) if end else None
    campaigns = history.campaigns
    counts = history.campaign_counts(lo, hi)  # one grouped query (no replay)
    returns = history.return_counts(lo, hi)
    costs = dict(history._rows('SELECT id, cost FROM "campaign" WHERE cost IS NOT NULL'))
    if history.in_database:
        from isdesk.analytics.campaigns_sql import aged_counts, order_worth

        aged: dict[int, list[list[int]]] = aged_counts(history, AGES, lo, hi)
        worth = order_worth(history, lo, hi)
    else:
        aged, worth = _aged_and_worth(history, lo, hi)
    base = []
    for cid, (name, ckind, held) in sorted(
        campaigns.items(), key=lambda kv: (kv[1][2] or dt.date.max, kv[1][0])
    ):
        n = counts.get(cid, (0,) * len(MEASURES))
        rates = tuple(rate(v, n[0]) for v in n[1:])
        cells = aged.get(cid) or [[0, 0] for _ in AGES]
        base.append((cid, name, ckind, held, tuple(n), rates, cells))

    def average(label: str, rows: list) -> KindAverage:
        with_leads = [r for r in rows if r[4][0] > 0]
        k = len(with_leads)
        sums = [sum(r[4][i] for r in with_leads) for i in range(len(MEASURES))]
        means = [v / k if k else 0.0 for v in sums]
        pooled = [rate(v, sums[0]) for v in sums[1:]]
        at_age = [
            rate(sum(r[6][a][1] for r in with_leads), sum(r[6][a][0] for r in with_leads))
            for a in range(len(AGES))
        ]
        return KindAverage(label, k, *means, *pooled, *at_age)

    by_kind: dict[str, list] = defaultdict(list)
    for row in base:
        by_kind[row[2]].append(row)
    kinds = {k: average(k, rows) for k, rows in sorted(by_kind.items())}
    overall = average("(all)", base)  # every campaign, whatever ``kind`` lists
    out = []
    for cid, name, ckind, held, n, rates, cells in base:
        if kind is not None and ckind != kind:
            continue
        avg = kinds[ckind]
        has = n[0] > 0
        at_age = [rate(hit, old) for old, hit in cells]
        out.append(
            CampaignRow(  # type: ignore[call-arg]
                cid,
                name,
                ckind,
                held,
                *n,  # type: ignore[arg-type]
                *rates,
                n[0] - avg.leads if has else None,
                _diff(rates[2], avg.appointment_rate),
                _diff(rates[3], avg.sql_rate),
                _diff(rates[4], avg.order_rate),
                _diff(rates[3], overall.sql_rate),
                *returns.get(cid, (0, 0, 0)),
                0 < n[0] < SMALL,
                *at_age,
                _diff(at_age[1], avg.sql_d60),
                *_cost_figures(costs.get(cid), n, worth.get(cid, 0)),
            )
        )
    if kind is not None:
        kinds = {k: v for k, v in kinds.items() if k == kind}
    return CampaignsReport(
        history.as_of_dt, start, end, tuple(out), (*kinds.values(), overall), kind
    )


def _aged_and_worth(
    history: History, lo: int | None, hi: int | None
) -> tuple[dict[int, list[list[int]]], dict[int, int]]:
    """The rates at the same age and the order values from the history read into Python
    (the reference for isdesk.analytics.campaigns_sql)."""
    # Rates at the same age: per campaign and age, (leads that old, of them SQL by then).
    first_sql = history.first_sql
    now = history.as_of
    aged: dict[int, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in AGES])
    for lead_id, cid in history.first_touch_campaign.items():
        acquired = history.acquired.get(lead_id)
        if (
            acquired is None
            or (lo is not None and acquired < lo)
            or (hi is not None and acquired >= hi)
        ):
            continue
        became = first_sql.get(lead_id)
        cells = aged[cid]
        for a, days in enumerate(AGES):
            if now - acquired >= days * DAY_S:
                cells[a][0] += 1
                cells[a][1] += became is not None and became - acquired <= days * DAY_S
    ordered = history.reached_at(history.last_stage)
    amounts = history.amounts
    worth: dict[int, int] = defaultdict(int)
    for lead_id, cid in history.first_touch_campaign.items():
        acquired = history.acquired.get(lead_id)
        if (
            acquired is None
            or (lo is not None and acquired < lo)
            or (hi is not None and acquired >= hi)
        ):
            continue
        if lead_id in ordered:
            worth[cid] += amounts.get(lead_id, 0)
    return aged, worth
