"""One local day of activities, per operator, as rows a spreadsheet can take.

The day is the team's calendar day (``rules.calendar.zone``, Asia/Tokyo by default): an
activity at 23:59 JST belongs to it, one at 00:00 JST the next morning does not. Reading is
three queries whatever the size of the team: the operators in scope, the activities (joined
to their lead and operator) and the per-operator counts; nothing is read row by row.

Who may export what is decided here, not in the CLI, so every caller gets the same rules:
an operator exports only their own day, a team lead anyone in their team or the whole team,
field sales nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import fn

from isdesk.domain import kpi
from isdesk.rules import Rules
from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Activity, Lead, Operator
from isdesk.store.query import tuples


class ExportError(ValueError):
    """The export cannot be made as asked; the message tells the user why and what to do."""


@dataclass(frozen=True)
class ActivityRow:
    """One logged activity; ``at`` is in the calendar's zone."""

    id: int
    at: dt.datetime
    operator: str  # login name
    operator_name: str
    team: str
    lead_id: int
    company: str
    contact: str
    kind: str
    outcome: str
    duration_s: int
    rank_after: str
    sql_after: bool
    customer_voice: bool
    note: str


@dataclass(frozen=True)
class OperatorSummary:
    """One operator's day: counts, weighted volume, the daily lines and the tier reached.

    ``kind_counts`` has one entry per kind of ``kpi.ACTIVITY_KINDS``, in that order; kinds
    outside that list still count in ``activities`` and (by their weight) in ``volume``.
    """

    operator: str
    operator_name: str
    team: str
    kind_counts: tuple[tuple[str, int], ...]
    connected_calls: int
    activities: int
    duration_s: int
    volume: int
    minimum: int
    expected: int
    stretch: int
    tier: str  # "below" | "minimum" | "expected" | "stretch"

    def count(self, kind: str) -> int:
        """How many activities of ``kind`` the operator logged that day."""
        return dict(self.kind_counts).get(kind, 0)


@dataclass(frozen=True)
class DailyExport:
    """Activities ordered by time then id; summaries ordered by operator login name."""

    day: dt.date
    rows: tuple[ActivityRow, ...]
    summaries: tuple[OperatorSummary, ...]


def daily_export(
    actor: Actor,
    day: dt.date,
    rules: Rules,
    *,
    operator: str | None = None,
    team: str | None = None,
) -> DailyExport:
    """The activities of ``day`` (local calendar day) for one operator or one team.

    With neither ``operator`` nor ``team``, an operator gets their own day and a team lead
    their team's. Raises :class:`ExportError` for a forbidden or impossible request.
    """
    if operator is not None and team is not None:
        raise ExportError("give either an operator or a team, not both")
    _check_actor(actor)
    start, end = kpi.day_bounds_utc(day, rules.calendar)
    zone = rules.calendar.zone
    with current_database().connection_context():
        members = _members(actor, operator, team)
        ids = [m.id for m in members]
        in_scope = (Activity.operator.in_(ids)) & (Activity.at >= start) & (Activity.at < end)
        query = tuples(
            Activity.select(
                Activity.id,
                Activity.at,
                Activity.kind,
                Activity.outcome,
                Activity.duration_s,
                Activity.rank_after,
                Activity.sql_after,
                Activity.customer_voice,
                Activity.note,
                Operator.name,
                Operator.display_name,
                Operator.team,
                Lead.id,
                Lead.company,
                Lead.contact,
            )
            .join(Operator, on=Activity.operator == Operator.id)
            .switch(Activity)
            .join(Lead, on=Activity.lead == Lead.id)
            .where(in_scope)
            .order_by(Activity.at, Activity.id)
        )
        rows = tuple(
            ActivityRow(
                id=aid,
                at=at.astimezone(zone),
                operator=login,
                operator_name=display,
                team=op_team,
                lead_id=lead_id,
                company=company,
                contact=contact,
                kind=kind,
                outcome=outcome,
                duration_s=duration,
                rank_after=rank_after,
                sql_after=bool(sql_after),
                customer_voice=bool(voice),
                note=note,
            )
            for (aid, at, kind, outcome, duration, rank_after, sql_after, voice, note, login,
                 display, op_team, lead_id, company, contact) in query
        )  # fmt: skip
        counts = tuples(
            Activity.select(
                Activity.operator,
                Activity.kind,
                Activity.outcome,
                fn.COUNT(Activity.id),
                fn.SUM(Activity.duration_s),
            )
            .where(in_scope)
            .group_by(Activity.operator, Activity.kind, Activity.outcome)
        )
        per_operator: dict[int, list[tuple[str, str, int, int]]] = defaultdict(list)
        for operator_id, kind, outcome, count, seconds in counts:
            per_operator[operator_id].append((kind, outcome, int(count), int(seconds or 0)))
    summaries = tuple(
        _summarize(member, per_operator.get(member.id, []), rules)
        for member in members
        # A team export lists everyone still selling, idle or not (field sales only when
        # they logged something), and anyone who left but logged something that day; a
        # one-operator export always has its one summary.
        if (member.active and member.role != "field")
        or member.id in per_operator
        or operator is not None
    )
    return DailyExport(day=day, rows=rows, summaries=summaries)


