"""A lead's detail and the saving of hearing answers, with conflict detection.

Every save is one transaction that writes the answer, recomputes rank and SQL status from the
answers *in the database* (not from the screen's copy) and appends what changed to the lead's
event log. Each answer carries a version: a save names the version the operator edited, and if
someone else saved in between, nothing is overwritten and the caller is told whose value won.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from peewee import IntegrityError

from isdesk.domain.qualification import Qualification, evaluate
from isdesk.rules import Rules
from isdesk.services.lead_history import HistoryEntry, timeline
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres, utcnow
from isdesk.store.models import Activity, Answer, Campaign, Lead, LeadEvent, Operator

HISTORY_LIMIT = 200


class LeadAccessError(PermissionError):
    """The actor may not see or change this lead."""


class LeadNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class LeadProfile:
    id: int
    company: str
    contact: str
    title: str
    phone: str
    email: str
    source: str
    campaign: str
    owner: str
    owner_id: int | None
    acquired_at: dt.datetime
    status: str
    stage: str
    rank: str
    is_sql: bool
    heard: int
    next_action_at: dt.datetime | None
    next_action: str
    version: int
    department: str = ""
    phones: tuple[tuple[str, str], ...] = ()  # (kind, number): direct, mobile, company, …
    do_not_call: bool = False
    do_not_call_note: str = ""  # why: the CRM column it came from, or who set it


@dataclass(frozen=True)
class AnswerState:
    item: str
    value: str
    version: int  # 0: never answered
    updated_at: dt.datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class LeadDetail:
    profile: LeadProfile
    answers: Mapping[str, AnswerState]
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class SaveOutcome:
    """What happened to one save.

    ``saved`` False means a conflict: ``theirs`` is the answer someone else saved meanwhile,
    and nothing was written.
    """

    saved: bool
    item: str
    answer: AnswerState
    theirs: AnswerState | None = None
    rank: str = ""
    is_sql: bool = False
    rank_changed: bool = False
    sql_changed: bool = False
    lead_version: int = 0  # the lead's change counter after this save


def can_change(actor: Actor, owner_id: int | None, team: str | None) -> bool:
    """Operators change their own leads and unassigned ones; leads change their team's."""
    if actor.role == "field":
        return False
    if owner_id is None or owner_id == actor.id:
        return True
    return actor.is_lead and team == actor.team


def owner_team(lead: Lead) -> str | None:
    """The team of the lead's owner (None when unassigned)."""
    if lead.owner_id is None:
        return None
    return Operator.select(Operator.team).where(Operator.id == lead.owner_id).scalar()


def _answer_state(row: Answer, names: Mapping[int, str]) -> AnswerState:
    return AnswerState(
        item=row.item,
        value=row.value,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=names.get(row.updated_by_id, "") if row.updated_by_id else "",
    )


def _operator_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = Operator.select(Operator.id, Operator.display_name).where(Operator.id.in_(list(ids)))
    return {o.id: o.display_name for o in query}


