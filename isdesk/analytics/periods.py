"""Month, fiscal-quarter and fiscal-year views of what happened when (単月・Q・年間).

Each bucket counts what happened in it (by the team's local calendar and fiscal year start):

- ``leads``: leads acquired;
- ``contacts``: leads first attempted (their first call, answered or not, e-mail or meeting);
- ``reached``: leads first reached (their first answered call or meeting);
- ``appointments``: appointment activities;
- ``sqls``: leads that became SQL (sql false → true), each lead once per bucket and group;
- ``handoffs``: hand-offs to field sales (see isdesk.analytics.history);
- ``orders``: leads that reached the last stage;
- ``rejected``: hand-offs field sales rejected (``handoff/rejected`` events);
- ``lost``: handed-off leads lost (a status change to lost after a hand-off);
- ``order_value``: the orders' value in yen (``Lead.extra`` amount, else the budget answer;
  an order without either counts 0 — the count still shows it);
- ``win_rate`` (table only): orders over the hand-offs decided in the bucket — orders,
  rejected and lost;
- ``partial``: the bucket is not whole — the period starts after its first day (the data
  begins mid-month) or it ends after the period's end or as_of (the current month).

Split ``per``: ``none``, ``source``, ``campaign`` (the campaign the lead arrived through),
``segment`` (inbound / outbound: the team the lead's source routes to, as in the funnel),
``operator`` or ``team``. Who a figure belongs to: a lead acquired → its first owner; a
contact → who made it; an appointment → who booked it; an SQL → who heard it (the event's
actor); a hand-off → who sent it; an order, its value, a rejection or a loss after hand-off →
the operator who handed the lead off (sales contribution of their SQLs), else whoever
recorded it. ``team`` is that operator's team.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from isdesk.analytics.history import History, Months, local_midnight, without_gc
from isdesk.analytics.in_database import NONE_GROUP
from isdesk.analytics.periods_counts import MEASURES, OUTCOMES, count_replayed
from isdesk.analytics.periods_sql import count_in_database
from isdesk.analytics.report import BAR, PCT, TEXT, YEN, Column, ReportBase, Table
from isdesk.domain import kpi
from isdesk.i18n import tr

BY_CHOICES = ("month", "quarter", "year")
PER_CHOICES = ("none", "operator", "team", "source", "campaign", "segment")

_MEASURE_COLUMNS = (
    Column("leads", "獲得リード", "Leads"),
    Column("contacts", "接触試行", "Attempted"),
    Column("reached", "接触(通話)", "Reached"),
    Column("appointments", "アポ", "Appointments"),
    Column("sqls", "SQL", "SQLs"),
    Column("handoffs", "トスアップ", "Hand-offs"),
    Column("orders", "受注", "Orders"),
    Column("rejected", "差戻し", "Rejected"),
    Column("lost", "トスアップ後失注", "Lost"),
    Column("win_rate", "受注率", "Win %", PCT),
    Column("order_value", "受注金額", "Order ¥", YEN),
    Column("partial", "途中", "Partial", TEXT),
)


@dataclass(frozen=True)
class PeriodRow:
    bucket: str
    group: str
    leads: int
    contacts: int
    reached: int
    appointments: int
    sqls: int
    handoffs: int
    orders: int
    rejected: int = 0
    lost: int = 0
    order_value: int = 0
    partial: bool = False

    def counts(self) -> tuple[int, ...]:
        return tuple(getattr(self, m) for m in MEASURES)

    @property
    def win_rate(self) -> float | None:
        decided = self.orders + self.rejected + self.lost
        return self.orders / decided if decided else None

    def cells(self) -> tuple:
        """The row's cells for the tables' measure columns."""
        return (*self.counts(), self.rejected, self.lost, self.win_rate, self.order_value,
                "*" if self.partial else "")  # fmt: skip


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
            tuple((r.bucket, r.group, *r.cells()) for r in self.rows),
        )
        top = max((r.sqls for r in self.totals), default=0)
        totals = Table(
            "totals",
            tr("report.totals.title", by=tr(f"report.by.{self.by}")),
            (*columns[:1], *_MEASURE_COLUMNS, Column("sql_bar", "SQL推移", "SQLs", BAR)),
            tuple((r.bucket, *r.cells(), r.sqls / top if top else 0.0) for r in self.totals),
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
    as_of_day = (history.as_of_dt - dt.timedelta(microseconds=1)).astimezone(zone).date()
    if start is None:
        first = history.first_acquired
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

    width = len(MEASURES) + len(OUTCOMES)
    counts: dict[tuple[str, str], list[int]] = {}
    if history.in_database:
        count_in_database(history, per, lo, hi, months, bucket_names, buckets, counts, width)
    else:
        count_replayed(history, per, lo, hi, months, bucket_names, counts, width)

    # A bucket is partial when the period does not cover all of it, or as_of falls inside it.
    until = min(hi, history.as_of)
    spans: dict[str, list[int]] = {}
    for m, label in bucket_names.items():
        span = spans.setdefault(label, [months.start(m), months.start(m + 1)])
        span[0], span[1] = min(span[0], months.start(m)), max(span[1], months.start(m + 1))
    partial = {b: spans[b][0] < lo or spans[b][1] > until for b in buckets}

    groups = sorted({g for _, g in counts}, key=lambda g: (g == NONE_GROUP, g))
    rows = [
        PeriodRow(b, g, *counts.get((b, g), [0] * width), partial[b])  # type: ignore[arg-type, call-arg]
        for g in groups
        for b in buckets
    ]
    rows.sort(key=lambda r: buckets.index(r.bucket))
    totals = []
    for b in buckets:
        sums = [0] * width
        for g in groups:
            for i, v in enumerate(counts.get((b, g), ())):
                sums[i] += v
        totals.append(PeriodRow(b, "all", *sums, partial[b]))  # type: ignore[arg-type, call-arg]
    return PeriodsReport(
        by, per, start, end, history.as_of_dt, tuple(buckets), tuple(rows), tuple(totals)
    )
