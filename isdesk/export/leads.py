"""Leads for field sales' CRM (``isdesk export leads``): which leads, with what they said.

A lead's *team* here is the inside-sales team that worked it: the team of the operator who
handed it off (after a hand-off the field user owns it), else its owner's team. Who may export:

- a team lead: their team's leads (``--team`` may only name their own team);
- an operator: the leads they own or handed off;
- a field user: the leads handed to them.

Filters combine (all must hold): ``handed_off`` (a hand-off that is pending or accepted, not one
field sales sent back), ``sql``, ``team``, and a range of local days — of the latest hand-off with
``handed_off``, else of acquisition. Reading is a handful of queries whatever the number of
leads: hand-offs, leads (with owner and campaign), answers in chunks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from peewee import JOIN

from isdesk.domain import kpi
from isdesk.export.daily import ExportError
from isdesk.i18n import pick
from isdesk.rules import Rules
from isdesk.services.handoff import bant_summary
from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Answer, Campaign, Lead, Operator
from isdesk.store.pipeline import Handoff
from isdesk.store.query import tuples

_CHUNK = 500  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class HandoffInfo:
    """The latest hand-off of a lead."""

    at: dt.datetime  # in the calendar's zone
    from_operator: str
    from_team: str
    to_user: str
    to_name: str
    status: str  # pending | accepted | rejected
    note: str


@dataclass(frozen=True)
class LeadRecord:
    """One lead as a CRM takes it; ``answers`` are (item key, label, value), rules' order."""

    id: int
    company: str
    contact: str
    title: str
    phone: str
    email: str
    source: str
    campaign: str
    acquired_at: dt.datetime  # in the calendar's zone
    status: str
    stage: str
    rank: str
    is_sql: bool
    owner: str
    team: str
    handoff: HandoffInfo | None
    answers: tuple[tuple[str, str, str], ...]
    description: str  # the BANT note and the hearing answers, then the hand-off note


@dataclass(frozen=True)
class LeadExport:
    """The leads that passed the filters, by id."""

    leads: tuple[LeadRecord, ...]


def lead_export(
    actor: Actor,
    rules: Rules,
    *,
    handed_off: bool = False,
    sql: bool = False,
    start: dt.date | None = None,
    end: dt.date | None = None,
    team: str | None = None,
) -> LeadExport:
    """The leads ``actor`` may export that pass every filter; see the module's docstring.

    Raises :class:`ExportError` (a one-line reason) for a forbidden or impossible request.
    """
    if not actor.active:
        raise ExportError(f"operator {actor.name!r} is deactivated; ask your team lead")
    if start and end and end < start:
        raise ExportError(f"--to {end} is before --from {start}")
    if team is not None and actor.role != "lead":
        raise ExportError("--team is for team leads; you export the leads that are yours")
    if team is not None and team != actor.team:
        raise ExportError(f"you lead team {actor.team!r} and may export only it, not {team!r}")
    zone = rules.calendar.zone
    with current_database().connection_context():
        handoffs = _latest_handoffs(actor, zone)
        rows = _leads(actor, handoffs, sql=sql, handed_off=handed_off)
        bounds = kpi.period_bounds_utc(
            start or dt.date(1900, 1, 1), end or dt.date(9999, 12, 30), rules.calendar
        )
        kept = []
        for row in rows:
            info = handoffs.get(row[0])
            if handed_off and (info is None or info.status == "rejected"):
                continue
            if start or end:
                moment = info.at if handed_off and info else row[8]
                if not bounds[0] <= moment < bounds[1]:
                    continue
            kept.append((row, info))
        answers = _answers([row[0] for row, _ in kept])
    leads = tuple(_record(row, info, answers.get(row[0], {}), rules) for row, info in kept)
    return LeadExport(leads)