def load_lead(actor: Actor, lead_id: int) -> LeadDetail:
    """Everything the lead screen shows, in one read."""
    with current_database().connection_context():
        lead = Lead.get_or_none(Lead.id == lead_id)
        if lead is None:
            raise LeadNotFoundError(f"lead {lead_id} does not exist")
        if actor.role == "field" or not can_change(actor, lead.owner_id, owner_team(lead)):
            raise LeadAccessError(f"lead {lead_id} belongs to another operator")
        answers = list(Answer.select().where(Answer.lead == lead_id))
        events = list(
            LeadEvent.select()
            .where(LeadEvent.lead == lead_id)
            .order_by(LeadEvent.at.desc(), LeadEvent.id.desc())
            .limit(HISTORY_LIMIT)
        )
        activities = list(
            Activity.select()
            .where(Activity.lead == lead_id)
            .order_by(Activity.at.desc(), Activity.id.desc())
            .limit(HISTORY_LIMIT)
        )
        ids = {a.updated_by_id for a in answers if a.updated_by_id}
        ids |= {e.actor_id for e in events if e.actor_id}
        ids |= {a.operator_id for a in activities}
        if lead.owner_id:
            ids.add(lead.owner_id)
        names = _operator_names(ids)
        campaign = (
            Campaign.select(Campaign.name).where(Campaign.id == lead.campaign_id).scalar()
            if lead.campaign_id
            else ""
        )
        profile = LeadProfile(
            id=lead.id,
            company=lead.company,
            contact=lead.contact,
            title=lead.title,
            phone=lead.phone,
            email=lead.email,
            source=lead.source,
            campaign=campaign or "",
            owner=names.get(lead.owner_id, "") if lead.owner_id else "",
            owner_id=lead.owner_id,
            acquired_at=lead.acquired_at,
            status=lead.status,
            stage=lead.stage,
            rank=lead.rank,
            is_sql=bool(lead.is_sql),
            heard=lead.heard,
            next_action_at=lead.next_action_at,
            next_action=lead.next_action,
            version=lead.version,
            department=lead.department,
            phones=lead_phones(lead.phones, lead.phone),
            do_not_call=bool(lead.do_not_call),
            do_not_call_note=lead.do_not_call_note,
        )
        history = timeline(events, activities, names, HISTORY_LIMIT)
        return LeadDetail(
            profile=profile,
            answers={a.item: _answer_state(a, names) for a in answers},
            history=history,
        )


def lead_phones(phones_json: str, phone: str) -> tuple[tuple[str, str], ...]:
    """A lead's numbers as (kind, number), the one to call first first; an older lead that
    has only ``phone`` gives that one."""
    import json

    try:
        items = json.loads(phones_json or "[]")
    except ValueError:
        items = []
    found = tuple(
        (str(p.get("kind", "phone")), str(p["number"]))
        for p in items
        if isinstance(p, dict) and p.get("number")
    )
    return found or ((("phone", phone),) if phone else ())


def lead_version(lead_id: int) -> int:
    """The lead's change counter: cheap to poll, so a screen can tell it went stale."""
    with current_database().connection_context():
        return Lead.select(Lead.version).where(Lead.id == lead_id).scalar() or 0


def save_answer(
    actor: Actor,
    lead_id: int,
    item: str,
    value: str,
    *,
    base_version: int,
    rules: Rules,
    today: dt.date,
    record: bool = True,
    force: bool = False,
) -> SaveOutcome:
    """Save one hearing answer, all or nothing.

    ``base_version`` is the answer version the operator was editing (0 if it had none). If the
    stored version differs, someone else saved meanwhile: nothing is written unless ``force``
    (the operator chose to keep their own text after being told).

    ``record`` appends an ``answer`` event: the screen saves on every keystroke with
    ``record=False`` and records once the answer is settled (field left, Enter, a choice
    made), so the history reads "予算: 300万 → 500万", not one event per key.
    """
    if item not in {h.key for h in rules.hearing}:
        raise ValueError(f"unknown hearing item {item!r}")
    db = current_database()
    now = utcnow()
    with db.connection_context(), db.atomic():
        lead_query = Lead.select().where(Lead.id == lead_id)
        if is_postgres(db):
            lead_query = lead_query.for_update()  # serialise saves to one lead
        lead = lead_query.get_or_none()
        if lead is None:
            raise LeadNotFoundError(f"lead {lead_id} does not exist")
        if not can_change(actor, lead.owner_id, owner_team(lead)):
            raise LeadAccessError(f"lead {lead_id} belongs to another operator")
        row = Answer.get_or_none((Answer.lead == lead_id) & (Answer.item == item))
        stored_version = row.version if row else 0
        if stored_version != base_version and not force:
            assert row is not None
            return _conflict(row, lead)
        answer_changed = row is None
        if row is None:
            try:
                with db.atomic():
                    row = Answer.create(
                        lead=lead_id,
                        item=item,
                        value=value,
                        version=1,
                        updated_at=now,
                        updated_by=actor.id,
                    )
            except IntegrityError:
                # Defensive: the lead lock makes this race unlikely, but the unique index decides.
                return _conflict(Answer.get((Answer.lead == lead_id) & (Answer.item == item)), lead)
        else:
            answer_changed = row.value != value or force
        if answer_changed and stored_version:
            Answer.update(
                value=value, version=Answer.version + 1, updated_at=now, updated_by=actor.id
            ).where(Answer.id == row.id).execute()
            row = Answer.get_by_id(row.id)
        if record:
            _record_answer_event(lead_id, actor, item, value, now)
        values = {
            a.item: a.value
            for a in Answer.select(Answer.item, Answer.value).where(Answer.lead == lead_id)
        }
        qual = evaluate(rules, values, today)
        outcome = _apply_qualification(lead, actor, qual, now, answer_changed)
        saved = AnswerState(item, row.value, row.version, row.updated_at, actor.display_name)
        return SaveOutcome(saved=True, item=item, answer=saved, **outcome)


