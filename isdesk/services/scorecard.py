"""An operator's KPI scorecard: today and the fiscal quarter against the team's lines.

Everything is aggregated in the database (covering indexes from migration 0002) and comes back
as plain numbers; the arithmetic of volume, tiers and projection is the pure ``isdesk.domain.kpi``.

Hand-off rejections are read from the event log as field sales (issue: hand-off) records them:
``lead_event(kind='handoff', field='rejected', new_value='not_qualified',
old_value=<login of the operator who handed it off>)``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from peewee import SQL, NodeList, Value, fn

from isdesk.domain.kpi import (
    ACTIVITY_KINDS,
    Projection,
    Quarter,
    fiscal_quarter,
    period_bounds_utc,
    projection,
    rank_steps,
    tier,
    volume,
    week_start,
    working_days_list,
)
from isdesk.rules import Lines, Rules
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Activity, LeadEvent, Operator
from isdesk.store.query import tuples

TREND_DAYS = 30


class ScorecardAccessError(PermissionError):
    pass


@dataclass(frozen=True)
class Scorecard:
    operator: str
    display_name: str
    team: str
    today: dt.date
    quarter: Quarter
    today_counts: dict[str, int]
    today_connected: int
    today_volume: int
    daily_lines: Lines
    today_tier: str
    quarter_volume: int
    quarter_lines: Lines
    quarter_tier: str
    quarter_projection: Projection
    sql_today: int
    sql_week: int
    sql_quarter: int
    sql_lines: Lines
    sql_tier: str
    sql_projection: Projection
    rank_up_leads: int
    rank_up_steps: int
    rank_up_detail: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    trend: tuple[tuple[dt.date, int], ...] = ()
    orders_quarter: int = 0  # orders this quarter of the leads this operator handed off
    order_value_quarter: int = 0  # their value in yen (amount, else the budget answer)


def _local_day(column, rules: Rules, today: dt.date):
    """SQL for the team-local calendar day of a UTC timestamp column."""
    if is_postgres():
        return NodeList(
            (
                SQL("CAST(("),
                column,
                SQL("AT TIME ZONE 'UTC') AT TIME ZONE"),
                Value(rules.calendar.timezone),
                SQL("AS DATE)"),
            )
        )
    # SQLite has no zone database: shift by the zone's offset on that day (exact for zones
    # without daylight saving, such as Asia/Tokyo).
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=rules.calendar.zone)
    minutes = int(noon.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]  # aware: has offset
    # coerce(False): the result is a day, not a value of the timestamp column's type.
    return fn.date(column, f"{minutes:+d} minutes").coerce(False)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def operator_scorecard(actor: Actor, operator_name: str, today: dt.date, rules: Rules) -> Scorecard:
    """The scorecard of ``operator_name`` (the actor's own, or a team member's for a lead)."""
    cal = rules.calendar
    with current_database().connection_context():
        op = Operator.get_or_none(Operator.name == operator_name)
        if op is None:
            raise LookupError(f"operator {operator_name!r} does not exist")
        if op.id != actor.id and not (actor.is_lead and op.team == actor.team):
            raise ScorecardAccessError(f"{actor.name} may not see {operator_name}'s numbers")
        quarter = fiscal_quarter(today, cal)
        trend_days = working_days_list(today, TREND_DAYS, cal)
        first_day = min([quarter.start, *trend_days[:1]])
        start, end = period_bounds_utc(first_day, today, cal)

        day = _local_day(Activity.at, rules, today)
        per_day: dict[dt.date, list[tuple[str, str, int]]] = defaultdict(list)
        query = tuples(
            Activity.select(
                day.alias("day"), Activity.kind, Activity.outcome, fn.COUNT(Activity.id).alias("n")
            )
            .where((Activity.operator == op.id) & (Activity.at >= start) & (Activity.at < end))
            .group_by(day, Activity.kind, Activity.outcome)
        )
        for raw_day, kind, outcome, n in query:
            per_day[_as_date(raw_day)].append((kind, outcome, n))

        q_start, _ = period_bounds_utc(quarter.start, today, cal)
        events = list(
            tuples(
                LeadEvent.select(
                    LeadEvent.lead,
                    LeadEvent.kind,
                    LeadEvent.old_value,
                    LeadEvent.new_value,
                    _local_day(LeadEvent.at, rules, today),
                )
                .where(
                    (LeadEvent.actor == op.id)
                    & (LeadEvent.kind.in_(["sql", "rank"]))
                    & (LeadEvent.at >= q_start)
                    & (LeadEvent.at < end)
                )
                .order_by(LeadEvent.at, LeadEvent.id)
            )
        )
        rejected = (
            LeadEvent.select(fn.COUNT(LeadEvent.id))
            .where(
                (LeadEvent.kind == "handoff")
                & (LeadEvent.field == "rejected")
                & (LeadEvent.new_value == "not_qualified")
                & (LeadEvent.old_value == op.name)
                & (LeadEvent.at >= q_start)
                & (LeadEvent.at < end)
            )
            .scalar()
        ) or 0
        orders_quarter, order_value_quarter = _contribution(op.id, q_start, end, rules)

    weights = rules.activity.weights
    targets = rules.targets.for_operator(op.name, op.team)
    today_rows = per_day.get(today, [])
    today_counts = Counter({k: 0 for k in ACTIVITY_KINDS})
    for kind, _outcome, n in today_rows:
        today_counts[kind] += n
    today_volume = volume(today_rows, weights)
    quarter_volume = sum(volume(rows, weights) for d, rows in per_day.items() if d >= quarter.start)

    sql_days: dict[int, dt.date] = {}
    first_rank: dict[int, str] = {}
    last_rank: dict[int, str] = {}
    for lead_id, kind, old, new, raw_day in events:
        if kind == "sql" and new == "true":
            sql_days.setdefault(lead_id, _as_date(raw_day))
        elif kind == "rank":
            first_rank.setdefault(lead_id, old or "")
            last_rank[lead_id] = new or ""
    monday = week_start(today)
    ladder = rules.rank_names
    ups = {lead: rank_steps(first_rank[lead], last_rank[lead], ladder) for lead in last_rank}
    detail = Counter(f"{first_rank[lead]}→{last_rank[lead]}" for lead, s in ups.items() if s > 0)
    sql_quarter = len(sql_days)
    return Scorecard(
        operator=op.name,
        display_name=op.display_name,
        team=op.team,
        today=today,
        quarter=quarter,
        today_counts=dict(today_counts),
        today_connected=sum(n for k, o, n in today_rows if k == "call" and o == "connected"),
        today_volume=today_volume,
        daily_lines=targets.daily,
        today_tier=tier(today_volume, targets.daily),
        quarter_volume=quarter_volume,
        quarter_lines=targets.quarterly,
        quarter_tier=tier(quarter_volume, targets.quarterly),
        quarter_projection=projection(quarter_volume, quarter, today, cal, targets.quarterly),
        sql_today=sum(1 for d in sql_days.values() if d == today),
        sql_week=sum(1 for d in sql_days.values() if d >= monday),
        sql_quarter=sql_quarter,
        sql_lines=targets.quarterly_sql,
        sql_tier=tier(sql_quarter, targets.quarterly_sql),
        sql_projection=projection(sql_quarter, quarter, today, cal, targets.quarterly_sql),
        rank_up_leads=sum(1 for s in ups.values() if s > 0),
        rank_up_steps=sum(s for s in ups.values() if s > 0),
        rank_up_detail=dict(sorted(detail.items())),
        rejected=rejected,
        trend=tuple((d, volume(per_day.get(d, []), weights)) for d in trend_days),
        orders_quarter=orders_quarter,
        order_value_quarter=order_value_quarter,
    )


def _contribution(
    op_id: int, start: dt.datetime, end: dt.datetime, rules: Rules
) -> tuple[int, int]:
    """(orders, their value in yen) in [start, end) of the leads ``op_id`` handed off: an order
    (a stage event to the last stage) is the contribution of whoever sent the lead's last
    hand-off before it, as in the long-view periods (isdesk.analytics.periods)."""
    from isdesk.analytics.history import _extra_amount
    from isdesk.rules.values import parse_amount
    from isdesk.store.models import Lead

    last = rules.stages.keys[-1]
    orders = list(
        tuples(
            LeadEvent.select(LeadEvent.lead, LeadEvent.at).where(
                (LeadEvent.kind == "stage")
                & (LeadEvent.new_value == last)
                & (LeadEvent.at >= start)
                & (LeadEvent.at < end)
            )
        )
    )
    if not orders:
        return 0, 0
    ids = sorted({lead for lead, _ in orders})
    sent: dict[int, list[tuple[dt.datetime, int | None]]] = defaultdict(list)
    for lead, at, actor in tuples(
        LeadEvent.select(LeadEvent.lead, LeadEvent.at, LeadEvent.actor)
        .where(
            (LeadEvent.lead.in_(ids))
            & (
                ((LeadEvent.kind == "handoff") & (LeadEvent.field == "sent"))
                | ((LeadEvent.kind == "status") & (LeadEvent.new_value == "handed_off"))
            )
            & (LeadEvent.at < end)
        )
        .order_by(LeadEvent.at, LeadEvent.id)
    ):
        sent[lead].append((at, actor))
    mine = []
    for lead, at in orders:
        senders = [actor for sent_at, actor in sent.get(lead, ()) if sent_at <= at]
        if senders and senders[-1] == op_id:
            mine.append(lead)
    if not mine:
        return 0, 0
    budget = next((i.key for i in rules.hearing if i.bant == "B"), None)
    values: dict[int, int] = {}
    if budget is not None:
        for lead, text in tuples(
            LeadEvent.select(LeadEvent.lead, LeadEvent.new_value)
            .where(
                (LeadEvent.lead.in_(mine))
                & (LeadEvent.kind == "answer")
                & (LeadEvent.field == budget)
                & (LeadEvent.at < end)
            )
            .order_by(LeadEvent.at, LeadEvent.id)
        ):
            amount = parse_amount(text or "")
            if amount is not None:
                values[lead] = amount
            else:
                values.pop(lead, None)  # the latest answer decides
    for lead, extra in tuples(Lead.select(Lead.id, Lead.extra).where(Lead.id.in_(mine))):
        amount = _extra_amount(extra)
        if amount is not None:
            values[lead] = amount
    return len(mine), sum(values.get(lead, 0) for lead in mine)
