"""The team lead's view of a team: load, caps and results per operator, and the queue waiting.

Numbers come from a handful of grouped queries for the whole team (not one per operator), so
the view refreshes cheaply while operators work. Team leads may read every team's numbers and
change only their own team (the assignment service enforces the changes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass

from peewee import fn

from isdesk.domain.kpi import fiscal_quarter, period_bounds_utc, rank_steps, tier, volume
from isdesk.rules import Lines, Rules
from isdesk.services.assignment import GroupQueue, OperatorLoad, operator_loads, unassigned_by_group
from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Activity, LeadEvent, Operator
from isdesk.store.query import tuples


class TeamAccessError(PermissionError):
    pass


@dataclass(frozen=True)
class TeamRow:
    load: OperatorLoad
    today_volume: int
    daily_lines: Lines
    today_tier: str
    sql_quarter: int
    rank_ups: int
    rejected: int
    last_activity_at: dt.datetime | None

    @property
    def name(self) -> str:
        return self.load.name

    def to_json(self) -> dict[str, object]:
        load = self.load
        return {
            "operator": load.name,
            "display_name": load.display_name,
            "team": load.team,
            "role": load.role,
            "active": load.active,
            "open_leads": load.open_leads,
            "open_by_rank": load.open_by_rank,
            "cap": load.cap,
            "over_cap": load.over_cap,
            "today_volume": self.today_volume,
            "daily_lines": asdict(self.daily_lines),
            "today_tier": self.today_tier,
            "sql_quarter": self.sql_quarter,
            "rank_ups": self.rank_ups,
            "rejected": self.rejected,
            "last_activity_at": self.last_activity_at.isoformat()
            if self.last_activity_at
            else None,
        }


@dataclass(frozen=True)
class TeamOverview:
    team: str
    editable: bool  # the viewer leads this team
    rows: tuple[TeamRow, ...]
    groups: tuple[GroupQueue, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "team": self.team,
            "operators": [r.to_json() for r in self.rows],
            "unassigned": [
                {
                    "group": g.name,
                    "depth": g.depth,
                    "oldest_acquired_at": g.oldest_acquired_at.isoformat()
                    if g.oldest_acquired_at
                    else None,
                    "oldest_wait_days": g.oldest_wait_days,
                }
                for g in self.groups
            ],
        }


def visible_teams(actor: Actor) -> list[str]:
    """The teams a lead can look at (their own first); others see none."""
    if not actor.is_lead:
        raise TeamAccessError("the team view is for team leads")
    with current_database().connection_context():
        teams = [
            t
            for (t,) in tuples(
                Operator.select(Operator.team).where(Operator.role != "field").distinct()
            )
        ]
    return [actor.team, *sorted(t for t in teams if t != actor.team)]


def team_overview(
    actor: Actor, team: str, rules: Rules, today: dt.date, now: dt.datetime
) -> TeamOverview:
    """Every operator of ``team`` with load, today's volume, quarter results, last activity."""
    if team not in visible_teams(actor):
        raise TeamAccessError(f"no team {team!r}")
    cal = rules.calendar
    loads = [load for load in operator_loads(team, rules) if load.role != "field"]
    quarter = fiscal_quarter(today, cal)
    day_start, day_end = period_bounds_utc(today, today, cal)
    q_start, _ = period_bounds_utc(quarter.start, today, cal)
    with current_database().connection_context():
        ids = {
            o.name: o.id
            for o in Operator.select(Operator.id, Operator.name).where(Operator.team == team)
        }
        id_list = list(ids.values())
        today_rows: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
        for op, kind, outcome, n in tuples(
            Activity.select(
                Activity.operator, Activity.kind, Activity.outcome, fn.COUNT(Activity.id)
            )
            .where(
                Activity.operator.in_(id_list)
                & (Activity.at >= day_start)
                & (Activity.at < day_end)
            )
            .group_by(Activity.operator, Activity.kind, Activity.outcome)
        ):
            today_rows[op].append((kind, outcome, n))
        last = dict(
            tuples(
                Activity.select(Activity.operator, fn.MAX(Activity.at))
                .where(Activity.operator.in_(id_list))
                .group_by(Activity.operator)
            )
        )
        sql_leads: dict[int, set[int]] = defaultdict(set)
        first_rank: dict[tuple[int, int], str] = {}
        last_rank: dict[tuple[int, int], str] = {}
        for actor_id, lead_id, kind, old, new in tuples(
            LeadEvent.select(
                LeadEvent.actor,
                LeadEvent.lead,
                LeadEvent.kind,
                LeadEvent.old_value,
                LeadEvent.new_value,
            )
            .where(
                LeadEvent.actor.in_(id_list)
                & LeadEvent.kind.in_(["sql", "rank"])
                & (LeadEvent.at >= q_start)
                & (LeadEvent.at < day_end)
            )
            .order_by(LeadEvent.at, LeadEvent.id)
        ):
            if kind == "sql" and new == "true":
                sql_leads[actor_id].add(lead_id)
            elif kind == "rank":
                first_rank.setdefault((actor_id, lead_id), old or "")
                last_rank[(actor_id, lead_id)] = new or ""
        rejected = dict(
            tuples(
                LeadEvent.select(LeadEvent.old_value, fn.COUNT(LeadEvent.id))
                .where(
                    (LeadEvent.kind == "handoff")
                    & (LeadEvent.field == "rejected")
                    & (LeadEvent.new_value == "not_qualified")
                    & LeadEvent.old_value.in_(list(ids))
                    & (LeadEvent.at >= q_start)
                    & (LeadEvent.at < day_end)
                )
                .group_by(LeadEvent.old_value)
            )
        )
    ups: dict[int, int] = defaultdict(int)
    for key, new in last_rank.items():
        if rank_steps(first_rank[key], new, rules.rank_names) > 0:
            ups[key[0]] += 1
    rows = []
    for load in loads:
        op_id = ids[load.name]
        lines = rules.targets.for_operator(load.name, team).daily
        today_volume = volume(today_rows.get(op_id, []), rules.activity.weights)
        rows.append(
            TeamRow(
                load=load,
                today_volume=today_volume,
                daily_lines=lines,
                today_tier=tier(today_volume, lines),
                sql_quarter=len(sql_leads.get(op_id, ())),
                rank_ups=ups.get(op_id, 0),
                rejected=rejected.get(load.name, 0),
                last_activity_at=last.get(op_id),
            )
        )
    groups = tuple(unassigned_by_group(rules, now))
    return TeamOverview(team=team, editable=team == actor.team, rows=tuple(rows), groups=groups)


@dataclass(frozen=True)
class HeldLead:
    id: int
    company: str
    contact: str
    rank: str
    acquired_at: dt.datetime
    next_action_at: dt.datetime | None


def leads_held_by(actor: Actor, operator_name: str, limit: int = 1000) -> list[HeldLead]:
    """An operator's open leads, newest arrivals first, for a lead choosing what to move."""
    from isdesk.store.models import Lead

    if not actor.is_lead:
        raise TeamAccessError("only team leads move leads between operators")
    with current_database().connection_context():
        owner = Operator.get_or_none(Operator.name == operator_name)
        if owner is None or owner.team != actor.team:
            raise TeamAccessError(f"{operator_name} is not in team {actor.team}")
        rows = (
            Lead.select(
                Lead.id,
                Lead.company,
                Lead.contact,
                Lead.rank,
                Lead.acquired_at,
                Lead.next_action_at,
            )
            .where((Lead.owner == owner.id) & (Lead.status == "open"))
            .order_by(Lead.acquired_at.desc(), Lead.id.desc())
            .limit(limit)
        )
        return [
            HeldLead(r.id, r.company, r.contact, r.rank, r.acquired_at, r.next_action_at)
            for r in rows
        ]
