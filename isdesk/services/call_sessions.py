"""Calls made on the lead screen, as objects that survive the operator's process (call logs
from a dialer or phone system are isdesk.services.calls).

``start_call`` writes the call at once (lead, operator, start); while it runs the screen calls
``call_seen`` every few seconds; ``end_call`` marks the moment the operator hung up. The call
is closed either by logging its activity (``log_activity`` with the call's id, one
transaction) or by ``cancel_call``, a deliberate choice that is recorded as such. Anything
else, a crash, a kill, a closed terminal, leaves it open, and ``open_calls`` finds it on the
next start so the operator can finish it with the duration up to the last moment seen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.services.leads import LeadAccessError, LeadNotFoundError, can_change, owner_team
from isdesk.services.operators import Actor
from isdesk.store.calls import OPEN_CALL_STATUSES, PhoneCall
from isdesk.store.db import current_database, utcnow
from isdesk.store.models import Lead

MAX_CALL_SECONDS = 24 * 3600


class CallStateError(ValueError):
    """The call is not open any more (logged or cancelled elsewhere)."""


@dataclass(frozen=True)
class CallState:
    id: int
    lead_id: int
    operator_id: int
    started_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None
    status: str
    duration_s: int  # until the hang-up, or for a call still open until the last moment seen


def _state(row: PhoneCall) -> CallState:
    until = row.ended_at or row.last_seen_at
    seconds = max(0, min(MAX_CALL_SECONDS, int((until - row.started_at).total_seconds())))
    return CallState(
        id=row.id,
        lead_id=row.lead_id,  # type: ignore[attr-defined]  # peewee's foreign-key id
        operator_id=row.operator_id,  # type: ignore[attr-defined]
        started_at=row.started_at,
        last_seen_at=row.last_seen_at,
        ended_at=row.ended_at,
        status=row.status,
        duration_s=row.duration_s or seconds,
    )


def start_call(actor: Actor, lead_id: int, *, now: dt.datetime | None = None) -> CallState:
    """Write a running call of ``actor`` on ``lead_id``; refused on a lead they may not change."""
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        lead = Lead.get_or_none(Lead.id == lead_id)
        if lead is None:
            raise LeadNotFoundError(f"lead {lead_id} does not exist")
        if not can_change(actor, lead.owner_id, owner_team(lead)):
            raise LeadAccessError(f"lead {lead_id} belongs to another operator")
        row = PhoneCall.create(
            lead=lead_id, operator=actor.id, started_at=at, last_seen_at=at, status="running"
        )
        return _state(row)


def _open_call(actor: Actor, call_id: int) -> PhoneCall:
    row = PhoneCall.get_or_none(
        (PhoneCall.id == call_id)
        & (PhoneCall.operator == actor.id)
        & (PhoneCall.status.in_(OPEN_CALL_STATUSES))
    )
    if row is None:
        raise CallStateError(f"call {call_id} is not open")
    return row


def call_seen(actor: Actor, call_id: int, *, now: dt.datetime | None = None) -> None:
    """The call is still running at ``now`` (the screen's heartbeat)."""
    db = current_database()
    with db.connection_context(), db.atomic():
        PhoneCall.update(last_seen_at=now or utcnow()).where(
            (PhoneCall.id == call_id)
            & (PhoneCall.operator == actor.id)
            & (PhoneCall.status == "running")
        ).execute()


def end_call(actor: Actor, call_id: int, *, now: dt.datetime | None = None) -> CallState:
    """The operator hung up: fix the call's length; its outcome comes with the activity."""
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        row = _open_call(actor, call_id)
        if row.status == "running":
            row.ended_at = at
            row.last_seen_at = at
            row.status = "ended"
            row.duration_s = _state(row).duration_s
            _write(row, "ended_at", "last_seen_at", "status", "duration_s")
        return _state(row)


def cancel_call(actor: Actor, call_id: int, *, now: dt.datetime | None = None) -> CallState:
    """Close the call without an activity, because the operator chose to (recorded)."""
    db = current_database()
    at = now or utcnow()
    with db.connection_context(), db.atomic():
        row = _open_call(actor, call_id)
        if row.ended_at is None:
            row.ended_at = at
            row.duration_s = _state(row).duration_s
        row.status = "cancelled"
        _write(row, "ended_at", "duration_s", "status")
        return _state(row)


def _write(row: PhoneCall, *fields: str) -> None:
    """UPDATE only ``fields``: team mode grants an operator those columns and no others."""
    PhoneCall.update({getattr(PhoneCall, f): getattr(row, f) for f in fields}).where(
        PhoneCall.id == row.id
    ).execute()


def close_call_with_activity(actor: Actor, call_id: int, activity_id: int, duration_s: int) -> None:
    """Inside ``log_activity``'s transaction: the call's activity is written."""
    row = _open_call(actor, call_id)
    PhoneCall.update(
        status="logged",
        activity=activity_id,
        duration_s=duration_s,
        ended_at=row.ended_at or utcnow(),
    ).where(PhoneCall.id == row.id).execute()


def open_calls(actor: Actor, lead_id: int | None = None) -> tuple[CallState, ...]:
    """``actor``'s calls not yet logged or cancelled, oldest first (on ``lead_id`` if given)."""
    db = current_database()
    with db.connection_context():
        query = PhoneCall.select().where(
            (PhoneCall.operator == actor.id) & (PhoneCall.status.in_(OPEN_CALL_STATUSES))
        )
        if lead_id is not None:
            query = query.where(PhoneCall.lead == lead_id)
        return tuple(_state(r) for r in query.order_by(PhoneCall.started_at, PhoneCall.id))


def call_state(call_id: int) -> CallState | None:
    """One call as stored (for tests and the recovery prompt)."""
    db = current_database()
    with db.connection_context():
        row = PhoneCall.get_or_none(PhoneCall.id == call_id)
        return _state(row) if row else None