def _check_actor(actor: Actor) -> None:
    if not actor.active:
        raise ExportError(f"operator {actor.name!r} is deactivated; ask your team lead")
    if actor.role == "field":
        raise ExportError(
            "field sales users cannot export activity logs; ask your team lead for the export"
        )
    if actor.role not in ("operator", "lead"):
        raise ExportError(f"role {actor.role!r} may not export activity logs")


@dataclass(frozen=True)
class _Member:
    id: int
    name: str
    display_name: str
    team: str
    role: str
    active: bool


def _members(actor: Actor, operator: str | None, team: str | None) -> list[_Member]:
    """The operators in scope, by login name, after the role checks."""
    if operator is None and team is None:
        if actor.is_lead:
            team = actor.team
        else:
            operator = actor.name
    if operator is not None:
        if not actor.is_lead and operator != actor.name:
            raise ExportError(
                f"you ({actor.name}) may export only your own activities, not {operator!r}; "
                "ask your team lead for a colleague's or the team's log"
            )
        row = Operator.get_or_none(Operator.name == operator)
        if row is None:
            raise ExportError(
                f"operator {operator!r} is not registered; `isdesk operator list` shows who is"
            )
        if row.team != actor.team:
            raise ExportError(
                f"operator {operator!r} is in team {row.team!r}; you lead team {actor.team!r} "
                "and may export only its members"
            )
        return [_member(row)]
    assert team is not None
    if not actor.is_lead:
        raise ExportError(
            f"you ({actor.name}) may export only your own activities, not team {team!r}; "
            "team exports are for team leads"
        )
    rows = list(Operator.select().where(Operator.team == team))
    if not rows:
        raise ExportError(f"team {team!r} has no operators; `isdesk operator list` shows the teams")
    if team != actor.team:
        raise ExportError(
            f"you lead team {actor.team!r} and may export only that team, not {team!r}"
        )
    return sorted((_member(r) for r in rows), key=lambda m: m.name)


def _member(row: Operator) -> _Member:
    return _Member(row.id, row.name, row.display_name, row.team, row.role, row.active)


def _summarize(
    member: _Member, counts: Sequence[tuple[str, str, int, int]], rules: Rules
) -> OperatorSummary:
    by_kind: dict[str, int] = defaultdict(int)
    connected = 0
    for kind, outcome, count, _ in counts:
        by_kind[kind] += count
        if kind == "call" and outcome == "connected":
            connected += count
    # A kind isdesk does not know (old or imported data) is listed but weighs nothing;
    # kpi.volume would refuse it and one odd row must not block the day's export.
    known = ((k, o, c) for k, o, c, _ in counts if k in kpi.ACTIVITY_KINDS)
    volume = kpi.volume(known, rules.activity.weights)
    lines = rules.targets.for_operator(member.name, member.team).daily
    return OperatorSummary(
        operator=member.name,
        operator_name=member.display_name,
        team=member.team,
        kind_counts=tuple((kind, by_kind.get(kind, 0)) for kind in kpi.ACTIVITY_KINDS),
        connected_calls=connected,
        activities=sum(c for _, _, c, _ in counts),
        duration_s=sum(s for _, _, _, s in counts),
        volume=volume,
        minimum=lines.minimum,
        expected=lines.expected,
        stretch=lines.stretch,
        tier=kpi.tier(volume, lines),
    )
