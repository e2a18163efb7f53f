"""Campaign results: each campaign, its type's average and its difference from that average.

A lead belongs to the campaign of its first touch (``Lead.campaign`` when it arrived through
one, else its earliest Touch row if that came through a campaign): later returns do not move
it. Per campaign, by as_of: leads, contacted (a first call, e-mail or meeting), leads with an
appointment, leads that became SQL, leads that reached the last stage (orders), and their
rates over the campaign's leads.

The type average (same ``Campaign.kind``: seminar, webinar, trade_show, …) is the plain mean
over that type's campaigns with at least one lead — every campaign weighs the same, as a team
comparing its ~50 seminars asks "how did this one do against a typical one". Differences are
campaign minus its type's average: leads in leads, rates in percentage points. The same is
given against the average over all campaigns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from isdesk.analytics.history import History, local_midnight, without_gc
from isdesk.analytics.report import FLOAT, PCT, TEXT, Column, ReportBase, Table, rate

MEASURES = ("leads", "contacted", "appointments", "sqls", "orders")
RATES = ("contact_rate", "appointment_rate", "sql_rate", "order_rate")


@dataclass(frozen=True)
class CampaignRow:
    id: int
    name: str
    kind: str
    held_on: dt.date | None
    leads: int
    contacted: int
    appointments: int
    sqls: int
    orders: int
    contact_rate: float | None
    appointment_rate: float | None
    sql_rate: float | None
    order_rate: float | None
    diff_leads: float | None  # minus the type's average
    diff_appointment_rate: float | None
    diff_sql_rate: float | None
    diff_order_rate: float | None
    diff_sql_rate_all: float | None  # minus the average over all campaigns


@dataclass(frozen=True)
class KindAverage:
    kind: str  # "(all)" for the average over every campaign
    campaigns: int
    leads: float
    contacted: float
    appointments: float
    sqls: float
    orders: float
    contact_rate: float | None
    appointment_rate: float | None
    sql_rate: float | None
    order_rate: float | None


@dataclass(frozen=True)
class CampaignsReport(ReportBase):
    as_of: dt.datetime
    start: dt.date | None
    end: dt.date | None
    campaigns: tuple[CampaignRow, ...]
    kinds: tuple[KindAverage, ...]  # per type, then "(all)"

    kind = "campaigns"

    def tables(self) -> tuple[Table, ...]:
        main = Table(
            "campaigns",
            "campaigns against their type's average",
            (
                Column("campaign", "キャンペーン", "Campaign", TEXT),
                Column("kind", "種別", "Type", TEXT),
                Column("held_on", "開催日", "Held", TEXT),
                Column("leads", "リード", "Leads"),
                Column("contacted", "接触", "Contacted"),
                Column("appointments", "アポ", "Appts"),
                Column("sqls", "SQL", "SQLs"),
                Column("orders", "受注", "Orders"),
                Column("appointment_rate", "アポ率", "Appt %", PCT),
                Column("sql_rate", "SQL率", "SQL %", PCT),
                Column("order_rate", "受注率", "Order %", PCT),
                Column("diff_leads", "リード差", "Δ leads", FLOAT),
                Column("diff_appointment_rate", "アポ率差", "Δ appt pt", PCT),
                Column("diff_sql_rate", "SQL率差", "Δ SQL pt", PCT),
                Column("diff_order_rate", "受注率差", "Δ order pt", PCT),
            ),
            tuple(
                (
                    c.name,
                    c.kind,
                    c.held_on.isoformat() if c.held_on else "",
                    c.leads,
                    c.contacted,
                    c.appointments,
                    c.sqls,
                    c.orders,
                    c.appointment_rate,
                    c.sql_rate,
                    c.order_rate,
                    c.diff_leads,
                    c.diff_appointment_rate,
                    c.diff_sql_rate,
                    c.diff_order_rate,
                )
                for c in self.campaigns
            ),
        )
        kinds = Table(
            "kinds",
            "average per campaign, by type",
            (
                Column("kind", "種別", "Type", TEXT),
                Column("campaigns", "本数", "Campaigns"),
                *(Column(m, m, m.capitalize(), FLOAT) for m in MEASURES),
                *(Column(r, r, r.replace("_", " "), PCT) for r in RATES),
            ),
            tuple(
                (
                    k.kind,
                    k.campaigns,
                    *(getattr(k, m) for m in MEASURES),
                    *(getattr(k, r) for r in RATES),
                )
                for k in self.kinds
            ),
        )
        return (main, kinds)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


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
    base = []
    for cid, (name, ckind, held) in sorted(
        campaigns.items(), key=lambda kv: (kv[1][2] or dt.date.max, kv[1][0])
    ):
        if kind is not None and ckind != kind:
            continue
        n = counts.get(cid, (0, 0, 0, 0, 0))  # one count per MEASURES
        leads, *reached = n
        contact, appointment, sql, order = (rate(v, leads) for v in reached)  # one per RATES
        rates = (contact, appointment, sql, order)
        base.append((cid, name, ckind, held, n, rates))

    def average(label: str, rows: list) -> KindAverage:
        with_leads = [r for r in rows if r[4][0] > 0]
        k = len(with_leads)
        means = [sum(r[4][i] for r in with_leads) / k if k else 0.0 for i in range(len(MEASURES))]
        rate_means = [_mean([r[5][i] for r in with_leads]) for i in range(len(RATES))]
        return KindAverage(label, k, *means, *rate_means)

    by_kind: dict[str, list] = defaultdict(list)
    for row in base:
        by_kind[row[2]].append(row)
    kinds = {k: average(k, rows) for k, rows in sorted(by_kind.items())}
    overall = average("(all)", base)
    out = []
    for cid, name, ckind, held, n, rates in base:
        avg = kinds[ckind]
        has = n[0] > 0
        out.append(
            CampaignRow(
                cid,
                name,
                ckind,
                held,
                *n,
                *rates,
                n[0] - avg.leads if has else None,
                _diff(rates[1], avg.appointment_rate),
                _diff(rates[2], avg.sql_rate),
                _diff(rates[3], avg.order_rate),
                _diff(rates[2], overall.sql_rate),
            )
        )
    return CampaignsReport(history.as_of_dt, start, end, tuple(out), (*kinds.values(), overall))
