"""Acquisition cohorts: what each month's leads went on to do, month by month (帯で見る).

A lead belongs to the local month it was acquired in, whatever happens later: a lead acquired
in September, contacted in December, that books an appointment in May is one of September's
leads with an appointment at month 8 (no "0 leads, 1 appointment" May). A cell (cohort,
month k) counts the cohort's leads that had reached the milestone by the end of calendar
month cohort + k — cumulative — and its share of the cohort; months after as_of's month are
``None`` (not yet seen). Milestones: first contact attempt (call answered or not, e-mail or
meeting), first reached (an answered call or a meeting), first appointment, first SQL, order
(reached the last stage).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from isdesk.analytics.history import DAY_S, History, Months, without_gc
from isdesk.analytics.report import DAYS, INT, PCT, TEXT, Column, ReportBase, Table, median, rate
from isdesk.i18n import tr

MILESTONES = ("contact", "reach", "appointment", "sql", "order")
_MILESTONE_LABELS = {
    "contact": ("接触試行", "Attempted"),
    "reach": ("接触(通話)", "Reached"),
    "appointment": ("アポ", "Appointment"),
    "sql": ("SQL", "SQL"),
    "order": ("受注", "Order"),
}


@dataclass(frozen=True)
class Cohort:
    month: str  # YYYY-MM
    leads: int
    reached: dict[str, int]  # milestone -> leads that reached it by as_of
    cumulative: dict[str, tuple[int | None, ...]]  # milestone -> count by month 0..N
    share: dict[str, tuple[float | None, ...]]  # the same as a share of the cohort
    median_days_to_appointment: float | None
    median_days_to_sql: float | None


@dataclass(frozen=True)
class CohortsReport(ReportBase):
    as_of: dt.datetime
    months: int  # columns 0..months
    cohorts: tuple[Cohort, ...]

    kind = "cohorts"

    def tables(self) -> tuple[Table, ...]:
        summary = Table(
            "summary",
            tr("report.cohorts.title"),
            (
                Column("cohort", "獲得月", "Cohort", TEXT),
                Column("leads", "リード", "Leads"),
                *(Column(m, *_MILESTONE_LABELS[m]) for m in MILESTONES),
                Column("reach_rate", "接触率", "Reach %", PCT),
                Column("appointment_rate", "アポ率", "Appt %", PCT),
                Column("sql_rate", "SQL率", "SQL %", PCT),
                Column("median_days_to_appointment", "アポまで(中央値日)", "Days to appt", DAYS),
                Column("median_days_to_sql", "SQLまで(中央値日)", "Days to SQL", DAYS),
            ),
            tuple(
                (
                    c.month,
                    c.leads,
                    *(c.reached[m] for m in MILESTONES),
                    rate(c.reached["reach"], c.leads),
                    rate(c.reached["appointment"], c.leads),
                    rate(c.reached["sql"], c.leads),
                    c.median_days_to_appointment,
                    c.median_days_to_sql,
                )
                for c in self.cohorts
            ),
        )
        tables = [summary]
        for milestone in MILESTONES:
            head = (Column("cohort", "獲得月", "Cohort", TEXT), Column("leads", "リード", "Leads"))
            for suffix, kind, cells in (("", INT, "cumulative"), ("_pct", PCT, "share")):
                tables.append(
                    Table(
                        milestone + suffix,
                        tr(
                            "report.cohort_months.title",
                            milestone=tr(f"report.milestone.{milestone}"),
                        )
                        + (" (%)" if suffix else ""),
                        (
                            *head,
                            *(
                                Column(f"m{k}", f"{k}ヶ月", f"M{k}", kind)
                                for k in range(self.months + 1)
                            ),
                        ),
                        tuple(
                            (c.month, c.leads, *getattr(c, cells)[milestone]) for c in self.cohorts
                        ),
                    )
                )
        return tuple(tables)


@without_gc
def cohorts_report(
    history: History,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    months: int = 12,
) -> CohortsReport:
    """Cohorts of the acquisition months first..last (default: the 12 up to as_of's month)."""
    if months < 0:
        raise ValueError("months must be zero or more")
    zone = history.rules.calendar.zone
    as_of_month = Months.of_date(
        (history.as_of_dt - dt.timedelta(microseconds=1)).astimezone(zone).date()
    )
    last_month = Months.of_date(last) if last else as_of_month
    first_month = Months.of_date(first) if first else last_month - 11
    if last_month < first_month:
        raise ValueError("the last cohort is before the first")
    cal = Months(history.rules, first_month, as_of_month)
    if history.in_database:
        from isdesk.analytics.cohorts_sql import cohort_figures

        figures = cohort_figures(history, cal, first_month, last_month, as_of_month)
    else:
        figures = _cohort_figures(history, cal, first_month, last_month)
    cohorts = []
    for month in range(first_month, last_month + 1):
        size, hists, to_appt, to_sql = figures.get(month, (0, [{}] * len(MILESTONES), None, None))
        observable = min(months, as_of_month - month)
        reached: dict[str, int] = {}
        cumulative: dict[str, tuple[int | None, ...]] = {}
        share: dict[str, tuple[float | None, ...]] = {}
        for milestone, hist in zip(MILESTONES, hists, strict=True):
            per_month = [0] * (months + 1)
            for at_month, n in hist.items():
                offset = max(at_month - month, 0)
                if offset <= months:
                    per_month[offset] += n
            running, cells = 0, []
            for k in range(months + 1):
                running += per_month[k]
                cells.append(running if k <= observable else None)
            reached[milestone] = sum(hist.values())
            cumulative[milestone] = tuple(cells)
            share[milestone] = tuple(None if v is None else rate(v, size) for v in cells)
        cohorts.append(
            Cohort(Months.label(month), size, reached, cumulative, share, to_appt, to_sql)
        )
    return CohortsReport(history.as_of_dt, months, tuple(cohorts))


# month -> (leads, per milestone {month reached: leads}, median days to appointment, to SQL)
CohortFigures = dict[int, tuple[int, list[dict[int, int]], float | None, float | None]]


def _cohort_figures(
    history: History, cal: Months, first_month: int, last_month: int
) -> CohortFigures:
    """:data:`CohortFigures` from the history read into Python (the reference)."""
    first_contact = history.first_contact
    first_reach = history.first_reach
    first_appointment = history.first_appointment
    first_sql = history.first_sql  # neither needs the replay
    ordered = history.reached_at(history.last_stage)
    starts, base, top = cal.starts, cal.first, len(cal.starts) - 1

    def month_of(at: int) -> int:  # cal.index without the method call
        i = bisect_right(starts, at) - 1
        return base + i if 0 <= i < top else cal.index(at)

    members: dict[int, list] = {m: [] for m in range(first_month, last_month + 1)}
    for lead_id, acquired in history.acquired.items():
        month = month_of(acquired)
        if first_month <= month <= last_month:
            contact = first_contact.get(lead_id)
            reach = first_reach.get(lead_id)
            members[month].append(
                (
                    acquired,
                    contact[0] if contact else None,
                    reach[0] if reach else None,
                    first_appointment.get(lead_id),
                    first_sql.get(lead_id),
                    ordered.get(lead_id),
                )
            )
    out: CohortFigures = {}
    for month, rows in members.items():
        hists: list[dict[int, int]] = []
        for m_index in range(1, len(MILESTONES) + 1):
            hist: dict[int, int] = {}
            for row in rows:
                at = row[m_index]
                if at is not None:
                    key = month_of(at)
                    hist[key] = hist.get(key, 0) + 1
            hists.append(hist)
        to_appt = [(r[3] - r[0]) / DAY_S for r in rows if r[3] is not None]
        to_sql = [(r[4] - r[0]) / DAY_S for r in rows if r[4] is not None]
        out[month] = (len(rows), hists, median(to_appt), median(to_sql))
    return out
