"""Logging calls, e-mails, appointments, meetings and notes against a lead.

One transaction writes the activity (with the lead's rank and SQL status at that moment, so
later reports need not reconstruct them), marks the lead as touched and sets its next
follow-up, appending the follow-up change to the lead's event log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.domain.kpi import ACTIVITY_KINDS, CALL_OUTCOMES
from isdesk.services.leads import LeadAccessError, LeadNotFoundError, can_change, owner_team
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres, utcnow
from isdesk.store.models import Activity, Lead, LeadEvent

# A note records what was heard; it is not a contact with the customer.
TOUCHING_KINDS = frozenset({"call", "email", "appointment", "meeting"})
MAX_NOTE_LENGTH = 10_000


class ActivityError(ValueError):
    """An activity isdesk cannot record as given; the message says what to change."""


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    outcome: str = ""
    duration_s: int = 0
    note: str = ""
    customer_voice: bool = False
    next_action_at: dt.datetime | None = None
    next_action: str = ""
    recording_url: str = ""  # a phone system's recording of the call


@dataclass(frozen=True)
class LoggedActivity:
    id: int
    lead_id: int
    kind: str
    outcome: str
    at: dt.datetime
    duration_s: int
    rank_after: str
    sql_after: bool
    next_action_at: dt.datetime | None


def validate_activity(entry: ActivityInput) -> None:
    """Refuse what would make a report wrong, with a message for the operator."""
    if entry.kind not in ACTIVITY_KINDS:
        raise ActivityError(f"kind {entry.kind!r}: choose one of {', '.join(ACTIVITY_KINDS)}")
    if entry.kind == "call" and entry.outcome not in CALL_OUTCOMES:
        raise ActivityError(f"call outcome {entry.outcome!r}: one of {', '.join(CALL_OUTCOMES)}")
    if entry.kind != "call" and entry.outcome:
        raise ActivityError("only calls have an outcome")
    if not 0 <= entry.duration_s <= 24 * 3600:
        raise ActivityError("duration must be between 0 and 24 hours")
    if entry.recording_url and not entry.recording_url.lower().startswith(("https://", "http://")):
        raise ActivityError(f"recording {entry.recording_url!r}: give an http(s):// address")
    if len(entry.note) > MAX_NOTE_LENGTH:
        raise ActivityError(f"note is longer than {MAX_NOTE_LENGTH:,} characters")
    if entry.next_action_at is not None and entry.next_action_at.tzinfo is None:
        raise ActivityError("next action time needs a time zone")


def log_activity(
    actor: Actor, lead_id: int, entry: ActivityInput, *, now: dt.datetime | None = None
) -> LoggedActivity:
    """Record ``entry`` on the lead, all or nothing."""
    validate_activity(entry)
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        query = Lead.select().where(Lead.id == lead_id)
        if is_postgres(db):
            query = query.for_update()
        lead = query.get_or_none()
        if lead is None:
            raise LeadNotFoundError(f"lead {lead_id} does not exist")
        if not can_change(actor, lead.owner_id, owner_team(lead)):
            raise LeadAccessError(f"lead {lead_id} belongs to another operator")
        row = Activity.create(
            lead=lead_id,
            operator=actor.id,
            at=at,
            kind=entry.kind,
            outcome=entry.outcome,
            duration_s=entry.duration_s,
            note=entry.note,
            customer_voice=entry.customer_voice,
            rank_after=lead.rank,
            sql_after=bool(lead.is_sql),
            recording_url=entry.recording_url,
        )
        changes: dict[object, object] = {Lead.version: Lead.version + 1, Lead.updated_at: at}
        # A call logged afterwards by a phone system may be older than the last contact.
        if entry.kind in TOUCHING_KINDS and (lead.last_touch_at is None or at > lead.last_touch_at):
            changes[Lead.last_touch_at] = at
        if entry.next_action_at is not None or entry.next_action:
            changes[Lead.next_action_at] = entry.next_action_at
            changes[Lead.next_action] = entry.next_action
            old = lead.next_action_at.isoformat() if lead.next_action_at else ""
            new = entry.next_action_at.isoformat() if entry.next_action_at else ""
            LeadEvent.create(
                lead=lead_id,
                actor=actor.id,
                at=at,
                kind="next_action",
                old_value=old,
                new_value=new,
                note=entry.next_action,
            )
        Lead.update(changes).where(Lead.id == lead_id).execute()
        return LoggedActivity(
            id=row.id,
            lead_id=lead_id,
            kind=entry.kind,
            outcome=entry.outcome,
            at=at,
            duration_s=entry.duration_s,
            rank_after=lead.rank,
            sql_after=bool(lead.is_sql),
            next_action_at=entry.next_action_at,
        )