def _latest_handoffs(actor: Actor, zone: dt.tzinfo) -> dict[int, HandoffInfo]:
    sender = Operator.alias("sender")
    receiver = Operator.alias("receiver")
    query = (
        Handoff.select(
            Handoff.lead,
            Handoff.created_at,
            Handoff.status,
            Handoff.note,
            sender.name,
            sender.team,
            receiver.name,
            receiver.display_name,
        )
        .join(sender, on=Handoff.from_operator == sender.id)
        .switch(Handoff)
        .join(receiver, on=Handoff.to_user == receiver.id)
        .order_by(Handoff.created_at, Handoff.id)
    )
    if actor.role == "field":
        query = query.where(Handoff.to_user == actor.id)
    latest: dict[int, HandoffInfo] = {}
    for lead_id, at, status, note, s_name, s_team, r_name, r_display in tuples(query):
        latest[lead_id] = HandoffInfo(
            at.astimezone(zone), s_name, s_team, r_name, r_display, status, note
        )
    return latest


def _leads(
    actor: Actor, handoffs: dict[int, HandoffInfo], *, sql: bool, handed_off: bool
) -> list[tuple[Any, ...]]:
    owner = Operator.alias("owner")
    query = (
        Lead.select(
            Lead.id,
            Lead.company,
            Lead.contact,
            Lead.title,
            Lead.phone,
            Lead.email,
            Lead.source,
            Campaign.name,
            Lead.acquired_at,
            Lead.status,
            Lead.stage,
            Lead.rank,
            Lead.is_sql,
            owner.name,
            owner.team,
            owner.id,
        )
        .join(owner, JOIN.LEFT_OUTER, on=Lead.owner == owner.id)
        .switch(Lead)
        .join(Campaign, JOIN.LEFT_OUTER, on=Lead.campaign == Campaign.id)
        .order_by(Lead.id)
    )
    if sql:
        query = query.where(Lead.is_sql == True)  # noqa: E712 - peewee builds SQL from ==
    if handed_off:
        query = query.where(Lead.id.in_(list(handoffs)) if handoffs else Lead.id < 0)
    rows = []
    for row in tuples(query):
        lead_id, owner_team, owner_id = row[0], row[14], row[15]
        info = handoffs.get(lead_id)
        team = info.from_team if info else (owner_team or "")
        if actor.role == "field":
            allowed = info is not None
        elif actor.role == "lead":
            allowed = team == actor.team
        else:
            allowed = owner_id == actor.id or (
                info is not None and info.from_operator == actor.name
            )
        if allowed:
            rows.append((*row[:14], team))
    return rows


def _answers(lead_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for i in range(0, len(lead_ids), _CHUNK):
        chunk = list(lead_ids[i : i + _CHUNK])
        query = Answer.select(Answer.lead, Answer.item, Answer.value).where(Answer.lead.in_(chunk))
        for lead_id, item, value in tuples(query):
            if value.strip():
                found[lead_id][item] = value
    return found


def _record(
    row: tuple, info: HandoffInfo | None, answers: dict[str, str], rules: Rules
) -> LeadRecord:
    (lead_id, company, contact, title, phone, email, source, campaign, acquired, status, stage,
     rank, is_sql, owner, team) = row  # fmt: skip
    heard = tuple(
        (item.key, pick(item.label), answers[item.key])
        for item in rules.hearing
        if item.key in answers
    )
    description = bant_summary(rules, answers)
    if info is not None and info.note.strip() and info.note.strip() != description.strip():
        description += "\n\n【トスアップメモ / hand-off note】\n" + info.note.strip()
    return LeadRecord(
        id=lead_id,
        company=company,
        contact=contact,
        title=title,
        phone=phone,
        email=email,
        source=source,
        campaign=campaign or "",
        acquired_at=acquired.astimezone(rules.calendar.zone),
        status=status,
        stage=stage,
        rank=rank,
        is_sql=bool(is_sql),
        owner=owner or "",
        team=team,
        handoff=info,
        answers=heard,
        description=description,
    )