def _conflict(row: Answer, lead: Lead) -> SaveOutcome:
    """Someone else saved this answer first: nothing is written, and the caller learns theirs."""
    names = _operator_names({row.updated_by_id} if row.updated_by_id else set())
    theirs = _answer_state(row, names)
    return SaveOutcome(
        saved=False,
        item=row.item,
        answer=theirs,
        theirs=theirs,
        rank=lead.rank,
        is_sql=bool(lead.is_sql),
        lead_version=lead.version,
    )


def _record_answer_event(
    lead_id: int, actor: Actor, item: str, value: str, now: dt.datetime
) -> None:
    last = (
        LeadEvent.select(LeadEvent.new_value)
        .where(
            (LeadEvent.lead == lead_id) & (LeadEvent.kind == "answer") & (LeadEvent.field == item)
        )
        .order_by(LeadEvent.id.desc())
        .limit(1)
        .scalar()
    )
    if (last or "") != value:
        LeadEvent.create(
            lead=lead_id,
            actor=actor.id,
            at=now,
            kind="answer",
            field=item,
            old_value=last or "",
            new_value=value,
        )


class _Qualified(TypedDict):
    """What a save did to the lead's rank and SQL: the SaveOutcome fields after ``answer``."""

    rank: str
    is_sql: bool
    rank_changed: bool
    sql_changed: bool
    lead_version: int


def _apply_qualification(
    lead: Lead, actor: Actor, qual: Qualification, now: dt.datetime, answer_changed: bool
) -> _Qualified:
    rank_changed = qual.rank != lead.rank
    sql_changed = qual.sql != bool(lead.is_sql)
    if rank_changed:
        LeadEvent.create(
            lead=lead.id,
            actor=actor.id,
            at=now,
            kind="rank",
            old_value=lead.rank,
            new_value=qual.rank,
        )
    if sql_changed:
        LeadEvent.create(
            lead=lead.id,
            actor=actor.id,
            at=now,
            kind="sql",
            old_value=str(bool(lead.is_sql)).lower(),
            new_value=str(qual.sql).lower(),
        )
    if not (answer_changed or rank_changed or sql_changed):
        return {
            "rank": qual.rank,
            "is_sql": qual.sql,
            "rank_changed": False,
            "sql_changed": False,
            "lead_version": lead.version,
        }
    Lead.update(
        rank=qual.rank,
        is_sql=qual.sql,
        heard=qual.heard,
        version=Lead.version + 1,
        updated_at=now,
    ).where(Lead.id == lead.id).execute()
    return {
        "rank": qual.rank,
        "is_sql": qual.sql,
        "rank_changed": rank_changed,
        "sql_changed": sql_changed,
        "lead_version": lead.version + 1,
    }
