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
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from isdesk.analytics.history import History, Months, local_midnight, without_gc
from isdesk.analytics.report import BAR, TEXT, Column, ReportBase, Table
from isdesk.domain import kpi
from isdesk.i18n import tr

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
            tr(
                "report.periods.title",
                by=tr(f"report.by.{self.by}"),
                per=tr(f"report.per.{self.per}"),
            ),
            columns,
            tuple((r.bucket, r.group, *r.counts()) for r in self.rows),
        )
        top = max((r.sqls for r in self.totals), default=0)
        totals = Table(
            "totals",
            tr("report.totals.title", by=tr(f"report.by.{self.by}")),
            (*columns[:1], *_MEASURE_COLUMNS, Column("sql_bar", "SQL推移", "SQLs", BAR)),
            tuple((r.bucket, *r.counts(), r.sqls / top if top else 0.0) for r in self.totals),
        )
        return (main, totals) if self.per != "none" else (totals,)

    def sparklines(self) -> list[tuple[str, list[float]]]:
        if self.per == "none":
            return [
                (tr(f"report.measure.{m}"), [getattr(r, m) for r in self.totals]) for m in MEASURES
            ]
        series: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(self.buckets))
        index = {b: i for i, b in enumerate(self.buckets)}
        for r in self.rows:
            series[r.group][index[r.bucket]] = r.sqls
        ranked = sorted(series.items(), key=lambda kv: -sum(kv[1]))[:12]
        return [(tr("report.sqls_of", group=group), values) for group, values in ranked]


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


@without_gc
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
    leads = history.acquired
    as_of_day = (history.as_of_dt - dt.timedelta(microseconds=1)).astimezone(zone).date()
    if start is None:
        first = min(leads.values(), default=history.as_of)
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

    # Who a figure belongs to: by operator (or their team) the figure's operator, by source or
    # campaign the lead's. ``group(lead, op)``; None when every figure is in group "all".
    group: Callable[[int, int | None], str] | None = None
    if per in ("operator", "team"):
        ops = history.operators
        of_op = ops.teams if per == "team" else ops.names

        def group(lead_id: int, op: int | None) -> str:
            return NONE_GROUP if op is None else of_op.get(op, NONE_GROUP)

    elif per in ("source", "campaign"):
        if per == "source":
            of_lead = {i: source or NONE_GROUP for i, source in history.sources.items()}
        else:
            campaigns = history.campaigns
            of_lead = {
                i: campaigns[cid][0]
                for i, cid in history.first_touch_campaign.items()
                if cid in campaigns
            }

        def group(lead_id: int, op: int | None) -> str:
            return of_lead.get(lead_id, NONE_GROUP)

    counts: dict[tuple[str, str], list[int]] = {}
    starts, first_month, top = months.starts, months.first, len(months.starts) - 1

    def bucket(at: int) -> str:
        i = bisect_right(starts, at) - 1
        return bucket_names[first_month + i if 0 <= i < top else months.index(at)]

    def tally(measure: int, rows: Iterable[tuple[int, int, int | None]]) -> None:
        """Count each (lead, at, operator) row in [lo, hi) in its bucket and group."""
        zero = [0] * len(MEASURES)
        for lead_id, at, op in rows:
            if lo <= at < hi:
                i = bisect_right(starts, at) - 1
                label = bucket_names[first_month + i if 0 <= i < top else months.index(at)]
                key = (label, "all" if group is None else group(lead_id, op))
                row = counts.get(key)
                if row is None:
                    row = counts[key] = zero.copy()
                row[measure] += 1

    if per in ("operator", "team"):
        owners = history.first_owner
        tally(0, [(i, at, owners.get(i)) for i, at in leads.items()])
    else:
        tally(0, [(i, at, None) for i, at in leads.items()])
    tally(1, [(i, at, op) for i, (at, op) in history.first_contact.items() if i in leads])
    tally(2, [row for row in history.appointments if row[0] in leads])
    seen: set[tuple[str, str, int]] = set()
    for lead_id, at, actor in history.sql_events:
        if lo <= at < hi:
            key = (bucket(at), "all" if group is None else group(lead_id, actor), lead_id)
            if key not in seen:
                seen.add(key)
                tally(3, [(lead_id, at, actor)])
    handoffs = history.handoffs
    tally(4, handoffs)
    handed_by: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for lead_id, at, actor in handoffs:
        handed_by[lead_id].append((at, actor))
    credited_orders = []
    for lead_id, at, actor in history.orders:
        credited = actor
        for sent_at, sender in handed_by.get(lead_id, ()):
            if sent_at <= at and sender is not None:
                credited = sender
        credited_orders.append((lead_id, at, credited))
    tally(5, credited_orders)

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
