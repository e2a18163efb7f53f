"""Month, fiscal-quarter and fiscal-year views of what happened when (単月・Q・年間).

Each bucket counts what happened in it (by the team's local calendar and fiscal year start):

- ``leads``: leads acquired;
- ``contacts``: leads contacted for the first time (their first call, e-mail or meeting);
- ``appointments``: appointment activities;
- ``sqls``: leads that became SQL (sql false → true), each lead once per bucket and group;
- ``handoffs``: hand-offs to field sales (see isdesk.analytics.history);
- ``orders``: leads that reached the last stage.

Split ``per``: ``none``, ``source``, ``campaign`` (the lead's first-touch campaign),
``operator`` or ``team``. Who a figure belongs to: a lead acquired → its first owner; a
contact → who made it; an appointment → who booked it; an SQL → who heard it (the event's
actor); a hand-off → who sent it; an order → the operator who handed the lead off (sales
contribution of their SQLs), else whoever recorded the order. ``team`` is that operator's team.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from isdesk import kpi
from isdesk.analytics.history import History, Months, local_midnight
from isdesk.analytics.report import BAR, TEXT, Column, ReportBase, Table

BY_CHOICES = ("month", "quarter", "year")
PER_CHOICES = ("none", "operator", "team", "source", "campaign")
MEASURES = ("leads", "contacts", "appointments", "sqls", "handoffs", "orders")
NONE_GROUP = "(none)"

_MEASURE_COLUMNS = (
    Column("leads", "獲得リード", "Leads"),
    Column("contacts", "初回接触", "Contacts"),
    Column("appointments", "アポ", "Appointments"),
    Column("sqls", "SQL", "SQLs"),
    Column("handoffs", "トスアップ", "Hand-offs"),
    Column("orders", "受注", "Orders"),
)


@dataclass(frozen=True)
class PeriodRow:
    bucket: str
    group: str
    leads: int
    contacts: int
    appointments: int
    sqls: int
    handoffs: int
    orders: int

    def counts(self) -> tuple[int, ...]:
        return tuple(getattr(self, m) for m in MEASURES)


@dataclass(frozen=True)
class PeriodsReport(ReportBase):
    by: str
    per: str
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    buckets: tuple[str, ...]
    rows: tuple[PeriodRow, ...]  # every (bucket, group) of groups with any figure, in order
    totals: tuple[PeriodRow, ...]  # one per bucket, group "all"

    kind = "periods"

    def tables(self) -> tuple[Table, ...]:
        columns = (
            Column("bucket", "期間", "Period", TEXT),
            Column("group", "区分", "Group", TEXT),
            *_MEASURE_COLUMNS,
        )
        main = Table(
            "periods",
            f"periods by {self.by} per {self.per}",
            columns,
            tuple((r.bucket, r.group, *r.counts()) for r in self.rows),
        )
        top = max((r.sqls for r in self.totals), default=0)
        totals = Table(
            "totals",
            f"totals by {self.by}",
            (*columns[:1], *_MEASURE_COLUMNS, Column("sql_bar", "SQL推移", "SQLs", BAR)),
            tuple((r.bucket, *r.counts(), r.sqls / top if top else 0.0) for r in self.totals),
        )
        return (main, totals) if self.per != "none" else (totals,)

    def sparklines(self) -> list[tuple[str, list[float]]]:
        if self.per == "none":
            return [(f"{m}", [getattr(r, m) for r in self.totals]) for m in MEASURES]
        series: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(self.buckets))
        index = {b: i for i, b in enumerate(self.buckets)}
        for r in self.rows:
            series[r.group][index[r.bucket]] = r.sqls
        ranked = sorted(series.items(), key=lambda kv: -sum(kv[1]))[:12]
        return [(f"SQLs {group}", values) for group, values in ranked]


def bucket_namer(history: History, by: str):
    """month index -> bucket label for ``by``."""
    cal = history.rules.calendar

    def name(month: int) -> str:
        if by == "month":
            return Months.label(month)
        day = Months.to_date(month)
        if by == "quarter":
            return kpi.fiscal_quarter(day, cal).label
        return f"FY{kpi.fiscal_year(day, cal)}"

    return name


def periods_report(
    history: History,
    *,
    by: str = "month",
    per: str = "none",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> PeriodsReport:
    """Count the history's figures per bucket (``by``) and group (``per``), start..end local
    days inclusive (default: from the first lead acquired to as_of)."""
    if by not in BY_CHOICES:
        raise ValueError(f"by {by!r}: one of {', '.join(BY_CHOICES)}")
    if per not in PER_CHOICES:
        raise ValueError(f"per {per!r}: one of {', '.join(PER_CHOICES)}")
    rules = history.rules
    zone = rules.calendar.zone
    leads = history.lead_by_id
    as_of_day = (history.as_of_dt - dt.timedelta(microseconds=1)).astimezone(zone).date()
    if start is None:
        first = min((lead.acquired for lead in history.leads), default=history.as_of)
        start = dt.datetime.fromtimestamp(first, zone).date()
    end = end or as_of_day
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    lo = int(local_midnight(start, rules).timestamp())
    hi = int(local_midnight(end + dt.timedelta(days=1), rules).timestamp())
    months = Months(rules, Months.of_date(start), Months.of_date(end))
    name = bucket_namer(history, by)
    bucket_names: dict[int, str] = {}
    buckets: list[str] = []
    for m in range(Months.of_date(start), Months.of_date(end) + 1):
        label = name(m)
        bucket_names[m] = label
        if not buckets or buckets[-1] != label:
            buckets.append(label)

    ops = history.operators if per in ("operator", "team") else None

    def op_group(op: int | None) -> str:
        if op is None or ops is None:
            return NONE_GROUP
        if per == "team":
            return ops.teams.get(op, NONE_GROUP)
        return ops.names.get(op, NONE_GROUP)

    campaigns = history.campaigns if per == "campaign" else {}
    first_touch = history.first_touch_campaign if per == "campaign" else {}

    def lead_group(lead_id: int, op: int | None) -> str:
        if per == "none":
            return "all"
        if per in ("operator", "team"):
            return op_group(op)
        lead = leads.get(lead_id)
        if lead is None:
            return NONE_GROUP
        if per == "source":
            return lead.source or NONE_GROUP
        cid = first_touch.get(lead_id)
        return campaigns[cid][0] if cid in campaigns else NONE_GROUP

    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    index = months.index

    def add(measure: int, lead_id: int, at: int, op: int | None) -> None:
        if lo <= at < hi:
            counts[bucket_names[index(at)], lead_group(lead_id, op)][measure] += 1

    owners = history.first_owner if per in ("operator", "team") else {}
    for lead in history.leads:
        add(0, lead.id, lead.acquired, owners.get(lead.id))
    for lead_id, (at, op) in history.first_contact.items():
        if lead_id in leads:
            add(1, lead_id, at, op)
    for lead_id, at, op in history.appointments:
        if lead_id in leads:
            add(2, lead_id, at, op)
    seen: set[tuple[str, str, int]] = set()
    for lead_id, at, actor in history.sql_events:
        if lo <= at < hi:
            key = (bucket_names[index(at)], lead_group(lead_id, actor), lead_id)
            if key not in seen:
                seen.add(key)
                counts[key[0], key[1]][3] += 1
    handed_by: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for lead_id, at, actor in history.handoffs:
        add(4, lead_id, at, actor)
        handed_by[lead_id].append((at, actor))
    for lead_id, at, actor in history.orders:
        credited = actor
        for sent_at, sender in handed_by.get(lead_id, ()):
            if sent_at <= at and sender is not None:
                credited = sender
        add(5, lead_id, at, credited)

    groups = sorted({g for _, g in counts}, key=lambda g: (g == NONE_GROUP, g))
    rows = [
        PeriodRow(b, g, *counts[b, g]) if (b, g) in counts else PeriodRow(b, g, 0, 0, 0, 0, 0, 0)
        for g in groups
        for b in buckets
    ]
    rows.sort(key=lambda r: buckets.index(r.bucket))
    totals = []
    for b in buckets:
        sums = [0] * len(MEASURES)
        for g in groups:
            for i, v in enumerate(counts.get((b, g), ())):
                sums[i] += v
        totals.append(PeriodRow(b, "all", *sums))
    return PeriodsReport(
        by, per, start, end, history.as_of_dt, tuple(buckets), tuple(rows), tuple(totals)
    )
